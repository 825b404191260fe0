from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tasks.models import Evidence, ProgressReport, StatusChange, WorkItem
from tasks.services.reports import work_item_comment, work_item_report_progress, work_item_request_close
from tasks.services.review import work_item_accept
from tasks.tests.daily_setup import PDF, make_world, pdf

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
S = WorkItem.Status
AT = datetime(2025, 5, 6, 10, tzinfo=SH)


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_lead_progress_starts_the_item_sets_its_progress_and_is_audited():
    w = make_world()
    report = work_item_report_progress(item=w.item, user=w.lead_user, note="已开工", percent=30, at=AT)
    w.item.refresh_from_db()
    assert (w.item.status, w.item.progress) == (S.IN_PROGRESS, 30)
    assert (report.kind, report.unit, report.author, report.created_at) == ("progress", w.lead, w.lead_user, AT)
    change = StatusChange.objects.get(work_item=w.item)
    assert (change.actor, change.from_status, change.to_status, change.at) == (w.lead_user, S.NOT_STARTED,
                                                                               S.IN_PROGRESS, AT)


def test_a_second_progress_report_changes_no_status():
    w = make_world()
    work_item_report_progress(item=w.item, user=w.lead_user, note="一", percent=30)
    work_item_report_progress(item=w.item, user=w.lead_user, note="二", percent=60)
    w.item.refresh_from_db()
    assert w.item.progress == 60
    assert StatusChange.objects.filter(work_item=w.item).count() == 1


def test_supporting_unit_adds_a_contribution_without_touching_status_or_progress():
    w = make_world()
    report = work_item_report_progress(item=w.item, user=w.support_user, note="资金已下达500万元", percent=90)
    w.item.refresh_from_db()
    assert report.kind == ProgressReport.Kind.CONTRIBUTION and report.unit == w.support
    assert (w.item.status, w.item.progress) == (S.NOT_STARTED, 0)
    assert not StatusChange.objects.exists()


def test_unit_not_responsible_cannot_report_and_nothing_is_written():
    w = make_world()
    with pytest.raises(PermissionDenied):
        work_item_report_progress(item=w.item, user=w.other_user, note="伪造", files=[pdf()])
    with pytest.raises(PermissionDenied):
        work_item_report_progress(item=w.item, user=w.coordinator, note="协调员不是责任单位")
    assert not ProgressReport.objects.exists() and not stored_files()


def test_report_needs_a_note_and_a_percent_in_range():
    w = make_world()
    with pytest.raises(ValidationError):
        work_item_report_progress(item=w.item, user=w.lead_user, note="  ")
    with pytest.raises(ValidationError):
        work_item_report_progress(item=w.item, user=w.lead_user, note="x", percent=101)
    assert not ProgressReport.objects.exists()


def test_no_reports_on_a_done_item():
    w = make_world()
    work_item_request_close(item=w.item, user=w.lead_user, note="完成")
    work_item_accept(item=w.item, user=w.coordinator)
    with pytest.raises(ValidationError):
        work_item_report_progress(item=w.item, user=w.support_user, note="晚了")


def test_lead_asks_to_close_with_evidence_stored_under_a_random_name():
    w = make_world()
    report = work_item_request_close(item=w.item, user=w.lead_user, note="已完成，附验收报告", files=[pdf()], at=AT)
    w.item.refresh_from_db()
    assert w.item.status == S.AWAITING_REVIEW
    assert report.kind == ProgressReport.Kind.CLOSE_REQUEST and report.percent == 100
    change = StatusChange.objects.get(work_item=w.item, to_status=S.AWAITING_REVIEW)
    assert (change.actor, change.reason) == (w.lead_user, "已完成，附验收报告")
    evidence = Evidence.objects.get(report=report)
    assert evidence.original_name == "验收报告.pdf" and evidence.content_type == "application/pdf"
    assert "验收报告" not in evidence.file.name and not evidence.file.name.endswith(".pdf")
    assert Path(evidence.file.path).read_bytes() == PDF
    assert evidence.size == len(PDF) and len(evidence.sha256) == 64


def test_supporting_unit_cannot_ask_to_close():
    w = make_world()
    with pytest.raises(PermissionDenied):
        work_item_request_close(item=w.item, user=w.support_user, note="我们做完了")
    w.item.refresh_from_db()
    assert w.item.status == S.NOT_STARTED and not ProgressReport.objects.exists()


def test_cannot_ask_to_close_twice():
    w = make_world()
    work_item_request_close(item=w.item, user=w.lead_user, note="完成")
    with pytest.raises(ValidationError):
        work_item_request_close(item=w.item, user=w.lead_user, note="再次")
    assert ProgressReport.objects.count() == 1


def test_html_renamed_to_pdf_is_refused_and_nothing_is_half_saved():
    w = make_world()
    fake = SimpleUploadedFile("报告.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")
    with pytest.raises(ValidationError) as e:
        work_item_request_close(item=w.item, user=w.lead_user, note="完成", files=[pdf(), fake])
    assert "报告.pdf" in str(e.value)
    w.item.refresh_from_db()
    assert w.item.status == S.NOT_STARTED
    assert not ProgressReport.objects.exists() and not StatusChange.objects.exists() and not stored_files()


@pytest.mark.parametrize(
    "name,content,content_type",
    [
        ("page.html", b"<html></html>", "text/html"),
        ("script.exe", b"MZ\x90\x00", "application/octet-stream"),
        ("图片.png", PDF, "image/png"),
        ("报告.pdf", PDF, "text/html"),
        ("空.pdf", b"", "application/pdf"),
    ],
)
def test_evidence_type_content_and_size_are_checked(name, content, content_type):
    w = make_world()
    with pytest.raises(ValidationError):
        work_item_report_progress(item=w.item, user=w.lead_user, note="x",
                                  files=[SimpleUploadedFile(name, content, content_type=content_type)])
    assert not ProgressReport.objects.exists()


def test_evidence_over_the_size_limit_is_refused(monkeypatch):
    from tasks.services import evidence

    monkeypatch.setattr(evidence, "MAX_EVIDENCE_BYTES", 10)
    w = make_world()
    with pytest.raises(ValidationError):
        work_item_report_progress(item=w.item, user=w.lead_user, note="x", files=[pdf()])


def test_a_failure_after_a_file_was_stored_removes_it(monkeypatch):
    w = make_world()

    def fail(self, *args, **kwargs):
        raise RuntimeError("database went away")

    # The file is written to storage first, then its row fails to save.
    monkeypatch.setattr(Evidence, "save", fail)
    with pytest.raises(RuntimeError):
        work_item_report_progress(item=w.item, user=w.lead_user, note="x", files=[pdf()])
    assert not stored_files()
    assert not ProgressReport.objects.exists() and not StatusChange.objects.exists()


def test_coordinator_comments_and_others_cannot():
    w = make_world()
    report = work_item_comment(item=w.item, user=w.coordinator, note="请加快进度", at=AT)
    assert (report.kind, report.unit, report.author) == (ProgressReport.Kind.COMMENT, None, w.coordinator)
    for outsider in (w.other_coordinator, w.lead_user):
        with pytest.raises(PermissionDenied):
            work_item_comment(item=w.item, user=outsider, note="x")
