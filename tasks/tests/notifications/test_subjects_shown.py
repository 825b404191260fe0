"""The outbox's subjects and notes, written in the site's language, read in the reader's (``stored_text``): the
subject of every kind of message the services write, and the outbox's admin (a message's page, the error and
note column). Data inside a subject (a plan's title, a document number) stays as written."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from tasks.models import Message, SupervisionNotice, WorkItem
from tasks.roundups.periods import Period
from tasks.services.people import PersonSpec, unit_person_add
from tasks.services.reminders import digest_subject
from tasks.stored_text import shown
from tasks.tests.daily_setup import make_world, user

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def _written(msgid: str, **values) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid) % values if values else translation.gettext(msgid)


def subjects() -> dict[str, str]:
    """Each subject as its service writes it (the same message id and values)."""
    with translation.override("zh-hans"):
        return {
            "digest": digest_subject({"overdue": 3, "due_soon": 2, "sign": 1}),
            "test": _written("住有宜居：测试消息"),
            "invite": _written("【住有宜居】请设置您的账号密码"),
            "notice": _written("【%(colour)s督办单】%(number)s %(plan)s",
                               colour=str(SupervisionNotice.Colour.RED.label), number="督办〔2026〕3号",
                               plan="海宁市实施方案"),
            "rate": _written("【待评价】%(origin)s事项已销号：%(text)s",
                             origin=str(WorkItem.Origin.MEETING.label), text="推进老旧小区改造"),
            "roundup": _written("【%(title)s】%(plan)s %(label)s", title=str(Period.month(2026, 6).title),
                                plan="海宁市实施方案", label="2026年6月"),
        }


def test_each_subject_reads_in_english_but_its_data():
    data = ("督办〔2026〕3号", "海宁市实施方案", "推进老旧小区改造", "2026年6月")
    with translation.override("en"):
        shown_subjects = {kind: shown(text) for kind, text in subjects().items()}
    left = {}
    for kind, text in shown_subjects.items():
        rest = text
        for value in data:
            rest = rest.replace(value, "")
        if CJK.search(rest):
            left[kind] = text
    assert left == {}
    assert "3" in shown_subjects["digest"] and "2" in shown_subjects["digest"]
    with translation.override("zh-hans"):
        assert {kind: shown(text) for kind, text in subjects().items()} == subjects()  # Chinese as written


def test_typed_text_that_looks_like_a_subject_stays_as_typed():
    with translation.override("en"):
        assert shown("【重要】海宁 请尽快") == "【重要】海宁 请尽快"
        assert shown("【住有宜居】工作提醒：明天开会") == "[Livable Housing] Work reminder: 明天开会"


def test_the_outbox_admin_shows_subjects_and_notes_in_english(client):
    w = make_world()
    unit_person_add(unit=w.lead, spec=PersonSpec(name="王芳", email="wf@example.gov.cn"), actor=w.coordinator)
    message = Message.objects.get(purpose=Message.Purpose.INVITE, channel="email")
    assert CJK.search(message.subject) and CJK.search(message.note)
    client.force_login(user("root-s", is_superuser=True, is_staff=True))
    change, changelist = (reverse("admin:tasks_message_change", args=[message.pk]),
                          reverse("admin:tasks_message_changelist"))  # before a request in English makes it /en/
    page = client.get("/en" + change)
    body = page.content.decode()
    assert message.subject not in body and message.note not in body
    listed = client.get("/en" + changelist)
    assert listed.status_code == 200, (listed.status_code, listed.get("Location"))
    listed = listed.content.decode()
    with translation.override("en"):
        assert shown(message.subject) in body and shown(message.note) in body
        assert shown(message.note)[:80] in listed
