"""What was asked stays as it was asked (基层负担): each close request records whether it had to carry evidence,
so switching the plan's setting later does not rewrite the burden counts of past months."""

import importlib
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps

from tasks.models import Evidence, ProgressReport, WorkItem
from tasks.selectors.burden import asks_by_unit_month, unit_asks_for_year
from tasks.services.reports import work_item_request_close
from tasks.services.review import work_item_return
from tasks.tests.daily_setup import make_world, pdf
from tasks.tests.factories import WorkItemFactory

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
MARCH = datetime(2026, 3, 10, 10, tzinfo=TZ)
APRIL = datetime(2026, 4, 10, 10, tzinfo=TZ)


def _evidence_counts(plan, unit) -> tuple[int, int]:
    counts = asks_by_unit_month(plan=plan, start=date(2026, 1, 1), end=date(2026, 12, 31))
    return tuple(counts.get((unit.pk, (2026, m)), {}).get("evidence_demanded", 0) for m in (3, 4))


def _set(plan, **flags):
    for name, value in flags.items():
        setattr(plan, name, value)
    plan.save()


def test_a_change_of_the_setting_leaves_past_counts_as_they_were():
    w = make_world(today=date(2026, 3, 1))
    meeting = WorkItemFactory(plan=w.plan, year=2026, lead=w.lead, deadline=date(2026, 5, 30),
                              origin=WorkItem.Origin.MEETING)
    # March: the plan requires evidence for meeting items; the request had to carry it.
    _set(w.plan, evidence_for_meeting_items=True)
    work_item_request_close(item=meeting, user=w.lead_user, note="已完成", files=[pdf()], at=MARCH)
    # April: the requirement is off; a plan item closes without evidence (none was asked).
    _set(w.plan, evidence_for_meeting_items=False)
    work_item_request_close(item=w.item, user=w.lead_user, note="已完成", at=APRIL)
    assert list(ProgressReport.objects.filter(kind="close_request").order_by("created_at")
                .values_list("evidence_demanded", flat=True)) == [True, False]
    assert _evidence_counts(w.plan, w.lead) == (1, 0)
    # Switching requirements on and off afterwards rewrites neither month, nor the year's appendix.
    _set(w.plan, evidence_for_plan_items=True, evidence_for_meeting_items=False)
    assert _evidence_counts(w.plan, w.lead) == (1, 0)
    year = {r["unit"]: r for r in unit_asks_for_year(plan=w.plan, year=2026)}
    assert year["区建设局"]["evidence_demanded"] == 1


def test_a_resubmission_with_evidence_on_file_records_no_ask():
    w = make_world(today=date(2026, 3, 1))
    _set(w.plan, evidence_for_plan_items=True)
    work_item_request_close(item=w.item, user=w.lead_user, note="已完成", files=[pdf()], at=MARCH)
    work_item_return(item=w.item, user=w.coordinator, reason="补充说明")
    w.item.refresh_from_db()
    work_item_request_close(item=w.item, user=w.lead_user, note="已补充", at=APRIL)
    assert list(ProgressReport.objects.filter(kind="close_request").order_by("created_at")
                .values_list("evidence_demanded", flat=True)) == [True, False]
    assert _evidence_counts(w.plan, w.lead) == (1, 0)


def test_the_upgrade_records_requests_made_before_by_the_setting_as_it_stands():
    """Migration 0032: requests made before the record existed get the rule at the upgrade (the count the
    page showed for them until then); requests of kinds not required, or with evidence on file, get False."""
    migration = importlib.import_module("tasks.migrations.0032_evidence_demanded_recorded")
    w = make_world(today=date(2026, 3, 1))
    _set(w.plan, evidence_for_meeting_items=True, evidence_for_parts=True)
    meeting = WorkItemFactory(plan=w.plan, year=2026, lead=w.lead, origin=WorkItem.Origin.MEETING)
    part = WorkItemFactory(plan=w.plan, year=2026, lead=w.lead, parent=w.item)
    instruction = WorkItemFactory(plan=w.plan, year=2026, lead=w.lead, origin=WorkItem.Origin.INSTRUCTION)

    def request(item, when, evidence=False):
        r = ProgressReport.objects.create(work_item=item, unit=w.lead, kind="close_request", note="办结",
                                          created_at=when)
        if evidence:
            Evidence.objects.create(report=r, file="evidence/x", original_name="a.pdf",
                                    content_type="application/pdf", size=1, sha256="0" * 64)
        return r

    first = request(meeting, MARCH, evidence=True)
    again = request(meeting, APRIL)  # evidence on file: not asked again
    of_part = request(part, MARCH)
    of_plan = request(w.item, MARCH)  # plan items: not required
    of_instruction = request(instruction, MARCH)  # instructions: not required
    migration.record_evidence_demanded(apps, None)
    got = dict(ProgressReport.objects.values_list("pk", "evidence_demanded"))
    assert [got[r.pk] for r in (first, again, of_part, of_plan, of_instruction)] == [True, False, True, False,
                                                                                     False]
