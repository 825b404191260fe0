"""factory_boy factories for the plan models; tests build exactly what they need."""

from datetime import date

import factory
from django.contrib.auth import get_user_model

from tasks.models import (
    Indicator,
    IndicatorTarget,
    KeyTask,
    KeyTaskUnit,
    Plan,
    Profile,
    Region,
    Role,
    Unit,
    WorkItem,
    WorkItemUnit,
)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"测试区{n}")
    slug = factory.Sequence(lambda n: f"region-{n}")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        skip_postgeneration_save = True

    region = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda n: f"区测试局{n}")
    emails = factory.LazyAttribute(lambda u: f"unit{abs(hash(u.name)) % 100000}@example.gov.cn")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.gov.cn")
    password = factory.django.Password("pw-for-tests-123")


def liaison_for(unit: Unit, **kwargs):
    """A user who works for ``unit``."""
    user = UserFactory(**kwargs)
    Profile.objects.update_or_create(user=user, defaults={"unit": unit})
    return user


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    region = factory.SubFactory(RegionFactory)
    title = factory.Sequence(lambda n: f"测试实施方案{n}(2023—2027年)")
    slug = factory.Sequence(lambda n: f"plan-{n}")
    first_year = 2023
    last_year = 2027


class KeyTaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KeyTask
        skip_postgeneration_save = True

    plan = factory.SubFactory(PlanFactory)
    number = factory.Sequence(lambda n: n + 1)
    section = "(一)测试板块"
    title = factory.Sequence(lambda n: f"重点任务{n}")
    text = factory.LazyAttribute(lambda t: f"{t.title}。具体内容。")

    @factory.post_generation
    def lead(self, create, extracted, **kwargs):
        if extracted:
            KeyTaskUnit.objects.create(key_task=self, unit=extracted, role=Role.LEAD, position=0)

    @factory.post_generation
    def supporting(self, create, extracted, **kwargs):
        for i, unit in enumerate(extracted or [], start=1):
            KeyTaskUnit.objects.create(key_task=self, unit=unit, role=Role.SUPPORT, position=i)


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    plan = factory.SubFactory(PlanFactory)
    domain = "住房保障"
    number = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"测试指标{n}")
    measure = "%"


class IndicatorTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorTarget

    indicator = factory.SubFactory(IndicatorFactory)
    year = 2023
    text = "100"
    value = 100
    comparator = "eq"


class WorkItemFactory(factory.django.DjangoModelFactory):
    """A work item; pass ``lead=unit`` / ``supporting=[units]`` to assign units."""

    class Meta:
        model = WorkItem
        skip_postgeneration_save = True

    plan = factory.SubFactory(PlanFactory)
    year = 2023
    text = factory.Sequence(lambda n: f"工作事项{n}")
    deadline = date(2023, 6, 30)
    due_date = factory.LazyAttribute(lambda w: w.deadline)
    deadline_text = "6月底前"
    source = WorkItem.Source.MANUAL

    @factory.post_generation
    def lead(self, create, extracted, **kwargs):
        if extracted:
            WorkItemUnit.objects.create(work_item=self, unit=extracted, role=Role.LEAD, position=0)

    @factory.post_generation
    def supporting(self, create, extracted, **kwargs):
        for i, unit in enumerate(extracted or [], start=1):
            WorkItemUnit.objects.create(work_item=self, unit=unit, role=Role.SUPPORT, position=i)


def signed_links_in(text: str) -> set[tuple[str, int]]:
    """(purpose, id) of every signed link (``tasks.notifications.links``) in a message's text or HTML."""
    import re

    from tasks.notifications.links import link_read

    out = set()
    for token in re.findall(r"/l/([^/\s\"'<>)]+)/", text):
        link = link_read(token)
        out.add((link.purpose, link.pk))
    return out
