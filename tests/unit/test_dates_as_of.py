"""Dates read against a sheet's as-of day (crm.values.dates.AsOf), and the forms of a date officers type that name
no more than one date: an ISO time after it, a full stop after it, month.day."""

from datetime import date

import pytest

from crm.foundation.errors import InvalidInput
from crm.importing.plan import as_of
from crm.values.dates import AsOf, parse_date

SHEET = AsOf(2021, 1, 5)  # a January sheet: 截至2021年1月5日


@pytest.mark.parametrize(
    "text, expected",
    [
        ("12月28日", date(2020, 12, 28)),  # last December, not next
        ("1月4日", date(2021, 1, 4)),
        ("1月5日", date(2021, 1, 5)),  # the as-of day itself
        ("1月6日", date(2020, 1, 6)),
        ("12.28", date(2020, 12, 28)),
        ("Dec 28", date(2020, 12, 28)),
        ("Jan 4", date(2021, 1, 4)),
        ("2021年12月28日", date(2021, 12, 28)),  # a year written is kept
        ("2021-12-28", date(2021, 12, 28)),
        ("Dec 28 2021", date(2021, 12, 28)),
    ],
)
def test_a_date_without_its_year_is_the_latest_on_or_before_the_as_of_day(text, expected):
    assert parse_date(text, today=SHEET) == expected


def test_a_29_february_without_its_year_is_the_last_one_before_the_as_of_day():
    assert parse_date("2月29日", today=AsOf(2023, 6, 1)) == date(2020, 2, 29)
    assert parse_date("2月29日", today=AsOf(2024, 2, 1)) == date(2020, 2, 29)


def test_a_plain_today_still_gives_its_own_year():
    """Forms in the screens read 5月18日 in the current year (a follow-up due next month is not last year's)."""
    assert parse_date("12月28日", today=date(2021, 1, 5)) == date(2021, 12, 28)
    assert parse_date("Dec 28", today=date(2021, 1, 5)) == date(2021, 12, 28)


def test_an_incomplete_date_stays_refused_against_an_as_of_day():
    with pytest.raises(InvalidInput, match="28"):
        parse_date("28", today=SHEET)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2019-09-10T00:00:00", date(2019, 9, 10)),
        ("2019-09-10T14:30", date(2019, 9, 10)),
        ("2019.9.10.", date(2019, 9, 10)),
        ("2019。9。10", date(2019, 9, 10)),
        ("9.10", date(2021, 9, 10)),  # month.day, as 9月10日
        ("12.5", date(2021, 12, 5)),
    ],
)
def test_one_date_written_the_ways_officers_type_it(text, expected):
    assert parse_date(text, today=date(2021, 6, 9)) == expected


def test_month_dot_day_is_never_day_dot_month():
    with pytest.raises(InvalidInput) as caught:
        parse_date("18.5", today=date(2021, 6, 9))
    assert "ambiguous" not in str(caught.value) and "歧义" not in str(caught.value)


def test_a_slash_without_a_year_is_still_ambiguous():
    with pytest.raises(InvalidInput):
        parse_date("9/10", today=date(2021, 6, 9))


def test_an_as_of_day_is_not_the_same_key_as_a_plain_day():
    """Readings are cached by their `today`: a sheet's AsOf and a form's plain date of the same day read
    12月28日 differently, so they must never share a cache entry."""
    assert AsOf(2021, 1, 5) != date(2021, 1, 5)
    assert date(2021, 1, 5) != AsOf(2021, 1, 5)
    assert len({AsOf(2021, 1, 5), date(2021, 1, 5)}) == 2
    assert AsOf(2021, 1, 5) == AsOf.of(date(2021, 1, 5))
    assert AsOf(2021, 1, 5) < date(2021, 1, 6)


@pytest.mark.parametrize(
    "stated, year, expected",
    [
        (date(2021, 1, 5), 2020, date(2021, 1, 5)),  # the stated day wins over the title's year
        (date(2020, 6, 1), None, date(2020, 6, 30)),  # 截至2020年6月: the month's end
        (None, 2019, date(2019, 12, 31)),
        (None, None, date(2026, 3, 4)),
    ],
)
def test_the_as_of_day_of_a_sheet(stated, year, expected):
    day = as_of(stated, year, date(2026, 3, 4))
    assert isinstance(day, AsOf) and day == AsOf.of(expected)
