"""``manage.py roundup``: the JSON contract, the files, the errors."""

import json
from datetime import date
from io import BytesIO, StringIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from tasks.models import Roundup
from tasks.roundups.periods import Period
from tasks.services.roundups import roundup_generate
from tasks.tests.roundup_golden import build_golden

pytestmark = pytest.mark.django_db

UNIT_KEYS = {"unit", "due", "done_on_time", "done_late", "overdue", "awaiting_review", "on_time_rate", "score",
             "rank", "colour"}


@pytest.fixture
def golden():
    return build_golden()


def _json(*args) -> dict:
    out = StringIO()
    call_command("roundup", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_json_has_the_contract_shape(golden):
    data = _json("--plan", golden.plan.slug, "--month", "2023-06")
    assert {"plan", "period", "units", "indicators", "key_tasks", "overdue_items"} <= set(data)
    assert all(set(u) >= UNIT_KEYS for u in data["units"])
    first = data["units"][0]
    assert {k: first[k] for k in UNIT_KEYS} == {
        "unit": "区财政局", "due": 2, "done_on_time": 1, "done_late": 0, "overdue": 0, "awaiting_review": 1,
        "on_time_rate": 0.5, "score": 90.0, "rank": 1, "colour": "green",
    }
    for unit in data["units"]:
        assert unit["on_time_rate"] == round(unit["done_on_time"] / unit["due"], 4)
    assert data["period"]["key"] == "2023-06" and data["plan"]["slug"] == golden.plan.slug
    assert len(data["indicators"]) == 5 and len(data["key_tasks"]) == 3 and len(data["overdue_items"]) == 2


def test_plan_by_id_and_quarter_and_year(golden):
    quarter = _json("--plan", str(golden.plan.pk), "--quarter", "2023-Q2")
    assert quarter["period"]["label"] == "2023年第二季度" and "call_out" in quarter
    year = _json("--plan", golden.plan.slug, "--year", "2023")
    assert [a["unit"] for a in year["assessment"]] == ["区财政局", "区建设局", "区资规局"]


def test_writes_the_workbook_and_computes_without_saving(golden, tmp_path):
    target = tmp_path / "june.xlsx"
    out = StringIO()
    call_command("roundup", "--plan", golden.plan.slug, "--month", "2023-06", "--xlsx", str(target), stdout=out)
    assert load_workbook(BytesIO(target.read_bytes())).sheetnames[1] == "单位排名"
    assert "按期完成率40.0%" in out.getvalue()
    assert not Roundup.objects.exists()


def test_a_published_roundup_is_printed_as_frozen(golden):
    roundup, _ = roundup_generate(plan=golden.plan, period=Period.month(2023, 6), today=date(2023, 7, 1))
    frozen = {**roundup.data, "units": [{**roundup.data["units"][0], "score": 12.3}]}
    Roundup.objects.filter(pk=roundup.pk).update(data=frozen, status="published", published_at=roundup.generated_at)
    assert _json("--plan", golden.plan.slug, "--month", "2023-06")["units"][0]["score"] == 12.3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--plan", "nope", "--month", "2023-06"], "No plan"),
        (["--plan", "jinjian", "--month", "2023-6x"], "YYYY-MM"),
        (["--plan", "jinjian", "--quarter", "2023-Q9"], "YYYY-Qn"),
        (["--plan", "jinjian", "--year", "2999"], "has not ended"),
    ],
)
def test_bad_input_ends_with_a_clear_message(golden, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("roundup", *args, stdout=StringIO())
