"""Reads compiled once per shape (``tasks.selectors.compiled``) give what the ORM gives, and refuse builds
that use an id for more than a value."""

from datetime import timedelta

import pytest
from django.db.models import CharField, Count, F, Q, Value
from django.db.models.functions import Concat

from tasks.models import WorkItem, WorkItemUnit
from tasks.selectors import compiled as c
from tasks.selectors.compiled import NotPrecompilable, precompiled
from tasks.selectors.work import key_tasks_for_unit, work_items_for_unit
from tasks.tests.daily_setup import make_world
from tasks.tests.factories import WorkItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh():
    c.forget_compiled()
    yield
    c.forget_compiled()


def _items(*, unit_id, today):
    return (
        WorkItem.objects.filter(assignments__unit_id=unit_id, due_date__gte=today)
        .annotate(my_role=F("assignments__role"), n_units=Count("assignments"))
        .select_related("plan", "key_task").order_by("due_date", "pk")
    )


def test_rows_objects_and_annotations_equal_the_orms_for_every_unit():
    w = make_world()
    WorkItemFactory(plan=w.plan, due_date=w.today + timedelta(days=3), lead=w.support, supporting=[w.lead])
    for unit in (w.lead, w.support, w.other):
        got = precompiled(_items, ids={"unit_id": unit.pk}, today=w.today)
        want = list(_items(unit_id=unit.pk, today=w.today))
        assert [(i.pk, i.my_role, i.n_units, i.plan.title, i.key_task_id) for i in got] == [
            (i.pk, i.my_role, i.n_units, i.plan.title, i.key_task_id) for i in want]
        assert got, unit
    # The shape's other arguments are part of the key: a later day is its own statement.
    assert precompiled(_items, ids={"unit_id": w.lead.pk}, today=w.today + timedelta(days=400)) == []


def test_a_shape_is_built_as_usual_once_then_compiled_for_keeps(monkeypatch):
    monkeypatch.setattr(c, "CHECK", False)  # as in production (tests check every run against a fresh compile)
    w = make_world()
    calls = []

    def build(*, unit_id, today):
        calls.append(unit_id)
        return _items(unit_id=unit_id, today=today)

    results = [precompiled(build, ids={"unit_id": unit.pk}, today=w.today) for unit in (w.lead, w.support, w.lead)]
    # First use: built as usual; second: built twice with stand-ins and kept; third: nothing built.
    assert calls[0] == w.lead.pk and len(calls) == 3 and calls[1] < 0 and calls[2] < 0
    assert [i.pk for i in results[0]] == [i.pk for i in results[2]] == [w.item.pk]
    assert [i.pk for i in results[1]] == [w.item.pk]  # the support unit's part of the same item


def test_check_mode_catches_a_build_that_reads_more_than_its_arguments():
    w = make_world()
    outside = {"day": w.today}

    def build(*, unit_id):  # reads a value that is neither an id nor part of the shape
        return WorkItem.objects.filter(assignments__unit_id=unit_id, due_date__gte=outside["day"])

    precompiled(build, ids={"unit_id": w.lead.pk})
    outside["day"] = w.today + timedelta(days=1)
    with pytest.raises(AssertionError, match="differs from a fresh compile"):
        precompiled(build, ids={"unit_id": w.lead.pk})


def test_a_recipe_filtered_ordered_counted_and_sliced_reads_what_the_queryset_reads():
    w = make_world()
    for n in range(5):
        WorkItemFactory(plan=w.plan, due_date=w.today + timedelta(days=n), lead=w.lead, text=f"事项{n}")

    def build(*, unit_id, today):
        return WorkItem.objects.filter(assignments__unit_id=unit_id).select_related("plan").order_by("pk")

    made = c.recipe(build, model=WorkItem, ids={"unit_id": w.lead.pk}, today=w.today)
    plain = build(unit_id=w.lead.pk, today=w.today)
    for step in (
        lambda q: q.all(),
        lambda q: q.filter(text__contains="事项").order_by("-due_date", "pk"),
        lambda q: q.filter(Q(due_date__gte=w.today + timedelta(days=2)) | Q(text="新增")).exclude(status="done"),
        lambda q: q.filter(plan=w.plan).distinct()[1:3],
        lambda q: q.filter(pk__in=WorkItem.objects.filter(text="事项1").values("pk")),  # a queryset: built
    ):
        got, want = step(made), step(plain)
        assert [i.pk for i in got] == [i.pk for i in want]
        assert step(made).count() == want.count()
    kept = c.recipe(build, model=WorkItem, ids={"unit_id": w.lead.pk}, today=w.today).order_by("due_date")
    assert isinstance(kept, c.Recipe) and kept._recipe is not None  # still a recipe: nothing built
    assert kept.exists() and kept._recipe is None  # anything else builds it


def test_a_recipes_values_list_reads_tuples_compiled_or_built():
    w = make_world()
    for n in range(3):
        WorkItemFactory(plan=w.plan, due_date=w.today + timedelta(days=n), lead=w.lead, text=f"事项{n}")

    def build(*, unit_id):
        return WorkItem.objects.filter(assignments__unit_id=unit_id).order_by("pk")

    want = list(build(unit_id=w.lead.pk).values_list("pk", "text")[:3])
    for _ in range(3):  # built as usual, compiled, then kept
        made = c.recipe(build, model=WorkItem, ids={"unit_id": w.lead.pk}).values_list("pk", "text")[:3]
        assert isinstance(made, c.Recipe) and made._recipe is not None
        assert list(made) == want
    flat = c.recipe(build, model=WorkItem, ids={"unit_id": w.lead.pk}).values_list("pk", flat=True)
    assert list(flat.filter(text="事项1")) == [WorkItem.objects.get(text="事项1").pk]
    # Built on a call the recipe does not keep (a queryset argument): still tuples, not model rows.
    built = c.recipe(build, model=WorkItem, ids={"unit_id": w.lead.pk}).values_list("pk", "text").filter(
        pk__in=WorkItem.objects.filter(text="事项2").values("pk"))
    assert list(built) == [(WorkItem.objects.get(text="事项2").pk, "事项2")]


def test_a_recipe_streamed_with_iterator_reads_its_own_rows_and_kind():
    """An export streams a recipe (``iterator``): the rows of its ids and steps, tuples for a values_list,
    prefetches kept; it never falls back on the bare model's every row."""
    w = make_world()
    for n in range(3):
        WorkItemFactory(plan=w.plan, due_date=w.today + timedelta(days=n), lead=w.lead, text=f"事项{n}")
    WorkItemFactory(plan=w.plan, due_date=w.today, lead=w.support, text="别的单位")

    def build(*, unit_id):
        return WorkItem.objects.filter(assignments__unit_id=unit_id, assignments__role="lead").order_by("pk")

    want = [i.text for i in build(unit_id=w.lead.pk).order_by("-due_date", "pk")]
    assert "事项2" in want and "别的单位" not in want and len(want) > 3
    made = c.recipe(build, model=WorkItem, ids={"unit_id": w.lead.pk}).order_by("-due_date", "pk")
    assert [i.text for i in made.iterator(chunk_size=2)] == want
    rows = c.recipe(build, model=WorkItem, ids={"unit_id": w.lead.pk}).order_by("-due_date", "pk").values_list(
        "text", flat=True)
    assert list(rows.iterator(chunk_size=2)) == want
    fetched = c.recipe(build, model=WorkItem, ids={"unit_id": w.lead.pk}).prefetch_related("assignments")
    first = next(fetched.iterator(chunk_size=10))
    assert "assignments" in first._prefetched_objects_cache


def test_values_lists_and_empty_reads():
    w = make_world()
    flat = precompiled(lambda *, unit_id: WorkItemUnit.objects.filter(unit_id=unit_id)
                       .values_list("work_item_id", flat=True).order_by("work_item_id"), ids={"unit_id": w.lead.pk})
    assert flat == [w.item.pk]
    pairs = precompiled(lambda *, unit_id: WorkItemUnit.objects.filter(unit_id=unit_id).values("role")
                        .annotate(n=Count("pk")).order_by().values_list("role", "n"), ids={"unit_id": w.support.pk})
    assert pairs == [("support", 1)]
    assert precompiled(lambda *, unit_id: WorkItem.objects.filter(pk__in=[], plan_id=unit_id),
                       ids={"unit_id": w.plan.pk}) == []


@pytest.mark.parametrize("build", [
    lambda *, unit_id: WorkItem.objects.filter(pk=unit_id + 1),  # arithmetic
    lambda *, unit_id: WorkItem.objects.filter(text=f"unit {unit_id}"),  # a string
    lambda *, unit_id: WorkItem.objects.filter(Q(pk=unit_id) if unit_id % 2 else Q(plan_id=unit_id)),  # a branch
    lambda *, unit_id: WorkItem.objects.annotate(  # a string, annotated
        t=Concat(Value(str(unit_id)), "deadline_text", output_field=CharField())),
    lambda *, unit_id: WorkItem.objects.all(),  # not used at all
])
def test_a_build_that_uses_an_id_for_more_than_a_value_is_refused(build):
    with pytest.raises(NotPrecompilable):
        precompiled(build, ids={"unit_id": 1})


def test_the_pages_reads_agree_with_a_fresh_compile():
    """The selectors that go through it return what building the same read afresh returns."""
    w = make_world()
    from tasks.selectors.work import _key_tasks_for_unit

    for unit in (w.lead, w.support, w.other):
        got = key_tasks_for_unit(unit=unit, today=w.today)
        want = list(_key_tasks_for_unit(unit_id=unit.pk, today=w.today))
        assert [(t.pk, t.my_role, t.n_open, t.n_overdue) for t in got] == [
            (t.pk, t.my_role, t.n_open, t.n_overdue) for t in want]
    assert work_items_for_unit(unit=w.lead, today=w.today).count() == 1


def test_a_set_of_ids_is_one_parameter_of_one_compiled_statement(monkeypatch):
    """``IdArray`` ids (``field__among=``): any number of ids, the same statement, the rows the ORM's ``__in``
    gives; an empty set matches nothing."""
    monkeypatch.setattr(c, "CHECK", False)
    w = make_world()
    WorkItemFactory(plan=w.other_plan, due_date=w.today, lead=w.other, text="另一方案")

    def build(*, plan_ids):
        return WorkItem.objects.filter(plan__among=plan_ids).order_by("pk")

    sets = [[w.plan.pk], [w.other_plan.pk], [w.plan.pk, w.other_plan.pk], [], [w.plan.pk]]
    for plan_ids in sets:
        got = precompiled(build, ids={"plan_ids": c.IdArray(plan_ids)})
        assert [i.pk for i in got] == [i.pk for i in WorkItem.objects.filter(plan__in=plan_ids).order_by("pk")]
    assert len(c._cache) == 1  # one statement for every set


def test_an_id_set_used_for_more_than_a_value_is_refused():
    def build(*, plan_ids):  # its length shapes the SQL
        return WorkItem.objects.filter(plan__among=plan_ids) if len(plan_ids) > 1 else WorkItem.objects.filter(
            plan=plan_ids[0])

    def first_only(*, plan_ids):  # one id of the set as a value: the statement would bind the whole set there
        return WorkItem.objects.filter(plan__among=plan_ids, plan_id=plan_ids[0])

    for wrong in (build, first_only):
        with pytest.raises(NotPrecompilable):
            precompiled(wrong, ids={"plan_ids": c.IdArray([1, 2])})
