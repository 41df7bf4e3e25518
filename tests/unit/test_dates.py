"""Reading dates and weeks: crm.values.dates."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import set_language
from crm.values.dates import iso_week_label, last_complete_week, parse_date, parse_week, week_of

TODAY = date(2021, 6, 9)  # a Wednesday in a year that is not 2020


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2020-05-18", date(2020, 5, 18)),
        ("2020-5-8", date(2020, 5, 8)),
        ("2020年5月18日", date(2020, 5, 18)),
        ("2020年05月18日", date(2020, 5, 18)),
        ("2020 年 5 月 18 日", date(2020, 5, 18)),
        ("2020年5月18号", date(2020, 5, 18)),
        ("2020.5.18", date(2020, 5, 18)),
        ("2020/5/18", date(2020, 5, 18)),
        ("2020/5/6", date(2020, 5, 6)),  # year first is always year-month-day
        ("20200518", date(2020, 5, 18)),
        ("5月18日", date(2021, 5, 18)),
        ("5月18号", date(2021, 5, 18)),
        ("２０２０年５月１８日", date(2020, 5, 18)),
        ("２０２０－０５－１８", date(2020, 5, 18)),
        ("２０２０／５／１８", date(2020, 5, 18)),
        ("５月１８日", date(2021, 5, 18)),
        ("May 18 2020", date(2020, 5, 18)),
        ("May 18, 2020", date(2020, 5, 18)),
        ("18 May 2020", date(2020, 5, 18)),
        ("18 may 2020", date(2020, 5, 18)),
        ("Monday, May 18, 2020", date(2020, 5, 18)),
        ("18/5/2020", date(2020, 5, 18)),  # 18 cannot be a month
        ("18.5.2020", date(2020, 5, 18)),
        ("May 18", date(2021, 5, 18)),
        ("2020-05-18T10:00:00+08:00", date(2020, 5, 18)),
        ("  2020-05-18  ", date(2020, 5, 18)),
        ("1949-10-01", date(1949, 10, 1)),
        ("2100-12-31", date(2100, 12, 31)),
        ("2020-02-29", date(2020, 2, 29)),
    ],
)
def test_parse_date_accepts(text, expected):
    assert parse_date(text, today=TODAY) == expected


def test_month_and_day_take_the_year_of_today():
    assert parse_date("5月18日", today=date(2020, 1, 1)) == date(2020, 5, 18)
    assert parse_date("2月29日", today=date(2020, 1, 1)) == date(2020, 2, 29)
    assert parse_date("5月18日").year == date.today().year


GENERIC = "write 2020-05-18, 2020年5月18日"


@pytest.mark.parametrize(
    "text, says",
    [
        ("", GENERIC),
        ("   ", GENERIC),
        ("20200", GENERIC),
        ("202005", "no such date"),  # dateutil reads six digits as YYMMDD
        ("公元前200年", GENERIC),
        ("2020年5月", "the day is missing"),
        ("yesterday", GENERIC),
        ("Monday", GENERIC),
        ("2020-05-18 xyz", GENERIC),
        ("May 18 2020 W", GENERIC),
        ("٢٠٢٠-٠٥-١٨", GENERIC),
        ("2020-W21", GENERIC),
        ("2020-02-30", "no such date"),
        ("2020年13月1日", "no such date"),
        ("2020年2月30日", "no such date"),
        ("2021-02-29", "no such date"),
        ("2月29日", "no such date"),  # not in 2021
        ("2020-00-10", "no such date"),
        ("20201332", "no such date"),
        ("Feb 30 2020", "no such date"),
        ("13/13/2020", "no such date"),
        ("1948-12-31", "1949–2100"),
        ("2101-01-01", "1949–2100"),
        ("May 18 1900", "1949–2100"),
        ("5", "incomplete"),
        ("31", "incomplete"),
        ("2020", "incomplete"),
        ("May 2020", "incomplete"),
        ("10:30", "incomplete"),
        ("5/6/2020", "ambiguous"),
        ("05/06/07", "ambiguous"),
        ("18 May 20", "ambiguous"),
    ],
)
def test_parse_date_refuses(text, says, english):
    with pytest.raises(InvalidInput) as caught:
        parse_date(text, today=TODAY)
    message = str(caught.value)
    assert says in message
    assert f'"{text.strip()}"' in message


@pytest.mark.parametrize(
    "text, monday",
    [
        ("2020-W21", date(2020, 5, 18)),
        ("2020W21", date(2020, 5, 18)),
        ("2020-w21", date(2020, 5, 18)),
        ("2020w21", date(2020, 5, 18)),
        ("2020-W01", date(2019, 12, 30)),
        ("2020-W1", date(2019, 12, 30)),
        ("2020-W53", date(2020, 12, 28)),
        ("２０２０－Ｗ２１", date(2020, 5, 18)),
        ("2020年第21周", date(2020, 5, 18)),
        ("2020-05-18", date(2020, 5, 18)),
        ("2020-05-20", date(2020, 5, 18)),
        ("2020-05-24", date(2020, 5, 18)),
        ("2020年5月24日", date(2020, 5, 18)),
        ("5月20日", date(2021, 5, 17)),
        ("2021-01-01", date(2020, 12, 28)),
    ],
)
def test_parse_week_accepts(text, monday):
    assert parse_week(text, today=TODAY) == (monday, monday + timedelta(days=6))


@pytest.mark.parametrize(
    "text, says",
    [
        ("2020-W54", "2020 has weeks 1 to 53"),
        ("2020-W00", "does not exist"),
        ("2021-W53", "2021 has weeks 1 to 52"),
        ("2020-W99", "does not exist"),
        ("1900-W10", "1949–2100"),
        ("", "write 2020-W21"),
        ("W21", "write 2020-W21"),
        ("week 21", "write 2020-W21"),
        ("2020-W", "write 2020-W21"),
        ("2020-02-30", "no such date"),
        ("5", "incomplete"),
    ],
)
def test_parse_week_refuses(text, says, english):
    with pytest.raises(InvalidInput) as caught:
        parse_week(text, today=TODAY)
    message = str(caught.value)
    assert says in message
    assert f'"{text}"' in message


@pytest.mark.parametrize(
    "today, monday",
    [
        (date(2020, 5, 25), date(2020, 5, 18)),  # Monday: last week is complete
        (date(2020, 5, 26), date(2020, 5, 18)),
        (date(2020, 5, 24), date(2020, 5, 11)),  # Sunday: this week is not over yet
        (date(2020, 5, 18), date(2020, 5, 11)),
        (date(2021, 1, 4), date(2020, 12, 28)),
    ],
)
def test_last_complete_week(today, monday):
    assert last_complete_week(today) == (monday, monday + timedelta(days=6))


def test_week_of():
    assert week_of(date(2020, 5, 18)) == (date(2020, 5, 18), date(2020, 5, 24))
    assert week_of(date(2020, 5, 24)) == (date(2020, 5, 18), date(2020, 5, 24))


@pytest.mark.parametrize(
    "monday, zh, en",
    [
        (date(2020, 5, 18), "2020年第21周(5月18日—5月24日)", "2020 week 21 (18 May – 24 May)"),
        (date(2020, 5, 20), "2020年第21周(5月18日—5月24日)", "2020 week 21 (18 May – 24 May)"),
        (date(2020, 12, 28), "2020年第53周(12月28日—1月3日)", "2020 week 53 (28 Dec – 3 Jan)"),
        (date(2019, 12, 30), "2020年第1周(12月30日—1月5日)", "2020 week 1 (30 Dec – 5 Jan)"),
    ],
)
def test_iso_week_label(monday, zh, en):
    assert iso_week_label(monday, "zh") == zh
    assert iso_week_label(monday, "en") == en


def test_iso_week_label_follows_current_language():
    assert iso_week_label(date(2020, 5, 18)) == "2020年第21周(5月18日—5月24日)"
    set_language("en")
    assert iso_week_label(date(2020, 5, 18)) == "2020 week 21 (18 May – 24 May)"


@given(st.text(max_size=40))
def test_any_text_gives_a_date_or_invalid_input(text):
    try:
        result = parse_date(text, today=TODAY)
    except InvalidInput as err:
        assert str(err)
    else:
        assert isinstance(result, date)
        assert 1949 <= result.year <= 2100


@given(st.text(max_size=30))
def test_any_text_gives_a_week_or_invalid_input(text):
    try:
        monday, sunday = parse_week(text, today=TODAY)
    except InvalidInput:
        pass
    else:
        assert monday.isoweekday() == 1
        assert sunday - monday == timedelta(days=6)


_DATE_LIKE = st.lists(
    st.sampled_from(["2020", "5", "18", "05", "-", "/", ".", "年", "月", "日", " ", "May", "W", "0", "13", "31", "２"]),
    max_size=8,
).map("".join)


@given(_DATE_LIKE)
def test_date_like_text_gives_a_date_or_invalid_input(text):
    try:
        assert isinstance(parse_date(text, today=TODAY), date)
    except InvalidInput:
        pass


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DATES = st.dates(date(1949, 1, 1), date(2100, 12, 31))


@given(_DATES)
def test_every_accepted_form_round_trips(day):
    forms = [
        day.isoformat(),
        f"{day.year}年{day.month}月{day.day}日",
        f"{day.year}.{day.month}.{day.day}",
        f"{day.year}/{day.month}/{day.day}",
        day.strftime("%Y%m%d"),
        f"{day.day} {_MONTHS[day.month - 1]} {day.year}",
        f"{_MONTHS[day.month - 1]} {day.day} {day.year}",
    ]
    for text in forms:
        assert parse_date(text, today=TODAY) == day, text
    assert parse_date(f"{day.month}月{day.day}日", today=day) == day


@given(_DATES)
def test_week_label_and_iso_week_round_trip(day):
    monday, sunday = week_of(day)
    year, week, _weekday = day.isocalendar()
    if not 1949 <= year <= 2100:
        return
    assert parse_week(f"{year}-W{week:02d}") == (monday, sunday)
    assert parse_week(day.isoformat()) == (monday, sunday)
    assert iso_week_label(day, "zh").startswith(f"{year}年第{week}周(")


@pytest.mark.parametrize(
    "text",
    [
        "二〇二〇年五月十八日",
        "二○二○年五月十八日",
        "二零二零年五月十八日",
        "2020年5月18日 10:00",
        "2020年5月18日09时30分",
        "2020年5月18日（星期一）",
        "2020年5月18日（星期一）上午10:00",
        "2020.5.18 周一",
    ],
)
def test_official_dates_with_a_time_or_weekday(text):
    assert parse_date(text, today=TODAY) == date(2020, 5, 18)


def test_a_month_alone_is_a_month_where_a_month_is_meant():
    from crm.values.dates import parse_month

    assert parse_month("2020年7月") == parse_month("2020-07") == parse_month("二〇二〇年七月") == date(2020, 7, 1)
    assert parse_month("2020-07-18") is None
