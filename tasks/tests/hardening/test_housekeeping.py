"""Daily housekeeping: expired sessions and login logs past their retention are deleted, in batches."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from axes.models import AccessFailureLog, AccessLog
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.checks import run_checks
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from housing.celery import app as celery_app
from tasks import tasks as celery_tasks
from tasks.services import housekeeping

pytestmark = pytest.mark.django_db


def _log(model, *, days_ago: float, username: str):
    row = model.objects.create(username=username, ip_address="10.0.0.1", user_agent="ua", http_accept="*/*",
                               path_info="/accounts/login/")
    model.objects.filter(pk=row.pk).update(attempt_time=timezone.now() - timedelta(days=days_ago))
    return row


def test_login_logs_past_retention_are_deleted_in_batches_the_rest_kept(settings, monkeypatch):
    settings.ACCESS_LOG_RETENTION_DAYS = 180
    old = [_log(AccessLog, days_ago=181 + i, username=f"old{i}") for i in range(5)]
    kept = [_log(AccessLog, days_ago=d, username=f"new{d}") for d in (0, 10, 179)]
    _log(AccessFailureLog, days_ago=400, username="old-failure")
    recent_failure = _log(AccessFailureLog, days_ago=1, username="new-failure")
    batches = []
    real_delete = housekeeping.delete_older

    def spy(model, *, field, before, batch=housekeeping.DELETE_BATCH):
        batches.append(model)
        return real_delete(model, field=field, before=before, batch=2)

    monkeypatch.setattr(housekeeping, "delete_older", spy)
    result = housekeeping.housekeeping_daily()
    assert (result.access_logs, result.access_failure_logs) == (5, 1)
    assert set(AccessLog.objects.values_list("pk", flat=True)) == {r.pk for r in kept}
    assert list(AccessFailureLog.objects.values_list("pk", flat=True)) == [recent_failure.pk]
    assert not AccessLog.objects.filter(pk__in=[r.pk for r in old]).exists()
    assert housekeeping.housekeeping_daily().access_logs == 0  # nothing twice


def test_delete_older_deletes_by_batches_only_what_is_older():
    for i in range(5):
        _log(AccessLog, days_ago=200 + i, username=f"u{i}")
    before = timezone.now() - timedelta(days=202, hours=12)  # 203 and 204 days ago
    assert housekeeping.delete_older(AccessLog, field="attempt_time", before=before, batch=1) == 2
    assert sorted(AccessLog.objects.values_list("username", flat=True)) == ["u0", "u1", "u2"]


def test_expired_sessions_are_cleared_live_ones_kept():
    live, expired = SessionStore(), SessionStore()
    live["k"] = expired["k"] = 1
    live.create()
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(expire_date=timezone.now() - timedelta(days=1))
    housekeeping.housekeeping_daily()
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]


def test_the_beat_task_and_command_run_it(settings):
    _log(AccessLog, days_ago=365, username="old")
    entry = celery_app.conf.beat_schedule["housekeeping-daily"]
    assert entry["task"] == "tasks.tasks.housekeeping_daily"
    assert celery_tasks.housekeeping_daily.apply().get()["access_logs"] == 1
    _log(AccessLog, days_ago=365, username="old")
    out = io.StringIO()
    call_command("housekeeping", stdout=out)
    assert "deleted 1 login logs" in out.getvalue()


def test_a_retention_below_six_months_is_warned(settings):
    settings.ACCESS_LOG_RETENTION_DAYS = 30
    assert "tasks.W001" in {m.id for m in run_checks()}
    settings.ACCESS_LOG_RETENTION_DAYS = 180
    assert "tasks.W001" not in {m.id for m in run_checks()}


@pytest.mark.parametrize("table", ["axes_accesslog", "axes_accessfailurelog"])
def test_login_logs_are_indexed_by_attempt_time(table):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    assert any(c["index"] and c["columns"] == ["attempt_time"] for c in constraints.values())
