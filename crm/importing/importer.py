"""Importing a bureau's existing ledger (xlsx, xls, ods or CSV) into the database: the entry points.

    plan = read_plan(path)              # reads and checks every row, writes nothing
    report = run_import(path, dry_run)  # the same, then applies it in one transaction

Reading (crm.importing.workbook, crm.importing.headers, crm.importing.cells): the header
row is found below any title and note rows; blank rows, notes, section rows
and 小计 and 其中 rows are skipped; a 合计/总计 row (全县合计, 以上合计, 共计N个 …)
is skipped and its amounts are checked against the sum of its own section's
rows; a totals row ends the table only when no deal rows follow (notes,
signatures). Every cell that cannot be read becomes a
Problem with its row, column and value.

Applying goes through the same functions as the CLI — create_deal,
edit_deal, set_supporting, change_stage, add_blocker, add_department,
add_event — so the audit trail and the stage ledger are written as for any
other change. A row is matched to an existing deal by its code when the file
has one, else by its business key: the name (compared after NFKC and without
spaces) and the signing date when given, else the event when given. Matched
deals get only the fields that differ (so importing a file twice changes
nothing); a stage that moves forward is recorded as a stage change dated the
day the row says it was reached (实际开工时间, "11月20日已开工": crm.importing.reached),
else the sheet's stated day or the day of the import; a new deal past 签约 is
at its stage from that day too, 签约 from its signing date before it. A stage
the file has behind the ledger's is refused rather than rolled back. A new
deal named like one of the ledger's (signed another day, or but for a trailing
项目) is warned of (可能是 …) and refused under --strict. Problems are added when the deal has no blocker with the
same text; 无/暂无 add none, 已解决 resolves the deal's open ones. Departments,
events and people are matched by name exactly (after width and space folding)
or created; a ledger name containing the file's, contained in it, or a
character or two away is only suggested (crm.importing.names). A 责任单位 cell
naming several units gives the first as lead unit, the others as supporting.

The whole import is one transaction: when any row is refused nothing is
written, and --dry-run rolls back even a clean import after counting what it
would have done.

Where each part lives: crm.importing.workbook (reading files), headers (which
column means what), cells (reading one cell), rows (one data row), columns
(the data rows read column by column), plan (a sheet read and checked), scan (which rows are deals), breakdown
(a 其中 breakdown's parts), tables_below (tables after the last 合计), totals (合计 rows), names (departments,
events, people), reached (the day a row's stage was reached), apply (writing in one transaction), bulk (new deals
in batches), aside (indexes and kept-totals triggers set aside by a large first import),
records (the import log and revert).
"""

from __future__ import annotations

from crm.importing.apply import run_import
from crm.importing.plan import Plan, _plan, read_plan
from crm.importing.report import Report
from crm.importing.rows import DEAL_FIELDS, Problem, RowPlan, name_key
from crm.importing.scan import _Scan


def parse_map(text: str) -> dict:
    """The column map typed as 列名=字段, 列名=字段 … (or one per line): header → field, or None for "-"."""
    from crm.foundation.errors import InvalidInput
    from crm.foundation.i18n import _
    from crm.importing.headers import field_named

    mapping = {}
    for pair in [p.strip() for p in text.replace("，", ",").replace("\n", ",").split(",") if p.strip()]:
        label, sep, name = pair.partition("=")
        if not sep or not label.strip():
            raise InvalidInput(
                _("Write each column as 列名=字段 (e.g. 所属县区=region), not {pair!r}").format(pair=pair)
            )
        mapping[label.strip()] = field_named(name.strip())
    return mapping


#: Rows a skip list may name: as many as a worksheet has (Excel's and WPS's 1,048,576).
_MOST_SKIPPED = 1_048_576


def parse_rows(text: str) -> set[int]:
    """Row numbers typed as 7, 12 15-18: the rows to leave out of an import."""
    from crm.foundation.errors import InvalidInput
    from crm.foundation.i18n import _

    rows: set[int] = set()
    for part in text.replace("，", ",").replace(",", " ").split():
        first, sep, last = part.partition("-")
        if not first.isdecimal() or (sep and not last.isdecimal()):
            raise InvalidInput(_("Rows to skip are numbers or ranges (7, 12, 15-18), not {part!r}").format(part=part))
        low, high = int(first), int(last or first)
        if high < low:
            raise InvalidInput(
                _("{part} runs backwards: write the rows to skip as {low}-{high}").format(part=part, low=high, high=low)
            )
        if len(rows) + high - low >= _MOST_SKIPPED:  # 1-99999999 typed by mistake would fill the memory
            raise InvalidInput(
                _("{part}: at most {n} rows can be skipped, as many as a sheet has").format(n=_MOST_SKIPPED, part=part)
            )
        rows.update(range(low, high + 1))
    return rows


__all__ = [
    "parse_map",
    "parse_rows",
    "DEAL_FIELDS",
    "Plan",
    "Problem",
    "Report",
    "RowPlan",
    "_Scan",
    "_plan",
    "name_key",
    "read_plan",
    "run_import",
]
