"""Import warnings as users read them: Chinese for everyone, technical notes for staff, one count."""

import ast
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from tasks.models import Plan
from tasks.selectors.imports import WARNING_EXPLANATIONS, open_warning_count, plan_warnings, warning_parts
from tasks.tests.daily_setup import login, make_world, user

pytestmark = pytest.mark.django_db
PLANS = Path(__file__).resolve().parents[3] / "fixtures" / "plans"
AWARD = "创县级及以上优质工程（个）"
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")


@pytest.mark.parametrize(
    ("message", "text", "detail"),
    [
        ("工作清单指标“X”与重点任务6的关联把握不大,请核对 (doubtful link: score 0.42, runner-up 0.38)",
         "工作清单指标“X”与重点任务6的关联把握不大,请核对", "doubtful link: score 0.42, runner-up 0.38"),
        ("单位“区城管局”不在有关单位名单中 (unit not in the units list)", "单位“区城管局”不在有关单位名单中",
         "unit not in the units list"),
        ("工作清单没有年份 (work list year unknown; pass year=)", "工作清单没有年份",
         "work list year unknown; pass year="),
        ("新建单位：区城管局", "新建单位：区城管局", ""),
        ("市委统战部(市民宗局)未列入名单", "市委统战部(市民宗局)未列入名单", ""),  # Chinese brackets stay
    ],
)
def test_warning_parts_split_the_users_text_from_the_technical_note(message, text, detail):
    assert warning_parts(message) == (text, detail)


def _importer_warning_codes() -> set[str]:
    """The code of every ``Warning_(message, line, code)`` the importer source writes."""
    codes = set()
    for path in (Path(__file__).resolve().parents[2] / "importers").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Warning_":
                args = [*node.args[2:3], *(k.value for k in node.keywords if k.arg == "code")]
                codes |= {a.value for a in args if isinstance(a, ast.Constant)}
    return codes


def test_every_warning_the_importer_writes_has_a_chinese_explanation():
    codes = _importer_warning_codes()
    assert {"doubtful_link", "unit_not_in_list", "deadline_unreadable"} <= codes  # the scan finds them
    codes |= {"unit_created", "indicator_unlinked", "indicator_link_doubtful", "indicator_not_matched"}
    assert codes - set(WARNING_EXPLANATIONS) == set()


def _coordinator(client, *, staff: bool):
    u = user("importer-staff" if staff else "importer", is_staff=staff)
    u.user_permissions.add(Permission.objects.get(codename="add_plan"))
    return login(client, u)


def _upload(client, name="yuecheng-2023-2027.txt"):
    return client.post(
        reverse("tasks:plan_import"), {"document": SimpleUploadedFile(name, (PLANS / name).read_bytes())}, follow=True
    )


def _field(response, label: str) -> str:
    form = response.context["form"]
    return next(name for name, f in form.fields.items() if f.label == label)


def _warning_lists(page: str) -> str:
    return "".join(re.findall(r'<ul class="warning-list">(.*?)</ul>', page, flags=re.S))


def _visible_text(html: str) -> str:
    html = re.sub(r'<details class="tech">.*?</details>', "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_import_message_counts_exactly_the_warnings_the_plan_page_lists_as_open(client):
    _coordinator(client, staff=True)
    preview = _upload(client)
    # The coordinator settles the doubtful link: that warning is resolved, the others stay open.
    response = client.post(reverse("tasks:plan_import_confirm"), {_field(preview, AWARD): "5"}, follow=True)
    message = next(str(m) for m in response.context["messages"])
    n = int(re.search(r"另有 (\d+) 条警告", message).group(1))
    plan = Plan.objects.get()
    warnings = plan_warnings(plan=plan)
    assert len(warnings.open) == n == open_warning_count(plan.import_warnings)
    assert len(warnings.settled) == 1 and len(plan.import_warnings) == n + 1
    page = response.content.decode()
    section = page[page.index('id="warnings"'):]
    section = section[:section.index("</section>")]
    assert f"导入警告（{n}）" in section
    open_part = section[:section.index('<details class="settled-warnings">')]
    assert open_part.count("<li>") == n  # the heading, the message and the list agree
    assert "协调员确认：关联到重点任务5" in section[section.index('<details class="settled-warnings">'):]


def test_plan_page_warnings_are_chinese_for_users_and_technical_details_for_staff(client):
    w = make_world()
    w.plan.import_warnings = [
        {"code": "doubtful_link", "line": 88,
         "message": "工作清单指标“X”与重点任务3的关联把握不大,请核对 (doubtful link: score 0.42, runner-up 0.38)"},
        {"code": "unit_not_in_list", "line": 40, "unit": "区城管局",
         "message": "单位“区城管局”不在有关单位名单中 (unit not in the units list)"},
    ]
    w.plan.save()
    page = login(client, w.coordinator).get(w.plan.get_absolute_url()).content.decode()  # not staff
    lists = _warning_lists(page)
    assert "关联把握不大,请核对" in lists and "不在有关单位名单中" in lists
    assert str(WARNING_EXPLANATIONS["doubtful_link"]) in lists
    assert not ENGLISH_WORD.search(_visible_text(lists)), _visible_text(lists)
    assert "score" not in page and "doubtful_link" not in page and "unit_not_in_list" not in page

    staff = user("office-staff", is_staff=True)
    w.plan.coordinators.add(staff)
    client.logout()
    page = login(client, staff).get(w.plan.get_absolute_url()).content.decode()
    tech = "".join(re.findall(r'<details class="tech">(.*?)</details>', page, flags=re.S))
    assert "doubtful_link" in tech and "score 0.42" in tech
    assert not ENGLISH_WORD.search(_visible_text(_warning_lists(page)))  # folded away, not in the text


def test_import_preview_shows_no_english_to_a_non_staff_importer(client):
    _coordinator(client, staff=False)
    page = _upload(client, "haining-2023-2027.txt").content.decode()
    lists = _warning_lists(page)
    assert "<li>" in lists  # there are warnings to read
    assert not ENGLISH_WORD.search(_visible_text(lists)), _visible_text(lists)
    assert "<details class=\"tech\">" not in page


def test_a_refused_document_is_explained_in_the_uis_language_and_the_parser_note_is_for_english_staff(client):
    _coordinator(client, staff=False)
    response = _upload(client, "qingdao-13th-fyp-housing.txt")
    errors = " ".join(response.context["form"].errors["document"])
    assert "未找到带责任单位的重点任务" in errors and "not an implementation plan" not in errors
    client.logout()
    _coordinator(client, staff=True)
    # Staff reading Chinese get Chinese only (the English note goes to the log) ...
    errors = " ".join(_upload(client, "qingdao-13th-fyp-housing.txt").context["form"].errors["document"])
    assert "未找到带责任单位的重点任务" in errors and "no key tasks" not in errors
    # ... and in English the refusal is English, with the parser's note.
    with translation.override("en"):
        errors = " ".join(_upload(client, "qingdao-13th-fyp-housing.txt").context["form"].errors["document"])
    assert "No key tasks with responsible units were found" in errors and "not an implementation plan" in errors
    assert not re.search(r"[\u4e00-\u9fff]", errors.replace("qingdao-13th-fyp-housing.txt", ""))
