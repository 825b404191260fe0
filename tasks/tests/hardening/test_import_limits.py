"""Issue 11's importer problems (5, 6, 7, 11) and the staged uploads' clean-up."""

import io
import os
import time
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from housing.celery import app as celery_app
from tasks.importers import PlanParseError, parse_plan_text
from tasks.importers import limits as limits_module
from tasks.importers.limits import Limits, enforce_field_limits, impossible_dates, read_and_parse
from tasks.models import Indicator, IndicatorTarget, Plan, Unit
from tasks.services.plan_import import import_limits
from tasks.services.staging import STAGING_DIR, staged_imports_clean_up
from tasks.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PLAN = [
    "测试区住房工作实施方案(2023—2027年)",
    "一、重点任务",
    "1. 推进未来社区建设。做好创建工作。(责任单位:区建设局、区财政局)",
    "2. 推进老旧小区改造。做好改造工作。(责任单位:区建设局、区发改局)",
    "2023年主要指标工作清单",
    "序号 | 指标体系 | 2023年目标 | 工作清单 | 完成期限",
    "1 | 未来社区创建数(个) | 5 | 创建未来社区5个。 | 2023年2月30日前",
    "2 | 老旧小区改造数(个) | 9 | 改造老旧小区9个。 | 9月底前",
]
TARGETS = [
    "五年目标表",
    "序号 | 指标 | ２０２２年现状值 | ２０２３年 | ２０２４年 | ２０２５年",
    "1 | 未来社区创建数(个) | 3 | 5 | 7 | 99999999999999999999",
]


@pytest.fixture
def coordinator(client):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="add_plan"))
    client.force_login(user)
    return user


def _staged_files() -> list[str]:
    try:
        return default_storage.listdir(STAGING_DIR)[1]
    except FileNotFoundError:
        return []


def _docx(paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _replace_part(data: bytes, part: str, content: bytes, *, level: int = 6) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED,
                                                                    compresslevel=level) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, content if info.filename == part else src.read(info.filename))
        if part not in src.namelist():
            dst.writestr(part, content)
    return out.getvalue()


def _upload(client, name: str, content: bytes):
    return client.post(reverse("tasks:plan_import"), {"document": SimpleUploadedFile(name, content)}, follow=True)


# 5 ------------------------------------------------------------------------------------------------------
def test_5_a_docx_with_invalid_xml_gives_a_clear_error_and_leaves_no_staged_file(client, coordinator):
    bad = _replace_part(_docx(PLAN), "word/document.xml", b"<w:document><w:body><w:p>broken")
    response = _upload(client, "坏文档.docx", bad)
    assert response.status_code == 200
    errors = response.context["form"].errors["document"]
    assert "坏文档.docx" in errors[0] and ("损坏" in errors[0] or "无法打开" in errors[0])
    assert _staged_files() == [] and not Plan.objects.exists()


# 6 ------------------------------------------------------------------------------------------------------
def test_6_a_docx_that_inflates_past_the_cap_is_refused_in_under_5_seconds(client, coordinator):
    body = b'<?xml version="1.0"?><w:document xmlns:w="x"><w:body>' + b" " * (51 * 1024 * 1024) + b"</w:body>"
    bomb = _replace_part(_docx(PLAN), "word/document.xml", body, level=9)
    assert len(bomb) < 1024 * 1024
    start = time.perf_counter()
    response = _upload(client, "炸弹.docx", bomb)
    assert time.perf_counter() - start < 5
    assert "50 MB" in response.context["form"].errors["document"][0]
    assert _staged_files() == [] and not Plan.objects.exists()


def test_6_page_and_time_caps(tmp_path, monkeypatch):
    pages = _replace_part(_docx(PLAN), "docProps/app.xml", b"<Properties><Pages>5000</Pages></Properties>")
    path = tmp_path / "厚.docx"
    path.write_bytes(pages)
    with pytest.raises(PlanParseError, match="3000 页"):
        read_and_parse(path, limits=Limits())
    text = tmp_path / "慢.txt"
    text.write_text("\n".join(PLAN), encoding="utf-8")

    def slow(*args, **kwargs):
        time.sleep(30)

    monkeypatch.setattr(limits_module, "_read_and_parse", slow)  # the forked child inherits it
    start = time.perf_counter()
    with pytest.raises(PlanParseError, match="秒上限"):
        read_and_parse(text, limits=Limits(seconds=1))
    assert time.perf_counter() - start < 5


def test_6_limits_are_settings(settings, tmp_path):
    settings.IMPORT_MAX_INFLATED_MB, settings.IMPORT_MAX_PAGES, settings.IMPORT_MAX_SECONDS = 1, 10, 5
    assert import_limits() == Limits(inflated_bytes=1024 * 1024, pages=10, seconds=5.0,
                                            memory_bytes=Limits().memory_bytes)


def test_a_normal_document_reads_the_same_through_the_limits(tmp_path):
    path = tmp_path / "plan.docx"
    path.write_bytes(_docx(PLAN))
    text, parsed = read_and_parse(path)
    assert [t.title for t in parsed.key_tasks] == [t.title for t in parse_plan_text(text, source="plan.docx").key_tasks]


# 7 ------------------------------------------------------------------------------------------------------
def test_7_oversized_numbers_and_long_unit_names_become_warnings_with_lines_and_pages_render(client, coordinator):
    long_unit = "区" + "长" * 100_000 + "局"
    lines = [*PLAN[:2], f"1. 推进未来社区建设。做好创建工作。(责任单位:{long_unit}、区财政局)", *PLAN[3:], *TARGETS]
    response = _upload(client, "大数.txt", "\n".join(lines).encode())
    assert response.status_code == 200
    response = client.post(reverse("tasks:plan_import_confirm"), follow=True)
    assert response.status_code == 200
    plan = Plan.objects.get()
    codes = {(w["code"], w["line"]) for w in plan.import_warnings}
    assert ("too_long", 3) in codes and ("out_of_range", 11) in codes
    assert max(len(u.name) for u in Unit.objects.all()) <= 100
    target = IndicatorTarget.objects.get(year=2025)
    assert target.value is None and target.text == "99999999999999999999"
    assert client.get(plan.get_absolute_url()).status_code == 200
    for indicator in Indicator.objects.all():
        assert client.get(reverse("tasks:indicator_detail", args=[indicator.pk])).status_code == 200
    assert _staged_files() == []


def test_7_field_limits_are_idempotent():
    parsed = parse_plan_text("\n".join([*PLAN, *TARGETS]), source="x.txt")
    once = len(enforce_field_limits(parsed).warnings)
    assert len(enforce_field_limits(parsed).warnings) == once


# 11 -----------------------------------------------------------------------------------------------------
def test_11_full_width_year_headers_keep_their_targets():
    parsed = enforce_field_limits(parse_plan_text("\n".join([*PLAN, *TARGETS]), source="x.txt"))
    indicator = next(i for i in parsed.indicators if "未来社区" in i.name)
    assert sorted(indicator.targets) == [2023, 2024, 2025]
    assert indicator.targets[2023].text == "5"
    assert indicator.baseline_year == 2022


def test_11_an_impossible_date_is_warned_with_its_line():
    parsed = enforce_field_limits(parse_plan_text("\n".join(PLAN), source="x.txt"))
    warning = next(w for w in parsed.warnings if w.code == "impossible_date")
    assert warning.line == 7 and "2023年2月30日" in warning.message
    assert impossible_dates("2024年2月29日前") == [] and impossible_dates("4月31日") == ["4月31日"]


# staged uploads -----------------------------------------------------------------------------------------
def test_abandoned_staged_uploads_are_cleaned_up_by_service_command_and_beat(settings):
    old = default_storage.save(f"{STAGING_DIR}/{'a' * 32}.txt", ContentFile(b"old"))
    new = default_storage.save(f"{STAGING_DIR}/{'b' * 32}.txt", ContentFile(b"new"))
    past = time.time() - 3 * 24 * 3600
    os.utime(default_storage.path(old), (past, past))
    result = staged_imports_clean_up(now=timezone.now())
    assert result.deleted == [Path(old).name] and result.kept == 1
    call_command("clean_staged_imports", "--hours", "0", stdout=io.StringIO())
    assert not default_storage.exists(new)
    assert staged_imports_clean_up(max_age=timedelta(hours=1)).deleted == []
    entry = celery_app.conf.beat_schedule["staged-imports-clean-up"]
    assert entry["task"] == "tasks.tasks.staged_imports_clean_up"


def test_confirm_failure_removes_the_staged_file(client, coordinator, monkeypatch):
    _upload(client, "plan.txt", "\n".join(PLAN).encode())
    assert len(_staged_files()) == 1

    def boom(**kwargs):
        raise PlanParseError("模拟失败", path="plan.txt")

    monkeypatch.setattr("tasks.views.imports.plan_import", boom)
    response = client.post(reverse("tasks:plan_import_confirm"))
    assert response.status_code == 302
    assert _staged_files() == [] and not Plan.objects.exists()


def test_duplicate_indicator_numbers_are_renumbered_with_a_warning_not_a_500():
    # Found by the long property profile: two target rows numbered 0 ended in an IntegrityError.
    from tasks.services.plan_import import plan_import

    text = "\n".join(["测试区住房工作实施方案(2023—2027年)", "一、重点任务",
                      "1. 推进未来社区建设。做好创建工作。(责任单位:区建设局、区财政局)",
                      "序号 | 指标 | 2022年现状值 | ２０２３年 | 2024年 | 2025年", "0|甲指标(个)|1|2|3|4",
                      "0|乙指标(个)|1|2|3|4"])
    parsed = parse_plan_text(text, source="x.txt")
    assert len(parsed.indicators) == 2
    parsed.indicators[1].number = parsed.indicators[0].number
    result = plan_import(parsed=parsed, source_name="x.txt", source_bytes=text.encode())
    numbers = sorted(Indicator.objects.filter(plan=result.plan).values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == 2
    assert any(w["code"] == "duplicate_number" and w["line"] == 6 for w in result.plan.import_warnings)


def test_a_circled_number_alone_is_not_a_crash():
    # Found by the long property profile: "①".isdigit() is True, int("①") is not.
    with pytest.raises(PlanParseError):
        parse_plan_text("①", source="x.txt")
