"""Chinese in the Chinese UI, English in the English one (issue 29): the main pages, the admin's login records
and an import refusal, read as a user sees them (text and tooltips, not markup), hold no raw choice value and
no English label in Chinese, and no Chinese status label in English."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from tasks.roundups.periods import Period
from tasks.services import notices as notice_services
from tasks.services.review import extension_grant, extension_request_create
from tasks.services.roundups import roundup_generate
from tasks.services.support import support_part_mark_done
from tasks.tests.daily_setup import login, make_world, user

pytestmark = pytest.mark.django_db


class _Visible(HTMLParser):
    """The text a reader sees: character data outside script/style, and the tooltips and labels."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in ("title", "aria-label", "placeholder", "alt") and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return "\n".join(parser.parts)


def _choices() -> list[tuple[str, object]]:
    """Every (value, label) of the app's model choices: statuses, kinds, roles, events, colours."""
    out = []
    for model in apps.get_app_config("tasks").get_models():
        for f in model._meta.get_fields():
            for value, label in getattr(f, "flatchoices", None) or []:
                if isinstance(value, str) and value:
                    out.append((value, label))
    return out


def _english_labels() -> set[str]:
    with translation.override("en"):
        labels = {str(label) for _value, label in _choices()}
    return {x for x in labels if re.fullmatch(r"[A-Za-z][A-Za-z ,'()-]{3,}", x)}


def _chinese_labels() -> set[str]:
    with translation.override("zh-hans"):
        labels = {str(label) for _value, label in _choices()}
    return {x for x in labels if re.search(r"[\u4e00-\u9fff]", x) and len(x) >= 2}


# The importer's refusal and the 督办单 states as they used to show, and django-axes' own labels.
KNOWN_ENGLISH = {"no key tasks", "draft", "issued", "access logs", "access failures", "Axes", "IP Address",
                 "Attempt Time", "User Agent", "Failed Logins", "Logout Time", "Locked Out"}


@pytest.fixture
def world():
    w = make_world(date.today())
    support_part_mark_done(item=w.item, user=w.support_user, note="资金已拨付")
    asked = extension_request_create(item=w.item, user=w.lead_user, reason="征迁未完成",
                                     proposed_due_date=w.item.due_date + timedelta(days=30))
    extension_grant(request=asked, user=w.coordinator, note="同意")
    (notice,) = notice_services.notices_issue_for_items(items=[w.other_item], actor=w.coordinator, today=w.today)
    w.notice = notice
    last_month = w.today.replace(day=1) - timedelta(days=1)
    w.roundup, _ = roundup_generate(plan=w.plan, period=Period.month(last_month.year, last_month.month),
                                    today=w.today)
    w.admin = user("root-language", is_staff=True, is_superuser=True)
    return w


def _pages(w) -> list[tuple[object, str]]:
    """(user, url) of the main pages; reversed under the active language (the /en/ prefix)."""
    return [
        (w.lead_user, reverse("tasks:home")),
        (w.lead_user, reverse("tasks:work_item_detail", args=[w.item.pk])),
        (w.support_user, reverse("tasks:work_item_detail", args=[w.item.pk])),
        (w.coordinator, reverse("tasks:plan_detail", args=[w.plan.slug])),
        (w.coordinator, reverse("tasks:indicator_detail", args=[w.indicator.pk])),
        (w.coordinator, reverse("tasks:review_queue")),
        (w.coordinator, reverse("tasks:overdue")),
        (w.coordinator, reverse("tasks:notice_detail", args=[w.notice.pk])),
        (w.coordinator, reverse("tasks:roundup_list")),
        (w.admin, reverse("admin:index")),
        (w.admin, reverse("admin:axes_accesslog_changelist")),
        (w.admin, reverse("admin:axes_accessfailurelog_changelist")),
        (w.admin, reverse("admin:tasks_supervisionnotice_change", args=[w.notice.pk])),
        (w.admin, reverse("admin:tasks_statuschange_changelist")),
    ]


def _refusal(client, w) -> str:
    empty_plan = SimpleUploadedFile("不是方案.txt", "关于印发某某通知\n一、总体要求\n做好工作。\n".encode(),
                                    content_type="text/plain")
    response = login(client, w.admin).post(reverse("tasks:plan_import"), {"document": empty_plan}, follow=True)
    assert response.status_code == 200
    return visible(response.content.decode())


def _get(client, who, url) -> str:
    response = login(client, who).get(url)
    assert response.status_code == 200, url
    text = visible(response.content.decode())
    for name in USERNAMES:  # data, not labels (the liaison "lead" shares its name with Role.LEAD)
        text = re.sub(rf"\b{name}\b", "", text)
    text = text.replace(COORDINATOR_NAME, "")
    return text


COORDINATOR_NAME = "专班"  # make_world's coordinator's first name (data)
USERNAMES = ("lead", "support", "other", "coord", "coord2", "root-language")


def test_the_chinese_ui_shows_no_raw_values_and_no_english_labels(client, world):
    raw = {v for v, _label in _choices() if len(v) >= 4 or "_" in v}
    english = _english_labels() | KNOWN_ENGLISH
    assert {"Awaiting review", "Not started"} <= english  # the list is the app's own labels
    with translation.override(settings.LANGUAGE_CODE):
        pages = [(url, _get(client, who, url)) for who, url in _pages(world)]
        pages.append(("import refusal", _refusal(client, world)))
    for url, text in pages:
        found = {w for w in raw | english if re.search(rf"(?<![\w/.-]){re.escape(w)}(?![\w/.-])", text)}
        assert not found, (url, found)
    refusal = pages[-1][1]
    assert "未找到带责任单位的重点任务" in refusal


def test_the_english_ui_shows_no_chinese_status_labels(client, world):
    chinese = _chinese_labels()
    assert {"待审核", "未开始", "待签发"} <= chinese
    with translation.override("en"):
        pages = [(url, _get(client, who, url)) for who, url in _pages(world)
                 # The roundup and the 督办单 are Chinese documents, whatever language they are read in.
                 if "/roundups/" not in url and "/notices/" not in url]
        pages.append(("import refusal", _refusal(client, world)))
    for url, text in pages:
        found = {w for w in chinese if w in text}
        context = [" ".join(text[max(0, text.index(w) - 60):text.index(w) + 20].split()) for w in found]
        assert not found, (url, found, context)
    assert "No key tasks with responsible units" in pages[-1][1]
