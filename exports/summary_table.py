"""A summary report (crm.reporting.summaries) as a table of plain values, and written to csv or xlsx.

The columns and values are those of `crm report … --format csv|xlsx`, so a file
saved from the TUI's Report screen is the file the CLI writes for the same cohort.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from crm.reporting import asof, kpi

#: The KPIs of a report row, in the order of its columns (after the group's name).
KEYS = (
    "deals",
    "total_cny",
    "start_rate",
    "planned_starts",
    "started_on_plan",
    "start_plan_rate",
    "overdue_starts",
    "planned_operations",
    "operating_on_plan",
    "operating_plan_rate",
    "invest_plan_cny",
    "invest_done_cny",
    "invest_plan_rate",
    "schedule_gap",
    "funds_cny",
    "funds_rate",
    "blockers_raised",
    "blockers_open",
    "blockers_resolved",
    "resolution_rate",
    "green",
    "yellow",
    "red",
)
FORMATS = ("xlsx", "csv")
#: A file name's suffix → the format it says.
SUFFIXES = {f".{fmt}": fmt for fmt in FORMATS}


def table(rows: list) -> tuple[list[str], list[list]]:
    """(headers, rows of plain values) of summary rows: amounts and rates as decimal strings, None when undefined."""
    headers = ["group", *KEYS]
    out = []
    for row in rows:
        data = {**kpi.as_json(row.result.kpis), **asof.plan_json(row.result.plan), **row.lights.as_json()}
        out.append([row.label] + [data[key] for key in KEYS])
    return headers, out


def csv_text(headers: list[str], values: list[list]) -> str:
    """The csv of a table, as `crm report --format csv` prints it (blank for an undefined rate)."""
    out = io.StringIO()
    csv.writer(out).writerows([headers] + [["" if v is None else v for v in row] for row in values])
    return out.getvalue()


def write(rows: list, fmt: str, path: Path, force: bool = False) -> None:
    """Write summary `rows` (the 合计 row last) to `path` as `fmt` (xlsx or csv), whole or not at all.

    An existing file is replaced only with `force` (crm.foundation.files.output_file's rules).
    """
    from exports.weekly_files import write_atomically

    headers, values = table(rows)
    if fmt == "xlsx":
        from exports.summary_xlsx import write_summary

        write_atomically(path, lambda p: write_summary(headers, values, str(p)), force=force)
        return
    content = csv_text(headers, values)
    write_atomically(path, lambda p: p.write_text(content, encoding="utf-8", newline=""), force=force)
