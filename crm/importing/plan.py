"""Reading a sheet into a Plan: the header found, each row read and checked, nothing written.

The rows below the header are sorted out (_Scan) into data rows, totals rows and skipped rows (notes, section
rows, 小计 and 其中 rows, a header printed again). A totals row ends the table only when no deal's row follows
it: a sheet with one 合计 per section goes on, each 合计 checked against its own section (crm.importing.totals).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import _
from crm.importing.breakdown import Breakdown, numbered
from crm.importing.cells import cell_text, column_letter, inline, is_blank
from crm.importing.columns import read_rows
from crm.importing.headers import (
    Header,
    find_header,
    header_key,
    investment_kind,
    label_kind,
    map_name,
    names_a_project,
    normalise,
    section_number,
)
from crm.importing.remembered import Remembered
from crm.importing.rows import Problem, RowPlan, _cell_of, _Sheet
from crm.importing.tables_below import TablesBelow, row_ranges
from crm.importing.totals import AmountSums, check_totals, warnings_of
from crm.importing.workbook import Grid, read_grids


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
    grids = read_grids(path, sheet)
    wanted = {normalise(k): v for k, v in (overrides or {}).items()}
    for at, grid in enumerate(grids):
        header = find_header(grid.rows, overrides=wanted, merged=grid.merged)
        if header is not None and not wanted and remembered is not None:
            earlier = remembered(header_key(header.labels.values()))
            if earlier:
                header = find_header(grid.rows, overrides=earlier, merged=grid.merged) or header
        if header is not None:
            plan = _plan(grid, header, today or datetime.date.today(), progress, stream)
            plan.header_key = header_key(header.labels.values())
            if sheet is None:
                _other_tables(plan, path, grids[:at] + grids[at + 1 :])
            return plan
    for grid in grids:
        if grid.uncomputed:  # the header's own cells may be formulas never computed
            raise InvalidInput(_formulas_message(grid, grid.uncomputed))
    if wanted:
        unknown = sorted(set(wanted) - {normalise(v) for g in grids for _n, row in g.rows[:40] for v in row if v})
        if unknown:
            raise InvalidInput(
                _("--map names columns the file does not have: {names}").format(names="、".join(unknown))
            )
    where = _("sheet {sheet!r}").format(sheet=grids[0].sheet) if sheet and grids else str(path)
    raise InvalidInput(
        _(
            "No header row found in {where}: a ledger needs a row of column names with at least the project name "
            "(项目名称) and one more column, e.g. 总投资, 签约时间, 所在地"
        ).format(where=where)
    )


def _other_tables(plan: Plan, path, grids: list) -> None:
    """Name the other sheets that have a deal table's header (签约项目 beside 在谈项目): only one is imported."""
    names = [g.sheet for g in grids if g.sheet and find_header(g.rows, merged=g.merged) is not None]
    if names:
        plan.notices.append(
            _(
                "Sheets {sheets} also hold a table of deals and were not imported: import each with --sheet "
                "(crm import {file} --sheet {sheet})"
            ).format(sheets="、".join(f"“{n}”" for n in names), file=Path(path).name, sheet=names[0])
        )


def _formulas_message(grid: Grid, cells: dict) -> str:
    """The one line that says a sheet's formulas were never computed (a file written by a program)."""

    (row, col), formula = min(cells.items())
    return _(
        "{path}: {n} formula cells have no computed value (e.g. {cell} ={formula}): the file was written by a "
        "program and never calculated; open it in Excel, WPS or LibreOffice, save it, and import it again"
    ).format(path=grid.source, n=len(cells), cell=f"{column_letter(col)}{row}", formula=formula)


def _plan(grid: Grid, header: Header, today: datetime.date, progress, stream: bool = False) -> Plan:
    sheet = _Sheet(grid, header)
    plan = Plan(
        source=grid.source, sheet=grid.sheet, kind=grid.kind, encoding=grid.encoding, header=header, labels=sheet.labels
    )
    plan.stated_on = sheet.stated_on
    for f, label in header.duplicates:
        plan.notices.append(
            _("Column “{label}” also names {field}; the first such column is used").format(
                label=label, field=map_name(f)
            )
        )
    _units(plan, sheet)
    _investment_columns(plan, header)
    reference = datetime.date(sheet.year, 12, 31) if sheet.year else today
    scan = _Scan(sheet, reference)
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


#: Units of amount columns, checked against each other and a 单位 note above the table.
_AMOUNTS = ("amount", "amount_cny", "funds")


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


def _investment_columns(plan: Plan, header: Header) -> None:
    """Say why a column of planned or completed investment is left unused, and how to record what it holds."""
    for label in header.ignored:
        kind = investment_kind(label)
        if kind == "done":
            plan.notices.append(
                _(
                    "Column “{label}” is investment completed (完成投资), not funds arrived nor the total: not "
                    "imported; record it month by month with crm invest CODE AMOUNT --month YYYY-MM (or i on the "
                    "deal's screen)"
                ).format(label=inline(str(label)))
            )
        elif kind == "plan":
            plan.notices.append(
                _(
                    "Column “{label}” is a year's planned investment (计划投资), not the total: not imported; record "
                    "it with crm plan CODE YEAR AMOUNT (or i on the deal's screen)"
                ).format(label=inline(str(label)))
            )


def _after_totals(plan: Plan, scan: _Scan) -> None:
    """Say what the sheet's layout made of its rows: rows after the last totals row taken as notes (naming those
    that name a project), rows after a totals row imported as the next section's, 其中 rows left out."""
    if scan.ended_at is not None and any(why == "after_totals" for _r, why in scan.skipped):
        if scan.named_after:
            plan.notices.append(
                _(
                    "Rows after the totals row {row} were taken as notes and not imported, among them {rows}: a "
                    "deal's row after a totals row needs its number (序号) and an amount or a date"
                ).format(
                    row=scan.ended_at,
                    rows="、".join(_("row {row} “{name}”").format(row=r, name=n) for r, n in scan.named_after),
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
            ).format(rows=", ".join(map(str, scan.resumed)))
        )
    breakdown = [r for r, why in scan.skipped if why == "breakdown"]
    if breakdown:
        plan.notices.append(
            _(
                "Rows {rows} (其中 …) break down the rows above them: not imported as deals and not added to the totals"
            ).format(rows=", ".join(map(str, breakdown)))
        )
    _other_tables_below(plan, scan)
    parts = [r for r, why in scan.skipped if why == "breakdown_part"]
    if parts:
        plan.notices.append(
            _(
                "Rows {rows} follow a 其中 row without a 序号 of their own, and their amounts are parts of the deal "
                "above: taken as its breakdown, not imported as deals; give a row its 序号 if it is a deal"
            ).format(rows=", ".join(map(str, sorted(parts))))
        )


def _other_tables_below(plan: Plan, scan: _Scan) -> None:
    """Say which rows below the deals were tables of their own: summaries, and deal tables with other columns."""
    below = scan.below
    summaries, deal_tables = below.rows(deals=False), below.rows(deals=True)
    if summaries:
        plan.notices.append(
            _(
                "Rows {rows} below the deals are tables of their own, each under its own header (rows {headers}): "
                "not imported as deals and not checked as their totals"
            ).format(rows=row_ranges(summaries), headers=", ".join(map(str, below.headers(deals=False))))
        )
    if deal_tables:
        plan.notices.append(
            _(
                "Rows {rows} are another table of deals under its own header (rows {headers}), whose columns are not "
                "those of the table above: not imported; copy it to a sheet of its own and import that sheet with "
                "--sheet"
            ).format(rows=row_ranges(deal_tables), headers=", ".join(map(str, below.headers(deals=True))))
        )


class _Scan:
    """Sorts the rows below the header into data, totals and skipped rows (RowChunks reads the data rows).

    Holds what it found: the data rows, skipped rows, totals rows. The rows after a totals row wait until
    it is known what they are: when a row that looks like a deal comes (a name and an amount or a date), they
    are sorted out as any rows and the table goes on (a sheet with one 合计 per section); when the sheet ends
    first (`finish`), they were notes, signatures or instructions below the table.
    """

    def __init__(self, sheet: _Sheet, reference: datetime.date):
        self.sheet, self.reference = sheet, reference
        self.skipped: list = []
        self.totals: list = []  # (row number, values) of totals rows
        self.data_rows = 0
        self.ended_at = None  # the totals row after which the rows were notes (once `finish` is called)
        self.data: list = []  # (number, cells) of the data rows, for RowChunks to read
        self.after = None  # the totals row the rows in `waiting` follow
        self.waiting: list = []  # (number, values) of the rows after it, not told yet
        self.resumed: list = []  # totals rows followed by more data rows
        self.named_after: list = []  # (row, name) of rows taken as notes after the last totals row that name one
        columns = sheet.header.columns
        self.seq_col, self.name_col = columns.get("seq"), columns.get("name")
        self.amount_cols = {columns[f] for f in ("amount", "amount_cny", "funds") if f in columns}
        self.used = set(columns.values())
        self.breakdown = Breakdown(sheet)  # a 其中 breakdown's parts on the rows below it, without 其中
        self.below = TablesBelow(sheet, lambda values: _repeats_header(values, sheet))  # after a totals row

    def read(self, rows: list, progress=None) -> _Scan:
        """Sort out `rows` ((number, values) of the grid, in order) after those so far: the data rows kept in
        `data` (read later, a chunk at a time, column by column), totals and skipped rows noted."""
        self.data += self._sort_out(rows, progress)
        return self

    def finish(self) -> list:
        """The sheet has no more rows: those still waiting after a totals row were notes. Gives the last data rows
        ((number, cells)): those held as a breakdown's possible parts that never added up to the deal's amount."""
        data: list = []
        for held, filled in self.breakdown.close():
            self._sort_one(held, filled, data)
        if self.after is not None and self.waiting:
            self.ended_at = self.after
            name = self.sheet.header.columns.get("name")
            others = set(self.below.rows())
            for number, values in self.waiting:
                if number in others:
                    self.skipped.append((number, "other_table"))
                    continue
                self.skipped.append((number, "after_totals"))
                cell = values[name] if name is not None and name < len(values) else None
                if cell is not None and len(self.named_after) < 5 and names_a_project(cell_text(cell)):
                    self.named_after.append((number, inline(cell_text(cell))))
        self.waiting = []
        return data

    def _sort_out(self, rows: list, progress) -> list:
        """(number, cells) of the data rows of `rows`; totals and skipped rows noted."""
        sheet = self.sheet
        total = len(rows)
        data = []  # (number, cells) of the data rows
        trimmed = sheet.grid.trimmed
        uncomputed = sheet.grid.uncomputed
        for done, item in enumerate(rows, 1):
            number, values = item
            if progress and (done % 500 == 0 or done == total):
                progress(done, total)
            if trimmed:  # no blank texts: the cells that are not None are the filled ones
                filled = len(values) - values.count(None)
            else:
                filled = len([v for v in values if v is not None and not (isinstance(v, str) and not v.strip())])
            if uncomputed:
                self._check_computed(number)
            if not filled:
                if self.after is not None:
                    self.below.boundary()
                continue
            if self.after is not None:
                if self.below.take(number, values, filled):  # a table of its own below the deals
                    self.waiting.append(item)
                    continue
                if not self._looks_like_deal(values):
                    if self._kind(values) == "total":
                        self.totals.append(item)
                        self.after = number
                        self.below.boundary()
                    else:
                        self.waiting.append(item)
                    continue
                self._resume(data)
            self._sort_one(item, filled, data)
        return data

    def _resume(self, data: list) -> None:
        """A deal's row after a totals row: the rows waiting since are sorted out as any rows, the table goes on."""
        self.resumed.append(self.after)
        waiting, self.waiting, self.after = self.waiting, [], None
        others = set(self.below.rows())
        for item in waiting:
            if item[0] in others:
                self.skipped.append((item[0], "other_table"))
                continue
            values = item[1]
            self._sort_one(item, len([v for v in values if v is not None and not is_blank_text(v)]), data)

    def _kind(self, values: list) -> str | None:
        """What the labels of a row say it is: "total", "subtotal", "breakdown" (其中 …), or None."""
        texts = [cell_text(v) for v in values[:4] if v is not None][:3]
        kinds = [label_kind(t) for t in texts]
        name_cell = self.sheet.value(values, "name")
        if name_cell:
            name_text = cell_text(name_cell)
            name_kind = kinds[texts.index(name_text)] if name_text in texts else label_kind(name_text)  # often one
        else:
            name_kind = None
        if name_kind is None and not any(kinds):
            return None  # nearly every row
        return next(k for k in ("total", "subtotal", "breakdown") if k == name_kind or k in kinds)

    def _sort_one(self, item: tuple, filled: int, data: list) -> None:
        number, values = item
        kind = self._kind(values)
        if (kind is not None or self.breakdown.open) and self._labelled(item, kind, filled, data):
            return
        sheet = self.sheet
        if _repeats_header(values, sheet):
            self._skip(number, "header_repeated")
            return
        if filled == 1:
            self._skip(number, "note")
            return
        if self._is_section(values):
            self._skip(number, "section")
            return
        name_cell = sheet.value(values, "name")
        if name_cell is None or is_blank(name_cell):
            amount = sheet.value(values, "amount")
            if amount is None or is_blank(amount):
                self._skip(number, "no_name")
                return  # else a row refused for want of a name (read_rows says so)
        self.data_rows += 1
        data.append(item)  # the grid's own (number, values): a million rows need no second tuple each
        self.breakdown.parent = item

    def _skip(self, number: int, why: str) -> None:
        self.skipped.append((number, why))
        self.breakdown.parent = None  # a 其中 row below a row that is no deal's breaks down no deal

    def _labelled(self, item: tuple, kind: str | None, filled: int, data: list) -> bool:
        """Sort out a row with a totals, 小计 or 其中 label (`kind`), or a part of a 其中 breakdown, and the rows
        held as parts that were deals after all; False: `item` is no such row, and is sorted out as any row."""
        number = item[0]
        breakdown = self.breakdown
        if breakdown.open:
            if kind is None and (parts := breakdown.take(item, filled)) is not None:
                self.skipped += [(n, "breakdown_part") for n in parts]
                return True
            for held, held_filled in breakdown.close():  # no parts after all: deals
                self._sort_one(held, held_filled, data)
        if kind is None:
            return False
        if kind == "breakdown":
            for held, held_filled in breakdown.opens(item):
                self._sort_one(held, held_filled, data)
        breakdown.parent = None  # a 其中 row breaks down the deal's row just above it, and no other row
        if kind == "total":
            self.totals.append(item)
            if self.data_rows:
                self.after = number
                self.below.boundary()
            return True
        self.skipped.append((number, kind))  # a 小计 or a 其中 row: no deal, and in no total
        return True

    def _is_section(self, values: list) -> bool:
        """A section row: its number in the 序号 column written as sections are (（一）, 一、, (1)), a label, and
        nothing else; numbered in Chinese numerals, it may carry its section's amounts (a subtotal)."""
        seq, name = self.seq_col, self.name_col
        if seq is None or seq >= len(values) or name is None or name >= len(values):
            return False
        kind = section_number(values[seq])
        if kind is None or values[name] is None or is_blank(values[name]):
            return False
        allowed = {seq, name} | (self.amount_cols if kind == "chinese" else set())
        return all(c in allowed or v is None or is_blank_text(v) for c, v in enumerate(values))

    def _looks_like_deal(self, values: list) -> bool:
        """Whether a row after a totals row is a deal's: a project's name, and an amount or a date; numbered, when
        the sheet has a 序号 column (the lines of a summary below a 合计, 先进制造 | 10亿, are not)."""
        sheet = self.sheet
        name = sheet.value(values, "name")
        if name is None or not names_a_project(cell_text(name)) or self._kind(values) is not None:
            return False
        if self.seq_col is not None and not numbered(values[self.seq_col] if self.seq_col < len(values) else None):
            return False
        amount = sheet.value(values, "amount")
        if amount is not None and _has_digits(amount):
            return True
        return any(_has_digits(sheet.value(values, f)) for f in ("signed_on", "planned_start", "planned_completion"))

    def _check_computed(self, number: int) -> None:
        """Refuse the sheet when a cell of a used column in this row is a formula never computed."""
        grid = self.sheet.grid
        if any((number, col + 1) in grid.uncomputed for col in self.used):
            raise InvalidInput(_formulas_message(grid, grid.uncomputed))


def _has_digits(value) -> bool:
    """A number, a date, or a text holding a digit (a Chinese numeral amount: 八十亿元): an amount's or a date's."""
    if value is None or isinstance(value, bool):
        return False
    if not isinstance(value, str):
        return True
    return any(c.isdigit() for c in value) or bool(_NUMERAL_AMOUNT.search(value))


_NUMERAL_AMOUNT = re.compile(r"[一二两三四五六七八九十百千壹贰叁肆伍陆柒捌玖拾佰仟]+.{0,3}[亿万元]")


def is_blank_text(value) -> bool:
    """A cell holding only spaces (a CSV's or openpyxl's empty text)."""
    return isinstance(value, str) and not value.strip()


def _repeats_header(values, sheet: _Sheet) -> bool:
    """A header row printed again (a long ledger pasted page by page)."""
    need = max(2, len(sheet.header.columns) // 2)
    if sheet.label_set is not None and sum(map(sheet.label_set.__contains__, values)) < need:
        return False
    chances = len(sheet.inline_labels)  # labels left to compare, and the row is no header once too few are
    width = len(values)
    for c, label in sheet.inline_labels:
        if (
            c < width
            and isinstance(value := values[c], str)
            # inline(value), without its call for the one-line cells nearly all are
            and (value.strip() if "\n" not in value and "\r" not in value else inline(value)) == label
        ):
            need -= 1
            if need <= 0:
                return True
        chances -= 1
        if chances < need:
            return False
    return need <= 0


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
        self.taken += len(data)
        self.rows_read += len(rows)
        plan.warnings += warnings_of(rows, plan.labels)
        if self._sums is not None:
            self._sums.add(rows, [number for number, _values in self.scan.totals])
        plan.problems = self._repeats
        _check_duplicates(plan, rows, self._seen, self._codes)
        plan.problems = read_problems
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
        self.late_notices = plan.notices[before:]
        self._seen.close()
        self._codes.close()
        self._sums = None
        self.done = True
