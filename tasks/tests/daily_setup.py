"""A small office for the daily-work tests: one plan, three units, a coordinator, liaisons."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile

from tasks.models import Plan, Profile, Role, WorkItem, WorkItemUnit
from tasks.tests.factories import (
    IndicatorFactory,
    IndicatorTargetFactory,
    KeyTaskFactory,
    PlanFactory,
    RegionFactory,
    UnitFactory,
    WorkItemFactory,
)

PASSWORD = "pw-for-tests-123"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def pdf(name: str = "验收报告.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@dataclass
class World:
    plan: Plan
    other_plan: Plan
    lead: object  # Unit
    support: object
    other: object
    lead_user: object
    support_user: object
    other_user: object
    coordinator: object
    other_coordinator: object
    key_task: object
    indicator: object
    item: WorkItem
    other_item: WorkItem
    today: date


@cache
def _password_hash() -> str:
    # Hashing is slow by design; hash the test password once per run, not once per user.
    return make_password(PASSWORD)


def user(username: str, **kwargs):
    """A user who can log in with PASSWORD (UserFactory does not store its password)."""
    return get_user_model().objects.create(
        username=username, email=f"{username}@example.gov.cn", password=_password_hash(), **kwargs
    )


def liaison(unit, username: str):
    u = user(username)
    Profile.objects.create(user=u, unit=unit)
    return u


def make_world(today: date | None = None, *, suffix: str = "") -> World:
    """Plan with item (lead A, support B) and other_item (lead C); a second plan with its own coordinator.
    ``suffix`` names a second world beside the first (its region and usernames end with it)."""
    today = today or date.today()
    region = RegionFactory(name=f"测试区{suffix}", slug=f"test-region{suffix}")
    plan = PlanFactory(region=region, first_year=today.year - 1, last_year=today.year + 3)
    other_plan = PlanFactory(region=region, first_year=today.year - 1, last_year=today.year + 3)
    lead, support, other = (UnitFactory(region=region, name=n) for n in ("区建设局", "区财政局", "区教育局"))
    coordinator = user(f"coord{suffix}", first_name="专班")
    other_coordinator = user(f"coord2{suffix}")
    plan.coordinators.add(coordinator)
    other_plan.coordinators.add(other_coordinator)
    key_task = KeyTaskFactory(plan=plan, number=1, title="扩大保障性租赁住房供给", lead=lead, supporting=[support])
    indicator = IndicatorFactory(
        plan=plan, number=1, name="保障性租赁住房累计建设筹集套数", measure="万套", cumulative=True,
        baseline_text="2.22", baseline_value=Decimal("2.22"), baseline_year=today.year - 2, key_task=key_task,
    )
    IndicatorTargetFactory(indicator=indicator, year=today.year - 1, text="2.99", value=Decimal("2.99"))
    IndicatorTargetFactory(indicator=indicator, year=today.year, text="3.30", value=Decimal("3.30"))
    due = today + timedelta(days=20)
    item = WorkItemFactory(
        plan=plan, year=today.year, key_task=key_task, indicator=indicator, text="新增筹集保障性租赁住房3000套",
        deadline=due, due_date=due, deadline_text=f"{due.month}月底前", lead=lead, supporting=[support],
    )
    other_item = WorkItemFactory(plan=plan, year=today.year, text="其他单位的事项", deadline=due, due_date=due,
                                 lead=other)
    return World(
        plan=plan, other_plan=other_plan, lead=lead, support=support, other=other,
        lead_user=liaison(lead, f"lead{suffix}"), support_user=liaison(support, f"support{suffix}"),
        other_user=liaison(other, f"other{suffix}"), coordinator=coordinator,
        other_coordinator=other_coordinator, key_task=key_task, indicator=indicator, item=item,
        other_item=other_item, today=today,
    )


def bulk_items(*, plan: Plan, unit, n: int, today: date, role: str = Role.LEAD, key_task=None, indicator=None,
               overdue: bool = False) -> list[WorkItem]:
    """``n`` items for ``unit`` made with bulk_create (fast enough for the 1,000-row query-count tests)."""
    items = WorkItem.objects.bulk_create(
        [
            WorkItem(
                plan=plan, year=today.year, text=f"批量事项{i}", key_task=key_task, indicator=indicator,
                deadline=today + timedelta(days=(-(i % 60) - 1) if overdue else (i % 90) - 30),
                due_date=today + timedelta(days=(-(i % 60) - 1) if overdue else (i % 90) - 30),
                deadline_text="年内", position=i,
            )
            for i in range(n)
        ]
    )
    WorkItemUnit.objects.bulk_create([WorkItemUnit(work_item=w, unit=unit, role=role) for w in items])
    return items


MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def login(client, user):
    """Log ``user`` in; names the model backend because the axes backend cannot restore a session user."""
    client.force_login(user, backend=MODEL_BACKEND)
    return client
