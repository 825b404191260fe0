"""Work from meetings and instructions: imported as items with their units, all or nothing; rated after
销号, 不满意 reopening with the reason recorded."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from tasks.importers.decisions import parse_decisions
from tasks.models import StatusChange, UnitAlias, WorkItem
from tasks.selectors.guard import NotAllowed
from tasks.services.decisions import decisions_import, work_item_rate
from tasks.services.workflow import work_item_transition
from tasks.tests.daily_setup import make_world

pytestmark = pytest.mark.django_db

MINUTES = """专班第二次会议纪要（2026年3月12日）
一、会议听取了区建设局的汇报。
二、由区建设局牵头，区财政局配合，于6月底前完成城中村改造方案。
三、区教育局、区建设局分别负责学校周边住房摸排，9月30日前完成。
"""


def test_minutes_become_items_with_units_deadlines_and_origin():
    w = make_world()
    parsed = parse_decisions(MINUTES)
    result = decisions_import(plan=w.plan, parsed=parsed, origin_ref="专班纪要〔2026〕2号", origin_by="专班会议",
                              origin_on=date(2026, 3, 12), actor=w.coordinator)
    assert len(result.items) == 2
    first, second = result.items
    assert first.origin == WorkItem.Origin.MEETING and first.origin_ref == "专班纪要〔2026〕2号"
    assert first.due_date == date(2026, 6, 30) and first.status == WorkItem.Status.NOT_STARTED
    assert {(a.unit.name, a.role) for a in first.assignments.all()} == {("区建设局", "lead"), ("区财政局", "support")}
    assert {(a.unit.name, a.role) for a in second.assignments.all()} == {("区教育局", "lead"), ("区建设局", "lead")}
    assert StatusChange.objects.filter(work_item=first, event=StatusChange.Event.IMPORTED, actor=w.coordinator).exists()


def test_an_unknown_unit_writes_nothing_and_names_the_line_and_an_alias_resolves():
    w = make_world()
    parsed = parse_decisions(MINUTES.replace("区财政局", "区财政"))
    before = WorkItem.objects.count()
    with pytest.raises(ValidationError) as caught:
        decisions_import(plan=w.plan, parsed=parsed)
    assert any("第3行：区财政" in m for m in caught.value.messages)
    assert WorkItem.objects.count() == before
    UnitAlias.objects.create(unit=w.support, name="区财政")
    assert len(decisions_import(plan=w.plan, parsed=parsed).items) == 2


def test_a_deadline_past_the_plans_years_writes_nothing_as_every_deadline():
    """Deadlines lie between 2000 and the plan's last year plus two (``workdays.date_bounds``), here too: "2099年"
    in a minute is a typing slip, not a task for the next century."""
    w = make_world()
    last = w.plan.last_year + 2
    before = WorkItem.objects.count()
    with pytest.raises(ValidationError) as caught:
        decisions_import(plan=w.plan, parsed=parse_decisions(f"由区建设局牵头，{last + 1}年6月底前完成。"),
                         actor=w.coordinator)
    assert any("超出方案期限" in m for m in caught.value.messages) and WorkItem.objects.count() == before
    (item,) = decisions_import(plan=w.plan, parsed=parse_decisions(f"由区建设局牵头，{last}年12月31日前完成。"),
                               actor=w.coordinator).items
    assert item.due_date == date(last, 12, 31)


def test_a_liaison_may_not_import_decisions():
    w = make_world()
    with pytest.raises(NotAllowed):
        decisions_import(plan=w.plan, parsed=parse_decisions(MINUTES), actor=w.lead_user)


def _closed_meeting_item(w):
    (item, _second) = decisions_import(plan=w.plan, parsed=parse_decisions(MINUTES)).items
    work_item_transition(item=item, to_status=WorkItem.Status.AWAITING_REVIEW, actor=w.lead_user)
    work_item_transition(item=item, to_status=WorkItem.Status.DONE, actor=w.coordinator)  # 销号 after review
    return item


def test_unsatisfied_rating_reopens_with_the_reason_recorded():
    w = make_world()
    item = _closed_meeting_item(w)
    with pytest.raises(ValidationError):
        work_item_rate(item=item, user=w.coordinator, rating=WorkItem.Rating.UNSATISFIED, reason="  ")
    work_item_rate(item=item, user=w.coordinator, rating=WorkItem.Rating.UNSATISFIED, reason="方案未经论证")
    item.refresh_from_db()
    assert item.status == WorkItem.Status.IN_PROGRESS and item.rating == "unsatisfied"
    change = StatusChange.objects.filter(work_item=item).latest("at", "pk")
    assert (change.from_status, change.to_status, change.actor) == ("done", "in_progress", w.coordinator)
    assert "方案未经论证" in change.reason


def test_satisfied_rating_keeps_it_closed_and_only_coordinators_rate_closed_outside_items_nobody_raised():
    w = make_world()
    item = _closed_meeting_item(w)
    with pytest.raises(NotAllowed):
        work_item_rate(item=item, user=w.lead_user, rating=WorkItem.Rating.SATISFIED)
    work_item_rate(item=item, user=w.coordinator, rating=WorkItem.Rating.BASICALLY)
    item.refresh_from_db()
    assert item.status == WorkItem.Status.DONE and item.rating == "basically" and item.rated_by == w.coordinator
    with pytest.raises(ValidationError):  # a plan item is not rated
        work_item_rate(item=w.item, user=w.coordinator, rating=WorkItem.Rating.SATISFIED)


def test_command_json_dry_run_and_import(tmp_path):
    w = make_world()
    path = tmp_path / "纪要.txt"
    path.write_text(MINUTES, encoding="utf-8")
    out = StringIO()
    call_command("import_decisions", str(path), "--plan", w.plan.slug, "--dry-run", "--json", stdout=out,
                 stderr=StringIO())
    data = json.loads(out.getvalue())
    assert data["warnings"] == []
    assert data["items"][1] == {"text": "区教育局、区建设局分别负责学校周边住房摸排，9月30日前完成。",
                                "lead_units": ["区教育局", "区建设局"], "supporting_units": [],
                                "deadline": "2026-09-30"}
    assert not WorkItem.objects.filter(origin=WorkItem.Origin.MEETING).exists()
    call_command("import_decisions", str(path), "--plan", w.plan.slug, "--on", "2026-03-12", stdout=StringIO())
    assert WorkItem.objects.filter(origin=WorkItem.Origin.MEETING, origin_ref="纪要.txt").count() == 2
    with pytest.raises(CommandError, match="no plan"):
        call_command("import_decisions", str(path), "--plan", "nope", stdout=StringIO())
    bad = tmp_path / "坏.txt"
    bad.write_text(MINUTES.replace("区财政局", "区不存在局"), encoding="utf-8")
    with pytest.raises(CommandError, match="区不存在局"):
        call_command("import_decisions", str(bad), "--plan", w.plan.slug, stdout=StringIO())
    assert WorkItem.objects.filter(origin=WorkItem.Origin.MEETING).count() == 2


def _leader(unit, username):
    from tasks.models import PersonRole, Profile
    from tasks.tests.daily_setup import user

    leader = user(username)
    Profile.objects.create(user=leader, unit=unit, role=PersonRole.LEADER)
    return leader


def test_the_leader_who_raised_it_rates_it_once_per_closing_and_unsatisfied_reopens_it_in_the_history():
    from tasks.selectors.permissions import visible_work_items

    w = make_world()
    raiser, other_leader = _leader(w.other, "raiser"), _leader(w.other, "other-leader")
    (item, _second) = decisions_import(plan=w.plan, parsed=parse_decisions(MINUTES), origin="instruction",
                                       origin_by="区长批示", raised_by=raiser, actor=w.coordinator).items
    assert item.raised_by == raiser
    # The raiser opens it (a leader of a unit that does not hold it), another leader does not.
    assert visible_work_items(raiser).filter(pk=item.pk).exists()
    assert not visible_work_items(other_leader).filter(pk=item.pk).exists()
    with pytest.raises(ValidationError):  # not closed yet
        work_item_rate(item=item, user=raiser, rating=WorkItem.Rating.SATISFIED)
    work_item_transition(item=item, to_status=WorkItem.Status.AWAITING_REVIEW, actor=w.lead_user)
    work_item_transition(item=item, to_status=WorkItem.Status.DONE, actor=w.coordinator)
    with pytest.raises(NotAllowed):  # a leader who did not raise it
        work_item_rate(item=item, user=other_leader, rating=WorkItem.Rating.SATISFIED)
    work_item_rate(item=item, user=raiser, rating=WorkItem.Rating.UNSATISFIED, reason="群众仍有意见")
    item.refresh_from_db()
    change = StatusChange.objects.filter(work_item=item).latest("at", "pk")
    assert (item.status, item.rated_by, change.actor, change.from_status, change.to_status) == (
        "in_progress", raiser, raiser, "done", "in_progress")
    assert "群众仍有意见" in change.reason and change.at == item.rated_at
    # Closed again after review: rated again, once.
    work_item_transition(item=item, to_status=WorkItem.Status.AWAITING_REVIEW, actor=w.lead_user)
    work_item_transition(item=item, to_status=WorkItem.Status.DONE, actor=w.coordinator)
    work_item_rate(item=item, user=w.coordinator, rating=WorkItem.Rating.SATISFIED)  # on the raiser's behalf
    with pytest.raises(ValidationError, match="已评价"):
        work_item_rate(item=item, user=raiser, rating=WorkItem.Rating.BASICALLY)
    item.refresh_from_db()
    assert (item.status, item.rating, item.rated_by) == ("done", "satisfied", w.coordinator)


def test_only_a_leader_of_the_region_may_be_named_as_the_raiser():
    w = make_world()
    with pytest.raises(ValidationError):
        decisions_import(plan=w.plan, parsed=parse_decisions(MINUTES), raised_by=w.lead_user)
    assert not WorkItem.objects.filter(origin="meeting").exists()


def test_command_date_resolves_deadlines_relative_to_the_meeting_and_year_alone_leaves_them_null(tmp_path):
    w = make_world()
    path = tmp_path / "交办单.txt"
    path.write_text("| 序号 | 事项 | 牵头单位 | 配合单位 | 完成时限 |\n|---|---|---|---|---|\n"
                    "| 1 | 城中村改造方案 | 区建设局 | 区财政局 | 会后一周内 |\n"
                    "| 2 | 学校周边住房摸排 | 区教育局 | 区建设局 | 10个工作日内 |\n", encoding="utf-8")

    def run(*args):
        out, err = StringIO(), StringIO()
        call_command("import_decisions", str(path), "--plan", w.plan.slug, "--dry-run", "--json", *args,
                     stdout=out, stderr=err)
        return json.loads(out.getvalue()), err.getvalue()

    data, _err = run("--date", "2026-03-12")  # a Thursday
    assert [d["deadline"] for d in data["items"]] == ["2026-03-19", "2026-03-26"]
    assert data["warnings"] == []
    data, err = run("--year", "2026")
    assert [d["deadline"] for d in data["items"]] == [None, None]
    assert [w["line"] for w in data["warnings"]] == [3, 4]
    assert "会后一周内" in data["warnings"][0]["message"] and "交办单.txt:3" in err


def test_an_item_from_minutes_shows_its_deadline_once(client):
    """The deadline as written is in the decision's text; the item has no separate "原文" to repeat the date."""
    w = make_world()
    (first, _second) = decisions_import(plan=w.plan, parsed=parse_decisions(MINUTES)).items
    assert first.deadline_text == "" and first.due_date == date(2026, 6, 30)
    client.force_login(w.coordinator)
    page = client.get(first.get_absolute_url()).content.decode()
    assert "2026-06-30" in page and "原文：2026-06-30" not in page


def test_command_json_warns_of_a_phrase_written_as_a_helper_that_is_no_units_name(tmp_path):
    w = make_world()
    path = tmp_path / "纪要.txt"
    path.write_text("专班纪要\n由区建设局牵头，通过走访入户等办法争取群众的支持配合，2026年6月底前完成。\n",
                    encoding="utf-8")
    out, err = StringIO(), StringIO()
    call_command("import_decisions", str(path), "--plan", w.plan.slug, "--dry-run", "--json", stdout=out, stderr=err)
    data = json.loads(out.getvalue())
    assert data["items"][0]["lead_units"] == ["区建设局"] and data["items"][0]["supporting_units"] == []
    message = "第2行：配合单位“通过走访入户等办法争取群众的支持”不像单位名称，未列入，请核对。"
    assert {"line": 2, "message": message} in data["warnings"]
    assert f"{path}:2" in err.getvalue()
