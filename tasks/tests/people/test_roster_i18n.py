"""The roster preview's messages in the reader's language: Chinese in the Chinese UI, English in the English one
(the importer writes each error as a template and values, ``importers.roster.Issue``; the preview reads it in
the request's language, ``selectors.roster.issue_text``)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags

from tasks.importers.decisions import TEMPLATES as DECISION_TEMPLATES
from tasks.importers.decisions import parse_decisions
from tasks.importers.roster import TEMPLATES
from tasks.stored_text import issue_text
from tasks.tests.daily_setup import login, make_world
from tasks.tests.people.test_roster import HEADER, xlsx

pytestmark = pytest.mark.django_db
HAN = re.compile(r"[\u4e00-\u9fff]")


def test_every_message_the_roster_and_minutes_importers_write_has_an_english_translation():
    with translation.override("en"):
        for template in (*TEMPLATES, *DECISION_TEMPLATES):
            english = translation.gettext(template)
            assert english != template and not HAN.search(english), template


def _flagged_rows(support_username: str):
    """Rows that raise every kind of message: the file's own (role, name, mobile, email, address, length,
    duplicates) and the database's (an unknown unit, a collective, an address another account holds, a person
    of another unit)."""
    return [
        HEADER,
        ["区建设局", "", "", "1380000000", "not-an-address", "", "科员"],
        ["区建设", "李四", "", "13800000009", "", "", "联络员"],
        ["区建设局", "王" * 60, "", "13800000009", "dup@example.gov.cn", "", "联络员"],
        ["区财政局", "赵五", "", "13800000007", "dup@example.gov.cn", "", "分管领导"],
        ["区建设局", "钱六", "", "", f"{support_username}@example.gov.cn", "", "联络员"],  # 区财政局's liaison
    ]


def _url(name: str, w) -> str:
    with translation.override(settings.LANGUAGE_CODE):  # a request to /en/ leaves English active: no prefix here
        return reverse(name, args=[w.plan.slug])


def _preview_messages(client, w, prefix: str) -> list[str]:
    response = client.post(prefix + _url("tasks:roster_upload", w),
                           {"roster": SimpleUploadedFile("名单.xlsx", xlsx(_flagged_rows(w.support_user.username)))})
    assert response.status_code == 302, response.content.decode()[:500]
    html = client.get(prefix + _url("tasks:roster_preview", w)).content.decode()
    items = re.findall(r"<ul class=\"errorlist\">(.*?)</ul>", html, re.S)
    assert items, html[:3000]
    return [strip_tags(li) for block in items for li in re.findall(r"<li>(.*?)</li>", block, re.S)]


def test_the_preview_reads_its_messages_in_chinese_then_in_english(client):
    w = make_world()
    login(client, w.coordinator)
    chinese = _preview_messages(client, w, "")
    assert any("缺少姓名" in m for m in chinese) and any("无法识别" in m for m in chinese)
    assert any("不在" in m for m in chinese) and any("重复" in m for m in chinese)
    english = _preview_messages(client, w, "/en")
    assert len(english) == len(chinese) >= 8
    values = {"王" * 60, "科员", "区建设", "李四", "赵五", "钱六", "区建设局", "区财政局", "越城区", "区教育局",
              w.plan.region.name}
    for message in english:
        left = message
        for value in sorted(values, key=len, reverse=True):
            left = left.replace(value, "")
        assert not HAN.search(left), message  # Chinese only in what the file or the database wrote
    assert any("Name missing" in m for m in english), english
    # The role choices of a flagged row, too.
    html = client.get("/en" + _url("tasks:roster_preview", w)).content.decode()
    options = re.findall(r'<select name="r2-role"[^>]*>(.*?)</select>', html, re.S)[0]
    assert "Liaison" in options and not HAN.search(strip_tags(options))


def test_the_minutes_warnings_read_in_the_readers_language():
    """The same for the warnings of a meeting's minutes (the decisions upload's preview)."""
    parsed = parse_decisions("一、由区建设局牵头，会后一周内完成调研。\n二、请区财政局配合推进老旧小区改造。")
    warnings = [w.message for w in parsed.warnings]
    assert any("没有找到牵头单位" in w for w in warnings) and any("会后一周内" in w for w in warnings)
    with translation.override("en"):
        english = [issue_text(w) for w in warnings]
    assert all(not HAN.search(e.replace("会后一周内", "")) for e in english), english
    with translation.override(settings.LANGUAGE_CODE):
        assert [issue_text(w) for w in warnings] == [str(w) for w in warnings]
