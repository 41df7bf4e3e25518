"""Reading a sheet into a Plan: the header found, each row read and checked, nothing written."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import _
from crm.importing.cells import cell_text, inline, is_blank
from crm.importing.columns import read_rows
from crm.importing.headers import Header, find_header, header_key, label_kind, map_name, normalise
from crm.importing.remembered import Remembered
from crm.importing.rows import Problem, RowPlan, _cell_of, _Sheet
from crm.importing.totals import AmountSums, _check_totals
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
    for grid in grids:
        header = find_header(grid.rows, overrides=wanted)
        if header is not None and not wanted and remembered is not None:
            earlier = remembered(header_key(header.labels.values()))
            if earlier:
                header = find_header(grid.rows, overrides=earlier) or header
        if header is not None:
            plan = _plan(grid, header, today or datetime.date.today(), progress, stream)
            plan.header_key = header_key(header.labels.values())
            return plan
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
    reference = datetime.date(sheet.year, 12, 31) if sheet.year else today
    scan = _Scan(sheet, reference)
    scan.read(grid.rows[header.index + 1 :], progress)
    if grid.more is None:  # else the rows still to come are sorted out as the chunks are taken
        plan.skipped = scan.skipped
        _after_totals(plan, scan)
    plan.chunks = RowChunks(plan, sheet, scan)
    if not stream:  # every chunk taken now: the rows, their problems, warnings and totals complete
        rows = [row for chunk in plan.chunks for row in chunk]
        plan.rows, plan.chunks = rows, None
    return plan


def _after_totals(plan: Plan, scan: _Scan) -> None:
    """Say that the rows after the totals row were taken as notes (when some were)."""
    if scan.ended_at is not None and any(why == "after_totals" for _r, why in scan.skipped):
        plan.notices.append(
            _("Rows after the totals row {row} were taken as notes and not imported").format(row=scan.ended_at)
        )


class _Scan:
    """Sorts the rows below the header into data, totals and skipped rows (RowChunks reads the data rows).

    Holds what it found: the data rows, skipped rows, totals rows.
    """

    def __init__(self, sheet: _Sheet, reference: datetime.date):
        self.sheet, self.reference = sheet, reference
        self.skipped: list = []
        self.totals: list = []  # (row number, values) of totals rows
        self.data_rows = 0
        self.ended_at = None
        self.data: list = []  # (number, cells) of the data rows, for RowChunks to read

    def read(self, rows: list, progress=None) -> _Scan:
        """Sort out `rows` ((number, values) of the grid, in order) after those so far: the data rows kept in
        `data` (read later, a chunk at a time, column by column), totals and skipped rows noted."""
        self.data += self._sort_out(rows, progress)
        return self

    def _sort_out(self, rows: list, progress) -> list:
        """(number, cells) of the data rows of `rows`; totals and skipped rows noted."""
        sheet = self.sheet
        total = len(rows)
        data = []  # (number, cells) of the data rows
        trimmed = sheet.grid.trimmed
        for done, item in enumerate(rows, 1):
            number, values = item
            if progress and (done % 500 == 0 or done == total):
                progress(done, total)
            if self.ended_at is not None:
                if any(v is not None for v in values):
                    self.skipped.append((number, "after_totals"))
                continue
            if trimmed:  # no blank texts: the cells that are not None are the filled ones
                filled = len(values) - values.count(None)
            else:
                filled = len([v for v in values if v is not None and not (isinstance(v, str) and not v.strip())])
            if not filled:
                continue
            kinds = {t: label_kind(t) for t in [cell_text(v) for v in values[:4] if v is not None][:3]}
            name_cell = sheet.value(values, "name")
            if name_cell:
                name_text = cell_text(name_cell)
                name_kind = kinds[name_text] if name_text in kinds else label_kind(name_text)  # often one of them
            else:
                name_kind = None
            if "total" in kinds.values() or name_kind == "total":
                self.totals.append((number, values))
                if self.data_rows:
                    self.ended_at = number
                continue
            if "subtotal" in kinds.values():
                self.skipped.append((number, "subtotal"))
                continue
            if _repeats_header(values, sheet):
                self.skipped.append((number, "header_repeated"))
                continue
            if filled == 1:
                self.skipped.append((number, "note"))
                continue
            if name_cell is None or is_blank(name_cell):
                amount = sheet.value(values, "amount")
                if amount is None or is_blank(amount):
                    self.skipped.append((number, "no_name"))
                    continue  # else a row refused for want of a name (read_rows says so)
            self.data_rows += 1
            data.append(item)  # the grid's own (number, values): a million rows need no second tuple each
        return data


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
        return found

    def _data_pieces(self):
        """Lists of data rows ((number, cells)) in order: those sorted out already, then each later slice's."""
        yield self._data  # kept (for codes) when the grid holds every row anyway
        if self.streamed:
            self._data = []
            for rows in self._more:
                yield self.scan._sort_out(rows, None)
            self._more = None

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
        plan.warnings += [w for r in rows if r.warnings for w in r.warnings]
        if self._sums is not None:
            self._sums.add(rows)
        plan.problems = self._repeats
        _check_duplicates(plan, rows, self._seen, self._codes)
        plan.problems = read_problems
        if self.streamed:
            self.sheet.grid.forget_formats(data[-1][0])
        return rows

    def _end(self) -> None:
        plan, scan = self.plan, self.scan
        if self.streamed:
            plan.skipped = scan.skipped
            before = len(plan.notices)
            _after_totals(plan, scan)
            self.late_notices = plan.notices[before:]
            self.taken = self.count = max(self.taken, self.count)
        plan.problems = plan.problems + self._repeats
        if self._sums is not None:
            for number, values in scan.totals:
                _check_totals(self.sheet, plan, number, values, self._sums)
        self._seen.close()
        self._codes.close()
        self._sums = None
        self.done = True
