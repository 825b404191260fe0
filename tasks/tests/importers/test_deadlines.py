"""parse_deadline: deadlines as people write them."""

from datetime import date

import pytest

from tasks.importers import parse_deadline

Y = 2023


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("6月底前", date(2023, 6, 30)),
        ("6月底", date(2023, 6, 30)),
        ("6 月底前", date(2023, 6, 30)),
        ("６月底前", date(2023, 6, 30)),
        ("4月中旬", date(2023, 4, 20)),
        ("4月上旬", date(2023, 4, 10)),
        ("4月下旬", date(2023, 4, 30)),
        ("2月下旬", date(2023, 2, 28)),
        ("12月底前", date(2023, 12, 31)),
        ("十二月底前", date(2023, 12, 31)),
        ("11 月底前", date(2023, 11, 30)),
        ("到2027年底", date(2027, 12, 31)),
        ("2027年底前", date(2027, 12, 31)),
        ("2027 年底前", date(2027, 12, 31)),
        ("到2024年底", date(2024, 12, 31)),
        ("年内", date(2023, 12, 31)),
        ("全年", date(2023, 12, 31)),
        ("年底前", date(2023, 12, 31)),
        ("2022年9月底", date(2022, 9, 30)),
        ("2023年6月30日前", date(2023, 6, 30)),
        ("２０２３年６月３０日前", date(2023, 6, 30)),
        ("上半年", date(2023, 6, 30)),
        ("下半年", date(2023, 12, 31)),
        ("第三季度", date(2023, 9, 30)),
        ("一季度", date(2023, 3, 31)),
        ("第一季度", date(2023, 3, 31)),
        ("2024年第二季度", date(2024, 6, 30)),
        ("3月启动,6月底前完成", date(2023, 6, 30)),
    ],
)
def test_parse_deadline_reads_the_date(text, expected):
    assert parse_deadline(text, year=Y) == (expected, False)


@pytest.mark.parametrize(
    "text", ["每月", "每季度", "长期", "持续推进", "长期坚持", "每季度最后一个月的30日前"]
)
def test_parse_deadline_recurring_has_no_single_date(text):
    assert parse_deadline(text, year=Y) == (None, True)


@pytest.mark.parametrize("text", ["", "   ", "尽快", "按上级要求", "13月底"])
def test_parse_deadline_unreadable(text):
    assert parse_deadline(text, year=Y) == (None, False)


def test_parse_deadline_leap_year_february():
    assert parse_deadline("2月底前", year=2024) == (date(2024, 2, 29), False)
