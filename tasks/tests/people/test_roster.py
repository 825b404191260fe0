"""The roster import: the file's rows, the preview's errors, all-or-nothing, the template, the command."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from tasks.importers import PlanParseError
from tasks.importers.roster import LEADER, LIAISON, RosterError, parse_roster
from tasks.importers.sheets import Sheet, read_sheets
from tasks.models import Invitation, Message, PeopleChange, Profile, Unit
from tasks.selectors.roster import roster_preview, roster_template_rows
from tasks.services.roster import RosterRefused, roster_import
from tasks.tests.daily_setup import login, make_world, user

pytestmark = pytest.mark.django_db
User = get_user_model()
HEADER = ["单位", "姓名", "职务", "手机", "邮箱", "浙政钉ID", "角色"]


def xlsx(rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list], encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


# ---- the file alone (pure) ------------------------------------------------------------------------------------

def test_parse_finds_the_header_anywhere_in_the_first_rows_and_skips_unit_only_rows():
    sheets = [Sheet("说明", [["请填写"]]), Sheet("名单", [
        ["越城区联络员名单"], [], ["序号", "姓名", "单位名称", "手机号码", "电子邮箱", "角色"],
        ["1", "王 芳", "区建设局", "138 0000 0001", "wf@example.gov.cn", "联络员"],
        ["2", "", "区财政局", "", "", ""],  # the template's unit row: nobody
        ["3", "张三", "区财政局", "13800000002.0", "zs@example.gov.cn", "分管领导"],
    ])]
    parsed = parse_roster(sheets)
    assert parsed.sheet == "名单"
    assert [(r.row, r.name, r.unit, r.mobile, r.role) for r in parsed.rows] == [
        (4, "王芳", "区建设局", "13800000001", LIAISON), (6, "张三", "区财政局", "13800000002", LEADER)]
    assert all(not r.errors for r in parsed.rows)


def test_parse_flags_each_row_with_its_own_errors():
    parsed = parse_roster([Sheet("s", [HEADER,
        ["区建设局", "王芳", "", "1380000", "not-an-email", "", "科员"],
        ["区财政局", "", "", "13800000003", "", "", ""],
        ["区教育局", "李四", "", "13800000003", "ls@example.gov.cn", "", ""],
    ])])
    first, second, third = parsed.rows
    assert any("1380000" in e for e in first.errors) and any("邮箱" in e for e in first.errors)
    assert any("科员" in e for e in first.errors)
    assert "缺少姓名" in second.errors and any("第 4 行重复" in e for e in second.errors)
    assert any("第 3 行重复" in e for e in third.errors)


def test_a_file_without_a_roster_header_is_refused_with_what_was_looked_for():
    with pytest.raises(RosterError, match="单位"):
        parse_roster([Sheet("s", [["a", "b"], ["1", "2"]])])


def test_read_sheets_reads_csv_in_utf8_and_gb18030_and_xlsx_and_refuses_others():
    rows = [HEADER, ["区建设局", "王芳", "科长", "13800000001", "wf@example.gov.cn", "", "联络员"]]
    for data, name in ((csv_bytes(rows), "a.csv"), (csv_bytes(rows, "gb18030"), "a.csv"), (xlsx(rows), "a.xlsx")):
        (sheet,) = read_sheets(data, filename=name)
        assert sheet.rows[1][:4] == ["区建设局", "王芳", "科长", "13800000001"], name
    with pytest.raises(PlanParseError):
        read_sheets(b"%PDF-1.4", filename="a.pdf")
    with pytest.raises(PlanParseError):
        read_sheets(b"PK\x03\x04 broken", filename="a.xlsx")
    with pytest.raises(PlanParseError):
        read_sheets(b"not ole2", filename="a.xls")


# ---- against the database ------------------------------------------------------------------------------------

def test_preview_suggests_the_closest_units_for_an_unknown_name_and_flags_people_elsewhere():
    w = make_world()
    Unit.objects.create(region=w.plan.region, name="区住房保障中心")
    Profile.objects.filter(user=w.other_user).update(mobile="13700000009")
    parsed = parse_roster([Sheet("s", [HEADER,
        ["建设局", "王芳", "", "13800000001", "wf@example.gov.cn", "", "联络员"],
        ["区建设局", "赵六", "", "13700000009", "zl@example.gov.cn", "", "联络员"],
        ["区财政局", "钱七", "", "13800000002", "qq@example.gov.cn", "", "分管领导"],
    ])])
    preview = roster_preview(plan=w.plan, parsed=parsed)
    unknown, elsewhere, fine = preview.rows
    assert unknown.unit is None and [u.name for u in unknown.suggestions][0] == "区建设局"
    assert any("不在" in e for e in unknown.errors)
    assert any("区教育局" in e for e in elsewhere.errors)  # a person already in another unit
    assert not fine.errors and fine.unit == w.support
    # The coordinator picks the unit: the row is fine.
    chosen = roster_preview(plan=w.plan, parsed=parsed, unit_choices={2: w.lead.pk})
    assert chosen.rows[0].unit == w.lead and not chosen.rows[0].errors


def test_a_roster_with_any_bad_row_writes_nothing():
    w = make_world()
    parsed = parse_roster([Sheet("s", [HEADER,
        ["区建设局", "王芳", "", "13800000001", "wf@example.gov.cn", "", ""],
        ["不存在局", "李四", "", "13800000002", "ls@example.gov.cn", "", ""],
    ])])
    users, messages = User.objects.count(), Message.objects.count()
    with pytest.raises(RosterRefused) as refused:
        roster_import(plan=w.plan, parsed=parsed, actor=w.coordinator)
    assert len(refused.value.preview.bad) == 1
    assert (User.objects.count(), Message.objects.count(), PeopleChange.objects.count()) == (users, messages, 0)


def test_import_creates_accounts_without_passwords_invites_them_and_a_second_run_changes_nothing():
    w = make_world()
    parsed = parse_roster([Sheet("s", [HEADER,
        ["区建设局", "王芳", "科长", "13800000001", "wf@example.gov.cn", "", "联络员"],
        ["区财政局", "钱七", "副局长", "13800000002", "qq@example.gov.cn", "", "分管领导"],
        ["区建设局", "孙八", "专班", "13800000003", "sb@example.gov.cn", "", "专班协调员"],
    ])])
    result = roster_import(plan=w.plan, parsed=parsed, actor=w.coordinator)
    assert (result.created, result.updated, result.invited) == (3, 0, 3)
    wang = User.objects.get(username="13800000001")
    assert not wang.has_usable_password() and wang.profile.unit == w.lead and wang.profile.title == "科长"
    assert User.objects.get(username="13800000002").profile.role == "leader"
    assert w.plan.coordinators.filter(username="13800000003").exists()
    assert Message.objects.filter(purpose=Message.Purpose.INVITE).count() == 3
    again = roster_import(plan=w.plan, parsed=parse_roster([Sheet("s", [HEADER,
        ["区建设局", "王芳", "科长", "13800000001", "wf@example.gov.cn", "", "联络员"]])]), actor=w.coordinator)
    assert (again.created, again.updated) == (0, 0)
    assert Invitation.objects.filter(user=wang).count() == 2  # no password yet: invited again


def test_only_the_plans_coordinator_imports_a_roster(client):
    w = make_world()
    parsed = parse_roster([Sheet("s", [HEADER, ["区建设局", "王芳", "", "", "wf@example.gov.cn", "", ""]])])
    for who in (w.lead_user, user("nobody")):
        with pytest.raises(Exception) as refused:
            roster_import(plan=w.plan, parsed=parsed, actor=who)
        assert refused.type.__name__ == "NotAllowed"
    login(client, w.lead_user)
    assert client.get(reverse("tasks:roster_upload", args=[w.plan.slug])).status_code in (403, 404)
    assert client.get(reverse("tasks:roster_template", args=[w.plan.slug])).status_code in (403, 404)


def test_template_lists_the_regions_units_and_their_people_and_reads_back():
    w = make_world()
    rows = roster_template_rows(w.plan)
    assert {r[0] for r in rows} >= {"区建设局", "区财政局", "区教育局"}
    client_rows = [r for r in rows if r[0] == "区建设局"]
    assert client_rows and client_rows[0][1] == w.lead_user.first_name
    from tasks.selectors.roster import roster_template_xlsx

    data = roster_template_xlsx(w.plan)
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames[0] == "联络员名单" and [c.value for c in wb.active[1]] == HEADER
    assert parse_roster(read_sheets(data, filename="t.xlsx")).sheet == "联络员名单"


def test_page_round_trip_upload_correct_a_flagged_row_confirm(client):
    w = make_world()
    login(client, w.coordinator)
    assert reverse("tasks:roster_upload", args=[w.plan.slug]) in client.get(w.plan.get_absolute_url()).content.decode()
    upload = client.get(reverse("tasks:roster_upload", args=[w.plan.slug]))
    assert upload.status_code == 200 and reverse("tasks:roster_template", args=[w.plan.slug]) in upload.content.decode()
    template = client.get(reverse("tasks:roster_template", args=[w.plan.slug]))
    assert template.status_code == 200 and template.content[:2] == b"PK"
    data = xlsx([HEADER,
                 ["区建设局", "王芳", "科长", "13800000001", "wf@example.gov.cn", "", "联络员"],
                 ["建设", "李四", "", "1380000000", "ls@example.gov.cn", "", "联络员"]])
    response = client.post(reverse("tasks:roster_upload", args=[w.plan.slug]),
                           {"roster": SimpleUploadedFile("名单.xlsx", data)})
    assert response.status_code == 302
    page = client.get(reverse("tasks:roster_preview", args=[w.plan.slug]))
    html = page.content.decode()
    assert page.status_code == 200 and 'name="unit_3"' in html and 'name="r3-mobile"' in html
    assert 'name="r2-mobile"' not in html  # a fine row offers nothing to type
    refused = client.post(reverse("tasks:roster_preview", args=[w.plan.slug]), {"action": "confirm"})
    assert refused.status_code == 302 and not User.objects.filter(username="13800000001").exists()
    done = client.post(reverse("tasks:roster_preview", args=[w.plan.slug]), {
        "action": "confirm", "unit_3": str(w.lead.pk), "r3-mobile": "13800000004", "r3-name": "李四",
        "r3-email": "ls@example.gov.cn", "r3-role": "liaison", "r3-title": ""})
    assert done.status_code == 302 and done["Location"].endswith(reverse("tasks:roster_upload", args=[w.plan.slug]))
    assert User.objects.get(username="13800000004").profile.unit == w.lead
    assert Message.objects.filter(purpose=Message.Purpose.INVITE).count() == 2


def test_command_json_dry_run_and_refusal(tmp_path, capsys):
    w = make_world()
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes([HEADER, ["区建设局", "王芳", "", "13800000001", "wf@example.gov.cn", "", ""]]))
    call_command("import_roster", str(good), "--plan", w.plan.slug, "--dry-run", "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["created"] == 1 and out["updated"] == 0 and out["rows"][0]["errors"] == []
    assert set(out["rows"][0]) >= {"row", "unit", "name", "errors", "suggestions"}
    assert not User.objects.filter(username="13800000001").exists()  # dry run
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx([HEADER, ["区建设局", "王芳", "", "13800000001", "wf@example.gov.cn", "", ""],
                          ["区建设", "李四", "", "13800000001", "ls@example.gov.cn", "", ""]]))
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("import_roster", str(bad), "--plan", w.plan.slug, "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["created"] == 0 and all(r["errors"] for r in out["rows"])
    assert "区建设局" in out["rows"][1]["suggestions"]
    assert not User.objects.filter(username="13800000001").exists()
    call_command("import_roster", str(good), "--plan", w.plan.slug)
    assert "imported 1 people" in capsys.readouterr().out
    assert User.objects.filter(username="13800000001").exists()
    with pytest.raises(CommandError, match="no plan"):
        call_command("import_roster", str(good), "--plan", "nope")


def test_preview_costs_the_same_queries_for_5_or_60_rows():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    w = make_world()
    for i in range(30):
        Unit.objects.create(region=w.plan.region, name=f"区第{i}局")

    def rows(n):
        return parse_roster([Sheet("s", [HEADER, *[[f"区第{i % 30}局", f"人{i}", "", f"139{i:08d}",
                                                     f"p{i}@example.gov.cn", "", ""] for i in range(n)],
                                         ["不存在局", "某", "", "", "x@example.gov.cn", "", ""]])])

    counts = []
    for n in (5, 60):
        parsed = rows(n)
        with CaptureQueriesContext(connection) as ctx:
            preview = roster_preview(plan=w.plan, parsed=parsed)
        counts.append(len(ctx.captured_queries))
        assert len(preview.bad) == 1
    assert counts[0] == counts[1], counts


def test_the_preview_counts_whom_the_confirm_invites_as_the_import_does():
    """The confirm button said "确认导入 47 人并发送邀请" over a roster of people already in, who get no
    invitation: the preview counts the rows the import will invite (new, or never set a password)."""
    w = make_world()
    Profile.objects.filter(user=w.lead_user).update(mobile="13800000009")  # in, with a password
    rows = [HEADER, ["区建设局", "lead", "", "13800000009", "lead@example.gov.cn", "", "联络员"],
            ["区建设局", "王芳", "科长", "13800000001", "wf@example.gov.cn", "", "联络员"],
            ["区财政局", "钱七", "副局长", "13800000002", "qq@example.gov.cn", "", "分管领导"]]
    preview = roster_preview(plan=w.plan, parsed=parse_roster([Sheet("s", rows)]))
    assert preview.bad == [] and preview.count_invite == 2
    assert roster_import(plan=w.plan, parsed=parse_roster([Sheet("s", rows)]), actor=w.coordinator).invited == 2
    # Accounts that never set a password are invited again: the preview counts them.
    again = roster_preview(plan=w.plan, parsed=parse_roster([Sheet("s", rows)]))
    assert again.count_invite == 2
    assert roster_import(plan=w.plan, parsed=parse_roster([Sheet("s", rows)]), actor=w.coordinator).invited == 2
