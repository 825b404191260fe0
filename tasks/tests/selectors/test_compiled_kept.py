"""The suite keeps reads compiled once per shape from one test to the next (root ``conftest.py``), as a server
process does from one request to the next, and still checks each run against a fresh compile."""


import pytest

from tasks.selectors import compiled as c
from tasks.selectors.work import work_items_for_unit
from tasks.tests.daily_setup import make_world

pytestmark = pytest.mark.django_db
KEPT: list = []


def _shapes() -> set:
    return set(c._cache)


def test_a_page_read_is_compiled_and_checked(client):
    assert c.CHECK
    w = make_world()
    list(work_items_for_unit(unit=w.lead, today=w.today))
    KEPT.extend(_shapes())
    assert KEPT


def test_the_next_test_finds_the_shapes_the_one_before_compiled(monkeypatch):
    if not KEPT:
        pytest.skip("run after the test above (this module in order)")
    assert set(KEPT) <= _shapes()
    # And a kept shape is still checked against a fresh compile with this test's ids.
    w = make_world()
    checked = []
    check = c._check
    monkeypatch.setattr(c, "_check", lambda *args: checked.append(args[1]) or check(*args))
    list(work_items_for_unit(unit=w.lead, today=w.today))
    assert checked
