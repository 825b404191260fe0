"""The one id parser, text cleaner, safe cell writer and the working-day arithmetic (pure functions)."""

import random
import time
from datetime import date, timedelta
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook

from tasks import workdays
from tasks.inputs import bounded_int, clean_required, clean_text, fold, is_key, parse_id, parse_ids, text_lookup
from tasks.xlsx_safe import append_row, protect_workbook, safe_sheet_title, write_cell


@pytest.mark.parametrize("raw", ["²", "١٢", "-1", "0", "+1", "1.0", "1e3", " ", "", "abc", "9" * 30, "１２",
                                 None, True, 2**63])
def test_parse_id_refuses_what_is_not_an_id(raw):
    assert parse_id(raw) is None


@pytest.mark.parametrize("raw,value", [("1", 1), (" 42 ", 42), (str(2**63 - 1), 2**63 - 1), (7, 7)])
def test_parse_id_reads_ids(raw, value):
    assert parse_id(raw) == value


def test_parse_ids_all_or_nothing_sorted_unique():
    assert parse_ids(["3", "1", "3"]) == [1, 3]
    assert parse_ids(["3", "²"]) is None


def test_is_key_follows_the_field_a_key_holds():
    from django.contrib.auth.models import Permission

    from tasks.models import ApiToken, Profile, WorkItem

    pk, plan, profile_user = WorkItem._meta.pk, WorkItem._meta.get_field("plan"), Profile._meta.get_field("user")
    for field in (pk, plan, profile_user):  # an integer key, a foreign key to one, a one-to-one to one
        assert is_key(field, "12") and is_key(field, str(2**63 - 1))
        assert not any(is_key(field, raw) for raw in ("²", "9" * 20, "0", "-1", "1.5", "abc", "\x00"))
    assert is_key(ApiToken._meta.pk, "a" * 128)  # a text key (a token's digest): its field's own to_python
    assert is_key(Permission._meta.get_field("content_type"), "3")


@pytest.mark.parametrize("raw,value", [("-1", 1), ("0", 1), ("9" * 30, 25), ("abc", 25), ("1000", 200), ("50", 50),
                                       (None, 25)])
def test_bounded_int_clamps_page_sizes(raw, value):
    assert bounded_int(raw, default=25, low=1, high=200) == value


def test_clean_text_removes_zero_width_and_control_characters_and_keeps_the_rest_as_written():
    assert clean_text("\u200b\u200d\ufeff\u2060") == ""
    assert clean_text("完成\x00情况\x07，①㎡（２０２３年）\n第二行\t") == "完成情况，①㎡（２０２３年）\n第二行\t"
    assert clean_required(" \u200b \u200c ") == ""
    assert clean_text("a\ud800b") == "a?b"  # a lone surrogate cannot be stored


def test_fold_is_for_matching_and_parsing_only():
    assert fold("２０２３年\u200b") == "2023年"
    assert fold("市委统战部（市民宗局）") == "市委统战部(市民宗局)"
    assert clean_text("２０２３年") == "２０２３年"


@pytest.mark.parametrize("title", ["市/住建\\局?*[]:", "'引号'", "", "\u200b", "超" * 40])
def test_sheet_titles_are_always_accepted_by_openpyxl(title):
    wb = Workbook()
    wb.active.title = safe_sheet_title(title)
    assert 1 <= len(wb.active.title) <= 31
    wb.save(BytesIO())


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\",\"点我\")", "+1+1", "-2+3", "@SUM(A1)", "=1+1"])
def test_formula_looking_text_is_stored_as_text_and_read_back_as_written(text):
    wb = Workbook()
    ws = wb.active
    append_row(ws, [text, 12, "-5", "普通文字"])
    write_cell(ws, row=2, column=1, value=text)
    ws.cell(row=3, column=1, value=text)  # a writer that styles cells itself: protected at the end
    protect_workbook(wb)
    out = BytesIO()
    wb.save(out)
    back = load_workbook(BytesIO(out.getvalue())).active
    for row in (1, 2, 3):
        cell = back.cell(row=row, column=1)
        assert (cell.value, cell.data_type) == (text, "s")
    assert back.cell(row=1, column=2).value == 12
    assert back.cell(row=1, column=3).data_type == "s"  # "-5" is a number written as text: kept text


# ---- working days ---------------------------------------------------------------------------------------


def _slow_between(start, end, overrides=None):
    sign = 1
    if end < start:
        start, end, sign = end, start, -1
    count, day = 0, start + timedelta(days=1)
    while day <= end:
        count += workdays.is_workday(day, overrides)
        day += timedelta(days=1)
    return sign * count


def _slow_add(day, n, overrides=None):
    step, left = timedelta(days=1 if n >= 0 else -1), abs(n)
    while left:
        day += step
        left -= workdays.is_workday(day, overrides)
    return day


def test_arithmetic_working_days_agree_with_walking_day_by_day_across_holidays_and_overrides():
    rnd = random.Random(11)
    for _ in range(400):
        a = date(2004, 1, 1) + timedelta(days=rnd.randrange(0, 365 * 26))
        b = a + timedelta(days=rnd.randrange(-500, 500))
        overrides = {a + timedelta(days=rnd.randrange(-40, 40)): rnd.random() < 0.5 for _ in range(rnd.randrange(4))}
        assert workdays.workdays_between(a, b, overrides) == _slow_between(a, b, overrides)
        n = rnd.randrange(-200, 200)
        assert workdays.add_workdays(a, n, overrides) == _slow_add(a, n, overrides)


def test_national_day_week_and_make_up_saturday():
    # 2024: 1-7 Oct off, Sat 12 Oct a working day.
    assert workdays.workdays_between(date(2024, 9, 30), date(2024, 10, 12)) == 5  # 8, 9, 10, 11, 12
    assert workdays.add_workdays(date(2024, 9, 30), 1) == date(2024, 10, 8)


def test_far_dates_cost_milliseconds_not_minutes():
    start = time.perf_counter()
    assert workdays.workdays_between(date(2026, 1, 1), date(9999, 12, 31)) > 2_000_000
    workdays.add_workdays(date(2026, 1, 1), 100_000)
    assert time.perf_counter() - start < 1.0


def test_date_bounds_run_from_2000_to_two_years_after_the_plan():
    assert workdays.date_bounds(2027) == (date(2000, 1, 1), date(2029, 12, 31))
    assert workdays.date_in_bounds(date(2029, 12, 31), 2027)
    assert not workdays.date_in_bounds(date(2030, 1, 1), 2027)
    assert not workdays.date_in_bounds(date(1999, 12, 31), 2027)
    assert workdays.date_bounds(9999)[1] <= date.max


@pytest.mark.parametrize("word,lookup,expected", [
    ("电梯", "icontains", "contains"), ("2024", "icontains", "contains"), ("（一）", "iexact", "exact"),
    ("zhang", "icontains", "icontains"), ("PDF改造", "icontains", "icontains"), ("ß", "istartswith", "istartswith"),
])
def test_a_search_word_without_case_is_matched_case_sensitively(word, lookup, expected):
    """Chinese has no case: UPPER() of every row's text would only cost time (a province's items: 3×)."""
    assert text_lookup(word, lookup) == expected
