"""Exports of more than EXPORT_INLINE_ROWS rows are written in the background (tasks.services.exports): the
page queues one and shows its progress, a worker writes the rows the page showed, the user downloads it."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from django.contrib.messages import get_messages
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tasks.models import Export
from tasks.services import exports as export_services
from tasks.services.housekeeping import housekeeping_daily
from tasks.tests.daily_setup import login
from tasks.tests.factories import UserFactory
from tasks.tests.views.test_overdue import overdue_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def background(settings):
    settings.EXPORT_INLINE_ROWS = 2  # the overdue world has four rows
    settings.EXPORT_MAX_PENDING = 2


def _rows(content: bytes) -> list[tuple]:
    return list(load_workbook(BytesIO(content)).active.iter_rows(values_only=True))


def test_a_large_export_is_written_in_the_background_with_the_pages_rows_and_order(
        client, background, celery_eager, django_capture_on_commit_callbacks):
    w, _ = overdue_world()
    login(client, w.coordinator)
    url = reverse("tasks:overdue")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.get(url, {"sort": "-due_date", "page": "2", "export": "xlsx"})
    export = Export.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("tasks:export_detail", args=[export.pk])
    assert (export.status, export.kind, export.params, export.rows_total) == ("queued", "overdue", "sort=-due_date", 4)
    assert len(queued) == 1

    page = client.get(response["Location"])
    assert page.status_code == 200 and '<meta http-equiv="refresh"' in page.content.decode()
    assert 'id="export-progress"' in page.content.decode()

    queued[0]()  # the worker (eager)
    export.refresh_from_db()
    assert export.status == "done" and export.rows_done == 4 and export.size > 0
    page = client.get(reverse("tasks:export_detail", args=[export.pk])).content.decode()
    assert 'http-equiv="refresh"' not in page and 'id="export-download"' in page
    download = client.get(reverse("tasks:export_download", args=[export.pk]))
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    rows = _rows(b"".join(download.streaming_content))
    assert [r[1] for r in rows[1:]] == [3, 8, 15, 45]  # the order the page had: latest deadline first


def test_a_filtered_export_holds_the_filtered_rows(client, background, celery_eager, settings,
                                                   django_capture_on_commit_callbacks):
    settings.EXPORT_INLINE_ROWS = 1
    w, _ = overdue_world()
    login(client, w.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("tasks:overdue"), {"bucket": "1-7", "export": "xlsx"})
    assert response.status_code == 200  # one row: in the request, as before
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("tasks:overdue"), {"bucket": "8-30", "export": "xlsx"}, follow=True)
    export = Export.objects.get()
    download = client.get(reverse("tasks:export_download", args=[export.pk]))
    assert [r[0] for r in _rows(b"".join(download.streaming_content))[1:]] == ["逾期15天", "逾期8天"]


def test_asking_again_gets_the_same_export_and_too_many_are_refused(client, background):
    w, _ = overdue_world()
    login(client, w.coordinator)
    url = reverse("tasks:overdue")
    first = client.get(url, {"export": "xlsx"})
    assert client.get(url, {"export": "xlsx", "page": "3"})["Location"] == first["Location"]  # same list
    client.get(url, {"export": "xlsx", "sort": "lead_name"})
    assert Export.objects.count() == 2
    refused = client.get(url, {"export": "xlsx", "sort": "days_overdue"})
    assert refused.status_code == 302 and refused["Location"] == f"{url}?sort=days_overdue"
    assert "正在生成" in [str(m) for m in get_messages(refused.wsgi_request)][0]
    assert Export.objects.count() == 2


def test_an_export_is_its_users_alone(client, background):
    w, _ = overdue_world()
    login(client, w.coordinator)
    export_url = client.get(reverse("tasks:overdue"), {"export": "xlsx"})["Location"]
    export = Export.objects.get()
    login(client, UserFactory())
    assert client.get(export_url).status_code == 404
    assert client.get(reverse("tasks:export_download", args=[export.pk])).status_code == 404
    login(client, w.coordinator)
    assert client.get(reverse("tasks:export_download", args=[export.pk])).status_code == 404  # not written yet


def test_a_unit_export_and_a_user_no_longer_allowed(client, background, django_capture_on_commit_callbacks):
    from tasks.tests.daily_setup import bulk_items

    w, _ = overdue_world()
    bulk_items(plan=w.plan, unit=w.lead, n=3, today=w.today)
    login(client, w.lead_user)
    client.get(reverse("tasks:my_work"), {"role": "lead", "export": "xlsx"})
    export = Export.objects.get(kind="unit_work")
    done = export_services.export_run(export_id=export.pk)
    assert done.status == "done" and done.rows_done == export.rows_total >= 3
    assert export_services.export_run(export_id=export.pk) is None  # never twice

    login(client, w.coordinator)
    client.get(reverse("tasks:overdue"), {"export": "xlsx"})
    overdue = Export.objects.get(kind="overdue")
    w.plan.coordinators.remove(w.coordinator)
    w.other_plan.coordinators.remove(w.coordinator)
    failed = export_services.export_run(export_id=overdue.pk)
    assert failed.status == "failed" and "协调员" in failed.error and not failed.file
    page = client.get(reverse("tasks:export_detail", args=[overdue.pk])).content.decode()
    assert 'id="export-error"' in page and "重新导出" in page


def test_an_export_lost_with_its_worker_or_message_fails_and_can_be_asked_again(client, background):
    w, _ = overdue_world()
    login(client, w.coordinator)
    long_ago = timezone.now() - export_services.STALE_AFTER - timedelta(minutes=1)
    running = Export.objects.create(user=w.coordinator, kind="overdue", as_of=w.today, title="t", filename="t.xlsx",
                                    status="running", started_at=timezone.now() - timedelta(minutes=5))
    assert export_services.export_run(export_id=running.pk) is None  # a redelivery: still being written
    Export.objects.filter(pk=running.pk).update(started_at=long_ago)
    page = client.get(reverse("tasks:export_detail", args=[running.pk])).content.decode()
    assert 'id="export-error"' in page and "超时" in page
    assert export_services.export_run(export_id=running.pk) is None  # a late redelivery leaves it failed

    first = client.get(reverse("tasks:overdue"), {"export": "xlsx"})["Location"]
    queued = Export.objects.get(status="queued")
    Export.objects.filter(pk=queued.pk).update(created_at=long_ago)  # its message was lost
    again = client.get(reverse("tasks:overdue"), {"export": "xlsx"})["Location"]
    assert again != first and Export.objects.get(pk=queued.pk).status == "failed"


def test_progress_is_recorded_as_rows_are_written(background, monkeypatch):
    w, _ = overdue_world()
    export = Export.objects.create(user=w.coordinator, kind="overdue", as_of=w.today, title="t", filename="t.xlsx",
                                   rows_total=4)
    seen = []
    real = export_services.record_progress
    monkeypatch.setattr(export_services, "PROGRESS_STEPS", 2)  # four rows: after the second and the fourth
    monkeypatch.setattr(export_services, "record_progress",
                        lambda pk, rows: seen.append((rows, Export.objects.get(pk=pk).status)) or real(pk, rows))
    export_services.export_run(export_id=export.pk)
    assert seen == [(2, "running"), (4, "running")]
    export.refresh_from_db()
    assert export.rows_done == 4 and export.status == "done"


def test_old_exports_and_their_files_are_deleted_by_the_housekeeping(background, settings):
    w, _ = overdue_world()
    export = Export.objects.create(user=w.coordinator, kind="overdue", as_of=w.today, title="t", filename="t.xlsx")
    export_services.export_run(export_id=export.pk)
    export.refresh_from_db()
    storage, name = export.file.storage, export.file.name
    assert storage.exists(name)
    assert housekeeping_daily().exports == 0
    later = timezone.now() + timedelta(days=settings.EXPORT_KEEP_DAYS, hours=1)
    assert housekeeping_daily(now=later).exports == 1
    assert not Export.objects.exists() and not storage.exists(name)


def test_the_rows_are_counted_not_read_to_decide_where_to_export():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tasks.listings import overdue_listing
    from tasks.tables import row_count

    w, _ = overdue_world()
    listing = overdue_listing(w.coordinator, QueryDict(), today=w.today)  # not paginated, as an export's
    with CaptureQueriesContext(connection) as queries:
        assert row_count(listing.table) == 4
    assert len(queries) == 1 and "COUNT(" in queries[0]["sql"].upper()


def test_a_long_hostile_query_string_is_kept_not_a_500(client, background):
    """The longest query string the site takes (MAX_QUERY_STRING_BYTES: 1,700 CJK characters are 15,300 bytes
    percent-encoded) is kept whole with the export; one past the limit is refused at the door (414)."""
    w, _ = overdue_world()
    login(client, w.coordinator)
    url = reverse("tasks:overdue")
    assert client.get(url, {"export": "xlsx", "junk": "改" * 3000}).status_code == 414
    response = client.get(url, {"export": "xlsx", "junk": "改" * 1700, "sort": "<script>"})
    assert response.status_code == 302
    export = Export.objects.get()
    assert "junk=" in export.params and len(export.params) > 1700
    page = client.get(response["Location"])
    assert page.status_code == 200 and "<script>" not in page.content.decode()


def test_a_download_asks_again_whether_its_maker_may_still_see_what_it_holds(client, background):
    """An export stayed downloadable by its maker for its seven days whatever happened to them: a liaison moved to
    another unit still downloaded the old unit's work, a coordinator taken off a plan its overdue list. The
    download now asks ``export_refusal`` (the maker's standing now, through ``export_scope``, the rule that
    decided what it covered when it was made) and refuses with the reason: a unit change, a role change and a
    deactivation each."""
    from tasks.models import Profile
    from tasks.selectors.exports import export_refusal
    from tasks.tests.daily_setup import bulk_items

    w, _ = overdue_world()
    bulk_items(plan=w.plan, unit=w.lead, n=3, today=w.today)
    login(client, w.lead_user)
    client.get(reverse("tasks:my_work"), {"role": "lead", "export": "xlsx"})
    mine = export_services.export_run(export_id=Export.objects.get(kind="unit_work").pk)
    assert mine.scope == {"unit": w.lead.pk}
    url = reverse("tasks:export_download", args=[mine.pk])
    assert client.get(url).status_code == 200

    # A unit change: the rows are the old unit's.
    Profile.objects.filter(user=w.lead_user).update(unit=w.other)
    refused = client.get(url)
    assert refused.status_code == 403 and "您已不在该单位" in refused.content.decode()
    Profile.objects.filter(user=w.lead_user).update(unit=w.lead)
    assert client.get(url).status_code == 200  # back in the unit: its own again

    # A role change: a coordinator taken off one of the plans the overdue list covered.
    login(client, w.coordinator)
    w.other_plan.coordinators.add(w.coordinator)  # two plans' overdue list
    client.get(reverse("tasks:overdue"), {"export": "xlsx"})
    overdue = export_services.export_run(export_id=Export.objects.get(kind="overdue").pk)
    assert overdue.status == "done" and sorted(overdue.scope["plans"]) == sorted([w.plan.pk, w.other_plan.pk])
    url = reverse("tasks:export_download", args=[overdue.pk])
    assert client.get(url).status_code == 200
    w.other_plan.coordinators.remove(w.coordinator)
    refused = client.get(url)
    assert refused.status_code == 403 and "不再负责此导出涵盖的方案" in refused.content.decode()
    w.plan.coordinators.remove(w.coordinator)
    assert "协调员" in client.get(url).content.decode()

    # A deactivation: the session is gone, and the rule refuses the account itself.
    w.other_plan.coordinators.add(w.coordinator)
    w.plan.coordinators.add(w.coordinator)
    assert client.get(url).status_code == 200
    w.coordinator.is_active = False
    w.coordinator.save(update_fields=["is_active"])
    gone = client.get(url)
    assert gone.status_code in (302, 403) and "attachment" not in gone.get("Content-Disposition", "")
    assert "账号已停用" in export_refusal(w.coordinator, overdue)
    # Nobody else's export, however the rule is asked.
    assert export_refusal(w.lead_user, overdue) == "这不是您的导出。"
