"""Text the app writes into the database (history reasons, system notes, the people log, a message's channel
note, an export's failure) reads in the reader's language (``tasks.stored_text``): written in Chinese whoever
wrote it, shown again from its template in English on an English page; what people typed stays as typed."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.html import strip_tags

from tasks import stored_text as T
from tasks.importers.decisions import parse_decisions
from tasks.models import ProgressReport, StatusChange, WorkItem
from tasks.services.decisions import decisions_import, work_item_rate
from tasks.services.notices import notices_issue_for_items
from tasks.services.workflow import work_item_transition
from tasks.tests.daily_setup import login, make_world

pytestmark = pytest.mark.django_db
HAN = re.compile(r"[\u4e00-\u9fff【】：；（）]")


def _sample(template: T.Template) -> dict:
    names = re.findall(r"%\((\w+)\)", template.msgid)
    values = {"origin": "领导批示", "colour": "红色", "channel": "钉钉", "before": "钉钉", "m": 3, "hours": "4",
              "role": "分管领导"}
    words = dict(template.words)  # a value that is one of a few words: the first of them
    out = {name: "2026年6月30日" if name in template.dates else words[name][0] if name in words
           else values.get(name, f"V{n}") for n, name in enumerate(names)}
    if "%s" in template.msgid:
        out["_0"] = "2026-06-15"
    return out


@pytest.mark.parametrize("template", T.TEMPLATES, ids=lambda t: t.msgid[:12])
def test_every_template_is_written_in_chinese_and_shown_in_the_readers_language(template):
    values = _sample(template)
    with translation.override("en"):  # an English page's write is stored in the site's language
        stored = T.written(template, **values)
    expected = (template.msgid % values["_0"] if "_0" in values else template.msgid % values if values
                else template.msgid)
    assert stored == expected  # Chinese: the labels among the values too
    with translation.override(settings.LANGUAGE_CODE):
        assert T.shown(stored) == stored
    with translation.override("en"):
        english = T.shown(stored)
    assert english != stored and not HAN.search(english), (stored, english)
    if "due" in template.dates:
        assert "2026" in english and "年" not in english


def test_typed_text_is_shown_as_typed():
    with translation.override("en"):
        assert T.shown("附件为草稿，请上传盖章版。") == "附件为草稿，请上传盖章版。"
        assert T.shown("") == "" and T.shown(None) == ""
        assert T.shown("任务已完成") == "任务已完成"  # not "任%(role)s": 务已完成 is no role
        assert T.shown("任分管领导（副局长）") == "As Leader in charge (副局长)"


def test_an_item_page_in_english_reads_the_apps_own_history_in_english(client):
    w = make_world()
    with translation.override("en"):  # the coordinator works in English: the rows are still written in Chinese
        (item,) = decisions_import(plan=w.plan, parsed=parse_decisions("请区建设局牵头，2026年8月底前完成调研。"),
                                   origin="instruction", origin_ref="批〔2026〕1号", actor=w.coordinator).items
        work_item_transition(item=item, to_status=WorkItem.Status.AWAITING_REVIEW, actor=w.lead_user)
        work_item_transition(item=item, to_status=WorkItem.Status.DONE, actor=w.coordinator)
        work_item_rate(item=item, user=w.coordinator, rating=WorkItem.Rating.UNSATISFIED, reason="未附报告")
        notices_issue_for_items(items=[item], actor=w.coordinator, today=w.today, colour="yellow")
    reasons = list(StatusChange.objects.filter(work_item=item).exclude(reason="").values_list("reason", flat=True))
    assert "来自领导批示 批〔2026〕1号" in reasons and "评价不满意：未附报告" in reasons
    line = ProgressReport.objects.filter(work_item=item, kind=ProgressReport.Kind.COMMENT).get().note
    assert line.startswith("【") and "督办单】" in line and "黄色" in line
    login(client, w.coordinator)
    url = item.get_absolute_url()
    english = unescape(strip_tags(client.get("/en" + url).content.decode()))
    for chinese in ("来自领导批示", "评价不满意", "督办单】", "请于"):
        assert chinese not in english, chinese
    assert "批〔2026〕1号" in english and "未附报告" in english  # the values as typed
    translation.activate(settings.LANGUAGE_CODE)
    chinese_page = unescape(strip_tags(client.get(url).content.decode()))
    assert "来自领导批示 批〔2026〕1号" in chinese_page and "评价不满意：未附报告" in chinese_page
