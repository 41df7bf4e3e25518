"""Subcommands for what a bureau reports upward: progress, plans, completed investment, tags,
KPIs as of a date and by period, summaries by group, the briefing paragraph, the 五个一 check."""

import datetime
import io
import sys
from pathlib import Path

from cli.ledger import open_ledger
from cli.output import print_csv, print_json, print_table, to_jsonable
from cli.parsing import command_adder, deal_code, output_format
from crm.deals import outcomes
from crm.deals.investment import parse_month
from crm.deals.tags import tag_deal, untag_deal
from crm.foundation.config import current_actor
from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import N_, _, list_sep
from crm.listing.filters import DealFilter
from crm.reference import fx
from crm.reporting import asof, brief, kpi, lights, series, summaries
from crm.values.dates import parse_date
from crm.values.money import Money, format_money, format_yi, marked_about, percent_text
from exports import summary_table
from exports.weekly_files import write_atomically


def _date(text):
    return parse_date(text) if text else None


def _cohort(args) -> DealFilter:
    year = getattr(args, "year", None)
    if year is not None:
        try:
            year = int(year)
        except ValueError:
            raise InvalidInput(
                _("{what} must be a whole number, not {text!r}").format(what="--year", text=year)
            ) from None
    return DealFilter(
        event=args.event,
        region=args.region,
        department=args.department,
        year=year,
        industry=getattr(args, "industry", None),
        liaison=args.liaison,
        tag=args.tag,
        archived=bool(getattr(args, "archived", False)),
    ).check_names()


# ---- progress, plan, invest, tags ----------------------------------------------


def cmd_progress(args):
    open_ledger(args)
    entry = outcomes.progress_recorded(args.code, args.text, _date(args.on) or datetime.date.today(), current_actor())
    print(_("{code}: progress of {on} recorded").format(code=entry.code, on=entry.on))


def cmd_plan(args):
    open_ledger(args)
    try:
        year = int(args.year)
    except ValueError:
        raise InvalidInput(_("A plan year is a year such as 2020, not {year!r}").format(year=args.year)) from None
    row = outcomes.plan_set(args.code, year, args.amount)
    print(
        _("{code}: planned investment for {year} is {amount}").format(
            code=args.code, year=year, amount=format_money(row.money)
        )
    )
    if row.missing_rate:
        print(row.missing_rate, file=sys.stderr)


def cmd_invest(args):
    open_ledger(args)
    month = parse_month(args.month)
    if args.code == "void":  # `crm invest void CODE --month YYYY-MM --note WHY`
        row = outcomes.invest_voided(args.amount, month, note=args.note or "")
        print(
            _("{code}: investment completed in {month} voided ({amount})").format(
                code=args.amount,
                month=month.strftime("%Y-%m"),
                amount=format_money(row.money),
            )
        )
        return
    row = outcomes.invest_recorded(args.code, args.amount, month)
    print(
        _("{code}: investment completed in {month} is {amount}").format(
            code=args.code, month=month.strftime("%Y-%m"), amount=format_money(row.money)
        )
    )
    if row.missing_rate:
        print(row.missing_rate, file=sys.stderr)


def cmd_tag(args):
    open_ledger(args)
    print(list_sep().join(tag_deal(args.code, args.tags)))


def cmd_untag(args):
    open_ledger(args)
    print(list_sep().join(untag_deal(args.code, args.tags)) or _("(no tags)"))


# ---- KPIs ----------------------------------------------------------------------


def _kpi_rows(result: asof.AsOf) -> list[tuple[str, str]]:
    k, p = result.kpis, result.plan
    gap = p.schedule_gap
    return [
        (_("As of"), result.day.isoformat()),
        (_("Deals signed"), k.deals),
        (_("Total investment"), format_money(Money(k.total_cny, "CNY", k.approximate))),
        (_("Fulfilment rate (registered or beyond)"), percent_text(k.fulfilment_rate)),
        (_("Start rate (construction or beyond)"), percent_text(k.start_rate)),
        (_("Operating rate"), percent_text(k.operating_rate)),
        (_("Planned to start in {year} / started").format(year=p.year), f"{p.planned_starts} / {p.started_on_plan}"),
        (_("Start rate against plan (开工率)"), percent_text(p.start_plan_rate)),
        (_("Planned start passed, not started / started early"), f"{p.overdue_starts} / {p.started_early}"),
        (
            _("Planned to operate in {year} / operating").format(year=p.year),
            f"{p.planned_operations} / {p.operating_on_plan}",
        ),
        (_("Operating rate against plan"), percent_text(p.operating_plan_rate)),
        (_("Annual investment plan"), format_money(Money(p.invest_plan_cny, "CNY"))),
        (_("Investment completed this year"), format_money(Money(p.invest_done_cny, "CNY"))),
        (_("Share of the annual plan"), percent_text(p.invest_plan_rate)),
        (_("Schedule (序时进度)"), percent_text(p.schedule_rate)),
        (_("Ahead (+) or behind (−) schedule, points"), "—" if gap is None else f"{gap:+.2f}"),
        (_("Funds arrived"), format_money(Money(k.funds_cny, "CNY"))),
        (_("Funds rate"), percent_text(k.funds_rate)),
        (_("Blockers open / resolved / overdue"), f"{k.blockers_open} / {k.blockers_resolved} / {k.blockers_overdue}"),
        (_("Resolution rate"), percent_text(k.resolution_rate)),
    ]


def _described(used: list) -> str:
    """Rates as a csv cell names them: `USD 2021-01-04 6.5408 (source); …` (empty when all is CNY)."""
    return "; ".join(fx.describe_rate(rate) for rate in used)


def _print_rates(used: list) -> None:
    """所用汇率 under a table, a rate a line (exports.summary_table.rates_block)."""
    print("\n".join(summary_table.rates_block([fx.describe_rate(rate) for rate in used])))


_SERIES_KEYS = (
    "as_of",
    "deals",
    "total_cny",
    "approximate",
    "start_rate",
    "planned_starts",
    "started_on_plan",
    "start_plan_rate",
    "invest_plan_cny",
    "invest_done_cny",
    "invest_plan_rate",
    "schedule_rate",
    "schedule_gap",
    "funds_cny",
    "funds_rate",
    "blockers_raised",
    "blockers_resolved",
    "resolution_rate",
)


def _yi(value) -> str:
    return format_yi(value) if value is not None else "—"


# The series table as people read it (the labels and forms of `crm kpi --as-of`); CSV and JSON keep the keys.
_SERIES_COLUMNS = (
    (N_("As of"), lambda r: r.day.isoformat()),
    (N_("Deals signed"), lambda r: r.kpis.deals),
    (N_("Total investment (100m CNY)"), lambda r: marked_about(_yi(r.kpis.total_cny), r.kpis.approximate)),
    (N_("Start rate (construction or beyond)"), lambda r: percent_text(r.kpis.start_rate)),
    (N_("Planned starts"), lambda r: r.plan.planned_starts),
    (N_("Started on plan"), lambda r: r.plan.started_on_plan),
    (N_("Start rate against plan (开工率)"), lambda r: percent_text(r.plan.start_plan_rate)),
    (N_("Annual investment plan (100m CNY)"), lambda r: _yi(r.plan.invest_plan_cny)),
    (N_("Investment completed this year (100m CNY)"), lambda r: _yi(r.plan.invest_done_cny)),
    (N_("Share of the annual plan"), lambda r: percent_text(r.plan.invest_plan_rate)),
    (N_("Schedule (序时进度)"), lambda r: percent_text(r.plan.schedule_rate)),
    (
        N_("Ahead (+) or behind (−) schedule, points"),
        lambda r: "—" if r.plan.schedule_gap is None else f"{r.plan.schedule_gap:+.2f}",
    ),
    (N_("Funds arrived (100m CNY)"), lambda r: _yi(r.kpis.funds_cny)),
    (N_("Funds rate"), lambda r: percent_text(r.kpis.funds_rate)),
    (N_("Blockers raised"), lambda r: r.kpis.blockers_raised),
    (N_("Blockers resolved"), lambda r: r.kpis.blockers_resolved),
    (N_("Resolution rate"), lambda r: percent_text(r.kpis.resolution_rate)),
)


def _kpi_series(args, cohort: DealFilter):
    first, last = _date(getattr(args, "from")), _date(args.to)
    today = datetime.date.today()
    if first is None:
        first = datetime.date((last or today).year, 1, 1)
    ends = series.row_days(args.series, first, last or today, today)
    # JSON and CSV name each period's rates; a table names the rates of all its periods once, below it
    each = args.format in ("json", "csv")
    # each row as `crm kpi --as-of` its period's last day gives it, lights included (from the series' one read)
    with series.reading(cohort, ends):
        results = series.series(args.series, first, last or today, cohort, rates=each)
        rows = [
            {**asof.as_json(r), "lights": lights.counts(cohort, r.day).get(None, lights.LightCounts()).as_json()}
            for r in results
        ]
    if args.format == "json":
        return print_json(rows)
    if args.format == "csv":
        # the keys, then the period's rates in one cell: the table stays one row a period for a script
        table = [
            [to_jsonable(row[key]) for key in _SERIES_KEYS] + [_described(r.kpis.fx_used)]
            for row, r in zip(rows, results)
        ]
        return print_csv([*_SERIES_KEYS, "fx_used"], table)
    print_table(
        [_(label) for label, _shown in _SERIES_COLUMNS], [[shown(r) for _l, shown in _SERIES_COLUMNS] for r in results]
    )
    print()
    _print_rates(asof.rates_used(cohort, ends))


def cmd_kpi(args):
    open_ledger(args)
    cohort = _cohort(args)
    if args.series:
        return _kpi_series(args, cohort)
    if args.as_of:
        result = asof.compute(cohort, parse_date(args.as_of))
        data = asof.as_json(result)
    else:
        # Now: the KPIs from the totals kept in step (fast at any size), and the plan figures of this year.
        result = asof.current(cohort)
        data = {"as_of": result.day.isoformat(), **kpi.as_json(result.kpis), **asof.plan_json(result.plan)}
    data["lights"] = lights.counts(cohort, result.day).get(None, lights.LightCounts()).as_json()
    if args.format == "json":
        return print_json(data)
    if args.format == "csv":
        # a row per rate used, under the key the json names them by
        return print_csv(
            ["kpi", "value"],
            [[key, to_jsonable(value)] for key, value in data.items() if not isinstance(value, (dict, list))]
            + [["fx_used", fx.describe_rate(rate)] for rate in result.kpis.fx_used],
        )
    print_table([_("KPI"), _("Value")], _kpi_rows(result))
    print()
    _print_rates(result.kpis.fx_used)


def cmd_brief(args):
    open_ledger(args)
    print(brief.brief(_cohort(args), _date(args.as_of)))


# ---- report ----------------------------------------------------------------------


def cmd_report(args):
    open_ledger(args)
    rows = summaries.summarise(args.dimension, _cohort(args), _date(args.as_of), rank_by=args.rank_by)
    suffix = Path(args.output or "").suffix.lower().lstrip(".")
    fmt = args.format or (suffix if suffix in ("csv", "json", "md", "xlsx") else "table")
    if fmt in summary_table.FORMATS and args.output:
        return summary_table.write(rows, fmt, Path(args.output), args.dimension, force=args.force)
    if fmt == "xlsx":
        raise InvalidInput(_("An xlsx file cannot go to the terminal: give -o FILE.xlsx"))
    out = io.StringIO()
    if fmt == "json":
        keys, values = summary_table.table(rows)
        print_json([dict(zip(keys, row)) | {"total": r.total} for row, r in zip(values, rows)], out)
    elif fmt == "csv":
        out.write(summary_table.csv_text(args.dimension, rows, bom=False))
    else:
        headers, cells = summary_table.headers(args.dimension), summary_table.shown_rows(rows)
        out.write(("## " if fmt == "md" else "") + summary_table.title(args.dimension, rows) + "\n\n")
        if fmt == "md":
            out.write(summary_table.md_table(args.dimension, rows) + "\n")
        else:
            print_table(headers, cells, out)
        out.write("\n" + "\n".join(summary_table.rates_block(summary_table.rates_described(rows))) + "\n")
    if args.output:
        text = out.getvalue()
        write_atomically(Path(args.output), lambda p: p.write_text(text, encoding="utf-8", newline=""), args.force)
    else:
        sys.stdout.write(out.getvalue())


# ---- checks --------------------------------------------------------------------------

_PART = {"liaison": "包联领导", "lead_unit": "责任单位", "timetable": "建设时间表", "plan": "责任方案"}


def cmd_check_five_ones(args):
    from crm.listing.stale import five_ones

    open_ledger(args)
    gaps, checked = five_ones(_cohort(args))
    covered = checked - len(gaps)
    ratio = kpi.Kpis._ratio(covered, checked)
    if args.format == "json":
        return print_json(
            {
                "checked": checked,
                "complete": covered,
                "coverage": kpi.rate_text(ratio),
                "missing": [{"code": g.code, "name": g.name, "missing": list(g.missing)} for g in gaps],
            }
        )
    print_table(
        [_("Code"), _("Name"), _("Missing")],
        [[g.code, g.name, list_sep().join(_PART[m] for m in g.missing)] for g in gaps],
    )
    print(
        _("五个一 complete for {covered} of {checked} deals ({ratio})").format(
            covered=covered, checked=checked, ratio=percent_text(ratio)
        )
    )


# ---- parser ----------------------------------------------------------------------------


def _cohort_options(p) -> None:
    p.add_argument("--event", help=_("signing event (any part of its name)"))
    p.add_argument("--year", help=_("signing year"))
    p.add_argument("--region", help=_("county or district (any part)"))
    p.add_argument("--department", help=_("lead or supporting department (any part)"))
    p.add_argument("--liaison", help=_("liaison leader (包联领导), any part of the name"))
    p.add_argument("--tag", help=_("a tag (京津合作, 市重点 …)"))
    p.add_argument("--archived", action="store_true", help=_("archived deals too"))


def _tags(p) -> None:
    p.add_argument("tags", nargs="+", metavar=_("TAG"), help=_("one or more tags (京津合作, 市重点 …)"))


def _as_of(p) -> None:
    p.add_argument("--as-of", dest="as_of", metavar="DATE", help=_("the ledger as it stood at the end of DATE"))


def register(sub, common):
    """Add the reporting subcommands to `sub`."""

    cmd = command_adder(sub, common)

    p = cmd("progress", cmd_progress, _("add a line to a deal's progress log (本周进展)"))
    deal_code(p)
    p.add_argument("text", metavar=_("TEXT"), help=_("what happened this week"))
    p.add_argument("--on", metavar="DATE", help=_("the day it happened (default today)"))

    p = cmd("plan", cmd_plan, _("set a deal's planned investment for a year (年度计划投资)"))
    deal_code(p)
    p.add_argument("year", metavar=_("YEAR"), help=_("the plan's year (2026)"))
    p.add_argument("amount", metavar=_("AMOUNT"), help=_("e.g. 5亿元; without a currency, the deal's currency"))

    p = cmd(
        "invest",
        cmd_invest,
        _(
            "record investment completed in a month (完成投资), or void it: "
            "crm invest void CODE --month YYYY-MM --note WHY"
        ),
    )
    p.add_argument("code", metavar=_("CODE"), help=_("the deal, or `void`"))
    p.add_argument(
        "amount",
        metavar=_("AMOUNT"),
        help=_("e.g. 5000万元; without a currency, the deal's currency (after `void`: the deal)"),
    )
    p.add_argument("--month", required=True, metavar="YYYY-MM", help=_("the month the investment was completed in"))
    p.add_argument("--note", help=_("with void: why the figure was wrong (required)"))

    p = cmd("tag", cmd_tag, _("put tags on a deal"))
    deal_code(p)
    _tags(p)
    p = cmd("untag", cmd_untag, _("take tags off a deal"))
    deal_code(p)
    _tags(p)

    p = cmd("kpi", cmd_kpi, _("cohort KPIs, now or as of a date, or by period"))
    _cohort_options(p)
    _as_of(p)
    p.add_argument("--series", choices=series.KINDS, help=_("one row per week or month"))
    p.add_argument("--from", metavar="DATE", help=_("with --series: first day (default 1 January)"))
    p.add_argument("--to", metavar="DATE", help=_("with --series: last day (default today)"))
    output_format(p, ["table", "json", "csv"])

    p = cmd("brief", cmd_brief, _("the paragraph for a report upward (截至…，签约项目N个…)"))
    _cohort_options(p)
    _as_of(p)

    p = cmd("report", cmd_report, _("KPIs per region, department, liaison, event, industry or tag, with a total"))
    p.add_argument("dimension", choices=summaries.DIMENSIONS, help=_("what the rows are"))
    _cohort_options(p)
    _as_of(p)
    p.add_argument(
        "--rank-by",
        dest="rank_by",
        metavar="KPI",
        choices=summaries.RANKABLE,
        help=_("rank the rows by this figure: {kpis}").format(kpis=", ".join(summaries.RANKABLE)),
    )
    output_format(p, ["table", "csv", "json", "md", "xlsx"], None)
    p.add_argument("-o", "--output", metavar="PATH", help=_("write to this file (csv, md, xlsx)"))
    p.add_argument("--force", action="store_true", help=_("replace an existing file (never a database)"))

    check = cmd("check", None, _("checks of the ledger: five-ones"))
    csub = check.add_subparsers(dest="check_command", metavar="CHECK", parser_class=sub._parser_class, required=True)
    p = cmd("five-ones", cmd_check_five_ones, _("deals missing part of 五个一"), csub)
    _cohort_options(p)
    output_format(p, ["table", "json"])
