"""One data row of a ledger, read cell by cell: the readers of each field and the row they make."""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass, field

from crm.deals.fields import TEXT_FIELDS, parse_approval, parse_floor_area
from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import _, list_sep
from crm.foundation.text import clean_text, folded
from crm.importing.cells import (
    CACHED,
    CellError,
    amount_text,
    cell_text,
    column_letter,
    inline,
    is_blank,
    names_part_of_a_month,
    parse_amount_cell,
    parse_currency,
    parse_month_or_date_cell,
    read_progress_cell,
    split_names,
)
from crm.importing.claims import TWIN, stage_alone, twin_differs
from crm.importing.headers import Header, header_unit
from crm.importing.problems import parse_problems_cell
from crm.importing.sheet_notes import footer_date, stated_date, unit_note, year_note
from crm.importing.workbook import Grid
from crm.values.dates import plain_day
from crm.values.money import Money
from crm.values.stage_words import words_not_yet

#: Codes this ledger gives deals (ZS2020-0001): a file's code of this shape is kept for a new deal.
_OUR_CODE = re.compile(r"[A-Z]{1,6}\d{4}-\d{3,6}")
#: Fields handed to create_deal / edit_deal as typed text.
DEAL_FIELDS = (
    "name",
    "investor",
    "region",
    "industry",
    "sub_industry",
    "event",
    "signed_on",
    "amount",
    "approval",
    "liaison",
    "lead_unit",
    "planned_start",
    "planned_completion",
    "responsibility_plan",
    "floor_area",
    "notes",
)
_LIMITS = {"event": 200, "lead_unit": 100, "liaison": 50, "county_liaison": 100}
_TEXT_LIMITS = {f: limit for f, (_label, limit) in TEXT_FIELDS.items()}


@dataclass
class Problem:
    """Why a row (or the file) was refused: where, which value, a stable code and a message."""

    row: int | None
    column: str | None
    value: str | None
    code: str
    message: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(_("row {row}").format(row=self.row))
        if self.column:
            where.append(self.column)
        shown = _(' "{value}"').format(value=_short(self.value)) if self.value not in (None, "") else ""
        prefix = _(", ").join(where)
        return (
            _("{where}: {message}").format(where=prefix + shown, message=self.message)
            if prefix or shown
            else self.message
        )


def _short(text) -> str:
    text = str(text).replace("\n", "⏎")
    return text if len(text) <= 60 else text[:60] + "…"


@dataclass(slots=True)  # a hundred thousand of them: no dict each
class RowPlan:
    """One data row, read and checked."""

    row: int
    values: dict  # field -> typed text for create_deal / edit_deal (only what the file gives)
    raw: dict | RawCells  # field -> the cell's value as read, for messages (Plan.labels names its column)
    code: str | None = None
    stage: str | None = None
    supporting: list | None = None
    problems: list = field(default_factory=list)  # ProblemItem
    money: Money | None = None
    signed_on: datetime.date | None = None
    key: tuple = ()
    progress: str | None = None  # free text of the progress cells, kept as a dated progress entry
    funds: Money | None = None  # funds arrived so far (a cumulative column)
    warnings: list | None = None  # Problem: said in the preview, never refusing the row
    invested: tuple | None = None  # (InvestColumn, Money) of its planned and completed investment cells


class RawCells:
    """A row's cells by field (RowPlan.raw), read through the header's columns: None past the row's end.

    The mapping a dict {field: cell} would be, without a dict per row beside
    each row's list of cells (BENCHMARKS.md, "Import").
    """

    __slots__ = ("cells", "columns")

    def __init__(self, cells: list, columns: dict):
        self.cells, self.columns = cells, columns

    def get(self, field_name: str, default=None):
        col = self.columns.get(field_name)
        if col is None:
            return default
        return self.cells[col] if col < len(self.cells) else None

    def __getitem__(self, field_name: str):
        col = self.columns[field_name]
        return self.cells[col] if col < len(self.cells) else None

    def __contains__(self, field_name: object) -> bool:
        return field_name in self.columns

    def __iter__(self):
        return iter(self.columns)

    def __len__(self) -> int:
        return len(self.columns)

    def keys(self):
        return self.columns.keys()

    def items(self):
        return [(f, self[f]) for f in self.columns]

    def __eq__(self, other: object) -> bool:
        return dict(self.items()) == (dict(other.items()) if isinstance(other, (dict, RawCells)) else other)

    def __getstate__(self):
        return self.cells, self.columns

    def __setstate__(self, state) -> None:
        self.cells, self.columns = state


def name_key(name: str) -> str:
    """A deal name as compared: NFKC (full-width brackets = half-width), no spaces, case-folded."""
    return folded(name)


#: The one-line text fields, in the order their problems are reported ("county_liaison": the county's leader beside
#: the city's, for the deal's notes: crm.importing.county).
_LINE_FIELDS = (
    "name",
    "investor",
    "region",
    "industry",
    "sub_industry",
    "event",
    "liaison",
    "county_liaison",
    "lead_unit",
)
_SKIP = object()


def _cell_key(value) -> tuple:
    """A cell value as a key of what was read from it: 1, 1.0 and True read differently, and so do 0.0 and -0.0."""
    return (type(value), repr(value) if type(value) is float else value)


def _remembered(memo: dict, key: tuple, work, *args):
    """work(*args), worked out once per key.

    A ledger repeats its regions, dates, amounts and stages down thousands of
    rows; each cell is read as its first equal was.
    """
    found = memo.get(key)
    if found is None:
        found = memo[key] = work(*args)
    return found


def _once(memo: dict, key: tuple, parse, *args) -> tuple:
    """(None, parse(*args)) or (the CellError's code, its message), worked out once per key."""
    return _remembered(memo, key, _parsed, parse, *args)


def _parsed(parse, *args) -> tuple:
    try:
        return None, parse(*args)
    except CellError as err:
        return err.code, str(err)


def _amount_cell(value, number_format, column_unit, note_unit, currency, allow_zero=False):
    money = parse_amount_cell(value, number_format, column_unit, note_unit, currency, allow_zero)
    return None if money is None else (money, amount_text(money))


class _Sheet:
    """One grid with its header: knows each column's label and unit."""

    def __init__(self, grid: Grid, header: Header):
        self.grid = grid
        self.header = header
        self.note_unit = None
        self.year = None
        self.stated_on = None  # 截至2020年6月30日 / 填报日期：… above the header
        for _number, values in grid.rows[: header.index]:
            for value in values:
                if isinstance(value, str):
                    self.note_unit = self.note_unit or unit_note(value)
                    self.year = self.year or year_note(value)
                    self.stated_on = self.stated_on or stated_date(value)
        if self.stated_on is None and grid.more is None:  # a streamed sheet's last rows are not read yet
            self.stated_on = footer_date(grid.rows[header.index + 1 :])
        self.units = {
            f: header_unit(header.labels[c])
            for f, c in header.columns.items()
            if f in ("amount", "amount_cny", "funds", TWIN)
        }
        self.labels = {f: self._label(f) for f in header.columns}
        # (column, label as one line) of the header, to spot it printed again further down
        self.inline_labels = [(c, inline(label)) for c, label in header.labels.items() if isinstance(label, str)]
        # In a grid of trimmed one-line texts a cell reads as a label only when it is one: rows with too few such
        # cells are told from a repeated header without comparing column by column.
        self.label_set = {label for _c, label in self.inline_labels} if grid.trimmed and grid.one_line else None
        self.memo: dict = {}  # what was read from a cell value, by field (see _once)
        self.line_fields = [f for f in _LINE_FIELDS if f in header.columns]
        self.readers = readers_for(header.columns)
        self.filled: list[int] = []  # rows whose blank amount was taken from its TWIN column (总投资（大写）)

    def _label(self, field_name: str) -> str:
        col = self.header.columns[field_name]
        text = inline(str(self.header.labels.get(col, "")))
        return f"{text} ({column_letter(col + 1)})" if self.grid.kind != "csv" else text

    def label(self, field_name: str) -> str:
        """The column of `field_name` as messages name it: its header, and its letter in a workbook."""
        return self.labels[field_name]

    def value(self, values: list, field_name: str):
        col = self.header.columns.get(field_name)
        if col is None or col >= len(values):
            return None
        return values[col]


def _line_cell(sheet: _Sheet, field_name: str, value) -> tuple:
    """(None, the text), (problem code, message) or (_SKIP, None): a one-line text cell as the row takes it."""
    text = inline(cell_text(value))
    if field_name != "name" and is_blank(text):
        return _SKIP, None
    try:
        return None, _clean_line(text, sheet.label(field_name), _TEXT_LIMITS.get(field_name) or _LIMITS[field_name])
    except InvalidInput as err:
        return "text", str(err)


def _checked_cell(value, parse, code: str) -> tuple:
    """(None, the text), (problem code, message) or (_SKIP, None): a cell kept as written once `parse` accepts it."""
    if is_blank(value):
        return _SKIP, None
    text = cell_text(value)
    try:
        parse(text)
    except InvalidInput as err:
        return code, str(err)
    return None, text


@functools.lru_cache(maxsize=CACHED)
def _clean_line(text: str, label: str, limit: int) -> str:
    """clean_text of a one-line cell; a ledger repeats its regions, units and people, so each is checked once."""
    return clean_text(text, label, max_length=limit, required=True)


class _Row:
    """What the readers of one row share: the sheet, the row being filled, its raw cells, where problems go."""

    __slots__ = ("sheet", "row", "raw", "problems", "reference", "number")

    def __init__(self, sheet: _Sheet, row: RowPlan, raw: dict, problems: list, reference: datetime.date):
        self.sheet, self.row, self.raw, self.problems, self.reference = sheet, row, raw, problems, reference
        self.number = row.row

    def fail(self, field_name: str, code: str, message: str) -> None:
        """Refuse the row: a problem on the cell of `field_name`."""
        raw = self.raw.get(field_name)
        self.problems.append(
            Problem(self.number, self.sheet.label(field_name), cell_text(raw) if raw is not None else "", code, message)
        )

    def warn(self, field_name: str, code: str, message: str) -> None:
        """Say something about the cell of `field_name` without refusing the row."""
        raw = self.raw.get(field_name)
        if self.row.warnings is None:
            self.row.warnings = []
        self.row.warnings.append(
            Problem(self.number, self.sheet.label(field_name), cell_text(raw) if raw is not None else "", code, message)
        )


def _read_lines(r: _Row) -> None:
    memo, values = r.sheet.memo, r.row.values
    for f in r.sheet.line_fields:
        value = r.raw[f]
        if value is None:
            continue
        kind, text = _remembered(memo, (f, *_cell_key(value)), _line_cell, r.sheet, f, value)
        if kind is _SKIP:
            continue
        if kind is not None:
            r.fail(f, kind, text)
        elif f == "industry" and "sub_industry" not in r.sheet.header.columns and "/" in text:
            main, _sep, sub = text.partition("/")
            values["industry"], values["sub_industry"] = main.strip(), sub.strip()
        else:
            values[f] = text


def _read_long_texts(r: _Row) -> None:
    for f in ("notes", "responsibility_plan"):
        value = r.raw.get(f)
        if value is not None and not is_blank(value):
            try:
                r.row.values[f] = clean_text(
                    cell_text(value), r.sheet.label(f), max_length=_TEXT_LIMITS[f], multiline=True
                )
            except InvalidInput as err:
                r.fail(f, "text", str(err))


def _read_currency(r: _Row) -> str | None:
    value = r.raw.get("currency")
    if value is None:
        return None
    code, currency = _once(r.sheet.memo, ("currency", *_cell_key(value)), parse_currency, value)
    if code is not None:
        r.fail("currency", code, currency)
        return None
    return currency


def _read_money(r: _Row, f: str, currency: str | None, refuse: bool = True):
    """(Money, its text) of the amount-like column `f`, or None (blank, or refused: warned about unless `refuse`)."""
    value = r.raw.get(f)
    if value is None:
        return None
    number_format = r.sheet.grid.number_format(r.number, r.sheet.header.columns[f] + 1)
    code, money = _once(
        r.sheet.memo,
        (f, *_cell_key(value), number_format, currency),
        _amount_cell,
        value,
        number_format,
        r.sheet.units.get(f),
        r.sheet.note_unit,
        currency,
        f == "funds",
    )
    if code is not None:
        (r.fail if refuse else r.warn)(f, code, money)
        return None
    return money


def _read_amounts(r: _Row) -> None:
    currency = _read_currency(r)
    money = _read_money(r, "amount", currency)
    if TWIN in r.raw:
        money = _with_twin(r, money, currency)
    if money is not None:
        r.row.money, r.row.values["amount"] = money
    funds = _read_money(r, "funds", None)
    if funds is not None:
        r.row.funds = funds[0]


def _with_twin(r: _Row, money, currency: str | None):
    """The amount, a blank one taken from its TWIN column; the two differing is a warning naming both."""
    if is_blank(r.raw[TWIN]) or (money is None and not is_blank(r.raw["amount"])):
        return money  # nothing to take, or the amount's own cell refused the row
    twin = _read_money(r, TWIN, currency, refuse=money is None)  # the twin unread beside an amount: a warning
    if money is None and twin is not None:
        r.sheet.filled.append(r.number)
        return twin
    if twin is not None and (said := twin_differs(money[0], twin[0], r.sheet.label(TWIN), r.raw[TWIN])):
        r.warn("amount", "amount_twin_differs", said)
    return money


def _read_dates(r: _Row) -> None:
    for f in ("signed_on", "planned_start", "planned_completion"):
        value = r.raw.get(f)
        if value is None:
            continue
        if f == "signed_on":
            kind, reference = "date", r.reference
        else:  # a plan lies ahead: 3月1日 is in the sheet's year, not the last 1 March before its as-of day
            kind, reference = "plan_date", plain_day(r.reference)
        code, read = _once(
            r.sheet.memo, (kind, *_cell_key(value)), parse_month_or_date_cell, value, r.sheet.grid.epoch, reference
        )
        if code is not None:
            r.fail(f, code, read)
            continue
        if read is None:
            continue
        day, month_only = read
        r.row.values[f] = day.strftime("%Y-%m") if month_only else day.isoformat()
        if month_only and names_part_of_a_month(value):
            r.warn(
                f,
                "part_of_month",
                _("“{text}” names no day: kept as the month {month}; write the day where it is known").format(
                    text=inline(cell_text(value)), month=day.strftime("%Y-%m")
                ),
            )
        if f == "signed_on":
            r.row.signed_on = day


def _read_checked(r: _Row) -> None:
    for f, parse in (("approval", parse_approval), ("floor_area", parse_floor_area)):
        value = r.raw.get(f)
        if value is not None:
            kind, text = _remembered(r.sheet.memo, (f, *_cell_key(value)), _checked_cell, value, parse, f)
            if kind is None:
                r.row.values[f] = text
            elif kind is not _SKIP:
                r.fail(f, kind, text)


def _read_stage(r: _Row) -> None:
    """A stage or free progress text: the stage its words say, the text kept; a stage cell without a stage word is
    a warning when the row gives no stage at all."""
    wordless = False
    for f in ("stage", "progress"):
        value = r.raw.get(f)
        if value is None:
            continue
        stage, text = _remembered(
            r.sheet.memo, ("stage", r.reference, *_cell_key(value)), read_progress_cell, value, r.reference
        )
        if stage and f == "stage" and "progress" in r.raw and stage_alone(text or ""):
            text = None  # a stage's name beside a progress column: the stage, not a progress entry
        if text:
            r.row.progress = text if not r.row.progress else f"{r.row.progress}\n{text}"
        r.row.stage = r.row.stage or stage
        wordless = wordless or bool(text and not stage and f == "stage")
    if wordless and not r.row.stage:
        text = cell_text(r.raw["stage"])
        said = _remembered(r.sheet.memo, ("wordless", r.reference, text), _wordless, text, r.reference)
        r.warn("stage", "stage_words", said)


def _wordless(text: str, reference: datetime.date) -> str:
    """Why a stage cell's text gives the row no stage: it names one not yet reached (尚未注册), or none at all."""
    if words := words_not_yet(text, reference):
        return _(
            "The progress text names a stage not yet reached ({words}): the deal keeps its stage (签约 for a new "
            "deal); the text is kept as a progress entry"
        ).format(words=list_sep().join(words))
    return _(
        "No stage word in the progress text: the deal keeps its stage (签约 for a new "
        "deal); the text is kept as a progress entry"
    )


def _read_supporting(r: _Row) -> None:
    if "supporting" not in r.sheet.header.columns:
        return
    r.row.supporting = split_names(r.raw.get("supporting"))
    for name in r.row.supporting:
        try:
            clean_text(name, r.sheet.label("supporting"), max_length=100)
        except InvalidInput as err:
            r.fail("supporting", "text", str(err))


def _read_blockers(r: _Row) -> None:
    value = r.raw.get("blockers")
    if value is None:
        return
    try:
        r.row.problems = parse_problems_cell(value, today=r.reference)
    except CellError as err:
        r.fail("blockers", err.code, str(err))
    for item in r.row.problems:
        try:
            item.text = clean_text(item.text, r.sheet.label("blockers"), max_length=2000, multiline=True)
        except InvalidInput as err:
            r.fail("blockers", "text", str(err))


def _read_code(r: _Row) -> None:
    value = r.raw.get("code")
    if value is not None and not is_blank(value):
        r.row.code = inline(cell_text(value)).upper()


#: The readers of a row, in the order their problems are reported; each reads the fields it names.
READERS = (
    (_LINE_FIELDS, _read_lines),
    (("notes", "responsibility_plan"), _read_long_texts),
    (("currency", "amount", "funds"), _read_amounts),
    (("signed_on", "planned_start", "planned_completion"), _read_dates),
    (("approval", "floor_area"), _read_checked),
    (("stage", "progress"), _read_stage),
    (("supporting",), _read_supporting),
    (("blockers",), _read_blockers),
    (("code",), _read_code),
)


def readers_for(columns) -> list:
    """The readers a sheet with these columns (field -> index) needs."""
    return [read for fields, read in READERS if any(f in columns for f in fields)]


def _read_row(sheet: _Sheet, number: int, values: list, problems: list, reference: datetime.date) -> RowPlan | None:
    raw = RawCells(values, sheet.header.columns)
    name_raw = raw.get("name")
    if name_raw is None or is_blank(name_raw):
        if raw.get("amount") is not None and not is_blank(raw.get("amount")):
            problems.append(
                Problem(
                    number,
                    sheet.label("name"),
                    cell_text(name_raw) if name_raw is not None else "",
                    "missing_name",
                    _("A row with an amount needs a project name"),
                )
            )
            return RowPlan(row=number, values={}, raw={})
        return None
    row = RowPlan(row=number, values={}, raw=raw)
    before = len(problems)
    reading = _Row(sheet, row, raw, problems, reference)
    for read in sheet.readers:
        read(reading)
    event = row.values.get("event")
    memo = sheet.memo
    event_key = _remembered(memo, ("event key", event), name_key, event) if row.signed_on is None and event else None
    row.key = (name_key(row.values.get("name", "")), row.signed_on or event_key)
    if len(problems) > before:
        row.values = {}
    return row


def _cell_of(row: RowPlan, labels: dict, field_name: str) -> tuple | None:
    """(its column's label, the value read) of `field_name` in `row`; None when the sheet has no such column."""
    return (labels[field_name], row.raw[field_name]) if field_name in row.raw else None
