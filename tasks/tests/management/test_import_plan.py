"""``import_plan``: the JSON contract, warnings on screen with file:line, ``--strict``."""

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connections

from tasks.management.commands.import_plan import Command
from tasks.models import KeyTask, Plan, Region, Unit, WorkItem

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]
YUECHENG = ROOT / "fixtures" / "plans" / "yuecheng-2023-2027.txt"
CASES = ROOT / "tasks" / "tests" / "importers" / "cases"


def _nothing_written() -> bool:
    return not (Plan.objects.exists() or Unit.objects.exists() or KeyTask.objects.exists() or WorkItem.objects.exists())


def test_strict_exits_non_zero_on_warnings_and_writes_nothing(capsys, monkeypatch):
    # run_from_argv (what manage.py runs) closes the connections at the end: keep the test's one open.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    with pytest.raises(SystemExit) as exit_:
        Command().run_from_argv(["manage.py", "import_plan", str(YUECHENG), "--strict"])
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert f"warning: {YUECHENG}:128: " in err and "--strict: nothing imported" in err
    assert _nothing_written()


def test_strict_is_a_command_error_for_callers_too():
    with pytest.raises(CommandError, match="1 warnings and --strict"):
        call_command("import_plan", str(YUECHENG), "--strict")
    assert _nothing_written()


def test_strict_imports_a_document_without_warnings():
    # Its 各乡镇(街道) expands to the county's towns (with none known, the import would warn).
    region = Region.objects.create(name="某某县", slug="mmx")
    Unit.objects.create(region=region, name="某某镇", kind=Unit.Kind.TOWN, town_kind="镇")
    call_command("import_plan", str(CASES / "own_line_units.txt"), "--strict")
    assert Plan.objects.count() == 1


def test_without_strict_warnings_are_printed_with_file_and_line_and_the_plan_is_imported(capsys):
    call_command("import_plan", str(YUECHENG))
    err = capsys.readouterr().err
    assert f"warning: {YUECHENG}:128: 工作清单指标“创县级及以上优质工程（个）”" in err
    # The import's own warning (found against the target table) is printed too, once.
    assert err.count(f"warning: {YUECHENG}:134: 工作清单指标“城镇危房实质性解危（处）”在目标表中没有对应指标") == 1
    plan = Plan.objects.get()
    assert [(w["code"], w["line"]) for w in plan.import_warnings] == [
        ("collective_not_expanded", None), ("doubtful_link", 128), ("indicator_not_matched", 134)
    ]
    assert plan.import_warnings[0]["unit"] == "各平台公司"


def test_strict_also_refuses_warnings_only_the_import_finds(tmp_path, capsys):
    # The parser is happy with this plan; the import finds the work list's indicator missing from the targets.
    path = tmp_path / "plan.txt"
    path.write_text("\n".join([
        "测试区住房工作实施方案(2023—2027年)",
        "一、重点任务",
        "1. 推进未来社区建设。做好创建工作。(责任单位:区建设局、区财政局)",
        "2023年主要指标工作清单",
        "序号 | 指标体系 | 2023年目标 | 工作清单 | 完成期限",
        "1 | 未来社区创建数(个) | 5 | 创建未来社区5个。 | 9月底前",
        "附件",
        "区级有关单位名单",
        "区建设局、区财政局",
    ]), encoding="utf-8")
    call_command("import_plan", str(path), "--dry-run", "--strict")  # the parser alone: no warning
    with pytest.raises(CommandError, match="--strict: nothing imported"):
        call_command("import_plan", str(path), "--strict")
    assert f"warning: {path}:6: 工作清单指标“未来社区创建数(个)”在目标表中没有对应指标" in capsys.readouterr().err
    assert _nothing_written()
    assert not any(p.is_file() for p in (tmp_path / "media").rglob("*")), "the stored source file is removed"


def test_json_key_tasks_carry_leaders_and_milestones(capsys):
    call_command("import_plan", str(CASES / "labelled_lead.txt"), "--dry-run", "--json")
    tasks = json.loads(capsys.readouterr().out)["key_tasks"]
    assert all({"leaders", "milestones"} <= set(t) for t in tasks)
    assert tasks[0]["leaders"] == ["张三", "李四"] and tasks[1]["leaders"] == []
    call_command("import_plan", str(CASES / "milestones.txt"), "--dry-run", "--json")
    out = capsys.readouterr()
    first = json.loads(out.out)["key_tasks"][0]["milestones"]
    assert first[1] == {"text": "开工500套", "deadline": "2023-06-30", "deadline_text": "第二季度"}
    assert len(first) == 4
    # Warnings go to stderr, so stdout stays one JSON object.
    assert "warning:" not in out.out
    assert _nothing_written()


def test_dry_run_json_reads_a_spreadsheet_with_the_same_keys(tmp_path, capsys):
    import json

    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.active.append(["序号", "重点任务", "牵头单位", "配合单位"])
    wb.active.append([1, "推进老旧小区改造", "市住建局", "市财政局"])
    path = tmp_path / "清单.xlsx"
    wb.save(path)
    call_command("import_plan", str(path), "--dry-run", "--json")
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"title", "issuer", "region", "period", "units", "key_tasks", "indicators",
                        "work_items", "warnings", "tables", "past_due", "short_name"}
    assert [(t["lead_units"], t["supporting_units"]) for t in out["key_tasks"]] == [(["市住建局"], ["市财政局"])]
    assert _nothing_written()
