"""A summary report (crm.reporting.summaries) as people read it and as plain values.

One declaration of the columns (their header and kind) serves the Report screen, `crm report` and the files both
write, so a file saved from the screen is the file the CLI writes for the same cohort and day. People get
Chinese headers with their units, amounts in 亿元, rates in per cent, a title with the as-of day and the
exchange rates used (the terminal, csv, md, xlsx); scripts get the plain values under stable keys (json).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from crm.foundation.i18n import N_, _
from crm.reference import fx
from crm.reporting import asof, kpi
from crm.values.money import YI, format_yi, marked_about, percent_text

#: What a report groups by → (the choice's label, the group column's header).
DIMENSION_LABELS = {
    "regions": (N_("By region"), N_("Region")),
    "departments": (N_("By lead unit"), N_("Lead unit")),
    "liaisons": (N_("By liaison leader"), N_("Liaison leader")),
    "events": (N_("By signing event"), N_("Event")),
    "industries": (N_("By industry"), N_("Industry")),
    "tags": (N_("By tag"), N_("Tag")),
}
#: Each KPI column (after the group's name): its header and its kind — yi (CNY shown in 亿元), rate, gap
#: (percentage points), count.
COLUMNS = {
    "deals": (N_("Number of deals"), "count"),
    "total_cny": (N_("Total (100m CNY)"), "yi"),
    "start_rate": (N_("Started share"), "rate"),
    "planned_starts": (N_("Planned starts"), "count"),
    "started_on_plan": (N_("Started of plan"), "count"),
    "start_plan_rate": (N_("Start rate vs plan"), "rate"),
    "overdue_starts": (N_("Overdue starts"), "count"),
    "planned_operations": (N_("Planned to operate"), "count"),
    "operating_on_plan": (N_("Operating of plan"), "count"),
    "operating_plan_rate": (N_("Operating rate vs plan"), "rate"),
    "invest_plan_cny": (N_("Year plan (100m CNY)"), "yi"),
    "invest_done_cny": (N_("Completed (100m CNY)"), "yi"),
    "invest_plan_rate": (N_("Share of plan"), "rate"),
    "schedule_gap": (N_("vs schedule, pts"), "gap"),
    "funds_cny": (N_("Funds arrived (100m CNY)"), "yi"),
    "funds_rate": (N_("Funds rate"), "rate"),
    "blockers_raised": (N_("Blockers"), "count"),
    "blockers_open": (N_("Blockers open"), "count"),
    "blockers_resolved": (N_("Blockers resolved"), "count"),
    "resolution_rate": (N_("Resolution rate"), "rate"),
    "green": (N_("Green"), "count"),
    "yellow": (N_("Yellow"), "count"),
    "red": (N_("Red"), "count"),
}
#: The KPIs of a report row, in the order of its columns (the json's keys).
KEYS = tuple(COLUMNS)
FORMATS = ("xlsx", "csv")
#: A file name's suffix → the format it says.
SUFFIXES = {f".{fmt}": fmt for fmt in FORMATS}
_CENT = Decimal("0.01")


def table(rows: list) -> tuple[list[str], list[list]]:
    """(headers, rows of plain values) of summary rows, as `crm report --format json` gives them: stable keys,
    amounts in yuan and rates as fractions (decimal strings), None when undefined; last, `approximate`: whether
    total_cny includes an approximate amount (as `crm kpi` says)."""
    headers = ["group", *KEYS, "approximate"]
    out = []
    for row in rows:
        data = {**kpi.as_json(row.result.kpis), **asof.plan_json(row.result.plan), **row.lights.as_json()}
        out.append([row.label] + [data[key] for key in KEYS] + [row.result.kpis.approximate])
    return headers, out


#: The column whose figure an approximate amount makes approximate (marked 约 where it does).
_APPROXIMATE_KEY = "total_cny"
_APPROXIMATE_AT = KEYS.index(_APPROXIMATE_KEY) + 1  # in a row, after the group's name


def cell(value, kind: str) -> str:
    """A plain value of `table` as a person reads it: 12.79 (亿元), 39.13%, +2.50 (points), — when undefined."""
    if value is None:
        return "—"
    if kind == "yi":
        return format_yi(Decimal(value))
    if kind == "rate":
        return percent_text(Decimal(value))
    if kind == "gap":
        return f"{Decimal(value):+.2f}"
    return str(value)


def figure(value, kind: str) -> Decimal | int | None:
    """A plain value of `table` as a file's number: 亿元 (exact), per cent to 0.01, points to 0.01, a count."""
    if value is None:
        return None
    if kind == "yi":
        return (Decimal(value) / YI).normalize() + 0  # + 0: 1E+1 as 10
    if kind == "rate":
        return (Decimal(value) * 100).quantize(_CENT, rounding=ROUND_HALF_UP)
    if kind == "gap":
        return Decimal(value).quantize(_CENT, rounding=ROUND_HALF_UP)
    return int(value)


def headers(dimension: str, units: bool = False) -> list[str]:
    """The columns' headers: the group's (县(市、区) …), then each KPI's; `units`: a rate's says (%) as a file's do."""
    out = [_(DIMENSION_LABELS[dimension][1])]
    for label, kind in COLUMNS.values():
        out.append(_("{label} (%)").format(label=_(label)) if units and kind == "rate" else _(label))
    return out


def shown_rows(rows: list) -> list[list[str]]:
    """Each row's cells as the terminal and the screen show them (the group's name first, 合计 for the total)."""
    _headers, values = table(rows)
    out = []
    for row, plain in zip(rows, values):
        cells = [_label(row)] + [cell(v, kind) for v, (_h, kind) in zip(plain[1:], COLUMNS.values())]
        cells[_APPROXIMATE_AT] = marked_about(cells[_APPROXIMATE_AT], row.result.kpis.approximate)
        out.append(cells)
    return out


def file_rows(rows: list) -> list[list]:
    """Each row's numbers as csv and xlsx write them (None when undefined), the group's name first."""
    _headers, values = table(rows)
    return [
        [_label(row)] + [figure(v, kind) for v, (_h, kind) in zip(plain[1:], COLUMNS.values())]
        for row, plain in zip(rows, values)
    ]


def _label(row) -> str:
    return _("Total") if row.total else row.label


def title(dimension: str, rows: list) -> str:
    """按县(市、区)汇总（截至2020-12-31） — what the report is and the day it is as of."""
    return _("{by} summary (as of {day})").format(
        by=_(DIMENSION_LABELS[dimension][0]), day=rows[-1].result.day.isoformat()
    )


def rates_described(rows: list) -> list[str]:
    """The exchange rates the total converted foreign-currency amounts at, named as `crm kpi` names them."""
    return [fx.describe_rate(r) for r in rows[-1].result.kpis.fx_used]


def rates_block(described: list[str]) -> list[str]:
    """所用汇率： then a rate a line, indented (on one line they made a table hundreds of columns wide), or
    所用汇率：无(均为人民币) — under a table in the terminal or Markdown."""
    if not described:
        return [_("Exchange rates used: {rates}").format(rates=_("none (all CNY)"))]
    return [_("Exchange rates used: {rates}").format(rates="").rstrip(), *("  " + rate for rate in described)]


def rates_line(rows: list) -> str:
    """所用汇率：… (无(均为人民币) when every amount is in CNY), one line."""
    return _("Exchange rates used: {rates}").format(rates="; ".join(rates_described(rows)) or _("none (all CNY)"))


def md_table(dimension: str, rows: list) -> str:
    """The report's table in GitHub Markdown, padded as the weekly md is (a Chinese character two columns), so
    that its source reads as a table too; no newline after it."""
    from exports.weekly_text import tabulate

    cells = [[_md_cell(text) for text in row] for row in shown_rows(rows)]
    return tabulate(
        cells,
        headers=[_md_cell(h) for h in headers(dimension)],
        tablefmt="github",
        disable_numparse=True,
        colalign=["left", *("right" for _column in COLUMNS)],
    )


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def csv_text(dimension: str, rows: list, bom: bool = True) -> str:
    """The csv of a report as Excel opens it: a BOM (a file's, not a pipe's), the title, the headers with units,
    the rows, the rates."""
    import csv
    import io

    out = io.StringIO()
    out.write("\ufeff" if bom else "")
    writer = csv.writer(out)
    writer.writerow([title(dimension, rows)])
    # a last column says 是 where the total includes an approximate amount: the total itself stays a number
    writer.writerow([*headers(dimension, units=True), _("Total approximate")])
    for row, values in zip(rows, file_rows(rows)):
        flag = _("yes") if row.result.kpis.approximate else ""
        writer.writerow(["" if v is None else v for v in [*values, flag]])
    writer.writerow([rates_line(rows)])
    return out.getvalue()


def write(rows: list, fmt: str, path: Path, dimension: str, force: bool = False) -> None:
    """Write summary `rows` (the 合计 row last), grouped by `dimension`, to `path` as `fmt` (xlsx or csv), whole or
    not at all. An existing file is replaced only with `force` (crm.foundation.files.output_file's rules)."""
    from exports.weekly_files import write_atomically

    if fmt == "xlsx":
        from exports.summary_xlsx import write_summary

        rates = rates_described(rows)
        # one rate a line: a line of them all would widen the printed page past the table
        notes = [_("Exchange rates used"), *rates] if rates else [rates_line(rows)]
        sheet = _(DIMENSION_LABELS[dimension][0])
        kinds = [kind for _label, kind in COLUMNS.values()]
        shape = (sheet, title(dimension, rows), headers(dimension, units=True), kinds, file_rows(rows), notes)
        marked = {(r, _APPROXIMATE_AT) for r, row in enumerate(rows) if row.result.kpis.approximate}
        write_atomically(
            path, lambda p: write_summary(str(p), *shape, marked=marked, mark=marked_about("")), force=force
        )
        return
    content = csv_text(dimension, rows)
    write_atomically(path, lambda p: p.write_text(content, encoding="utf-8", newline=""), force=force)
