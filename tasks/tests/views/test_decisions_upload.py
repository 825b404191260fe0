"""The coordinator's upload of minutes: preview writes nothing, confirm writes the items read; others refused."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tasks.models import WorkItem
from tasks.tests.daily_setup import login, make_world
from tasks.tests.services.test_decisions import MINUTES

pytestmark = pytest.mark.django_db


def test_upload_preview_then_confirm_creates_the_items():
    w = make_world()
    client = login(Client(), w.coordinator)
    url = reverse("tasks:decisions_upload", args=[w.plan.slug])
    assert client.get(url).status_code == 200
    upload = SimpleUploadedFile("纪要.txt", MINUTES.encode("utf-8"), content_type="text/plain")
    preview = client.post(url, {"document": upload, "origin": "meeting", "origin_ref": "专班纪要〔2026〕2号",
                                "step": "preview"})
    text = preview.content.decode()
    assert preview.status_code == 200 and "区财政局" in text and "2026-06-30" in text and 'value="confirm"' in text
    assert not WorkItem.objects.filter(origin="meeting").exists()
    done = client.post(url, {"text": preview.context["text"], "origin": "meeting",
                             "origin_ref": "专班纪要〔2026〕2号", "key_task": w.key_task.pk, "step": "confirm"})
    assert done.status_code == 302
    items = WorkItem.objects.filter(origin="meeting").order_by("pk")
    assert [i.due_date.isoformat() for i in items] == ["2026-06-30", "2026-09-30"]
    assert {i.key_task_id for i in items} == {w.key_task.pk} and items[0].origin_ref == "专班纪要〔2026〕2号"


def test_an_unknown_unit_shows_no_confirm_and_a_typed_instruction_works():
    w = make_world()
    client = login(Client(), w.coordinator)
    url = reverse("tasks:decisions_upload", args=[w.plan.slug])
    response = client.post(url, {"text": "由区不存在局牵头，8月底前完成。", "origin": "instruction", "step": "preview"})
    assert "区不存在局" in response.content.decode() and 'value="confirm"' not in response.content.decode()
    response = client.post(url, {"text": "请区建设局负责，2026年8月底前完成调研。", "origin": "instruction",
                                 "origin_by": "县长批示", "step": "confirm"})
    assert response.status_code == 302
    item = WorkItem.objects.get(origin="instruction")
    assert item.origin_by == "县长批示" and item.assignments.get().unit == w.lead


def test_a_liaison_is_refused_and_nothing_is_written():
    w = make_world()
    client = login(Client(), w.lead_user)
    url = reverse("tasks:decisions_upload", args=[w.plan.slug])
    assert client.get(url).status_code in (403, 404)
    response = client.post(url, {"text": MINUTES, "origin": "meeting", "step": "confirm"})
    assert response.status_code in (403, 404)
    assert not WorkItem.objects.filter(origin="meeting").exists()


def _closed_meeting_item():
    """A world and its first item from the minutes, reported and closed (销号), awaiting its rating."""
    from tasks.importers.decisions import parse_decisions
    from tasks.services.decisions import decisions_import
    from tasks.services.workflow import work_item_transition

    w = make_world()
    item = decisions_import(plan=w.plan, parsed=parse_decisions(MINUTES)).items[0]
    work_item_transition(item=item, to_status=WorkItem.Status.AWAITING_REVIEW, actor=w.lead_user)
    work_item_transition(item=item, to_status=WorkItem.Status.DONE, actor=w.coordinator)
    return w, item


def test_the_coordinator_rates_a_closed_meeting_item_on_its_page_and_unsatisfied_reopens_it():
    w, item = _closed_meeting_item()
    coordinator = login(Client(), w.coordinator)
    page = coordinator.get(item.get_absolute_url()).content.decode()
    assert reverse("tasks:work_item_rate", args=[item.pk]) in page and "会议议定" in page
    liaison = login(Client(), w.lead_user)
    assert reverse("tasks:work_item_rate", args=[item.pk]) not in liaison.get(item.get_absolute_url()).content.decode()
    assert liaison.post(reverse("tasks:work_item_rate", args=[item.pk]), {"rating": "satisfied"}).status_code == 403
    bad = coordinator.post(reverse("tasks:work_item_rate", args=[item.pk]), {"rating": "unsatisfied", "reason": ""})
    assert bad.status_code == 400
    done = coordinator.post(reverse("tasks:work_item_rate", args=[item.pk]),
                            {"rating": "unsatisfied", "reason": "未达到会议要求"})
    assert done.status_code == 302
    item.refresh_from_db()
    assert item.status == WorkItem.Status.IN_PROGRESS and item.rating == "unsatisfied"


def test_the_leader_named_as_raiser_rates_on_the_items_page():
    from tasks.models import PersonRole, Profile
    from tasks.services.workflow import work_item_transition
    from tasks.tests.daily_setup import user

    w = make_world()
    raiser = user("raiser")
    Profile.objects.create(user=raiser, unit=w.other, role=PersonRole.LEADER)
    coordinator = login(Client(), w.coordinator)
    url = reverse("tasks:decisions_upload", args=[w.plan.slug])
    assert "raiser" in coordinator.get(url).content.decode()  # offered as the raiser's account
    response = coordinator.post(url, {"text": "请区建设局负责，2026年8月底前完成调研。", "origin": "instruction",
                                      "origin_by": "县长批示", "raised_by": raiser.pk, "step": "confirm"})
    assert response.status_code == 302
    item = WorkItem.objects.get(origin="instruction")
    assert item.raised_by == raiser
    work_item_transition(item=item, to_status=WorkItem.Status.AWAITING_REVIEW, actor=w.lead_user)
    work_item_transition(item=item, to_status=WorkItem.Status.DONE, actor=w.coordinator)
    leader = login(Client(), raiser)
    page = leader.get(item.get_absolute_url())
    assert page.status_code == 200 and reverse("tasks:work_item_rate", args=[item.pk]) in page.content.decode()
    assert leader.post(reverse("tasks:work_item_rate", args=[item.pk]), {"rating": "satisfied"}).status_code == 302
    item.refresh_from_db()
    assert (item.rating, item.rated_by, item.status) == ("satisfied", raiser, "done")
    # Rated for this closing: the form is gone.
    assert reverse("tasks:work_item_rate", args=[item.pk]) not in leader.get(item.get_absolute_url()).content.decode()


def test_the_meeting_date_resolves_deadlines_written_relative_to_it_without_it_no_confirm():
    w = make_world()
    client = login(Client(), w.coordinator)
    url = reverse("tasks:decisions_upload", args=[w.plan.slug])
    text = "由区建设局牵头，区财政局配合，会后一周内拿出城中村改造方案。"
    response = client.post(url, {"text": text, "origin": "meeting", "step": "preview"})
    page = response.content.decode()
    assert "会后一周内" in page and "请填写会议日期" in page and 'value="confirm"' not in page
    response = client.post(url, {"text": text, "origin": "meeting", "origin_on": "2026-03-12", "step": "confirm"})
    assert response.status_code == 302
    assert WorkItem.objects.get(origin="meeting").due_date.isoformat() == "2026-03-19"


def test_the_coordinator_finds_the_page_from_the_plan_and_the_items_made_after_the_confirm():
    """The plan page links to the minutes page (a liaison's does not); the confirm lands back on it, where the
    items just made are listed with their links, to be handed out."""
    w = make_world()
    client = login(Client(), w.coordinator)
    url = reverse("tasks:decisions_upload", args=[w.plan.slug])
    assert f'href="{url}"' in client.get(w.plan.get_absolute_url()).content.decode()
    assert f'href="{url}"' not in login(Client(), w.lead_user).get(w.plan.get_absolute_url()).content.decode()
    done = client.post(url, {"text": MINUTES, "origin": "meeting", "step": "confirm"}, follow=True)
    assert done.redirect_chain[-1][0] == url
    page = done.content.decode()
    items = WorkItem.objects.filter(origin="meeting")
    assert items.count() == 2 and "已建立2个事项" in page
    for item in items:
        assert f'href="{item.get_absolute_url()}"' in page
    assert "其他单位的事项" not in page  # the plan's own items are not listed


def test_the_rating_form_starts_with_no_rating_chosen():
    """Nothing is rated by a tap on 记录评价 alone: the rater picks 满意, 基本满意 or 不满意 first."""
    w, item = _closed_meeting_item()
    coordinator = login(Client(), w.coordinator)
    page = coordinator.get(item.get_absolute_url()).content.decode()
    form = page.split(reverse("tasks:work_item_rate", args=[item.pk]))[1].split("</form>")[0]
    assert form.count('type="radio"') == 3 and "checked" not in form
    assert coordinator.post(reverse("tasks:work_item_rate", args=[item.pk]), {"reason": ""}).status_code == 400
    item.refresh_from_db()
    assert item.status == WorkItem.Status.DONE and item.rating == ""


def test_the_leader_asked_to_rate_is_not_told_there_is_nothing_to_do():
    """The rating request's link opened the page at its form, and under the form the page said "您可以查看该事项，
    但无需办理。" (you may read this item, nothing to do): said to a leader once the rating is given, not before."""
    from tasks.models import PersonRole, Profile
    from tasks.services.workflow import work_item_transition
    from tasks.tests.daily_setup import user

    w = make_world()
    raiser = user("raiser")
    Profile.objects.create(user=raiser, unit=w.other, role=PersonRole.LEADER)
    login(Client(), w.coordinator).post(
        reverse("tasks:decisions_upload", args=[w.plan.slug]),
        {"text": "请区建设局负责，2026年8月底前完成调研。", "origin": "instruction", "origin_by": "县长批示",
         "raised_by": raiser.pk, "step": "confirm"})
    item = WorkItem.objects.get(origin="instruction")
    work_item_transition(item=item, to_status=WorkItem.Status.AWAITING_REVIEW, actor=w.lead_user)
    work_item_transition(item=item, to_status=WorkItem.Status.DONE, actor=w.coordinator)
    leader = login(Client(), raiser)
    html = leader.get(item.get_absolute_url() + "?open=rate").content.decode()
    assert 'id="rate"' in html and "无需办理" not in html
    assert leader.post(reverse("tasks:work_item_rate", args=[item.pk]), {"rating": "satisfied"}).status_code == 302
    html = leader.get(item.get_absolute_url()).content.decode()
    assert 'id="rate"' not in html and "您可以查看该事项，但无需办理。" in html


def test_the_preview_names_a_phrase_written_as_a_helper_that_is_no_units_name():
    """"…等办法争取群众的支持配合": the phrase is left out of the units and the preview says so, naming the line."""
    w = make_world()
    client = login(Client(), w.coordinator)
    url = reverse("tasks:decisions_upload", args=[w.plan.slug])
    text = "专班纪要\n由区建设局牵头，通过走访入户等办法争取群众的支持配合，2026年6月底前完成。"
    page = client.post(url, {"text": text, "origin": "meeting", "step": "preview"}).content.decode()
    assert "第2行：配合单位“通过走访入户等办法争取群众的支持”不像单位名称，未列入，请核对。" in page
    from django.utils import translation

    with translation.override("zh-hans"):  # the English request leaves English active in this thread
        page = client.post("/en" + url, {"text": text, "origin": "meeting", "step": "preview"}).content.decode()
    assert "Line 2: Supporting unit" in page and "does not read as a unit&#x27;s name" in page
