"""The importers' messages in the reader's language: every warning stored on a plan, every preview message and
every refusal is written from a template of one registry (``importers.messages``, the roster's and the minutes'
templates) and read again in the reader's language (``stored_text.import_parts``), its values as written. They
were ~60 Chinese f-strings: a reader of the English pages met Chinese warnings in the import preview, on the plan
page and in the admin, and Chinese refusals on the upload forms."""

from __future__ import annotations

import ast
import re
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from tasks.importers import parse_plan_file
from tasks.importers.issues import Issue
from tasks.importers.messages import LEGACY
from tasks.services.plan_import import plan_import
from tasks.stored_text import _PLACEHOLDER, IMPORT_TEMPLATES, import_parts, issue_text
from tasks.tests.daily_setup import login, make_world, user

pytestmark = pytest.mark.django_db
HAN = re.compile(r"[\u4e00-\u9fff]")
TASKS = Path(__file__).resolve().parents[2]
PLANS = TASKS.parent / "fixtures" / "plans"


@pytest.fixture(autouse=True)
def _default_language_around_each_test():
    with translation.override(settings.LANGUAGE_CODE):
        yield


def _values(msgid: str) -> dict | tuple:
    """A value for each of the template's placeholders, written in Chinese as a document's names are."""
    names = [m.group(1) for m in _PLACEHOLDER.finditer(msgid) if m.group(0) != "%%"]
    values = {}
    for i, name in enumerate(names):
        values[name] = 40 + i if re.search(rf"%\({name}\)d", msgid) else f"海宁值{i}号"
    return values


@pytest.mark.parametrize("template", IMPORT_TEMPLATES, ids=lambda t: t.msgid[:30])
def test_every_importer_message_reads_in_english_with_no_chinese_but_its_values(template):
    values = _values(template.msgid)
    written = template.msgid % values if values else template.msgid  # what the importer stores (Chinese)
    for stored in (written, f"{written} (a technical note)"):
        with translation.override("en"):
            text, note = import_parts(stored)
            english = translation.gettext(LEGACY.get(template.msgid, template.msgid))
            preview = issue_text(Issue(template.msgid, **values))
        assert note == ("a technical note" if stored != written else "")
        assert text == preview == (english % values if values else english), stored  # read by its own template
        left = text
        for value in values.values():
            left = left.replace(str(value), "")
        assert not HAN.search(left), f"Chinese left in the English of {template.msgid!r}: {text!r}"
    current = LEGACY.get(template.msgid)  # an old wording reads as the one that replaced it
    with translation.override(settings.LANGUAGE_CODE):  # the Chinese UI reads what was stored
        assert import_parts(written) == ((current % values) if current else written.strip(), "")


_WRITERS = {"Warning_", "PlanParseError", "RosterError", "warn", "Issue", "noted"}


def _han_literal(node) -> bool:
    """A Chinese string literal, f-string or concatenation of them (not a ``gettext("…")`` call's result)."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and bool(HAN.search(node.value))
    if isinstance(node, ast.JoinedStr):
        return any(_han_literal(n) for n in node.values)
    if isinstance(node, ast.BinOp):
        return _han_literal(node.left) or _han_literal(node.right)
    if isinstance(node, ast.IfExp):
        return _han_literal(node.body) or _han_literal(node.orelse)
    return False


def test_no_importer_writes_a_message_outside_the_registry():
    """A message written as a Chinese literal or f-string at its call site has no template to be read by:
    every importer (and the plan import's service, which adds warnings) writes one of the registry's."""
    found = []
    sources = [*sorted((TASKS / "importers").glob("*.py")), TASKS / "services" / "plan_import.py"]
    for path in sources:
        if path.name == "messages.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                if name in _WRITERS and node.args and _han_literal(node.args[0]):
                    found.append(f"{path.name}:{node.lineno}")
            elif isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    if isinstance(key, ast.Constant) and key.value in ("message", "resolved") and _han_literal(value):
                        found.append(f"{path.name}:{node.lineno}")
            elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Subscript):
                key = node.targets[0].slice
                if isinstance(key, ast.Constant) and key.value in ("message", "resolved") and _han_literal(node.value):
                    found.append(f"{path.name}:{node.lineno}")
    assert found == [], f"messages written outside importers/messages.py: {found}"


def test_every_warning_the_real_plans_raise_is_read_by_a_template():
    """The parser's warnings on the real plans, and the ones the import adds, each read in English."""
    messages = []
    for name in ("haining-2023-2027.txt", "yuecheng-2023-2027.txt"):
        messages += [w.message for w in parse_plan_file(PLANS / name).warnings]
    parsed = parse_plan_file(PLANS / "yuecheng-2023-2027.txt")
    path = PLANS / "yuecheng-2023-2027.txt"
    stored = plan_import(parsed=parsed, source_name=path.name, source_bytes=path.read_bytes()).plan.import_warnings
    messages += [w["message"] for w in stored] + [w["resolved"] for w in stored if w.get("resolved")]
    assert len(messages) > 5
    with translation.override("en"):
        for message in messages:
            text, _note = import_parts(message)
            assert not HAN.search(re.sub(r"“[^”]*”", "", text).replace(*_unit_of(message))), (message, text)


def _unit_of(message: str) -> tuple[str, str]:
    """The unit a "新建单位：X" message names (its value is not quoted)."""
    return (message.split("：", 1)[1], "") if message.startswith("新建单位：") else ("", "")


def test_stored_warnings_of_an_earlier_import_read_in_english_on_the_plan_page(client):
    """Rows the old code wrote (the same Chinese; a doubtful split's note in English then) read in English."""
    w = make_world()
    w.plan.import_warnings = [
        {"code": "doubtful_link", "line": 88, "resolved": "协调员确认：关联到重点任务3",
         "message": "工作清单指标“住房保障”与重点任务3的关联把握不大,请核对 "
                    "(doubtful link: score 0.42, runner-up 0.38)"},
        {"code": "unit_not_in_list", "line": 40, "unit": "区城管局",
         "message": "单位“区城管局”不在有关单位名单中 (unit not in the units list)"},
        {"code": "doubtful_split", "line": 12,
         "message": "任务3: “区建设局区财政局” read as 2 units: 区建设局、区财政局 (doubtful split)"},
        {"code": "too_long", "line": 7, "message": "第 7 行：名称超过 200 字，已截断 (text longer than 200, cut)"},
        {"code": "merged_cell", "line": 9,
         "message": "表格单元格为空(合并单元格),牵头单位、配合单位沿用上一行 "
                    "(empty cell: value taken from the row above)"},
        {"code": "unit_created", "line": None, "unit": "区城管局", "message": "新建单位：区城管局"},
    ]
    w.plan.save()
    login(client, w.coordinator)
    with translation.override(settings.LANGUAGE_CODE):
        url = w.plan.get_absolute_url()
    page = client.get("/en" + url).content.decode()
    lists = "".join(re.findall(r'<ul class="warning-list">(.*?)</ul>', page, flags=re.S))
    text = unescape(re.sub(r"<[^>]+>", " ", lists))
    for expected in ("The link of the work list's indicator “住房保障” to key task 3 is uncertain",
                     "The unit “区城管局” is not in the plan's list of units", "Line 7: Name is longer than 200",
                     "Task 3: “区建设局区财政局” was split into 2 units",
                     "Lead unit, Supporting unit taken from the row above",
                     "New unit: 区城管局", "Confirmed by the coordinator: linked to key task 3"):
        assert expected in text, text
    left = re.sub(r"“[^”]*”", "", text).replace("区建设局、区财政局", "").replace("区城管局", "")
    assert not HAN.search(left), left
    page = client.get(url).content.decode()  # the Chinese UI: as stored
    assert "单位“区城管局”不在有关单位名单中" in page and "新建单位：区城管局" in page
    # The old split's English note reads as an import writes it now: no English inside the Chinese page.
    assert "任务3：“区建设局区财政局”拆分为2个单位：区建设局、区财政局，请核对" in page and "read as" not in page


def test_refusals_name_the_file_in_the_readers_language_on_the_forms_and_in_the_commands(client, tmp_path):
    u = user("importer", is_staff=False)
    u.user_permissions.add(Permission.objects.get(codename="add_plan"))
    login(client, u)
    with translation.override(settings.LANGUAGE_CODE):
        url = reverse("tasks:plan_import")
    binary = SimpleUploadedFile("空白方案.txt", b"\x00\x01\x02\x03" * 64)
    response = client.post("/en" + url, {"document": binary})
    errors = " ".join(response.context["form"].errors["document"])
    assert "空白方案.txt" in errors and "Not a text file" in errors
    assert not HAN.search(errors.replace("空白方案.txt", ""))
    sheet = tmp_path / "名单.xlsx"
    sheet.write_bytes(b"not a workbook at all")
    with translation.override("en"), pytest.raises(CommandError) as refused:
        call_command("import_plan", str(sheet), "--dry-run")
    assert sheet.name in str(refused.value) and not HAN.search(str(refused.value).replace(sheet.name, ""))
    # A command runs in the site's language (manage.py activates none): the message as stored.
    with translation.override(settings.LANGUAGE_CODE), pytest.raises(CommandError) as refused:
        call_command("import_plan", str(sheet), "--dry-run")
    assert sheet.name in str(refused.value) and HAN.search(str(refused.value).replace(sheet.name, ""))


def test_the_import_preview_reads_its_warnings_in_english(client):
    u = user("importer", is_staff=False)
    u.user_permissions.add(Permission.objects.get(codename="add_plan"))
    login(client, u)
    with translation.override(settings.LANGUAGE_CODE):
        url = reverse("tasks:plan_import")
    for name in ("haining-2023-2027.txt", "yuecheng-2023-2027.txt"):
        document = SimpleUploadedFile(name, (PLANS / name).read_bytes())
        page = client.post("/en" + url, {"document": document}, follow=True).content.decode()
        # The importer's messages (the other lists name units and towns, data as written).
        lists = "".join(re.findall(r'<h3>Other warnings \(\d+\)</h3>\s*<ul class="warning-list">(.*?)</ul>', page,
                                   flags=re.S))
        assert "<li>" in lists, page[:2000]
        text = unescape(re.sub(r"<[^>]+>", " ", lists))
        assert not HAN.search(re.sub(r"“[^”]*”", "", text)), text
        assert "held by" not in page or "member units：" not in page  # the page's own separators translated
