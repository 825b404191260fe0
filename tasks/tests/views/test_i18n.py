"""English beside the default Chinese: the language switch, translated pages, and a catalog in step with its .mo."""

import ast
import gettext
import re
from datetime import date
from html import unescape
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from tasks.roundups.periods import Period
from tasks.services.roundups import roundup_generate
from tasks.tests.daily_setup import login, make_world, user
from tasks.tests.roundup_golden import build_golden

pytestmark = pytest.mark.django_db

MESSAGES = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"


@pytest.fixture(autouse=True)
def _default_language_around_each_test():
    # A request in English leaves English active in this thread; later tests expect the default.
    with translation.override(settings.LANGUAGE_CODE):
        yield


def _in_english(client, page: str):
    """Switch to English from ``page`` as the form in base.html does, and follow the redirect."""
    response = client.post(reverse("set_language"), {"language": "en", "next": page}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/en" + page
    return response


def _text(response) -> str:
    return response.content.decode()


def test_chinese_is_the_default_language(client):
    w = make_world()
    html = _text(login(client, w.lead_user).get(reverse("tasks:home")))
    assert '<html lang="zh-hans">' in html
    assert "本单位工作" in html and "7个工作日内到期" in html and "退出" in html
    assert "Our unit's work" not in html and "Log out" not in html


def test_login_page_switches_to_english_before_anyone_logs_in(client):
    html = _text(_in_english(client, reverse("login")))
    assert '<html lang="en">' in html
    assert "Log in" in html and "Username" in html and "Password" in html
    assert "用户名" not in html
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_home_page_in_english(client):
    w = make_world()
    html = _text(_in_english(login(client, w.lead_user), reverse("tasks:home")))
    assert "Our unit's work" in html and "Due within 7 working days" in html and "Log out" in html
    assert "Key tasks our unit takes part in" in html and "Not started" in html
    assert "本单位工作" not in html and "退出" not in html
    # Data stays as written.
    assert "新增筹集保障性租赁住房3000套" in html


def test_work_item_page_in_english(client):
    w = make_world()
    html = _text(_in_english(login(client, w.lead_user), w.item.get_absolute_url()))
    assert "Item details" in html and "Report progress" in html and "Request closure" in html
    assert "Your unit leads this item" in html and "Working days left" in html
    # The evidence help text is built when the form class is defined, yet follows the reader's language.
    assert "Optional. Allowed:" in html and "可选。允许" not in html
    assert f"(as written: {w.item.deadline_text})" in html and "原文" not in html


def test_plan_dashboard_in_english(client):
    w = make_world()
    html = _text(_in_english(login(client, w.coordinator), w.plan.get_absolute_url()))
    assert "Work items" in html and "Completion rate" in html and "By key task" in html
    assert f"Indicator progress in {w.today.year}" in html and "Review queue" in html
    assert "按重点任务" not in html


def test_admin_plan_page_in_english(client):
    w = make_world()
    admin_user = user("root", is_staff=True, is_superuser=True)
    w.plan.import_warnings = [{"code": "unit_created", "line": 3, "message": "新建单位：区测试局", "unit": "区测试局"}]
    w.plan.save(update_fields=["import_warnings"])
    page = reverse("admin:tasks_plan_change", args=[w.plan.pk])
    html = _text(_in_english(login(client, admin_user), page))
    assert "Issued by" in html and "Task force coordinators" in html and "Import warnings" in html
    assert "Line 3" in html and "Livable Housing" in html
    assert "印发单位" not in html and "专班协调员" not in html


def test_switching_back_to_chinese(client):
    w = make_world()
    login(client, w.lead_user)
    _in_english(client, reverse("tasks:home"))
    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": "/en/"}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert "本单位工作" in _text(response)


def test_roundups_stay_chinese_documents_when_made_and_read_from_an_english_page(client):
    golden = build_golden()
    with translation.override("en"):
        roundup, _created = roundup_generate(plan=golden.plan, period=Period.month(2023, 6), today=date(2023, 7, 1))
    assert roundup.data["period"]["label"] == "2023年6月"
    coordinator = user("coord-roundup")
    golden.plan.coordinators.add(coordinator)
    html = _text(_in_english(login(client, coordinator), roundup.get_absolute_url()))
    assert "Download Excel" in html and "All roundups" in html
    assert "月晾晒（2023年6月）" in html and "草稿，未发布" in html and "Draft, not published" not in html
    with translation.override("en"):
        xlsx = client.get(reverse("tasks:roundup_xlsx", args=[roundup.pk]))
    assert xlsx.status_code == 200, xlsx
    workbook = load_workbook(BytesIO(xlsx.content))
    assert "概况" in workbook.sheetnames


# ---- the catalog ------------------------------------------------------------------------------------------


def _po_entries(path: Path) -> list[dict]:
    """The entries of a .po file (flags, msgctxt, msgid, msgid_plural, msgstr / msgstr[n]); no polib needed."""
    entries = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        entry, key = {"flags": []}, None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] += [f.strip() for f in line[2:].split(",")]
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                entry[key] += ast.literal_eval(line)
            else:
                key, value = line.split(" ", 1)
                entry[key] = ast.literal_eval(value)
        entries.append(entry)
    return entries


def _placeholders(text: str) -> tuple:
    return sorted(re.findall(r"%\((\w+)\)", text)), len(re.findall(r"%[sdgf]", text.replace("%%", "")))


def test_every_english_message_is_translated_and_keeps_its_placeholders():
    header, *entries = _po_entries(MESSAGES / "django.po")
    assert "fuzzy" not in header["flags"] and "Language: en\n" in header["msgstr"]
    assert len(entries) > 700
    for e in entries:
        assert "fuzzy" not in e["flags"], e["msgid"]
        pairs = (
            [(e["msgid"], e["msgstr[0]"]), (e["msgid_plural"], e["msgstr[1]"])] if "msgid_plural" in e
            else [(e["msgid"], e["msgstr"])]
        )
        for source, english in pairs:  # "年" alone is " " in English ("2023年第二季度": "2023 Q2")
            assert english, f"untranslated: {source}"
            assert _placeholders(english) == _placeholders(source), source
            assert not re.search(r"[\u4e00-\u9fff]", english), f"Chinese left in: {english}"


def test_compiled_catalog_matches_the_po_file():
    with open(MESSAGES / "django.mo", "rb") as f:
        compiled = gettext.GNUTranslations(f)._catalog
    del compiled[""]  # the header: msgfmt keeps only some of its fields
    expected = {}
    for e in _po_entries(MESSAGES / "django.po")[1:]:
        msgid = f"{e['msgctxt']}\x04{e['msgid']}" if "msgctxt" in e else e["msgid"]
        if "msgid_plural" in e:
            expected[(msgid, 0)], expected[(msgid, 1)] = e["msgstr[0]"], e["msgstr[1]"]
        else:
            expected[msgid] = e["msgstr"]
    assert compiled == expected, "django.mo is stale: run manage.py compilemessages and commit it"


def test_due_soon_label_follows_the_rule():
    """The "due soon" label names the rule's number of working days, in both languages."""
    from django.utils import translation

    from tasks.filters import SOON_LABEL
    from tasks.rules.urgency import SOON_WORKDAYS

    with translation.override("zh-hans"):
        assert str(SOON_LABEL) == f"{SOON_WORKDAYS}个工作日内到期"
    with translation.override("en"):
        assert str(SOON_LABEL) == f"Due within {SOON_WORKDAYS} working days"


def test_a_rated_instruction_reads_in_english_without_chinese_punctuation(client):
    """The origin and rating line was glued with full-width "：", "；" and "（）" and the year line said
    "Added manually" for a leader's instruction; the send record's heading read "delivery log"."""
    from tasks.importers.decisions import parse_decisions
    from tasks.models import WorkItem
    from tasks.services.decisions import decisions_import, rating_request_queue, work_item_rate
    from tasks.services.workflow import work_item_transition

    w = make_world()
    (item,) = decisions_import(plan=w.plan, parsed=parse_decisions("请区建设局牵头，2026年8月底前完成调研。"),
                               origin="instruction", origin_ref="批〔2026〕1号").items
    work_item_transition(item=item, to_status=WorkItem.Status.AWAITING_REVIEW, actor=w.lead_user)
    work_item_transition(item=item, to_status=WorkItem.Status.DONE, actor=w.coordinator)
    rating_request_queue(item=item)
    work_item_rate(item=item, user=w.coordinator, rating=WorkItem.Rating.UNSATISFIED, reason="未附报告")
    html = unescape(_text(_in_english(login(client, w.coordinator), item.get_absolute_url())))
    assert "Origin: Leader's instruction · 批〔2026〕1号; Rating: Unsatisfied (未附报告)" in html
    assert "Added manually" not in html and ">Delivery log<" in html
    with translation.override(settings.LANGUAGE_CODE):
        html = _text(client.get(item.get_absolute_url().removeprefix("/en")))
    assert "事项来源：领导批示 · 批〔2026〕1号；办理评价：不满意（未附报告）" in html and "手工添加" not in html


def test_every_message_marked_for_translation_has_its_english(settings, tmp_path, monkeypatch):
    """makemessages run into a copy of the catalog adds nothing: every string the code and the templates mark
    has its English. (The people pages' 姓名, 手机, 账号 and sixteen more had none, and read in Chinese on the
    English pages, because no test compared the source with the catalog.)"""
    from django.core.management import call_command

    # makemessages writes each file's strings to the locale folder above it: run it over links to the sources
    # from a folder beside the copy, so that the copy is the one it finds (never the project's own catalog).
    copy = tmp_path / "locale" / "en" / "LC_MESSAGES"
    copy.mkdir(parents=True)
    (copy / "django.po").write_text((MESSAGES / "django.po").read_text(encoding="utf-8"), encoding="utf-8")
    sources = tmp_path / "src"
    sources.mkdir()
    for package in ("housing", "tasks"):
        (sources / package).symlink_to(Path(settings.BASE_DIR) / package)
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(sources)
    before = (MESSAGES / "django.po").read_bytes()
    call_command("makemessages", locale=["en"], domain="django", symlinks=True, no_obsolete=True, verbosity=0)
    assert (MESSAGES / "django.po").read_bytes() == before
    missing = [
        e["msgid"] for e in _po_entries(copy / "django.po")[1:]
        # Django's own English (an API error, the admin's "Home") needs no entry: English falls back to the msgid.
        if re.search(r"[\u4e00-\u9fff]", e["msgid"])
        and ("fuzzy" in e["flags"] or not e.get("msgstr", e.get("msgstr[0]")))
    ]
    assert missing == [], f"no English for {missing}: add them at the end of locale/en/LC_MESSAGES/django.po"


def test_the_language_switch_names_each_language_in_its_own_language(client):
    """The switch offered "简体中文" and "英语" on the Chinese pages: someone who reads no Chinese could not find
    English. Each option is written in its own language, whatever the page's language."""
    for page in (reverse("login"), "/en" + reverse("login")):
        html = _text(client.get(page))
        assert '<option value="zh-hans" lang="zh-hans"' in html and ">简体中文</option>" in html
        assert '<option value="en" lang="en"' in html and ">English</option>" in html
        assert "英语" not in html and "Simplified Chinese" not in html
