"""What the weekly table looks like, whatever the format: title, columns, the
text of each cell, the totals row, the notes and the summary sections.

crm.reporting.weekly computes the content; this module words it (through _(), English
source, Chinese in crm/foundation/locale/zh_CN/LC_MESSAGES/exports.po) and hands the
renderers typed cells: `Own` (an amount in its own currency), `Yi` (yuan
shown as 亿元), `Ratio`, dates, ints and text. Each renderer then decides how
a type is written: a number with a number format in xlsx, exact text in CSV,
rounded text in md/txt/html.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from crm.deals.stages import BY_KEY
from crm.foundation import i18n
from crm.foundation.i18n import current_language, list_sep
from crm.foundation.lines import cells as display_width
from crm.reference import fx
from crm.reporting import kpi
from crm.reporting.weekly import Problem, Progress, Row, WeeklyTable
from crm.values.dates import date_text, iso_week_label
from crm.values.money import ABOUT_ZH, YI, ZH_SUFFIX, Money, format_money, format_yi, marked_about, percent_text, to_wan
from exports.cells import plain_decimal

MILLION = Decimal(10) ** 6

_TRANSLATED: dict[tuple[str, str], str] = {}


def _(message: str) -> str:
    """crm.foundation.i18n._, remembered per language: the lines of 本周进展 and 存在问题 are worded for
    thousands of rows, and each lookup walks the chain of five catalogs."""
    key = (current_language(), message)
    found = _TRANSLATED.get(key)
    if found is None:
        found = _TRANSLATED[key] = i18n._(message)
    return found


@dataclass(frozen=True)
class Own:
    """An amount in the deal's own currency."""

    money: Money


@dataclass(frozen=True)
class Yi:
    """An amount in yuan, shown in 亿元; `approximate` when it adds up an approximate amount (shown 约346.42)."""

    yuan: Decimal
    approximate: bool = False


@dataclass(frozen=True)
class Rate:
    """An exchange rate (yuan per unit of a currency), shown with at least 4 decimals."""

    rate: Decimal


@dataclass(frozen=True)
class Ratio:
    """A share (0.8224), shown as a percentage; None when undefined."""

    value: Decimal | None


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int  # display columns (CJK = 2) a text table wraps this column at
    wrap: bool = False


@dataclass
class Section:
    """One table of the summary."""

    title: str
    headers: list[str]
    rows: list[list]


def columns() -> list[Column]:
    """The weekly table's columns, headers in the current language."""
    return [
        Column("seq", _("No."), 4),
        Column("code", _("Project code"), 12),
        Column("name", _("Project name"), 24, True),
        Column("investor", _("Investor"), 16, True),
        Column("region", _("County (city, district)"), 10, True),
        Column("industry", _("Industry category"), 14, True),
        Column("event", _("Signing event"), 20, True),
        Column("signed_on", _("Signing date"), 10),
        Column("amount", _("Total investment"), 12),
        Column("amount_cny", _("Converted (100m CNY)"), 10),
        Column("stage", _("Current stage"), 6),
        Column("progress", _("Progress this week"), 30, True),
        Column("problems", _("Open problems"), 30, True),
        Column("lead_unit", _("Lead department"), 14, True),
        Column("supporting", _("Supporting departments"), 16, True),
        Column("liaison", _("Liaison leader"), 8),
    ]


def semicolon() -> str:
    """How clauses are separated: ；in Chinese, "; " in English."""
    return "；" if current_language() == "zh" else "; "


def title(table: WeeklyTable) -> str:
    """招商引资签约项目周报 2020年第21周(5月18日—5月24日)."""
    heading = _("Weekly report on signed investment deals")
    return f"{heading} {iso_week_label(table.week.monday)}"


def scope_text(table: WeeklyTable) -> str:
    """Which deals the table covers, in words."""
    parts = []
    described = dict(table.scope.describe())
    labels = {
        "event": _("signing event contains “{value}”"),
        "region": _("county/district contains “{value}”"),
        "department": _("department contains “{value}”"),
        "industry": _("industry contains “{value}”"),
        "year": _("signed in {value}"),
        "search": _("matching “{value}”"),
    }
    for key, label in labels.items():
        if key in described:
            parts.append(label.format(value=described[key]))
    if "stage" in described:
        parts.append(
            _("stage {value} at the end of the week").format(value=BY_KEY[_stage_key(described["stage"])].label())
        )
    else:
        parts.append(_("deals not yet operating or terminated, and every deal that changed this week"))
    return _("Scope: {filters}").format(filters=semicolon().join(parts))


def _stage_key(text: str) -> str:
    from crm.deals.stages import parse_stage

    return parse_stage(text).key


def as_of_text(table: WeeklyTable) -> str:
    """The day the table's data is as of: the end of the week's Sunday, or, while the week is not over (it is
    made before its Sunday), the day it is made."""
    made = table.generated_on
    if table.week.sunday > made:
        return _("Ledger as it stood on {day} ({weekday}); the week is not over yet").format(
            day=_day(made), weekday=weekday_name(made)
        )
    return _("Ledger as it stood at the end of {day}; made on {today}").format(
        day=_day(table.week.sunday), today=_day(made)
    )


def weekday_name(day: datetime.date) -> str:
    """周一 … 周日 (Monday … Sunday)."""
    names = (
        _("Monday"),
        _("Tuesday"),
        _("Wednesday"),
        _("Thursday"),
        _("Friday"),
        _("Saturday"),
        _("Sunday"),
    )
    return names[day.weekday()]


def _day(day: datetime.date) -> str:
    return day.isoformat()


def stage_label(key: str | None) -> str:
    return BY_KEY[key].label() if key else ""


def stage_labels() -> list[str]:
    """Every stage's label in the current language: what the stage column may hold."""
    return [stage.label() for stage in BY_KEY.values()]


def widest_stage_word() -> int:
    """The display width (a Chinese character two) of the widest word of the stage labels in the current language
    (Construction, 在谈): what the stage column of every format must hold on one line."""
    return max(display_width(word) for label in stage_labels() for word in label.split())


def industry_text(row: Row) -> str:
    """The industry and its sub-industry: 先进制造/智能装备, or the one of them there is."""
    industry, sub = row.industry, row.sub_industry
    if sub and sub != industry:
        return f"{industry}/{sub}" if industry else sub
    return industry or sub


def progress_line(p: Progress) -> str:
    """One line of 本周进展."""
    on = _day(p.on)
    if p.kind == "new":
        text = _("{on} new deal ({stage})").format(on=on, stage=stage_label(p.stage_to))
    elif p.kind == "stage" and p.note:
        text = _("{on} {src} → {dst}: {note}").format(
            on=on, src=stage_label(p.stage_from), dst=stage_label(p.stage_to), note=p.note
        )
    elif p.kind == "stage":
        text = _("{on} {src} → {dst}").format(on=on, src=stage_label(p.stage_from), dst=stage_label(p.stage_to))
    elif p.kind == "blocker_raised":
        text = _("{on} problem raised: {text} ({department})").format(on=on, text=p.text, department=p.department)
    elif p.kind == "blocker_resolved" and p.note:
        text = _("{on} problem resolved: {text} ({resolution})").format(on=on, text=p.text, resolution=p.note)
    elif p.kind == "blocker_resolved":
        text = _("{on} problem resolved: {text}").format(on=on, text=p.text)
    elif p.kind == "log":
        text = _("{on} {text}").format(on=on, text=p.text)
    elif p.kind == "funds":
        text = _("{on} funds arrived: {amount}").format(on=on, amount=format_money(p.money))
    else:  # pragma: no cover - crm.reporting.weekly makes no other kinds
        raise ValueError(p.kind)
    return text


def progress_text(row: Row) -> str:
    return "\n".join([progress_line(p) for p in row.progress]) if row.progress else ""


def problem_line(n: int, p: Problem) -> str:
    """One line of 存在问题: 1. text【责任单位:…;提出:…;时限:…;已逾期】.

    crm.importing.importer reads this form back (the round trip), in both languages.
    """
    details = [
        _("Responsible: {department}").format(department=p.department),
        _("raised: {day}").format(day=_day(p.raised_on)),
    ]
    if p.due_on:
        details.append(_("due: {day}").format(day=_day(p.due_on)))
    if p.overdue:
        details.append(_("overdue"))
    opening, closing = ("【", "】") if current_language() == "zh" else (" [", "]")
    return f"{n}. {p.text}{opening}{semicolon().join(details)}{closing}"


def problems_text(row: Row) -> str:
    return "\n".join([problem_line(n, p) for n, p in enumerate(row.problems, 1)]) if row.problems else ""


def cells(row: Row) -> list:
    """The typed cells of one deal, in column order."""
    values = row_values(row)
    values[AMOUNT_AT] = Own(values[AMOUNT_AT])
    values[AMOUNT_AT + 1] = Yi(values[AMOUNT_AT + 1])
    return values


AMOUNT_AT = 8  # the column of the amount in its own currency; its amount in 亿元 is the next


def row_values(row: Row) -> list:
    """The cells of one deal as cells() gives them, but for the amounts: the Money and the yuan themselves
    (the xlsx writer makes a million of them into numbers without the wrappers). The signing date is a date, or
    the text of its month (date_text: 2025-12) when it names its month only."""
    return [
        row.seq,
        row.code,
        row.name,
        row.investor,
        row.region,
        industry_text(row),
        row.event or "",
        date_text(row.signed_on, True) if row.signed_on_month else row.signed_on,  # a month only: its text, 2025-12
        row.amount,
        row.amount_cny,
        stage_label(row.stage),
        progress_text(row),
        problems_text(row),
        row.lead_unit or "",
        list_sep().join(row.supporting),
        row.liaison or "",
    ]


def currency_parts(table: WeeklyTable) -> list[str]:
    """The rows' total in each currency: 379.66亿元, 5.3亿美元 (约 where a row's amount was approximate)."""
    approximate = table.summary.approximate_currencies
    return [format_money(Money(v, c, c in approximate)) for c, v in table.summary.by_currency.items()]


def currency_totals(table: WeeklyTable) -> str:
    """The rows' totals per currency as one text: 379.66亿元、5.3亿美元."""
    return list_sep().join(currency_parts(table))


def stacked(parts: list[str], fits: Callable[[str], bool]) -> str:
    """Amounts (currency_parts) joined with 、 on one line when `fits` that line, else one a line, each but the
    last ending in its 、: a narrow column then breaks between two amounts, never inside one."""
    sep = list_sep()
    one_line = sep.join(parts)
    return one_line if fits(one_line) else (sep.rstrip() + "\n").join(parts)


def header_words(header: str) -> list[str]:
    """The pieces a header may wrap between: 当前阶段 whole, 折合人民币(亿元) as 折合人民币 / (亿元),
    County (city, district) at its spaces."""
    return [w for w in re.split(r"\s+|(?=[(（])", header) if w]


def totals(table: WeeklyTable) -> list:
    """The totals row (合计): number of deals, per-currency totals, the 亿元 total."""
    s = table.summary
    out: list = [""] * len(columns())
    keys = [c.key for c in columns()]
    out[keys.index("seq")] = _("Total")
    out[keys.index("name")] = _("{n} deals").format(n=s.rows)
    out[keys.index("amount")] = currency_totals(table)
    out[keys.index("amount_cny")] = Yi(s.total_cny, s.approximate)
    return out


def notes(table: WeeklyTable) -> list[str]:
    """Lines printed under the table."""
    lines = [
        _(
            "Notes: 1. Total investment is in each deal's own currency; “Converted (100m CNY)” uses the rate of "
            "the signing date. 2. A problem is overdue when it was still open after its due date. "
            "3. Stages and problems are as they stood at the end of {day}."
        ).format(day=_day(min(table.week.sunday, table.generated_on)))  # a week not over: as of the day made
        + " "
        + _("4. Totals are rounded from the exact sums, so they can differ slightly from the sum of the rounded rows.")
    ]
    rates = rates_text(table)
    if rates:
        lines.append(_("Exchange rates used: {rates}").format(rates=rates))
    return lines


def page_number_words() -> str:
    """The words printed at the foot of each page, &P standing for the page's number and &N for the number of
    pages (the codes of an xlsx footer): 第 &P 页，共 &N 页."""
    return _("Page &P of &N")


def rates_text(table: WeeklyTable) -> str:
    """The rates the table's rows (and so its 合计) were converted at, for the note under the table; the summary
    names its own, which add those of the cohort's KPIs (summary_sections)."""
    return semicolon().join(fx.describe_rate(r) for r in table.summary.rows_fx_used)


# ---- amounts in the formats -------------------------------------------------


def own_text(money: Money) -> str:
    """`money` in its own currency as the weekly table shows it in every format: format_money's text (4565万元,
    1.5亿美元, 8000万欧元, USD 180 million); where that text rounds the amount, own_exact's, so that a file
    imported back (the xlsx, the csv) gives the same amount."""
    return format_money(money) if _shown_whole(money.amount) else own_exact(money)


def _shown_whole(amount: Decimal) -> bool:
    """format_money, which shows two decimals of its unit (亿 from 9999.995万 up, 万; million), shows all of
    `amount` (a multiple of 100 in 万, of 10^6 in 亿, of 10^4 in millions)."""
    amount = abs(amount)
    if current_language() == "zh":
        step = 10**6 if to_wan(amount) >= 10_000 else 100 if amount >= 10_000 else 0
    else:
        step = 10**4 if amount >= MILLION else 0
    return step == 0 or amount % step == 0


def own_exact(money: Money) -> str:
    """The amount as exact text crm.values.money.parse_amount reads back unchanged: 1.8亿美元, 4565万元, USD 180 million."""
    if current_language() == "zh":
        about = ABOUT_ZH if money.approximate else ""
        amount = money.amount
        if amount >= YI:
            number, unit = amount / YI, "亿"
        elif amount >= 10_000:
            number, unit = amount / 10_000, "万"
        else:
            number, unit = amount, ""
        return f"{about}{plain_decimal(number)}{unit}{ZH_SUFFIX[money.currency]}"
    about = "about " if money.approximate else ""
    if money.amount >= MILLION:
        return f"{about}{money.currency} {plain_decimal(money.amount / MILLION)} million"
    return f"{about}{money.currency} {plain_decimal(money.amount)}"


def yi_exact(yuan: Decimal) -> str:
    """Yuan as an exact number of 亿 (12.7854)."""
    return plain_decimal(yuan / YI)


def yi_text(yuan: Decimal) -> str:
    """Yuan in 亿 rounded half up to two decimals (12.79)."""
    return format_yi(yuan)


#: The typed numbers `shown` words (each renderer writes them its own way: numbers in xlsx, text elsewhere).
NUMBERS = (Yi, Rate, Ratio)


def shown(value: Yi | Rate | Ratio) -> str:
    """A typed number as a reader sees it, the same in every format: a Yi as yi_text, 约 before it
    (marked_about) when it adds up an approximate amount; a Rate as quoted, 7.1030 (crm.reference.fx.rate_text);
    a Ratio as a percentage, 82.24%, or — when undefined. Any other value is a TypeError."""
    if isinstance(value, Yi):
        return marked_about(yi_text(value.yuan), value.approximate)
    if isinstance(value, Rate):
        return fx.rate_text(value.rate)
    if isinstance(value, Ratio):
        return percent_text(value.value)
    raise TypeError(f"not a typed number: {value!r}")


def ratio_number(ratio: Ratio) -> Decimal | None:
    """The share rounded half up to 4 decimals, so a 0.00% format shows what percent_text shows."""
    if ratio.value is None:
        return None
    return Decimal(kpi.rate_text(ratio.value))


# ---- the summary ----------------------------------------------------------


def summary_title(table: WeeklyTable) -> str:
    heading = _("Summary")
    return f"{heading} {iso_week_label(table.week.monday)}"


def summary_sections(table: WeeklyTable) -> list[Section]:
    s = table.summary
    stage_rows = [
        [BY_KEY[key].label(), n, Yi(cny, key in s.approximate_stages)] for key, (n, cny) in s.by_stage.items()
    ]
    stage_rows.append([_("Total"), s.rows, Yi(s.total_cny, s.approximate)])
    sections = [
        Section(_("Deals in the table by stage"), [_("Stage"), _("Deals"), _("Converted (100m CNY)")], stage_rows)
    ]

    w = s.week
    sections.append(
        Section(
            _("This week"),
            [_("Item"), _("Value")],
            [
                [_("New deals"), w.new_deals],
                [_("Stage changes"), w.stage_changes],
                [_("Problems raised"), w.blockers_raised],
                [_("Problems resolved"), w.blockers_resolved],
                [_("Funds arrivals"), w.funds_arrivals],
                [_("Funds arrived (100m CNY)"), Yi(w.funds_cny)],
            ],
        )
    )

    end, now = s.kpis_week_end, s.kpis_now
    sections.append(
        Section(
            _("Cohort KPIs (signed deals)"),
            [
                _("Indicator"),
                _("End of week ({day})").format(day=_day(table.week.sunday)),
                _("Now ({day})").format(day=_day(s.now)),
            ],
            [
                [label, *(value(k) for k in (end, now))]
                for label, value in (
                    (_("Deals signed"), lambda k: k.deals),
                    (_("Total investment (100m CNY)"), lambda k: Yi(k.total_cny, k.approximate)),
                    (_("Fulfilment rate (registered or beyond)"), lambda k: Ratio(k.fulfilment_rate)),
                    (_("Start rate (construction or beyond)"), lambda k: Ratio(k.start_rate)),
                    (_("Operating rate"), lambda k: Ratio(k.operating_rate)),
                    (_("Funds arrived (100m CNY)"), lambda k: Yi(k.funds_cny)),
                    (_("Funds rate"), lambda k: Ratio(k.funds_rate)),
                    (_("Problems raised"), lambda k: k.blockers_raised),
                    (_("Problems open"), lambda k: k.blockers_open),
                    (_("Problems resolved"), lambda k: k.blockers_resolved),
                    (_("Problems overdue"), lambda k: k.blockers_overdue),
                    (_("Resolution rate"), lambda k: Ratio(k.resolution_rate)),
                )
            ],
        )
    )
    sections.append(
        Section(
            _("Exchange rates used"),
            [_("Currency"), _("Valid from"), _("CNY per unit"), _("Source")],
            [[r.currency, r.on, Rate(r.rate), r.source] for r in s.fx_used]
            or [[_("none (all amounts in CNY)"), "", "", ""]],
        )
    )
    return sections
