"""A week named from today's: 本周 / 上周 (this week / last week), wherever a week is read (crm export weekly
--week, the export dialog's week)."""

import datetime

import pytest

from crm.foundation.errors import InvalidInput
from crm.reporting import weekly
from crm.values.dates import AsOf, parse_week

D = datetime.date
MONDAY = D(2026, 12, 7)  # 2026-W50: 12-07 … 12-13


@pytest.mark.parametrize(
    "text", ["本周", "这周", " 本周 ", "this week", "This Week", "THIS  WEEK", "ｔｈｉｓ ｗｅｅｋ"]
)
@pytest.mark.parametrize("today", [MONDAY, D(2026, 12, 10), D(2026, 12, 13)])
def test_this_week_is_the_week_of_today(text, today):
    assert parse_week(text, today) == (D(2026, 12, 7), D(2026, 12, 13))
    assert weekly.resolve_week(text, today=today).key == "2026-W50"


@pytest.mark.parametrize("text", ["上周", "上一周", "上星期", "last week", "Last Week", "previous week"])
@pytest.mark.parametrize("today", [MONDAY, D(2026, 12, 13)])
def test_last_week_is_the_week_before_today_s(text, today):
    assert parse_week(text, today) == (D(2026, 11, 30), D(2026, 12, 6))
    assert weekly.resolve_week(text, today=today).key == "2026-W49"


def test_last_week_crosses_the_year_as_iso_weeks_do():
    assert weekly.resolve_week("上周", today=D(2021, 1, 4)).key == "2020-W53"
    assert weekly.resolve_week("本周", today=D(2021, 1, 1)).key == "2020-W53"


def test_a_sheet_s_day_as_today_and_the_real_today():
    assert parse_week("本周", AsOf.of(D(2020, 5, 20))) == (D(2020, 5, 18), D(2020, 5, 24))
    before = datetime.date.today()
    monday, sunday = parse_week("本周")
    after = datetime.date.today()  # the test may run across midnight
    assert monday <= before <= sunday or monday <= after <= sunday


@pytest.mark.parametrize("text", ["下周", "本周五", "上上周", "this weekend", "week"])
def test_other_words_are_refused_naming_the_ones_read(text):
    with pytest.raises(InvalidInput) as err:
        parse_week(text, MONDAY)
    assert text.strip() in str(err.value)
