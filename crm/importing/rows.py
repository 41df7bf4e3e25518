"""One data row of a ledger, read cell by cell: the readers of each field and the row they make."""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass, field


from crm.deals.fields import TEXT_FIELDS, parse_approval, parse_floor_area
from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import _
from openpyxl.utils import get_column_letter
from crm.importing.headers import Header, header_unit, unit_note, year_note
from crm.importing.workbook import Grid
from crm.importing.cells import (CellError, amount_text, cell_text, inline, is_blank, parse_amount_cell,
                              parse_currency, parse_date_cell, parse_problems_cell, parse_stage_cell, split_names)
from crm.values.money import Money
from crm.foundation.text import clean_text, folded



#: Codes this ledger gives deals (ZS2020-0001): a file's code of this shape is kept for a new deal.
_OUR_CODE = re.compile(r"[A-Z]{1,6}\d{4}-\d{3,6}")
#: Fields handed to create_deal / edit_deal as typed text.
DEAL_FIELDS = ("name", "investor", "region", "industry", "sub_industry", "event", "signed_on", "amount", "approval",
               "liaison", "lead_unit", "planned_start", "planned_completion", "responsibility_plan", "floor_area",
               "notes")
_LIMITS = {"event": 200, "lead_unit": 100, "liaison": 50}
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
        shown = f' "{_short(self.value)}"' if self.value not in (None, "") else ""
        prefix = ", ".join(where)
        return f"{prefix}{shown}: {self.message}" if prefix or shown else self.message


def _short(text) -> str:
    text = str(text).replace("\n", "⏎")
    return text if len(text) <= 60 else text[:60] + "…"


@dataclass(slots=True)  # a hundred thousand of them: no dict each
class RowPlan:
    """One data row, read and checked."""

    row: int
    values: dict  # field -> typed text for create_deal / edit_deal (only what the file gives)
    raw: dict  # field -> the cell's value as read, for messages (Plan.labels names its column)
    code: str | None = None
    stage: str | None = None
    supporting: list | None = None
    problems: list = field(default_factory=list)  # ProblemItem
    money: Money | None = None
    signed_on: datetime.date | None = None
    key: tuple = ()




def name_key(name: str) -> str:
    """A deal name as compared: NFKC (full-width brackets = half-width), no spaces, case-folded."""
    return folded(name)


#: The one-line text fields, in the order their problems are reported.
_LINE_FIELDS = ("name", "investor", "region", "industry", "sub_industry", "event", "liaison", "lead_unit")
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


def _amount_cell(value, number_format, column_unit, note_unit, currency):
    money = parse_amount_cell(value, number_format, column_unit, note_unit, currency)
    return None if money is None else (money, amount_text(money))


class _Sheet:
    """One grid with its header: knows each column's label and unit."""

    def __init__(self, grid: Grid, header: Header):
        self.grid = grid
        self.header = header
        self.note_unit = None
        self.year = None
        for _number, values in grid.rows[: header.index]:
            for value in values:
                if isinstance(value, str):
                    self.note_unit = self.note_unit or unit_note(value)
                    self.year = self.year or year_note(value)
        self.units = {f: header_unit(header.labels[c]) for f, c in header.columns.items()
                      if f in ("amount", "amount_cny")}
        self.labels = {f: self._label(f) for f in header.columns}
        # (column, label as one line) of the header, to spot it printed again further down
        self.inline_labels = [(c, inline(label)) for c, label in header.labels.items() if isinstance(label, str)]
        self.memo: dict = {}  # what was read from a cell value, by field (see _once)
        self.line_fields = [f for f in _LINE_FIELDS if f in header.columns]

    def _label(self, field_name: str) -> str:
        col = self.header.columns[field_name]
        text = inline(str(self.header.labels.get(col, "")))
        return f"{text} ({get_column_letter(col + 1)})" if self.grid.kind == "xlsx" else text

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


@functools.lru_cache(maxsize=65536)
def _clean_line(text: str, label: str, limit: int) -> str:
    """clean_text of a one-line cell; a ledger repeats its regions, units and people, so each is checked once."""
    return clean_text(text, label, max_length=limit, required=True)


def _problem(problems: list, sheet: _Sheet, number: int, field_name: str, raw, code: str, message: str) -> None:
    problems.append(Problem(number, sheet.label(field_name), cell_text(raw) if raw is not None else "", code,
                                 message))


def _read_row(sheet: _Sheet, number: int, values: list, problems: list, reference: datetime.date) -> RowPlan | None:
    width = len(values)
    raw = {f: values[c] if c < width else None for f, c in sheet.header.columns.items()}
    name_raw = raw.get("name")
    if name_raw is None or is_blank(name_raw):
        if raw.get("amount") is not None and not is_blank(raw.get("amount")):
            _problem(problems, sheet, number, "name", name_raw, "missing_name",
                     _("A row with an amount needs a project name"))
            return RowPlan(row=number, values={}, raw={})
        return None
    row = RowPlan(row=number, values={}, raw=raw)
    before = len(problems)

    def fail(field_name, code, message):
        _problem(problems, sheet, number, field_name, raw.get(field_name), code, message)

    memo = sheet.memo
    for f in sheet.line_fields:
        value = raw[f]
        if value is None:
            continue
        kind, text = _remembered(memo, (f, *_cell_key(value)), _line_cell, sheet, f, value)
        if kind is _SKIP:
            continue
        if kind is not None:
            fail(f, kind, text)
            continue
        if f == "industry" and "sub_industry" not in sheet.header.columns and "/" in text:
            main, _sep, sub = text.partition("/")
            row.values["industry"], row.values["sub_industry"] = main.strip(), sub.strip()
        else:
            row.values[f] = text
    for f in ("notes", "responsibility_plan"):
        if raw.get(f) is not None and not is_blank(raw[f]):
            try:
                row.values[f] = clean_text(cell_text(raw[f]), sheet.label(f), max_length=_TEXT_LIMITS[f],
                                           multiline=True)
            except InvalidInput as err:
                fail(f, "text", str(err))

    currency = None
    if raw.get("currency") is not None:
        code, currency = _once(memo, ("currency", *_cell_key(raw["currency"])), parse_currency, raw["currency"])
        if code is not None:
            fail("currency", code, currency)
            currency = None
    if raw.get("amount") is not None:
        col = sheet.header.columns["amount"]
        number_format = sheet.grid.number_format(number, col + 1)
        code, money = _once(memo, ("amount", *_cell_key(raw["amount"]), number_format, currency), _amount_cell,
                            raw["amount"], number_format, sheet.units.get("amount"), sheet.note_unit, currency)
        if code is not None:
            fail("amount", code, money)
        elif money is not None:
            row.money, row.values["amount"] = money

    for f in ("signed_on", "planned_start", "planned_completion"):
        if raw.get(f) is None:
            continue
        code, day = _once(memo, ("date", *_cell_key(raw[f])), parse_date_cell, raw[f], sheet.grid.epoch,
                          reference)
        if code is not None:
            fail(f, code, day)
            continue
        if day is not None:
            row.values[f] = day.isoformat()
            if f == "signed_on":
                row.signed_on = day
    for f, parse in (("approval", parse_approval), ("floor_area", parse_floor_area)):
        if raw.get(f) is not None:
            kind, text = _remembered(memo, (f, *_cell_key(raw[f])), _checked_cell, raw[f], parse, f)
            if kind is None:
                row.values[f] = text
            elif kind is not _SKIP:
                fail(f, kind, text)
    if raw.get("stage") is not None:
        code, stage = _once(memo, ("stage", *_cell_key(raw["stage"])), parse_stage_cell, raw["stage"])
        if code is not None:
            fail("stage", code, stage)
        else:
            row.stage = stage
    if "supporting" in sheet.header.columns:
        row.supporting = split_names(raw.get("supporting"))
        for name in row.supporting:
            try:
                clean_text(name, sheet.label("supporting"), max_length=100)
            except InvalidInput as err:
                fail("supporting", "text", str(err))
    if raw.get("blockers") is not None:
        try:
            row.problems = parse_problems_cell(raw["blockers"], today=reference)
        except CellError as err:
            fail("blockers", err.code, str(err))
        for item in row.problems:
            try:
                item.text = clean_text(item.text, sheet.label("blockers"), max_length=2000, multiline=True)
            except InvalidInput as err:
                fail("blockers", "text", str(err))
    if raw.get("code") is not None and not is_blank(raw["code"]):
        row.code = inline(cell_text(raw["code"])).upper()
    event = row.values.get("event")
    event_key = _remembered(memo, ("event key", event), name_key, event) if row.signed_on is None and event else None
    row.key = (name_key(row.values.get("name", "")), row.signed_on or event_key)
    if len(problems) > before:
        row.values = {}
    return row


def _cell_of(row: RowPlan, labels: dict, field_name: str) -> tuple | None:
    """(its column's label, the value read) of `field_name` in `row`; None when the sheet has no such column."""
    return (labels[field_name], row.raw[field_name]) if field_name in row.raw else None

