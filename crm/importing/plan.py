"""Reading a sheet into a Plan: the header found, each row read and checked, nothing written.

The rows below the header are sorted out (crm.importing.scan) into data rows, totals rows and skipped rows
(notes, section rows, 小计 and 其中 rows, a header printed again); RowChunks reads the data rows a chunk at a time.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import _, list_sep
from crm.importing.cells import cell_text, inline, is_blank
from crm.importing.claims import TWIN, twin_filled, twin_notices
from crm.importing.columns import read_rows
from crm.importing.county import county_notice
from crm.importing.headers import (
    Header,
    find_header,
    header_key,
    map_name,
    names_a_project,
    normalise,
)
from crm.importing.hidden import hidden_column_notices, hidden_row_notices, hidden_sheet_notices, no_header_but_hidden
from crm.importing.investment_columns import InvestColumns, investment_columns
from crm.importing.remembered import Remembered
from crm.importing.rows import Problem, RowPlan, _cell_of, _Sheet
from crm.importing.scan import _formulas_message, _Scan
from crm.importing.sheet_notes import title_regions
from crm.importing.tables_below import row_ranges
from crm.importing.totals import AmountSums, check_totals, warnings_of
from crm.importing.workbook import Grid, read_sheets
from crm.values.dates import AsOf, month_end


@dataclass
class Plan:
    source: str
    sheet: str
    kind: str
    encoding: str
    header: Header | None
    rows: list[RowPlan] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: list = field(default_factory=list)  # (row, reason code)
    notices: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # said in the preview; refuse nothing (unless --strict)
    stated_on: datetime.date | None = None  # the date the sheet says its data is as of (截至 …)
    header_key: str = ""  # the header row as remembered with the mapping chosen for it
    totals_checked: list = field(default_factory=list)  # (row, column label, total text, sum text)
    labels: dict = field(default_factory=dict)  # field -> its column as messages name it
    chunks: RowChunks | None = None  # read_plan(stream=True): the data rows, read as they are taken (rows stays [])
    # A sheet without a county column: the county its title names (定兴县…推进表), given to its new deals.
    region: str | None = None
    title_regions: list[str] = field(default_factory=list)  # every county the title area names
    invest: InvestColumns | None = None  # its columns of planned and completed investment the import takes


def read_plan(
    path: str | Path,
    sheet: str | None = None,
    today: datetime.date | None = None,
    progress=None,
    overrides: dict | None = None,
    remembered=None,
    stream: bool = False,
) -> Plan:
    """Read and check `path`; raises InvalidInput when no sheet has a ledger header.

    `overrides` maps a header as written to a field (or None: leave the column unused), before any matching;
    `remembered(header_key)` may give the overrides chosen before for a header row (used when none are given).
    With `stream`, the data rows are sorted out but not read: `plan.chunks` reads them a chunk at a time, and
    the plan's problems, warnings and totals are complete once every chunk is taken (RowChunks).
    """
    read = read_sheets(path, sheet)
    grids = read.grids
    wanted = {normalise(k): v for k, v in (overrides or {}).items()}
    for at, grid in enumerate(grids):
        header = find_header(grid.rows, overrides=wanted, merged=grid.merged, hidden=grid.hidden_columns)
        if header is not None and not wanted and remembered is not None:
            earlier = remembered(header_key(header.labels.values()))
            if earlier:
                header = (
                    find_header(grid.rows, overrides=earlier, merged=grid.merged, hidden=grid.hidden_columns) or header
                )
        if header is not None:
            _refuse_unknown(wanted, [grid])  # a --map of a column this sheet lacks is a typo, not a wish
            plan = _plan(grid, header, today or datetime.date.today(), progress, stream)
            plan.header_key = header_key(header.labels.values())
            if sheet is None:
                _other_tables(plan, path, grids[:at] + grids[at + 1 :])
            plan.notices += hidden_sheet_notices(path, read.hidden)
            return plan
    for grid in grids:
        if grid.uncomputed:  # the header's own cells may be formulas never computed
            raise InvalidInput(_formulas_message(grid, grid.uncomputed))
    _refuse_unknown(wanted, grids)
    if read.hidden:
        raise InvalidInput(no_header_but_hidden(path, read.hidden))
    where = _("sheet {sheet!r}").format(sheet=grids[0].sheet) if sheet and grids else str(path)
    raise InvalidInput(
        _(
            "No header row found in {where}: a ledger needs a row of column names with at least the project name "
            "(项目名称) and one more column, e.g. 总投资, 签约时间, 所在地"
        ).format(where=where)
    )


def _other_tables(plan: Plan, path, grids: list) -> None:
    """Name the other sheets that have a deal table's header (签约项目 beside 在谈项目): only one is imported."""
    names = [g.sheet for g in grids if g.sheet and _names_deals(g)]
    if names:
        plan.notices.append(
            _(
                "Sheets {sheets} also hold a table of deals and were not imported: import each with --sheet "
                "(crm import {file} --sheet {sheet})"
            ).format(sheets=list_sep().join(f"“{n}”" for n in names), file=Path(path).name, sheet=names[0])
        )


def _names_deals(grid: Grid, look: int = 20) -> bool:
    """Whether `grid` has a deal table's header with projects' names below it: most of the first `look` cells of
    its name column (a 汇总 sheet's 阶段 | 项目 | 折合人民币 counts deals: its 项目 column holds numbers)."""
    header = find_header(grid.rows, merged=grid.merged, hidden=grid.hidden_columns)
    col = None if header is None else header.columns.get("name")
    if col is None:
        return False
    cells = [values[col] for _n, values in grid.rows[header.index + 1 : header.index + 1 + look] if col < len(values)]
    cells = [cell for cell in cells if cell is not None and not is_blank(cell)]
    named = [cell for cell in cells if isinstance(cell, str) and names_a_project(cell)]
    return len(named) * 2 > len(cells)  # most of them: a stray label (值) under counts is no project


def _plan(grid: Grid, header: Header, today: datetime.date, progress, stream: bool = False) -> Plan:
    sheet = _Sheet(grid, header)
    plan = Plan(
        source=grid.source, sheet=grid.sheet, kind=grid.kind, encoding=grid.encoding, header=header, labels=sheet.labels
    )
    plan.stated_on = sheet.stated_on
    for f, label, used in header.duplicates:
        plan.notices.append(
            _("Column “{label}” also names {field}; column “{used}” is used").format(
                label=inline(str(label)), field=map_name(f), used=inline(str(used))
            )
        )
    plan.notices += twin_notices(header)
    if (county := county_notice(header.columns, header.labels)) is not None:
        plan.notices.append(county)
    plan.notices += hidden_column_notices(header)
    if "region" not in header.columns:
        _region_from_title(plan, grid, header)
    _units(plan, sheet)
    plan.invest = investment_columns(plan, sheet)
    scan = _Scan(sheet, as_of(sheet.stated_on, sheet.year, today))
    scan.read(grid.rows[header.index + 1 :], progress)
    if grid.more is None:  # else the rows still to come are sorted out as the chunks are taken
        scan.data += scan.finish()
        plan.skipped = scan.skipped
        _after_totals(plan, scan)
    plan.chunks = RowChunks(plan, sheet, scan)
    if not stream:  # every chunk taken now: the rows, their problems, warnings and totals complete
        rows = [row for chunk in plan.chunks for row in chunk]
        plan.rows, plan.chunks = rows, None
    return plan


def _refuse_unknown(wanted: dict, grids: list[Grid]) -> None:
    """Refuse (InvalidInput) the --map columns no cell of `grids`' first 40 rows names."""
    if wanted:
        unknown = sorted(set(wanted) - {normalise(v) for g in grids for _n, row in g.rows[:40] for v in row if v})
        if unknown:
            raise InvalidInput(
                _("--map names columns the file does not have: {names}").format(names=list_sep().join(unknown))
            )


def _region_from_title(plan: Plan, grid: Grid, header: Header) -> None:
    """For a sheet with no county column: the county of its new deals, when the rows above its header name
    exactly one (定兴县2026年第48周…推进表, 保定市定兴县…, 填报单位：定兴县商务局), said in a notice."""
    plan.title_regions = title_regions(grid.rows[: header.index])
    if len(plan.title_regions) == 1:
        plan.region = plan.title_regions[0]
        plan.notices.append(
            _("County (县(市、区)) taken from the title: {region} (the sheet has no county column)").format(
                region=plan.region
            )
        )


def no_region_warning(plan: Plan, created: int) -> Problem | None:
    """The warning, once for the sheet, that its `created` new deals get no county: it has no county column and its
    title names none (or several); None when they get one, or there are none."""
    if not created or plan.region is not None or plan.header is None or "region" in plan.header.columns:
        return None
    if plan.title_regions:
        message = _(
            "The sheet has no county column (县(市、区)) and its title names several ({regions}): the {n} new deals "
            "get no county; add a county column, or map one with --map 列名=region"
        ).format(regions=list_sep().join(plan.title_regions), n=created)
    else:
        message = _(
            "The sheet has no county column (县(市、区)) and its title names none: the {n} new deals get no county; "
            "name the county in the title, add a county column, or map one with --map 列名=region"
        ).format(n=created)
    return Problem(None, None, None, "no_region", message)


def as_of(stated_on: datetime.date | None, year: int | None, today: datetime.date) -> AsOf:
    """The day the sheet's dates are read against (a date without its year is the latest such day on or before
    it): the day it states (截至2021年1月5日; a month stated is its last day), else the end of the year its title
    names, else `today`."""
    if stated_on is not None:
        # stated_date reads 截至2020年6月 as the 1st: the data runs to the month's end.
        return AsOf.of(month_end(stated_on) if stated_on.day == 1 else stated_on)
    return AsOf.of(datetime.date(year, 12, 31) if year else today)


#: Units of amount columns, checked against each other and a 单位 note above the table.
_AMOUNTS = ("amount", "amount_cny", "funds", TWIN)


def _units(plan: Plan, sheet: _Sheet) -> None:
    """Give each amount column the unit of its two-row header's other row (投资情况（万元） over 总投资) when its own
    label has none; warn when two headers, or a header and a 单位 note, say different units (the column's own
    label wins, then its group's, then the note)."""
    header = sheet.header
    for f in _AMOUNTS:
        col = header.columns.get(f)
        if col is None:
            continue
        own, (group, said) = sheet.units.get(f), header.units.get(col, (None, None))
        if own is None and group is not None:
            sheet.units[f] = own = group
        elif own is not None and group is not None and own != group:
            _unit_conflict(plan, sheet, f, _("the header “{text}” above it").format(text=inline(said)), group)
        if own is not None and sheet.note_unit is not None and own != sheet.note_unit:
            _unit_conflict(plan, sheet, f, _("the note above the table"), sheet.note_unit)


def _unit_conflict(plan: Plan, sheet: _Sheet, f: str, where: str, other: tuple) -> None:
    used = sheet.units[f]
    plan.warnings.append(
        Problem(
            sheet.header.row,
            sheet.label(f),
            inline(str(sheet.header.labels[sheet.header.columns[f]])),
            "unit_conflict",
            _(
                "The column says {used} but {where} says {other}: its numbers are read in {used}; check which is "
                "right and correct the header or the note"
            ).format(used=_unit_words(used), where=where, other=_unit_words(other)),
        )
    )


def _unit_words(unit: tuple) -> str:
    """A unit as a header writes it: (10^4, CNY) → 万元, (10^8, USD) → 亿美元, (1, CNY) → 元."""
    from crm.values.money import MILLION, WAN, YI, ZH_SUFFIX

    multiplier, currency = unit
    words = {YI: "亿", WAN: "万", MILLION: "百万"}.get(multiplier, "")
    return words + ZH_SUFFIX.get(currency, currency)


def _after_totals(plan: Plan, scan: _Scan) -> None:
    """Say what the sheet's layout made of its rows: rows after the last totals row taken as notes (naming those
    that name a project), rows after a totals row imported as the next section's, 其中 rows left out, and the rows
    hidden in the sheet, left out."""
    plan.notices += hidden_row_notices(scan.sheet.grid, scan.sheet.header)
    if scan.ended_at is not None and any(why == "after_totals" for _r, why in scan.skipped):
        if scan.named_after:
            plan.notices.append(
                _(
                    "Rows after the totals row {row} were taken as notes and not imported, among them {rows}: a "
                    "deal's row after a totals row needs its number (序号) and an amount or a date"
                ).format(
                    row=scan.ended_at,
                    rows=list_sep().join(_("row {row} “{name}”").format(row=r, name=n) for r, n in scan.named_after),
                )
            )
        else:
            plan.notices.append(
                _("Rows after the totals row {row} were taken as notes and not imported").format(row=scan.ended_at)
            )
    if scan.resumed:
        plan.notices.append(
            _(
                "Deal rows follow the totals rows {rows}: they were imported as the next section's, and each totals "
                "row was checked against the rows of its own section"
            ).format(rows=list_sep().join(map(str, scan.resumed)))
        )
    breakdown = [r for r, why in scan.skipped if why == "breakdown"]
    if breakdown:
        plan.notices.append(
            _(
                "Rows {rows} (其中 …) break down the rows above them: not imported as deals and not added to the totals"
            ).format(rows=list_sep().join(map(str, breakdown)))
        )
    _other_tables_below(plan, scan)
    _breakdown_parts(plan, scan)
    plan.notices += scan.notices()  # named subtotals (满城区小计（2个）) and rows below a signature line


def _breakdown_parts(plan: Plan, scan: _Scan) -> None:
    """Say which rows were taken as the parts of a 其中 breakdown: those without a 序号, those numbered as parts
    ((1), ①), and those whose names number them with no 其中 row (1、一期工程); and how to keep a row that is a
    deal (what only a deal has: its 签约时间 or 投资方)."""
    by_number, by_name = set(scan.breakdown.numbered_parts), set(scan.breakdown.named_parts)
    parts = [r for r, why in scan.skipped if why == "breakdown_part" and r not in by_number | by_name]
    said = (
        (
            parts,
            _(
                "Rows {rows} follow a 其中 row without a 序号 of their own, and their amounts are parts of the deal "
                "above: taken as its breakdown, not imported as deals; if a row is a deal, give it its 签约时间 or "
                "投资方 (in a column of that name if the sheet has none)"
            ),
        ),
        (
            by_number,
            _(
                "Rows {rows} follow a 其中 row numbered as its parts are ((1), (2) … or ①, ② …), and their amounts are "
                "parts of the deal above: taken as its breakdown, not imported as deals; if a row is a deal, give it "
                "its 签约时间 or 投资方 (in a column of that name if the sheet has none)"
            ),
        ),
        (
            by_name,
            _(
                "Rows {rows} right below a deal's row have no 序号 of their own, their names number its parts from 1 "
                "(1、 2、 … or (1), (2) …), and their amounts add up to the deal's: taken as its breakdown, not "
                "imported as deals; if a row is a deal, give it its 序号, 签约时间 or 投资方"
            ),
        ),
    )
    for rows, notice in said:
        if rows:
            plan.notices.append(notice.format(rows=list_sep().join(map(str, sorted(rows)))))


def _other_tables_below(plan: Plan, scan: _Scan) -> None:
    """Say which rows below the deals were tables of their own: summaries, and deal tables with other columns."""
    below = scan.below
    summaries, deal_tables = below.rows(deals=False), below.rows(deals=True)
    if summaries:
        plan.notices.append(
            _(
                "Rows {rows} below the deals are tables of their own, each under its own header (rows {headers}): "
                "not imported as deals and not checked as their totals"
            ).format(rows=row_ranges(summaries), headers=list_sep().join(map(str, below.headers(deals=False))))
        )
    if deal_tables:
        plan.notices.append(
            _(
                "Rows {rows} are another table of deals under its own header (rows {headers}), whose columns are not "
                "those of the table above: not imported; copy it to a sheet of its own and import that sheet with "
                "--sheet"
            ).format(rows=row_ranges(deal_tables), headers=list_sep().join(map(str, below.headers(deals=True))))
        )


def _check_duplicates(plan: Plan, rows: list, seen: Remembered, codes: Remembered) -> None:
    """Refuse each row of `rows` naming the deal of an earlier row; `seen` (key) and `codes` (code): earlier rows'."""
    keys = seen.lookup({row.key for row in rows if row.values and not row.code})  # a row with a code: by its code
    known = codes.lookup({row.code for row in rows if row.values and row.code})
    new_keys, new_codes = {}, {}
    for row in rows:
        if not row.values:
            continue
        # Two rows with different codes are two deals, even under one name and date.
        first = known.get(row.code) if row.code else keys.get(row.key)
        if first is not None:
            label, raw = _cell_of(row, plan.labels, "code" if row.code else "name") or ("", None)
            message = (
                _("The same code as row {row}")
                if row.code
                else _("The same deal as row {row} (same name and signing date or event)")
            ).format(row=first)
            plan.problems.append(Problem(row.row, label, cell_text(raw), "duplicate", message))
            row.values = {}
            continue
        keys[row.key] = new_keys[row.key] = row.row
        if row.code:
            known[row.code] = new_codes[row.code] = row.row
    seen.update(new_keys)
    codes.update(new_codes)


#: Rows a notice names one by one (as ranges); the others it counts.
MONTH_ROWS_NAMED = 20


class MonthOnlySigned:
    """The rows whose signing date names a month alone (二〇二五年十二月), said once for the sheet: each is recorded as
    the month's 1st and marked month-only, which a reader of the file would not guess (a part of a month, 2025年
    下半年, is warned of row by row instead)."""

    def __init__(self, label: str):
        self.label = label
        self.rows: list[int] = []
        self.examples: dict[int, tuple[str, str]] = {}  # row -> (the cell as written, the month kept), of the first

    def add(self, rows: list[RowPlan]) -> None:
        """Note the rows of `rows` (read) whose signing date was kept as a month (its text YYYY-MM)."""
        months = [r for r in rows if len(r.values.get("signed_on") or "") == 7]  # one look per row: a million
        for r in months:
            if _part_of_month_warned(r, self.label):
                continue
            self.rows.append(r.row)
            if len(self.examples) < MONTH_ROWS_NAMED:  # one to show, whichever rows the user skips
                self.examples[r.row] = (inline(cell_text(r.raw.get("signed_on"))), r.values["signed_on"])

    def notices(self, left_out: set) -> list[str]:
        """The notice naming the rows noted but those `left_out` (skipped by the user); none when no row is left."""
        rows = [n for n in self.rows if n not in left_out]
        if not rows:
            return []
        named = row_ranges(rows[:MONTH_ROWS_NAMED])
        if len(rows) > MONTH_ROWS_NAMED:
            named += list_sep() + _("and {n} more rows").format(n=len(rows) - MONTH_ROWS_NAMED)
        example = next((self.examples[n] for n in rows if n in self.examples), None)
        shown = (
            "" if example is None else _(" (e.g. “{text}”, shown as {month})").format(text=example[0], month=example[1])
        )
        return [
            _(
                "{label}: rows {rows} give the signing date as a month only{example}: each was recorded as the 1st "
                "of that month and flagged as month-only; write the day where it is known"
            ).format(label=self.label, rows=named, example=shown)
        ]


def _part_of_month_warned(row: RowPlan, label: str) -> bool:
    """Whether `row` was warned that its signing date (column `label`) names part of a month (上旬, 下半年)."""
    return bool(row.warnings) and any(w.code == "part_of_month" and w.column == label for w in row.warnings)


#: Data rows read (and applied, by run_import) at a time: what is alive of the rows read is at most this many.
CHUNK = 200_000
#: The same for a sheet streamed slice by slice (a large one): its chunk's RowPlans are most of what is alive.
STREAMED_CHUNK = 25_000


class RowChunks:
    """A streamed plan's data rows, read CHUNK at a time in order (`for rows in plan.chunks`).

    Each chunk's rows are read as _plan reads them all, and refused when they repeat an earlier row's
    deal; the plan's problems are read problems, then repeated rows, then totals, as _plan lists them,
    once the last chunk is taken. A totals row is checked against every data row, so the amounts its
    check needs are added up as rows are read (totals.AmountSums; only when the sheet may have one).

    A sheet streamed slice by slice (Grid.more) is sorted out as its slices come: then `count` is at
    most the data rows, and the plan's skipped rows (and `late_notices`, said of them) are known once
    the last chunk is taken.
    """

    def __init__(self, plan: Plan, sheet: _Sheet, scan: _Scan):
        self.plan, self.sheet, self.scan = plan, sheet, scan
        self._data, scan.data = scan.data, []
        grid = sheet.grid
        self._more, grid.more = grid.more, None  # the rows still to come, a slice at a time (streamed sheets)
        self.streamed = self._more is not None
        # Data rows in all (each is a RowPlan, unless refused unread); of a streamed sheet, at most that many.
        self.count = len(self._data)
        if self.streamed:
            self.count = max(self.count, grid.rows_at_most - sheet.header.index - 1)
        self.rows_read = 0
        self.taken = 0  # data rows read so far (those left out and refused unread too)
        self.skipped_by_user: list = []  # (row, "skipped_by_user") of the rows run_import left out, in order
        self.left_out = 0  # rows read and left out by the user
        self.late_notices: list[str] = []  # notices of a streamed sheet's skipped rows, once all are taken
        self._seen = Remembered()  # deal key -> the first row with it
        self._codes = Remembered()  # code -> the first row with it
        self._repeats: list[Problem] = []
        self._sums = AmountSums(sheet) if scan.totals or self.streamed else None
        self._months = MonthOnlySigned(sheet.label("signed_on")) if "signed_on" in sheet.header.columns else None
        self.done = False

    def codes(self, leave_out: set | frozenset = frozenset()) -> set[str]:
        """The deal codes of the data rows but those numbered in `leave_out`, as their RowPlans will have them."""
        from crm.importing.columns import codes_of

        if not self.streamed:
            return codes_of(self.sheet, self._data, leave_out)
        # A streamed sheet's rows are not kept: its codes are read from the sheet afresh.
        grid = self.sheet.grid.reopen()
        scan = _Scan(self.sheet, self.scan.reference)
        found = codes_of(self.sheet, scan._sort_out(grid.rows[self.sheet.header.index + 1 :], None), leave_out)
        for rows in grid.more or ():
            found |= codes_of(self.sheet, scan._sort_out(rows, None), leave_out)
        return found | codes_of(self.sheet, scan.finish(), leave_out)

    def _data_pieces(self):
        """Lists of data rows ((number, cells)) in order: those sorted out already, then each later slice's."""
        yield self._data  # kept (for codes) when the grid holds every row anyway
        if self.streamed:
            self._data = []
            for rows in self._more:
                yield self.scan._sort_out(rows, None)
            self._more = None
            yield self.scan.finish()

    def __iter__(self):
        pending: list = []
        size = min(CHUNK, STREAMED_CHUNK) if self.streamed else CHUNK
        for data in self._data_pieces():
            pending = pending + data if pending else data
            while len(pending) >= size:
                yield self._read(pending[:size])
                pending = pending[size:]
        if pending:
            yield self._read(pending)
        self._end()

    def _read(self, data: list) -> list:
        """The RowPlans of the chunk `data`, its repeated rows refused, what the totals need added up."""
        plan = self.plan
        read_problems = plan.problems
        rows = read_rows(self.sheet, data, read_problems, self.scan.reference)
        if plan.invest is not None:
            plan.invest.read(rows)
        self.taken += len(data)
        self.rows_read += len(rows)
        plan.warnings += warnings_of(rows, plan.labels)
        if self._sums is not None:
            self._sums.add(rows, [number for number, _values in self.scan.totals])
        plan.problems = self._repeats
        _check_duplicates(plan, rows, self._seen, self._codes)
        plan.problems = read_problems
        if self._months is not None:
            self._months.add(rows)
        if self.streamed:
            self.sheet.grid.forget_formats(data[-1][0])
        return rows

    def _end(self) -> None:
        plan, scan = self.plan, self.scan
        before = len(plan.notices)  # what is said from here on is said late (run_import reported the rest)
        if self.streamed:
            plan.skipped = scan.skipped
            _after_totals(plan, scan)
            self.taken = self.count = max(self.taken, self.count)
        plan.problems = plan.problems + self._repeats
        if self._sums is not None:
            check_totals(self.sheet, plan, scan.totals, self._sums)
        left_out = {row for row, _why in self.skipped_by_user}
        if filled := [n for n in self.sheet.filled if n not in left_out]:
            plan.notices.append(twin_filled(self.sheet.header, row_ranges(filled)))
        if self._months is not None:
            plan.notices += self._months.notices({row for row, _why in self.skipped_by_user})
        self.late_notices = plan.notices[before:]
        self._seen.close()
        self._codes.close()
        self._sums = self._months = None
        self.done = True
