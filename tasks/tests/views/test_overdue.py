import re
from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tasks.tests.daily_setup import login, make_world
from tasks.tests.factories import UnitFactory, WorkItemFactory

pytestmark = pytest.mark.django_db


def overdue_world():
    w = make_world()
    items = {}
    b_unit = UnitFactory(region=w.plan.region, name="区住保中心")
    for days, unit in ((3, w.lead), (15, w.other), (45, b_unit), (8, w.lead)):
        due = w.today - timedelta(days=days)
        items[days] = WorkItemFactory(plan=w.plan, text=f"逾期{days}天", deadline=due, due_date=due, lead=unit,
                                      key_task=w.key_task if days != 15 else None)
    WorkItemFactory(plan=w.other_plan, text="别的方案", deadline=w.today - timedelta(days=5), lead=w.lead)
    return w, items


def shown(client, **query):
    response = client.get(reverse("tasks:overdue"), query)
    assert response.status_code == 200
    return [r.record.text for r in response.context["table"].page.object_list]


def test_overdue_view_lists_the_plans_overdue_items_most_overdue_first(client):
    w, _ = overdue_world()
    login(client, w.coordinator)
    assert shown(client) == ["逾期45天", "逾期15天", "逾期8天", "逾期3天"]


def test_overdue_view_filters_by_bucket_lead_unit_and_key_task(client):
    w, _ = overdue_world()
    login(client, w.coordinator)
    assert shown(client, bucket="1-7") == ["逾期3天"]
    assert shown(client, bucket="8-30") == ["逾期15天", "逾期8天"]
    assert shown(client, bucket="30+") == ["逾期45天"]
    assert shown(client, lead_unit=w.lead.pk) == ["逾期8天", "逾期3天"]
    assert shown(client, key_task=w.key_task.pk) == ["逾期45天", "逾期8天", "逾期3天"]


def test_overdue_view_sorts_by_lead_unit_and_days(client):
    w, _ = overdue_world()
    login(client, w.coordinator)
    response = client.get(reverse("tasks:overdue"), {"sort": "lead_name"})
    names = [r.record.lead_name for r in response.context["table"].page.object_list]
    assert names == sorted(names)
    assert shown(client, sort="days_overdue") == ["逾期3天", "逾期8天", "逾期15天", "逾期45天"]


def test_overdue_view_shows_days_and_bucket_and_a_comment_link(client):
    w, items = overdue_world()
    page = login(client, w.coordinator).get(reverse("tasks:overdue")).content.decode()
    assert "<b>45</b>" in page and "&gt;30天" in page
    assert reverse("tasks:work_item_comment", args=[items[45].pk]) in page
    assert 'id="overdue-actions"' in page


def test_overdue_export_has_the_filtered_rows_with_days_and_lead_unit(client):
    w, _ = overdue_world()
    response = login(client, w.coordinator).get(reverse("tasks:overdue"), {"bucket": "8-30", "export": "xlsx"})
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    header = rows[0]
    assert header[:5] == ("工作内容", "逾期天数", "逾期时长", "现行期限", "牵头单位") and "督办" not in header
    assert [(r[0], r[1], r[4]) for r in rows[1:]] == [("逾期15天", 15, "区教育局"), ("逾期8天", 8, "区建设局")]


def test_overdue_export_streams_every_row_in_the_tables_order(client, monkeypatch):
    """Read in chunks into a write-only workbook: every row, in the order asked, a bold frozen header,
    formula-looking text kept as text; the table's own cache is never filled (memory stays flat)."""
    from tasks import tables
    from tasks.selectors.work import overdue_in
    from tasks.tables import OverdueTable, xlsx_write

    w, items = overdue_world()
    items[3].text = '=HYPERLINK("http://x","点我")'
    items[3].save()
    monkeypatch.setattr(tables, "EXPORT_CHUNK", 2)  # four rows: three fetches
    response = login(client, w.coordinator).get(reverse("tasks:overdue"), {"sort": "-due_date", "export": "xlsx"})
    assert response.status_code == 200
    ws = load_workbook(BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert [r[1] for r in rows[1:]] == [3, 8, 15, 45]  # latest deadline first, as asked
    assert rows[1][0] == items[3].text and ws["A2"].data_type == "s" and ws["A2"].quotePrefix
    assert ws["A1"].font.b and ws.freeze_panes == "A2"

    table = OverdueTable(overdue_in(plan_ids=(w.plan.pk,), today=w.today), today=w.today)
    out = BytesIO()
    xlsx_write(table, out, title="逾期事项")
    assert len(list(load_workbook(out).active.iter_rows())) == 5
    assert table.data.data._result_cache is None


def test_liaisons_cannot_open_the_overdue_view(client):
    w, _ = overdue_world()
    assert login(client, w.lead_user).get(reverse("tasks:overdue")).status_code == 403


def test_remind_now_emails_the_lead_contacts_once_per_day(client, celery_eager, django_capture_on_commit_callbacks):
    from django.core import mail

    from tasks.models import Reminder

    w, items = overdue_world()
    w.lead.emails = "jianshe@example.gov.cn"
    w.lead.save()
    login(client, w.coordinator)
    url = reverse("tasks:overdue_remind")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"item": [items[3].pk, items[8].pk], "next": reverse("tasks:overdue")})
    assert response.status_code == 302 and response["Location"] == reverse("tasks:overdue")
    assert Reminder.objects.filter(work_item__in=[items[3], items[8]], kind="manual").count() >= 2
    digests = [m for m in mail.outbox if "jianshe@example.gov.cn" in m.to]
    assert len(digests) == 1  # both items in one digest
    assert items[3].text in digests[0].body and items[8].text in digests[0].body
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"item": [items[3].pk]})
    assert len([m for m in mail.outbox if "jianshe@example.gov.cn" in m.to]) == 1


def test_remind_now_is_refused_to_a_liaison_and_sends_nothing(client):
    from tasks.models import Reminder

    w, items = overdue_world()
    login(client, w.lead_user)
    response = client.post(reverse("tasks:overdue_remind"), {"item": [items[3].pk]})
    assert response.status_code == 403
    assert not Reminder.objects.exists()


def test_remind_now_needs_a_selection(client):
    w, _ = overdue_world()
    login(client, w.coordinator)
    response = client.post(reverse("tasks:overdue_remind"), {}, follow=True)
    assert "请先勾选" in response.content.decode()


@pytest.mark.parametrize("raw", ["abc", "9" * 30, str(2**63), "-1", "0", "1.5"])
def test_a_lead_unit_or_key_task_that_is_no_choice_is_refused_not_an_error(client, raw):
    """Chosen values are read by a compiled statement (``_RememberingChoiceField``): anything that is not one
    of the user's choices is refused on the form, never reaches the database as an out-of-range id."""
    w, _ = overdue_world()
    login(client, w.coordinator)
    for name in ("lead_unit", "key_task", "plan"):
        response = client.get(reverse("tasks:overdue"), {name: raw})
        assert response.status_code == 200
        assert response.context["filter"].form.errors.get(name), (name, raw)


def test_a_unit_of_another_region_is_no_choice(client):
    w, _ = overdue_world()
    elsewhere = UnitFactory(name="外区单位")  # a region the coordinator's plans are not in
    login(client, w.coordinator)
    response = client.get(reverse("tasks:overdue"), {"lead_unit": elsewhere.pk})
    assert response.context["filter"].form.errors.get("lead_unit")
    assert shown(client, lead_unit=w.lead.pk) == ["逾期8天", "逾期3天"]  # and a real choice still filters


def test_the_filters_empty_choice_reads_all_in_both_languages(client):
    """django-filter's empty choice was "---------" on every filter: it says "全部" / "All"."""
    from django.utils import translation

    w, _ = overdue_world()
    login(client, w.coordinator)
    html = client.get(reverse("tasks:overdue")).content.decode()
    assert len(re.findall(r'<option value="" selected>全部</option>', html)) == 5 and "---------" not in html
    with translation.override("zh-hans"):
        html = client.get("/en" + reverse("tasks:overdue")).content.decode()
    assert len(re.findall(r'<option value="" selected>All</option>', html)) == 5
    assert "---------" not in html and "全部</option>" not in html
