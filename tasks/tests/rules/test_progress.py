"""An item's progress as shown: 100 % only for a done item; an open item at 100 % shows the figure as not
closed, without a bar."""

import pytest
from django.utils import translation

from tasks.rules.progress import shown_progress


def test_a_done_item_shows_100_and_an_open_item_its_percent():
    assert shown_progress(status="done", progress=100).percent == 100
    assert shown_progress(status="done", progress=100).text == "100%"
    assert shown_progress(status="in_progress", progress=60).percent == 60
    assert shown_progress(status="returned", progress=99).text == "99%"
    assert shown_progress(status="not_started", progress=0).text == "0%"


@pytest.mark.parametrize("status", ["in_progress", "returned", "awaiting_review", "not_started", "waived"])
def test_an_open_item_at_100_is_not_shown_as_complete(status):
    shown = shown_progress(status=status, progress=100)
    assert shown.percent is None and shown.on_record == 100
    with translation.override("zh-hans"):
        assert str(shown) == "100%（未办结）"
    with translation.override("en"):
        assert shown.text == "100% (not closed)"
