"""``tasks.links.pk_url`` gives the URL ``reverse`` gives, in every language and under a script prefix."""

import pytest
from django.urls import reverse, set_script_prefix
from django.utils import translation

from tasks.links import pk_url

NAMES = ["tasks:work_item_detail", "tasks:key_task_detail", "tasks:unit_detail", "tasks:indicator_detail",
         "tasks:roundup_detail", "tasks:work_item_comment"]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("prefix", ["/", "/housing/"])
def test_a_pk_url_is_the_reversed_url(language, prefix):
    set_script_prefix(prefix)
    try:
        with translation.override(language):
            for name in NAMES:
                for pk in (1, 42, 10**12):
                    assert pk_url(name, pk) == reverse(name, args=[pk])
            assert pk_url("tasks:work_item_detail", 7).startswith(prefix + ("en/" if language == "en" else ""))
    finally:
        set_script_prefix("/")


def test_a_pattern_without_an_id_argument_is_refused():
    with pytest.raises(Exception):  # noqa: B017 - NoReverseMatch or our ValueError
        pk_url("tasks:home", 1)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("prefix", ["/", "/housing/"])
def test_a_fixed_url_is_the_reversed_url(language, prefix):
    from tasks.links import fixed_url

    set_script_prefix(prefix)
    try:
        with translation.override(language):
            for name, kwargs in [("tasks:home", {}), ("admin:index", {}), ("admin:tasks_workitem_changelist", {}),
                                 ("admin:tasks_unit_add", {}), ("admin:app_list", {"app_label": "tasks"}),
                                 ("admin:app_list", {"app_label": "auth"})]:
                assert fixed_url(name, current_app="admin", **kwargs) == reverse(
                    name, kwargs=kwargs or None, current_app="admin")
    finally:
        set_script_prefix("/")


def test_a_fixed_url_that_does_not_reverse_raises_as_reverse_does():
    from django.urls import NoReverseMatch

    from tasks.links import fixed_url

    with pytest.raises(NoReverseMatch):
        fixed_url("admin:tasks_nosuchmodel_changelist")
