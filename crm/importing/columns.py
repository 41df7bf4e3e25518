"""A sheet's data rows read column by column: each column's distinct values read once, then dealt out to the rows.

rows._read_row reads one row cell by cell, a few function calls and a
remembered look-up per cell: most of reading a 100,000-row ledger
(BENCHMARKS.md, "Import"). A ledger repeats its regions, units, leaders,
dates, amounts and stage words down its rows, so here each column is read as
a whole: its cells keyed (a text by itself, anything else by its type and
value, as rows._cell_key tells them apart), each distinct key read once with
the very reader _read_row uses, and the results dealt out to the rows.

A row any of whose cells is refused or warned about (rare) is read again by
_read_row, which words the problems and warnings and reports them in its
order; so each RowPlan, and every problem and warning, is what reading the
rows one by one gives.
"""

from __future__ import annotations

import datetime
from operator import itemgetter

from crm.deals.fields import parse_approval, parse_floor_area
from crm.foundation.errors import InvalidInput
from crm.foundation.text import clean_text
from crm.importing.cells import (
    CellError,
    amount_text,
    cell_text,
    inline,
    is_blank,
    names_part_of_a_month,
    parse_amount_cell,
    parse_currency,
    parse_month_or_date_cell,
    read_progress_cell,
    split_names,
)
from crm.importing.claims import TWIN, same_amount, stage_alone
from crm.importing.problems import parse_problems_cell
from crm.importing.rows import (
    _SKIP,
    _TEXT_LIMITS,
    RawCells,
    RowPlan,
    _cell_key,
    _checked_cell,
    _line_cell,
    _read_row,
    name_key,
)
from crm.importing.rows import _Sheet as Sheet
from crm.values.dates import plain_day

#: A cell refused or warned about: its row is read again by rows._read_row.
_BAD = object()
#: A cell that gives nothing (blank, or no such column).
_NONE = None


def read_rows(sheet: Sheet, data: list, problems: list, reference: datetime.date) -> list[RowPlan]:
    """The RowPlans of `data` ((number, cells) of rows with a name or an amount, in order), as _read_row reads them.

    Problems of refused rows are appended to `problems` in row order.
    """
    if not data:
        return []
    reader = _Columns(sheet, data, reference)
    out = []
    bad = reader.bad
    sheet.filled += [number for i, number in enumerate(reader.numbers) if i in reader.filled and i not in bad]
    columns = sheet.header.columns
    for i, ((number, cells), values, extra) in enumerate(zip(data, reader.values(), reader.extras())):
        if i in bad:
            row = _read_row(sheet, number, cells, problems, reference)
            if row is not None:
                out.append(row)
            continue
        money, funds, signed_on, stage, progress, supporting, items, code, event_key = extra
        row = RowPlan(row=number, values=values, raw=RawCells(cells, columns))
        row.code, row.stage, row.progress = code, stage, progress
        row.money, row.funds, row.signed_on = money, funds, signed_on
        if supporting is not None:
            row.supporting = list(supporting)
        if items:
            row.problems = list(items)
        row.key = (name_key(values.get("name", "")), signed_on or event_key)
        out.append(row)
    return out


def _distinct(column: list, work) -> list:
    """work(cell) for each cell of `column` (None for None), worked out once per distinct cell.

    Cells are told apart as rows._cell_key tells them (1, 1.0 and True read
    differently); a text is its own key.
    """
    keys = [v if type(v) is str or v is None else _cell_key(v) for v in column]
    firsts = dict(zip(keys, column))
    firsts.pop(None, None)
    results = {k: work(v) for k, v in firsts.items()}
    results[None] = _NONE
    return list(map(results.__getitem__, keys))


def _marks(results: list, bad: set) -> None:
    """Add the positions of refused cells in `results` to `bad`."""
    if _BAD in results:
        bad.update(i for i, r in enumerate(results) if r is _BAD)


class _Columns:
    """The columns of a sheet's data rows read once each: `values()` and `extras()` give them row by row."""

    def __init__(self, sheet: Sheet, data: list, reference: datetime.date):
        self.sheet, self.reference = sheet, reference
        self.cells = [cells for _number, cells in data]
        self.narrowest = min(map(len, self.cells), default=0)  # every row has cells up to this column
        self.numbers = [number for number, _cells in data]
        self.bad: set[int] = set()
        self.filled: set[int] = set()  # rows whose blank amount is taken from its TWIN column
        self.fields: list[str] = []  # the `values` keys, in the order _read_row gives them
        self.columns: list[list] = []  # their texts per row (None: not given)
        self._lines()
        self._long_texts()
        self.money = self._amounts()
        self.signed_on = self._dates()
        self._checked()
        self.stage, self.progress = self._stages()
        self.supporting = self._supporting()
        self.items = self._blockers()
        self.codes = self._codes()
        self.event_keys = self._event_keys()

    def column(self, field_name: str) -> list | None:
        """The cells of `field_name` (None past a row's end), or None when the sheet has no such column."""
        col = self.sheet.header.columns.get(field_name)
        if col is None:
            return None
        if col < self.narrowest:  # in every row: taken at C speed
            return list(map(itemgetter(col), self.cells))
        return [cells[col] if col < len(cells) else None for cells in self.cells]

    def values(self):
        """Each row's `values` dict (field -> text), in the order _read_row fills it."""
        fields = self.fields
        for texts in zip(*self.columns):
            yield {f: t for f, t in zip(fields, texts) if t is not None}

    def extras(self):
        """Each row's (money, funds, signed_on, stage, progress, supporting, problem items, code, event key)."""
        money = [m[0] if m else None for m in self.money] if self.money is not None else [None] * len(self.cells)
        return zip(
            money,
            self.funds,
            self.signed_on,
            self.stage,
            self.progress,
            self.supporting,
            self.items,
            self.codes,
            self.event_keys,
        )

    # ---- the readers, in _read_row's order -------------------------------------------------------

    def _add(self, field_name: str, texts: list) -> None:
        self.fields.append(field_name)
        self.columns.append(texts)

    def _lines(self) -> None:
        sheet = self.sheet
        split = "sub_industry" not in sheet.header.columns
        for f in sheet.line_fields:
            results = _distinct(self.column(f), lambda v, f=f: _line_text(sheet, f, v))
            if f == "name":  # no name (or 无, —): _read_row refuses the row or leaves it out
                results = [_BAD if r is None else r for r in results]
            _marks(results, self.bad)
            texts = [None if r is _BAD else r for r in results]
            if f == "industry" and split and any(t and "/" in t for t in texts):
                mains, subs = [], []
                for t in texts:
                    if t and "/" in t:
                        main, _sep, sub = t.partition("/")
                        mains.append(main.strip())
                        subs.append(sub.strip())
                    else:
                        mains.append(t)
                        subs.append(None)
                self._add("industry", mains)
                self._add("sub_industry", subs)
            else:
                self._add(f, texts)

    def _long_texts(self) -> None:
        for f in ("notes", "responsibility_plan"):
            column = self.column(f)
            if column is None:
                continue
            label = self.sheet.label(f)
            results = _distinct(column, lambda v, f=f, label=label: _long_text(v, label, _TEXT_LIMITS[f]))
            _marks(results, self.bad)
            self._add(f, [None if r is _BAD else r for r in results])

    def _amounts(self) -> list | None:
        """The amount column's (Money, text) per row (None: none), its text added to the values; funds kept aside."""
        currency = self.column("currency")
        currencies = [None] * len(self.cells)
        if currency is not None:
            currencies = _distinct(currency, _currency)
            _marks(currencies, self.bad)
            currencies = [None if c is _BAD else c for c in currencies]
        money = self._money("amount", currencies, False)
        if money is not None and TWIN in self.sheet.header.columns:
            money = self._with_twin(money, currencies)
        if money is not None:
            self._add("amount", [m[1] if m else None for m in money])
        funds = self._money("funds", [None] * len(self.cells), True)
        self.funds = [m[0] if m else None for m in funds] if funds is not None else [None] * len(self.cells)
        return money

    def _money(self, field_name: str, currencies: list, allow_zero: bool) -> list | None:
        sheet = self.sheet
        col = sheet.header.columns.get(field_name)
        if col is None:
            return None
        formats, column_unit, note_unit = sheet.grid.formats, sheet.units.get(field_name), sheet.note_unit
        at = col + 1
        keyed = {}
        results = []
        for number, cells, currency in zip(self.numbers, self.cells, currencies):
            value = cells[col] if col < len(cells) else None
            if value is None:
                results.append(None)
                continue
            key = (value if type(value) is str else _cell_key(value), formats.get((number, at), "General"), currency)
            found = keyed.get(key)
            if found is None:
                found = keyed[key] = _amount(value, key[1], column_unit, note_unit, currency, allow_zero)
            results.append(found)
        _marks(results, self.bad)
        return [None if r is _BAD or r is _BLANK else r for r in results]

    def _with_twin(self, money: list, currencies: list) -> list:
        """The amount per row, a blank one taken from its TWIN column; rows where the two differ (or the twin is
        refused) are read again by _read_row, which words the warning."""
        twins = self._money(TWIN, currencies, False)
        amounts = self.column("amount")
        out = []
        for i, (m, t) in enumerate(zip(money, twins)):
            if t is not None and m is None and is_blank(amounts[i]):
                self.filled.add(i)
                m = t
            elif t is not None and m is not None and not same_amount(m[0], t[0]):
                self.bad.add(i)
            out.append(m)
        return out

    def _dates(self) -> list:
        """Each date column's text added to the values; returns the signing day per row (None: none)."""
        epoch = self.sheet.grid.epoch
        # A plan lies ahead: 3月1日 is in the sheet's year, not the last 1 March before its as-of day.
        plans = plain_day(self.reference)
        signed_on = [None] * len(self.cells)
        for f in ("signed_on", "planned_start", "planned_completion"):
            column = self.column(f)
            if column is None:
                continue
            reference = self.reference if f == "signed_on" else plans
            results = _distinct(column, lambda v, reference=reference: _date(v, epoch, reference))
            _marks(results, self.bad)
            self._add(f, [r[1] if r and r is not _BAD else None for r in results])
            if f == "signed_on":
                signed_on = [r[0] if r and r is not _BAD else None for r in results]
        return signed_on

    def _checked(self) -> None:
        for f, parse in (("approval", parse_approval), ("floor_area", parse_floor_area)):
            column = self.column(f)
            if column is None:
                continue
            results = _distinct(column, lambda v, f=f, parse=parse: _checked(v, parse, f))
            _marks(results, self.bad)
            self._add(f, [None if r is _BAD else r for r in results])

    def _stages(self) -> tuple[list, list]:
        """(stage, progress text) per row, from the stage and the progress columns as _read_stage joins them."""
        n = len(self.cells)
        stages, progress = [None] * n, [None] * n
        beside = "progress" in self.sheet.header.columns  # a stage's name in the stage column is no progress entry
        for f in ("stage", "progress"):
            column = self.column(f)
            if column is None:
                continue
            results = _distinct(column, lambda v, f=f: _stage(v, f, beside, self.reference))
            _marks(results, self.bad)
            for i, r in enumerate(results):
                if r is None or r is _BAD:
                    continue
                stage, text = r
                if text:
                    progress[i] = text if not progress[i] else f"{progress[i]}\n{text}"
                if stage and not stages[i]:
                    stages[i] = stage
        return stages, progress

    def _supporting(self) -> list:
        n = len(self.cells)
        column = self.column("supporting")
        if column is None:
            return [None] * n
        label = self.sheet.label("supporting")
        # split_names(None) for a row without the cell, as _read_supporting gives it
        empty = _supporting_names(None, label)
        results = _distinct(column, lambda v: _supporting_names(v, label))
        _marks(results, self.bad)
        return [empty if r is None else (None if r is _BAD else r) for r in results]

    def _blockers(self) -> list:
        column = self.column("blockers")
        if column is None:
            return [None] * len(self.cells)
        label, reference = self.sheet.label("blockers"), self.reference
        results = _distinct(column, lambda v: _problem_items(v, reference, label))
        _marks(results, self.bad)
        return [None if r is _BAD else r for r in results]

    def _codes(self) -> list:
        column = self.column("code")
        if column is None:
            return [None] * len(self.cells)
        return _distinct(column, _code)

    def _event_keys(self) -> list:
        """name_key of the event per row where the row has no signing day (the key's second part then)."""
        if "event" not in self.fields:
            return [None] * len(self.cells)
        events = self.columns[self.fields.index("event")]
        keys = {}
        out = []
        for event, day in zip(events, self.signed_on):
            if day is None and event:
                found = keys.get(event)
                if found is None:
                    found = keys[event] = name_key(event)
                out.append(found)
            else:
                out.append(None)
        return out


# ---- one distinct cell, read as the row readers of crm.importing.rows read it --------------------------

#: An amount-like cell that is blank (parse_amount_cell gave None).
_BLANK = object()


def _line_text(sheet: Sheet, field_name: str, value):
    if field_name == "name" and is_blank(value):
        return _BAD
    kind, text = _line_cell(sheet, field_name, value)
    if kind is _SKIP:
        return None
    if kind is not None:
        return _BAD
    # The cell's own str when reading changed nothing: a first import keeps each new deal's name to its end.
    return value if text == value and type(value) is str else text


def _long_text(value, label: str, limit: int):
    if is_blank(value):
        return None
    try:
        return clean_text(cell_text(value), label, max_length=limit, multiline=True)
    except InvalidInput:
        return _BAD


def _currency(value):
    try:
        return parse_currency(value)
    except CellError:
        return _BAD


def _amount(value, number_format, column_unit, note_unit, currency, allow_zero):
    try:
        money = parse_amount_cell(value, number_format, column_unit, note_unit, currency, allow_zero)
    except CellError:
        return _BAD
    return _BLANK if money is None else (money, amount_text(money))


def _date(value, epoch, reference):
    try:
        read = parse_month_or_date_cell(value, epoch, reference)
    except CellError:
        return _BAD
    if read is None:
        return None
    day, month_only = read
    if month_only and names_part_of_a_month(value):
        return _BAD  # read again row by row, which says that only the month is kept
    return day, day.strftime("%Y-%m") if month_only else day.isoformat()


def _checked(value, parse, field_name: str):
    kind, text = _checked_cell(value, parse, field_name)
    if kind is _SKIP:
        return None
    return _BAD if kind is not None else text


def _stage(value, field_name: str, beside_progress: bool, as_of: datetime.date):
    stage, text = read_progress_cell(value, as_of)
    if text and not stage and field_name == "stage":
        return _BAD  # warned about: the row is read by _read_row, which words the warning
    if stage and field_name == "stage" and beside_progress and stage_alone(text or ""):
        return stage, None
    return stage, text


def _supporting_names(value, label: str):
    names = split_names(value)
    try:
        for name in names:
            clean_text(name, label, max_length=100)
    except InvalidInput:
        return _BAD
    return names


def _problem_items(value, reference: datetime.date, label: str):
    try:
        items = parse_problems_cell(value, today=reference)
        for item in items:
            item.text = clean_text(item.text, label, max_length=2000, multiline=True)
    except (CellError, InvalidInput):
        return _BAD
    return items


def _code(value):
    return inline(cell_text(value)).upper() if not is_blank(value) else None


def codes_of(sheet: Sheet, data: list, leave_out: set | frozenset = frozenset()) -> set[str]:
    """The codes RowPlans of `data` ((number, cells)) would have, but those of the rows numbered in `leave_out`.

    As rows._read_row reads them: a row without a name gets none.
    """
    columns = sheet.header.columns
    col, name = columns.get("code"), columns.get("name")
    if col is None or name is None:
        return set()
    found = set()
    for number, cells in data:
        if len(cells) <= max(col, name) or number in leave_out:
            continue
        value, named = cells[col], cells[name]
        if value is not None and named is not None and not is_blank(value) and not is_blank(named):
            found.add(_code(value))
    return found
