"""Two writes of one breakdown at the same moment, on PostgreSQL (SQLite serialises whole transactions).

    CI=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/housing \\
        pytest tasks/tests/services/test_targets_race.py
"""

import threading
from datetime import date, datetime
from decimal import Decimal as D

import pytest
from django.db import connection
from django.utils import timezone

from tasks.models import TargetBreakdown, TargetBreakdownChange, TargetShare, TargetShareReport, Unit
from tasks.services.targets import ShareInput, target_breakdown_save, target_share_report
from tasks.tests.factories import IndicatorFactory, IndicatorTargetFactory, PlanFactory, UserFactory, liaison_for

AT = timezone.make_aware(datetime(2024, 7, 10, 10))


@pytest.fixture
def pg(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("needs DATABASE_URL=postgres://...: the race needs row locks")


def _race(fn, n: int = 2) -> list[BaseException]:
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            fn(i)
        except BaseException as e:
            errors.append(e)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_two_coordinators_saving_a_new_breakdown_at_once_make_one(pg):
    plan = PlanFactory()
    coordinators = [UserFactory(), UserFactory()]
    plan.coordinators.add(*coordinators)
    towns = [Unit.objects.create(region=plan.region, name=f"镇{i}", kind=Unit.Kind.TOWN, town_kind="镇")
             for i in range(3)]
    indicator = IndicatorFactory(plan=plan, measure="个")
    IndicatorTargetFactory(indicator=indicator, year=2024, text="6", value=6)

    def save(i: int) -> None:
        target_breakdown_save(indicator=indicator, year=2024, method="sum", user=coordinators[i], at=AT,
                              shares=[ShareInput(unit=t, value=D(2)) for t in towns])

    assert _race(save) == []
    assert TargetBreakdown.objects.count() == 1
    assert TargetShare.objects.count() == 3
    # The second found the same shares already there: nothing changed, nothing more recorded.
    assert TargetBreakdownChange.objects.count() == 1


def test_a_town_reporting_one_month_twice_at_once_keeps_one_row_and_both_audit_rows(pg):
    plan = PlanFactory()
    coordinator = UserFactory()
    plan.coordinators.add(coordinator)
    town = Unit.objects.create(region=plan.region, name="镇", kind=Unit.Kind.TOWN, town_kind="镇")
    indicator = IndicatorFactory(plan=plan, measure="个")
    IndicatorTargetFactory(indicator=indicator, year=2024, text="6", value=6)
    target_breakdown_save(indicator=indicator, year=2024, method="sum", user=coordinator, at=AT,
                          shares=[ShareInput(unit=town, value=D(6))])
    share = TargetShare.objects.get()
    user = liaison_for(town)

    def report(i: int) -> None:
        target_share_report(share=share, user=user, month=date(2024, 6, 1), value=D(3 + i), at=AT)

    assert _race(report) == []
    assert TargetShareReport.objects.count() == 1
    changes = list(TargetBreakdownChange.objects.filter(action="report").order_by("pk"))
    assert len(changes) == 2
    # The one that waited for the lock saw the other's value as "before".
    assert changes[1].changes[0]["value"][0] == changes[0].changes[0]["value"][1]
