"""Dates and ISO weeks as staff type them: 2020-05-18, 2020年5月18日, 5月18日, 2020-W21.

Year-first numeric dates (ISO, Chinese, 2020.5.18, 2020/5/18, 20200518) are
always year-month-day; everything else goes to python-dateutil, but only when
it reads the text the same way whichever order of day and month it assumes,
and only when the text names at least a month and a day. A date without its
year (5月18日, 5.18) is in the year of `today`, or, when `today` is an AsOf
(the day a sheet's data is as of), the latest such day on or before it.
"""

from __future__ import annotations

import calendar
import contextlib
import unicodedata
import warnings
from datetime import date, datetime, timedelta

from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import _, current_language
from crm.foundation.text import LazyPattern

MIN_YEAR = 1949
MAX_YEAR = 2100

_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Year first is the Chinese and the ISO order; dateutil would read 2020/5/6 as
# 5 June under dayfirst, so these never reach it.
_YEAR_FIRST = (
    LazyPattern(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?"),
    # 2019.9.10. ends a sentence; 2019。9。10 is typed with the Chinese full stop.
    LazyPattern(r"(\d{4})([-./。])(\d{1,2})\2(\d{1,2})[.。]?"),
    LazyPattern(r"(\d{4})(\d{2})(\d{2})"),
)
_MONTH_DAY = LazyPattern(r"(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?")
# 9.10 is month.day, as 9月10日: no one writes the day first with a dot.
_MONTH_DOT_DAY = LazyPattern(r"(\d{1,2})\.(\d{1,2})")
_WEEK = LazyPattern(r"(\d{4})\s*-?\s*w\s*(\d{1,2})|(\d{4})\s*年\s*第\s*(\d{1,2})\s*周")
#: Weeks named from today's (本周, 上周, this week, last week): how many weeks before it.
_WEEKS_BACK = {
    "本周": 0,
    "这周": 0,
    "本星期": 0,
    "this week": 0,
    "上周": 1,
    "上一周": 1,
    "上星期": 1,
    "last week": 1,
    "previous week": 1,
}


# 公文 dates write each digit of the year (二〇二〇) and the month and day as numbers (五月十八日).
_CN_DIGITS = str.maketrans("〇○零Ｏ一二三四五六七八九", "0000123456789")
_CN_DATE = LazyPattern(
    r"([〇○零Ｏ一二三四五六七八九]{4})年(?:([一二三四五六七八九十]{1,3})月(?:([一二三四五六七八九十]{1,3})[日号])?)?"
)
# One without its year (十一月二十日, 十月底): a month and a day, or a month and a part of it (not 三月份 or 十一个月);
# not the end of a longer number (二十一月).
_CN_MONTH_DAY = LazyPattern(
    r"(?<![〇○零Ｏ一二三四五六七八九十百千万两])(十[一二]?|[一二三四五六七八九])月"
    r"(?:([二三]?十[一二三四五六七八九]?|[一二三四五六七八九])[日号]|(?=底|末|初|上旬|中旬|下旬))"
)
# What follows a date in a notice: a time (10:00, 09时30分, 上午, ISO's T00:00:00) or a weekday (（星期一）, 周一).
_TAIL = LazyPattern(
    r"\s*(?:[(（]?(?:星期|周|礼拜)[一二三四五六日天][)）]?|(?:上午|下午|晚上|早上|T)?\s*\d{1,2}\s*(?:[:：时点]\s*"
    r"\d{0,2}\s*分?(?:\s*[:：]\s*\d{1,2}\s*秒?)?|时|点)|[(（]\s*(?:上午|下午)\s*[)）])\s*$"
)
#: Parts of a month and of a year a plan is written by (2020年5月下旬, 2020年底, 2020年三季度): read as a month.
PARTS_OF_A_MONTH = "底|末|初|中|上旬|中旬|下旬"
PARTS_OF_A_YEAR = r"上半年|下半年|第?\s*[一二三四1-4]\s*季度"
_MONTH_ONLY = LazyPattern(
    rf"(\d{{4}})\s*(?:年\s*(\d{{1,2}})\s*月(?:份|{PARTS_OF_A_MONTH})?|[-./](\d{{1,2}})|年\s*(底|末)"
    rf"|年\s*({PARTS_OF_A_YEAR})(?:末|底)?)"
)
#: The month a part of a year is kept as: its last, as 2020年底 is its December (a plan "by" that time).
_PART_OF_YEAR = {"上半年": 6, "下半年": 12, "一": 3, "1": 3, "二": 6, "2": 6, "三": 9, "3": 9, "四": 12, "4": 12}


class AsOf(date):
    """The day a sheet's data is as of, as the `today` of parse_date: a date written without its year is the
    latest such day on or before it (a sheet as of 2021年1月5日 means 2020-12-28 by 12月28日).

    Equal only to another AsOf of the same day, so a cache of readings never gives a plain `today`'s reading
    for it (or the other way round).
    """

    __slots__ = ()

    @classmethod
    def of(cls, day: date) -> AsOf:
        """`day` as an AsOf."""
        return cls(day.year, day.month, day.day)

    def __eq__(self, other: object) -> bool:
        return type(other) is AsOf and date.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash((AsOf, self.toordinal()))


def plain_day(day: date) -> date:
    """`day` as a plain date, an AsOf's too: a date written without its year then falls in its year, not on or
    before it (a plan, a 时限: they lie ahead of the sheet)."""
    return date(day.year, day.month, day.day)


def cn_number(text: str) -> int:
    """一 … 三十一 (or its digits) as a number: a day or a month written in 公文 numerals."""
    if "十" not in text:
        return int(text.translate(_CN_DIGITS))
    tens, _sep, ones = text.partition("十")
    return int(tens.translate(_CN_DIGITS) or 1) * 10 + int(ones.translate(_CN_DIGITS) or 0)


def _in_digits(match) -> str:
    """A 公文 date matched by _CN_DATE in digits: 二〇二〇年五月十八日 → 2020年5月18日."""
    year = match.group(1).translate(_CN_DIGITS)
    day = f"{cn_number(match.group(3))}日" if match.group(3) else ""
    month = f"{cn_number(match.group(2))}月" if match.group(2) else ""  # 二〇二〇年底: no month
    return f"{year}年{month}{day}"


def _month_day_in_digits(match) -> str:
    """A 公文 date matched by _CN_MONTH_DAY in digits: 十一月二十日 → 11月20日, 十月(底) → 10月(底); a day past 31 kept."""
    day = cn_number(match.group(2)) if match.group(2) else None
    if day is not None and day > 31:
        return match.group(0)
    return f"{cn_number(match.group(1))}月" + (f"{day}日" if day is not None else "")


def digit_dates(text: str) -> str:
    """`text` with every 公文 date in it written in digits: 二〇二五年十一月二十日开工 → 2025年11月20日开工, and one
    without its year, 十一月二十日开工 → 11月20日开工, 十月底完成注册 → 10月底完成注册. Other Chinese numerals stay
    (一期, 三月份, 十一个月)."""
    if "月" not in text:
        return text
    if "年" in text:
        text = _CN_DATE.sub(_in_digits, text)
    return _CN_MONTH_DAY.sub(_month_day_in_digits, text)


def _plain_digits(normal: str) -> str:
    """二〇二〇年五月十八日 → 2020年5月18日; a trailing time or weekday dropped (2020年5月18日（星期一） 10:00)."""
    match = _CN_DATE.search(normal)
    if match:
        normal = f"{normal[: match.start()]}{_in_digits(match)}{normal[match.end() :]}"
    shorter = normal
    for _round in range(3):  # a weekday and a time, in either order
        shorter = _TAIL.sub("", shorter).strip()
        if any(p.fullmatch(shorter) for p in _YEAR_FIRST[:2]) or _MONTH_DAY.fullmatch(shorter):
            return shorter  # only what follows a whole date is dropped
    return normal


def month_end(day: date) -> date:
    """The last day of `day`'s month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _part_of_year(part: str | None) -> int:
    """The month kept for 上半年, 下半年, 三季度 … (None: 年底 or 年末, December)."""
    if part is None:
        return 12
    return _PART_OF_YEAR[part] if part in _PART_OF_YEAR else _PART_OF_YEAR[part.strip("第季度 ")]


def parse_month(text: str) -> date | None:
    """The first day of the month `text` names when it names a month alone (2020年7月, 2020-07, 二〇二〇年七月), else None."""
    if not isinstance(text, str):
        return None
    match = _MONTH_ONLY.fullmatch(_plain_digits(_normalise(text)))
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2) or match.group(3) or _part_of_year(match.group(5)))
    if not 1 <= month <= 12:
        raise InvalidInput(_('There is no such month as "{text}"').format(text=_quote(text)))
    return _in_range(text, date(year, month, 1))


class _Unreadable(Exception):
    """Internal: the text is not a date in any accepted form."""


def _quote(text: str) -> str:
    text = str(text).strip()
    return text if len(text) <= 60 else text[:60] + "…"


def _normalise(text: str) -> str:
    # NFKC folds full-width digits and punctuation (２０２０／５／１８).
    return unicodedata.normalize("NFKC", text).strip()


def _build(text: str, year: int, month: int, day: int) -> date:
    try:
        result = date(year, month, day)
    except ValueError:
        raise InvalidInput(_('There is no such date as "{text}"').format(text=_quote(text))) from None
    return _in_range(text, result)


def _in_range(text: str, result: date) -> date:
    if not MIN_YEAR <= result.year <= MAX_YEAR:
        raise InvalidInput(
            _('Date "{text}" is outside the years {first}–{last}').format(
                text=_quote(text), first=MIN_YEAR, last=MAX_YEAR
            )
        )
    return result


def _with_dateutil(text: str, normal: str, today: date) -> date:
    """Read `normal` with dateutil, refusing silent defaults and day/month guesses."""
    # here: the parser loads dateutil's time zone machinery, which the TUI's launch does not need
    from dateutil import parser as dateutil_parser

    # Two different defaults show which fields dateutil filled in by itself:
    # "5" would otherwise become the 5th of the default month.
    first_default = datetime(today.year, 1, 1)
    # Same year, so 29 February is judged against the year it will get;
    # March has 31 days, so "31" is reported as incomplete, not impossible.
    second_default = datetime(today.year, 3, 2)
    readings = []
    try:
        with warnings.catch_warnings():
            # dateutil takes a stray letter ("2020-05-18 W") for an unknown
            # time zone and only warns; such text is not a date we understood.
            warnings.simplefilter("error", dateutil_parser.UnknownTimezoneWarning)
            for dayfirst in (False, True):
                for yearfirst in (False, True):
                    readings.append(
                        dateutil_parser.parse(normal, default=first_default, dayfirst=dayfirst, yearfirst=yearfirst)
                    )
            probe = dateutil_parser.parse(normal, default=second_default)
    except dateutil_parser.UnknownTimezoneWarning:
        raise _Unreadable from None
    except dateutil_parser.ParserError as err:
        reason = str(err)
        # These say a real day or month is impossible; "year … out of range"
        # means dateutil took a run of digits (20200) for a year, i.e. not a date.
        if ("out of range" in reason and "year" not in reason) or "must be in" in reason:
            raise InvalidInput(_('There is no such date as "{text}"').format(text=_quote(text))) from None
        raise _Unreadable from None
    except (ValueError, OverflowError, TypeError, IndexError):
        # dateutil raises assorted errors for text it cannot make sense of.
        raise _Unreadable from None
    if len({r.date() for r in readings}) > 1:
        raise InvalidInput(
            _('Date "{text}" is ambiguous (day and month could be swapped): write it as 2020-05-18').format(
                text=_quote(text)
            )
        )
    reading = readings[0]
    if (reading.month, reading.day) != (probe.month, probe.day):
        raise InvalidInput(
            _('Date "{text}" is incomplete: give at least the month and the day, e.g. 5月18日 or 2020-05-18').format(
                text=_quote(text)
            )
        )
    if isinstance(today, AsOf) and reading.date() > today and _year_left_out(normal, today):
        return _without_year(text, today, reading.month, reading.day)
    # A missing year is the current one, as with 5月18日; first_default already holds it.
    return _in_range(text, reading.date())


def _year_left_out(normal: str, today: date) -> bool:
    """Whether dateutil gave `normal` (read without errors before) the year of its default: May 18, not May 18 2021."""
    from dateutil import parser as dateutil_parser

    # A default year 28 years earlier has the same leap days: only a year the text omits follows it.
    return dateutil_parser.parse(normal, default=datetime(today.year - 28, 1, 1)).year != today.year


def _without_year(text: str, today: date, month: int, day: int) -> date:
    """The day `month`/`day` (written without a year) in the year of `today`; when `today` is an AsOf, the latest
    such day on or before it."""
    if isinstance(today, AsOf):
        for year in range(today.year, today.year - 8, -1):  # 2月29日: the last leap year may be 8 years back
            with contextlib.suppress(ValueError):
                if (found := date(year, month, day)) <= today:
                    return _in_range(text, found)
    return _build(text, today.year, month, day)


def _read_date(text: str, today: date | None) -> date:
    """A date, or _Unreadable when no accepted form fits (callers word the error)."""
    if not isinstance(text, str):
        raise _Unreadable
    # NFKC would read ² as 2 and dateutil skips a leading minus: 2⁰20 or -2020-01-01 is not a date typed on purpose.
    if any(unicodedata.category(ch) == "No" for ch in text) or text.strip().startswith(("-", "−", "－", "‐")):
        raise _Unreadable
    normal = _plain_digits(_normalise(text))
    if not normal:
        raise _Unreadable
    if _MONTH_ONLY.fullmatch(normal):
        raise InvalidInput(_('Date "{text}" gives only the month: the day is missing').format(text=_quote(text)))
    # ASCII digits only below: regex \d and dateutil both accept Arabic-Indic ones.
    if any(ch.isdigit() and not ch.isascii() for ch in normal):
        raise _Unreadable
    for pattern in _YEAR_FIRST:
        match = pattern.fullmatch(normal)
        if match:
            numbers = [g for g in match.groups() if g and g.isdigit()]
            year, month, day = (int(n) for n in numbers)
            return _build(text, year, month, day)
    today = today or date.today()
    match = _MONTH_DAY.fullmatch(normal) or _MONTH_DOT_DAY.fullmatch(normal)
    if match:
        return _without_year(text, today, int(match.group(1)), int(match.group(2)))
    # Only text with ASCII letters, digits and punctuation goes to dateutil:
    # it would skip over Chinese words it does not know (公元前200年 → 200 AD).
    if not normal.isascii() or not any(ch.isdigit() for ch in normal):
        raise _Unreadable
    return _with_dateutil(text, normal, today)


def _unreadable_date(text: object) -> InvalidInput:
    return InvalidInput(
        _(
            'Cannot read date "{text}": write 2020-05-18, 2020年5月18日, 2020.5.18, '
            "2020/5/18, 20200518, 5月18日 or May 18 2020"
        ).format(text=_quote(str(text)))
    )


def parse_date(text: str, today: date | None = None) -> date:
    """Read a date: 2020-05-18, 2020年5月18日, 2020.5.18, 2020/5/18, 20200518,
    5月18日 or 5.18 (in the year of `today`; the latest on or before it when `today` is an AsOf),
    May 18 2020, 18 May 2020.

    Full-width digits are accepted. Raises InvalidInput for impossible dates,
    years outside 1949–2100, text that names no month and day, and text whose
    day and month could be read either way (05/06/2020).
    """
    try:
        return _read_date(text, today)
    except _Unreadable:
        raise _unreadable_date(text) from None


def date_text(day: date | None, month_only: bool = False) -> str:
    """A deal's date as shown and typed back: 2020-05-18, or 2020-07 when it names a month only; blank if none."""
    if day is None:
        return ""
    return day.strftime("%Y-%m") if month_only else day.isoformat()


def week_of(day: date) -> tuple[date, date]:
    """The Monday and Sunday of the ISO week containing `day`."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def _weeks_in_year(year: int) -> int:
    # 28 December is always in the last ISO week of its year.
    return date(year, 12, 28).isocalendar()[1]


def parse_week(text: str, today: date | None = None) -> tuple[date, date]:
    """Read an ISO week — 2020-W21, 2020W21, 2020-w21, 2020年第21周 —, any date
    parse_date accepts (meaning the week containing it), or 本周 / 上周 (this week,
    last week: the week of `today`, default the real today, or the one before it).

    Returns (Monday, Sunday). Raises InvalidInput for weeks the year does not
    have (W00, W54, W53 in a 52-week year) and for anything unreadable.
    """
    normal = _normalise(text).casefold() if isinstance(text, str) else ""
    back = _WEEKS_BACK.get(" ".join(normal.split()))
    if back is not None:
        return week_of(plain_day(today or date.today()) - timedelta(weeks=back))
    match = _WEEK.fullmatch(normal)
    if match:
        year = int(match.group(1) or match.group(3))
        week = int(match.group(2) or match.group(4))
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise InvalidInput(
                _('Week "{text}" is outside the years {first}–{last}').format(
                    text=_quote(text), first=MIN_YEAR, last=MAX_YEAR
                )
            )
        weeks = _weeks_in_year(year)
        if not 1 <= week <= weeks:
            raise InvalidInput(
                _('Week "{text}" does not exist: {year} has weeks 1 to {weeks}').format(
                    text=_quote(text), year=year, weeks=weeks
                )
            )
        return week_of(date.fromisocalendar(year, week, 1))
    try:
        return week_of(_read_date(text, today))
    except _Unreadable:
        raise InvalidInput(
            _(
                'Cannot read week "{text}": write 2020-W21, 2020W21, a date in that week (e.g. 2020-05-18), '
                "this week or last week"
            ).format(text=_quote(str(text)))
        ) from None


def last_complete_week(today: date | None = None) -> tuple[date, date]:
    """The Monday and Sunday of the last week that has ended before `today`.

    On a Sunday the current week is not over yet, so this is the week before:
    the weekly table sent on Monday or Tuesday covers the previous Mon–Sun.
    """
    monday, _sunday = week_of(today or date.today())
    return week_of(monday - timedelta(weeks=1))


def iso_week_label(monday: date, lang: str | None = None) -> str:
    """A week as a heading: 2020年第21周(5月18日—5月24日) / 2020 week 21 (18 May – 24 May).

    Any day of the week may be passed; the year is the ISO year, so
    2019-12-30 is in 2020年第1周.
    """
    start, end = week_of(monday)
    year, week, _weekday = start.isocalendar()
    if (lang or current_language()) == "en":
        return f"{year} week {week} ({start.day} {_EN_MONTHS[start.month - 1]} – {end.day} {_EN_MONTHS[end.month - 1]})"
    return f"{year}年第{week}周({start.month}月{start.day}日—{end.month}月{end.day}日)"
