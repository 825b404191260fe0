"""Who may perform each act (``WHO``), and the item's buttons derived from it and the transition table."""

import pytest

from tasks.rules import outcomes as o
from tasks.rules.actions import (
    ADDRESSEE,
    HOLDER,
    LEAD,
    REPORTER,
    REVIEWER,
    SUPPORT,
    WHO,
    Act,
    ItemActions,
    item_actions,
    item_standing,
    permitted,
)

ACTS = [value for name, value in vars(Act).items() if name.isupper()]


def test_every_act_is_in_the_table_and_every_item_button_is_an_act():
    assert set(ACTS) == set(WHO)
    assert set(ItemActions.__dataclass_fields__) <= set(ACTS)


def test_rules_import_no_database():
    from pathlib import Path

    import tasks.rules.actions as module

    source = Path(module.__file__).read_text(encoding="utf-8")
    assert "django.db" not in source and "tasks.models" not in source


@pytest.mark.parametrize("act", ACTS)
def test_no_standing_grants_nothing_and_only_the_acts_mark_grants_it(act):
    assert not permitted(act, frozenset())
    for mark in (LEAD, SUPPORT, REVIEWER, ADDRESSEE, REPORTER, HOLDER):
        assert permitted(act, frozenset({mark})) == (mark in WHO[act])


def test_coordinators_acts_are_not_a_units_and_a_units_are_not_a_coordinators():
    for act in (Act.REVIEW, Act.PUBLISH_ROUNDUP, Act.ISSUE_NOTICE, Act.EDIT_BULLETIN, Act.WAIVE, Act.CHASE):
        assert WHO[act] == {REVIEWER}
    for act in (Act.CLOSE, Act.EXTEND, Act.SIGN):
        assert WHO[act] == {LEAD}
    assert WHO[Act.SUPPORT_DONE] == {SUPPORT}
    assert WHO[Act.BREAK_DOWN] == {LEAD, REVIEWER}
    assert item_standing(role=None, reviewer=False) == frozenset()
    assert item_standing(role=LEAD, reviewer=True) == {LEAD, REVIEWER}


def _actions(**kw):
    base = {"status": o.IN_PROGRESS, "role": None, "reviewer": False, "has_deadline": True,
            "pending_extension": False}
    return item_actions(**{**base, **kw})


def test_break_down_is_the_leads_or_the_coordinators_on_an_open_top_level_item():
    assert _actions(role=LEAD).break_down and _actions(reviewer=True).break_down
    assert not _actions(role=SUPPORT).break_down and not _actions().break_down
    assert not _actions(role=LEAD, is_part=True).break_down  # a part is not broken down again
    assert not _actions(role=LEAD, status=o.DONE).break_down


def test_support_done_is_the_supporting_units_once_and_not_on_a_waived_item():
    assert _actions(role=SUPPORT).support_done
    assert not _actions(role=SUPPORT, support_marked=True).support_done
    assert not _actions(role=SUPPORT, status=o.WAIVED).support_done
    assert _actions(role=SUPPORT, status=o.DONE).support_done  # late, but still its part to mark
    assert not _actions(role=LEAD).support_done and not _actions(reviewer=True).support_done


def test_a_coordinators_buttons_follow_the_state():
    assert _actions(reviewer=True, pending_extension=True).decide_extension
    assert not _actions(reviewer=True).decide_extension
    assert not _actions(role=LEAD, pending_extension=True).decide_extension
    assert _actions(reviewer=True).issue_notice and not _actions(reviewer=True, status=o.DONE).issue_notice
    assert not _actions(role=LEAD).issue_notice and not _actions(role=LEAD).comment


def test_rating_is_for_who_raised_it_or_the_coordinator_once_per_closing():
    from datetime import datetime, timedelta

    from tasks.rules.actions import Act, item_standing, may_be_rated, permitted, rated_since_closed

    assert permitted(Act.RATE, item_standing(role=None, reviewer=False, raiser=True))
    assert permitted(Act.RATE, item_standing(role=None, reviewer=True))
    assert not permitted(Act.RATE, item_standing(role="lead", reviewer=False))
    assert not permitted(Act.REOPEN, item_standing(role=None, reviewer=False, raiser=True))  # rating only
    closed = datetime(2026, 5, 1, 10)
    assert not rated_since_closed(rated_at=None, completed_at=closed)
    assert not rated_since_closed(rated_at=closed - timedelta(days=3), completed_at=closed)  # before a reclose
    assert rated_since_closed(rated_at=closed + timedelta(hours=1), completed_at=closed)
    assert may_be_rated(origin="meeting", status="done")
    assert not may_be_rated(origin="meeting", status="done", rated_since_closed=True)
    assert not may_be_rated(origin="meeting", status="in_progress")
    assert not may_be_rated(origin="plan", status="done")
