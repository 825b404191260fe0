"""Data for the two-node test (``test_two_nodes.py``), run as its own process against the test's database.

    python -m tasks.tests.two_nodes_setup accounts           # the coordinator who imports; ensure_bucket again
    python -m tasks.tests.two_nodes_setup after-import SLUG  # a liaison of an item's lead unit, a published roundup

Prints one JSON object. Runs with the nodes' storage settings but without Redis: the roundup's delivery is
queued on kombu's filesystem broker inside this process's own temporary folder and never runs (its 通报
is published without files; the test publishes a correction over HTTP, which stores them).
"""

from __future__ import annotations

import json
import sys
from datetime import date

PASSWORD = "two-nodes-pass-2026"


def accounts() -> dict:
    """The coordinator; and ``manage.py ensure_bucket`` run again (the deployment step must be idempotent)."""
    import io

    from django.contrib.auth.models import Permission, User
    from django.core.management import call_command

    out = io.StringIO()
    call_command("ensure_bucket", stdout=out)

    coordinator = User.objects.create_user("coordinator", password=PASSWORD, is_staff=True)
    coordinator.user_permissions.add(Permission.objects.get(codename="add_plan", content_type__app_label="tasks"))
    return {"coordinator": coordinator.username, "ensure_bucket": out.getvalue().strip()}


def after_import(slug: str) -> dict:
    from django.contrib.auth.models import User

    from tasks.models import Plan, Profile, Role, WorkItemUnit
    from tasks.roundups.periods import Period
    from tasks.services.roundups import roundup_generate, roundup_publish

    plan = Plan.objects.get(slug=slug)
    lead = WorkItemUnit.objects.filter(work_item__plan=plan, role=Role.LEAD).order_by("work_item").first()
    item, unit = lead.work_item, lead.unit
    liaison = User.objects.create_user("liaison", password=PASSWORD)
    Profile.objects.update_or_create(user=liaison, defaults={"unit": unit})
    coordinator = User.objects.get(username="coordinator")
    roundup, _ = roundup_generate(plan=plan, period=Period.month(2023, 6), today=date(2023, 7, 1))
    roundup_publish(roundup=roundup, actor=coordinator)
    return {"item": item.pk, "liaison": liaison.username, "roundup": roundup.pk, "bulletin": roundup.bulletins.get().pk}


if __name__ == "__main__":
    import django

    django.setup()
    step, *args = sys.argv[1:]
    out = {"accounts": accounts, "after-import": after_import}[step](*args)
    print(json.dumps(out))
