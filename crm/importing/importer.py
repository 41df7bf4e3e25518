"""Importing a bureau's existing ledger (xlsx or CSV) into the database.

    plan = read_plan(path)              # reads and checks every row, writes nothing
    report = run_import(path, dry_run)  # the same, then applies it in one transaction

Reading (crm.importing.workbook, crm.importing.headers, crm.importing.cells): the header
row is found below any title and note rows; blank rows, notes, section rows
and 小计 rows are skipped; a 合计/总计 row is skipped and its amounts are
checked against the sum of the rows (a totals row after the data also ends
the table: what follows is notes). Every cell that cannot be read becomes a
Problem with its row, column and value.

Applying goes through the same functions as the CLI — create_deal,
edit_deal, set_supporting, change_stage, add_blocker, add_department,
add_event — so the audit trail and the stage ledger are written as for any
other change. A row is matched to an existing deal by its code when the file
has one, else by its business key: the name (compared after NFKC and without
spaces) and the signing date when given, else the event when given. Matched
deals get only the fields that differ (so importing a file twice changes
nothing); a stage that moves forward is recorded as a stage change dated the
day of the import. A stage the file has behind the ledger's is refused
rather than rolled back. Problems are added when the deal has no blocker with
the same text. Departments, events and people are matched by name (exactly,
then as the unique name containing the text) or created.

The whole import is one transaction: when any row is refused nothing is
written, and --dry-run rolls back even a clean import after counting what it
would have done.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import gc
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext
from pathlib import Path

from openpyxl.utils import get_column_letter

from crm.deals import blockers as blocker_ops
from crm.foundation import forked
from crm.importing import bulk as import_bulk
from crm.reference import registry
from crm.foundation.config import current_actor
from crm.deals.fields import TEXT_FIELDS, parse_approval, parse_floor_area
from crm.deals.records import create_deal, edit_deal, set_supporting, supporting_departments
from crm.foundation.errors import CrmError, InvalidInput
from crm.importing.bulk import BATCH, NewDeal, NewDeals, roomy_cache, set_indexes_aside
from crm.foundation.i18n import _
from crm.importing.cells import (CellError, ProblemItem, amount_text, cell_text, inline, is_blank, parse_amount_cell,
                              parse_currency, parse_date_cell, parse_problems_cell, parse_stage_cell, split_names)
from crm.importing.headers import Header, find_header, header_unit, label_kind, unit_note, year_note
from crm.importing.workbook import Grid, read_grids
from crm.values.money import Money, format_money
from crm.deals.stages import BY_KEY, change_stage
from crm.foundation.text import clean_text, folded
from db.connection import writing
from peewee import JOIN, IntegrityError, fn

from db.models import AuditEntry, Blocker, Deal, Department, Event, Person, database

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
    totals_checked: list = field(default_factory=list)  # (row, column label, total text, sum text)
    labels: dict = field(default_factory=dict)  # field -> its column as messages name it


@dataclass
class Report:
    """What an import did (or, with dry_run, would do)."""

    source: str
    sheet: str
    dry_run: bool
    written: bool = False
    header_row: int | None = None
    columns: dict = field(default_factory=dict)  # field -> header label
    ignored_columns: list = field(default_factory=list)
    rows_read: int = 0
    created: list = field(default_factory=list)  # (row, code, name)
    updated: list = field(default_factory=list)  # (row, code, name, [fields])
    unchanged: list = field(default_factory=list)  # (row, code)
    skipped: list = field(default_factory=list)  # (row, reason code)
    stage_changes: int = 0
    blockers_added: int = 0
    departments_created: list = field(default_factory=list)
    events_created: list = field(default_factory=list)
    people_created: list = field(default_factory=list)
    totals_checked: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    notices: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_json(self) -> dict:
        return {
            "source": self.source, "sheet": self.sheet, "dry_run": self.dry_run, "written": self.written,
            "header_row": self.header_row, "columns": self.columns, "ignored_columns": self.ignored_columns,
            "rows_read": self.rows_read,
            "created": [{"row": r, "code": c, "name": n} for r, c, n in self.created],
            "updated": [{"row": r, "code": c, "name": n, "fields": f} for r, c, n, f in self.updated],
            "unchanged": [{"row": r, "code": c} for r, c in self.unchanged],
            "skipped": [{"row": r, "reason": why} for r, why in self.skipped],
            "stage_changes": self.stage_changes, "blockers_added": self.blockers_added,
            "departments_created": self.departments_created, "events_created": self.events_created,
            "people_created": self.people_created,
            "totals_checked": [{"row": r, "column": c, "total": t, "sum": s} for r, c, t, s in self.totals_checked],
            "problems": [{"row": p.row, "column": p.column, "value": p.value, "code": p.code, "message": p.message}
                         for p in self.problems],
            "notices": self.notices,
        }


# ---- reading --------------------------------------------------------------


def name_key(name: str) -> str:
    """A deal name as compared: NFKC (full-width brackets = half-width), no spaces, case-folded."""
    return folded(name)


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


def read_plan(path: str | Path, sheet: str | None = None, today: datetime.date | None = None,
              progress=None) -> Plan:
    """Read and check `path`; raises InvalidInput when no sheet has a ledger header."""
    grids = read_grids(path, sheet)
    for grid in grids:
        header = find_header(grid.rows)
        if header is not None:
            return _plan(grid, header, today or datetime.date.today(), progress)
    where = _("sheet {sheet!r}").format(sheet=grids[0].sheet) if sheet and grids else str(path)
    raise InvalidInput(_(
        "No header row found in {where}: a ledger needs a row of column names with at least the project name "
        "(项目名称) and one more column, e.g. 总投资, 签约时间, 所在地"
    ).format(where=where))


def _plan(grid: Grid, header: Header, today: datetime.date, progress) -> Plan:
    sheet = _Sheet(grid, header)
    plan = Plan(source=grid.source, sheet=grid.sheet, kind=grid.kind, encoding=grid.encoding, header=header,
                labels=sheet.labels)
    for f, label in header.duplicates:
        plan.notices.append(_("Column {label!r} also names {field}; the first such column is used").format(
            label=label, field=f))
    reference = datetime.date(sheet.year, 12, 31) if sheet.year else today
    first, later = grid.rows[header.index + 1:], []
    scan = _Scan(sheet, reference)
    child = None
    if progress is None and len(first) >= FORK_AT and forked.can_fork():
        # The later rows read in a child process while this one reads the first. The child also pickles
        # what it read (~40% of reading it): its part is the smaller.
        half = len(first) * 3 // 5
        first, later = first[:half], first[half:]
        child = forked.Child(lambda: _Scan(sheet, reference).read(later))
    try:
        scan.read(first, progress)
    except BaseException:
        if child is not None:
            child.cancel()
        raise
    if child is not None:
        try:
            scan.take(child.result())
        except (forked.ChildFailed, _NotAlone):
            scan.read(later)
    plan.rows, plan.skipped = scan.rows, scan.skipped
    plan.problems += scan.problems
    if scan.ended_at is not None and any(why == "after_totals" for _r, why in plan.skipped):
        plan.notices.append(_("Rows after the totals row {row} were taken as notes and not imported").format(
            row=scan.ended_at))
    _check_duplicates(plan)
    for number, values in scan.totals:
        _check_totals(sheet, plan, number, values)
    return plan


#: Rows from which a sheet is read in two processes (where forked.can_fork).
FORK_AT = 20000


class _NotAlone(Exception):
    """A part read apart cannot be taken as it is: what came before changes how it reads."""


class _Scan:
    """Sorts the rows below the header into data, totals and skipped rows, reading each data row.

    Holds what it found (the rows read, problems, skipped rows, totals rows)
    so that a sheet can be read in two parts, the second in another process,
    and the parts joined (`take`).
    """

    def __init__(self, sheet: _Sheet, reference: datetime.date):
        self.sheet, self.reference = sheet, reference
        self.rows: list[RowPlan] = []
        self.problems: list[Problem] = []
        self.skipped: list = []
        self.totals: list = []  # (row number, values) of totals rows
        self.data_rows = 0
        self.ended_at = None
        self.totals_first = False  # a totals row came before any data row of this part

    def read(self, rows: list, progress=None) -> _Scan:
        """Read `rows` ((number, values) of the grid, in order) after those read so far."""
        sheet = self.sheet
        total = len(rows)
        for done, (number, values) in enumerate(rows, 1):
            if progress and (done % 500 == 0 or done == total):
                progress(done, total)
            if self.ended_at is not None:
                if any(v is not None for v in values):
                    self.skipped.append((number, "after_totals"))
                continue
            filled = [v for v in values if v is not None and not (isinstance(v, str) and not v.strip())]
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
                else:
                    self.totals_first = True
                continue
            if "subtotal" in kinds.values():
                self.skipped.append((number, "subtotal"))
                continue
            if _repeats_header(values, sheet):
                self.skipped.append((number, "header_repeated"))
                continue
            if len(filled) == 1:
                self.skipped.append((number, "note"))
                continue
            row = _read_row(sheet, number, values, self.problems, self.reference)
            if row is None:
                self.skipped.append((number, "no_name"))
                continue
            self.data_rows += 1
            self.rows.append(row)
        return self

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "sheet"}  # what was read, not what it was read from

    def take(self, later: _Scan) -> None:
        """Join the part `later` read, which follows the rows read here; raises _NotAlone where it cannot."""
        if self.ended_at is not None or (later.totals_first and self.data_rows):
            raise _NotAlone  # rows past a totals row are notes; a totals row after data rows ends the data
        self.rows += later.rows
        self.problems += later.problems
        self.skipped += later.skipped
        self.totals += later.totals
        self.data_rows += later.data_rows
        self.ended_at = later.ended_at


def _repeats_header(values, sheet: _Sheet) -> bool:
    """A header row printed again (a long ledger pasted page by page)."""
    need = max(2, len(sheet.header.columns) // 2)
    chances = len(sheet.inline_labels)  # labels left to compare, and the row is no header once too few are
    width = len(values)
    for c, label in sheet.inline_labels:
        if c < width and isinstance(values[c], str) and inline(values[c]) == label:
            need -= 1
            if need <= 0:
                return True
        chances -= 1
        if chances < need:
            return False
    return need <= 0


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


def _check_duplicates(plan: Plan) -> None:
    seen: dict[tuple, int] = {}
    codes: dict[str, int] = {}
    for row in plan.rows:
        if not row.values:
            continue
        # Two rows with different codes are two deals, even under one name and date.
        first = codes.get(row.code) if row.code else seen.get(row.key)
        if first is not None:
            label, raw = _cell_of(row, plan.labels, "code" if row.code else "name") or ("", None)
            message = (_("The same code as row {row}") if row.code else
                       _("The same deal as row {row} (same name and signing date or event)")).format(row=first)
            plan.problems.append(Problem(row.row, label, cell_text(raw), "duplicate", message))
            row.values = {}
            continue
        seen[row.key] = row.row
        if row.code:
            codes[row.code] = row.row


# ---- the totals row -------------------------------------------------------


def _check_totals(sheet: _Sheet, plan: Plan, number: int, values: list) -> None:
    for f in ("amount", "amount_cny"):
        col = sheet.header.columns.get(f)
        if col is None or col >= len(values) or values[col] is None or is_blank(values[col]):
            continue
        cell = values[col]
        label = sheet.label(f)
        rows = [r for r in plan.rows if f in r.raw]
        if _as_number(cell) is not None:
            _check_numeric_total(sheet, plan, number, f, label, cell, rows)
        else:
            _check_text_total(plan, number, f, label, cell, rows)


def _as_number(value) -> Decimal | None:
    """A cell holding a plain number (a CSV's 1,050,000 too), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, Decimal)):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        return number if number.is_finite() else None
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        if re.fullmatch(r"[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?|[0-9]+(\.[0-9]+)?", text):
            return Decimal(text.replace(",", ""))
    return None


def _tolerance(total: Decimal) -> Decimal:
    """Half a unit of the last decimal written, at least a billionth of the total (float noise)."""
    exponent = total.normalize().as_tuple().exponent
    half = Decimal(5).scaleb(exponent - 1) if exponent < 0 else Decimal("0.5")
    return max(half, abs(total) * Decimal("1e-9"))


def _check_numeric_total(sheet, plan, number, f, label, cell, rows) -> None:
    """A number in the totals row is compared with the rows in the column's currency and unit.

    Amounts in another currency (1.8亿美元 written in a 总投资(亿元) column) are
    left out, as a spreadsheet's SUM leaves out text; a total that adds only the
    cells holding numbers is accepted with a notice.
    """
    unit = sheet.units.get(f) or sheet.note_unit or (Decimal(1), "CNY")
    total = _as_number(cell)
    same = numbers = Decimal(0)
    others = []
    for r in rows:
        raw = r.raw[f]
        value = _as_number(raw)
        if value is not None:
            numbers += value
            if f == "amount_cny" or r.money is None or r.money.currency == unit[1]:
                same += value
            else:
                others.append(r.row)
        elif f == "amount" and r.money is not None and r.money.currency == unit[1]:
            same += r.money.amount / unit[0]
        elif raw is not None and not is_blank(raw):
            others.append(r.row)
    tolerance = _tolerance(total)
    if abs(same - total) <= tolerance:
        expected = same
        if others:
            plan.notices.append(_("Totals row {row} ({column}): rows {rows} are in another currency or not a number "
                                  "and were left out of the check").format(
                row=number, column=label, rows=", ".join(map(str, others))))
    elif abs(numbers - total) <= tolerance:
        expected = numbers
        plan.notices.append(_("Totals row {row} ({column}) adds only the cells holding numbers; all rows in the "
                              "column's currency add up to {sum}").format(row=number, column=label, sum=_plain(same)))
    else:
        expected = same
        plan.problems.append(Problem(number, label, cell_text(cell), "totals_mismatch", _(
            "The totals row says {total} but the rows add up to {sum}: correct the rows or the total, or delete "
            "the totals row").format(total=_plain(total), sum=_plain(same))))
    plan.totals_checked.append((number, label, _plain(total), _plain(expected)))


def _check_text_total(plan, number, f, label, cell, rows) -> None:
    """Text totals (117亿余元, or 105亿元、1.8亿美元) are compared per currency, to the precision written."""
    if f != "amount":
        return
    parts = [p.strip() for p in re.split(r"[、;；，+]|,\s+|\s{2,}", cell_text(cell)) if p.strip()]
    try:
        stated = [(p, parse_amount_cell(p, None, None, None, None)) for p in parts]
    except CellError:
        plan.notices.append(_("The totals row {row} in {column} was not checked: {value!r} is not an amount").format(
            row=number, column=label, value=cell_text(cell)))
        return
    sums: dict[str, Decimal] = {}
    for r in rows:
        if r.money is not None:
            sums[r.money.currency] = sums.get(r.money.currency, Decimal(0)) + r.money.amount
    wrong = set(sums) != {m.currency for _p, m in stated} or len(stated) != len(sums)
    for text, m in stated:
        got = sums.get(m.currency, Decimal(0))
        step = Decimal(1).scaleb(_last_digit(text))
        if m.approximate:
            # 117亿余元: at least 117亿 and less than 118亿 (or rounded to it).
            wrong |= not (m.amount - step / 2 <= got < m.amount + step)
        else:
            wrong |= abs(got - m.amount) > max(step / 2, Decimal("0.005"))
    shown_sum = "、".join(format_money(Money(v, c)) for c, v in sums.items())
    if wrong:
        plan.problems.append(Problem(number, label, cell_text(cell), "totals_mismatch", _(
            "The totals row says {total} but the rows add up to {sum}: correct the rows or the total, or delete "
            "the totals row").format(total=cell_text(cell), sum=shown_sum)))
    plan.totals_checked.append((number, label, cell_text(cell), shown_sum))


def _last_digit(text: str) -> int:
    """The power of ten of the last digit written in an amount: 117亿 → 8, 379.67亿 → 6, USD 1.5 million → 5."""
    normal = unicodedata.normalize("NFKC", text).lower()
    unit = 8 if "亿" in normal else 4 if "万" in normal else 6 if "million" in normal else 9 if "billion" in normal \
        else 0
    digits = re.search(r"[0-9][0-9,]*(?:\.([0-9]+))?", normal)
    decimals = len(digits.group(1) or "") if digits else 0
    return unit - decimals


def _plain(value: Decimal) -> str:
    """A total as shown in messages: at most 4 decimals, no exponent."""
    with localcontext() as ctx:
        # Enough digits for the integer part of any value (a cell may hold 1e76) plus 4 decimals.
        ctx.prec = max(28, value.adjusted() + 6) if value.is_finite() else 28
        return format(value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP).normalize(), "f")


# ---- applying -------------------------------------------------------------


class _Rollback(Exception):
    """Internal: leave the import transaction without writing."""


# A name ending like an official one is taken as complete: matched exactly or created, never
# as part of a longer name (保定市商务局 is not 保定市商务局开发区分局).
_FULL_DEPARTMENT = re.compile(r"(局|委|委员会|政府|公司|管委会|办公室|办|中心|院|所|集团|厅|部|处|科|站|队)$")
_FULL_EVENT = re.compile(r"(会|节|论坛|峰会|活动|周|展)$")


class _Resolver:
    """Matches departments, events and people named in the file, creating the missing ones.

    What a row creates is remembered; when the row is refused and its
    savepoint rolled back, `forget_row` drops it again, so that a later row
    naming the same department creates it anew instead of finding a name
    whose record is gone.
    """

    def __init__(self, report: Report, actor: str, paused):
        self.report = report
        self.actor = actor
        self.paused = paused  # a context in which to write (see NewDeals.paused)
        self.departments: dict[str, str] = {}
        self.events: dict[str, str] = {}
        self.people: set[str] = set()
        self._made: list = []  # (cache, key, report list or None) of the current row

    def start_row(self) -> None:
        self._made = []

    def forget_row(self) -> None:
        """Forget what the current row created (its savepoint was rolled back)."""
        for cache, key, listed in self._made:
            if isinstance(cache, dict):
                cache.pop(key, None)
            else:
                cache.discard(key)
            if listed is not None and key in listed:
                listed.remove(key)
        self._made = []

    def department(self, name: str) -> str:
        """The exact name of the department `name` means (created if there is none)."""
        if name in self.departments:
            return self.departments[name]
        exact = Department.get_or_none(Department.name == name)
        if exact is None and not _FULL_DEPARTMENT.search(name):
            matches = list(Department.select(Department.name).where(Department.name.contains(name)).limit(6))
            if len(matches) == 1:
                exact = matches[0]
            elif len(matches) > 1:
                raise InvalidInput(_("Department {name!r} matches several: {names}; write the full name").format(
                    name=name, names="、".join(m.name for m in matches[:5])))
        listed = None
        if exact is None:
            with self.paused():
                exact = registry.add_department(name, kind=_department_kind(name), actor=self.actor)
            self.report.departments_created.append(name)
            listed = self.report.departments_created
        self.departments[name] = exact.name
        self._made.append((self.departments, name, listed))
        return exact.name

    def event(self, name: str, day: datetime.date | None) -> str:
        """The exact name of the event `name` means (created, dated `day`, if there is none)."""
        if name in self.events:
            return self.events[name]
        found = list(Event.select().where(Event.name == name))
        if not found and not _FULL_EVENT.search(name):
            # A short name (廊坊 → 中国·廊坊国际经济贸易洽谈会) of an event held that day, or undated.
            found = [e for e in Event.select().where(Event.name.contains(name)).limit(20)
                     if day is None or e.held_on is None or e.held_on == day]
        if len(found) > 1 and day is not None:
            same_day = [e for e in found if e.held_on == day]
            found = same_day or found
        names = {e.name for e in found}
        if len(names) > 1:
            raise InvalidInput(_("Event {name!r} matches several: {names}; write the full name").format(
                name=name, names="、".join(sorted(names)[:5])))
        listed = None
        if not found:
            with self.paused():
                registry.add_event(name, held_on=day)
            self.report.events_created.append(name)
            listed = self.report.events_created
            chosen = name
        else:
            chosen = found[0].name
            if Event.select().where(Event.name == chosen).count() > 1:
                # Core limitation: deal fields name an event by its name only, which
                # means the newest edition of a recurring fair.
                newest = Event.select().where(Event.name == chosen).order_by(Event.held_on.desc()).first()
                if day is not None and newest.held_on != day and any(e.held_on == day for e in found):
                    raise InvalidInput(_(
                        "Event {name!r} was held more than once; a deal can only be linked to its latest edition "
                        "({day}) by name").format(name=chosen, day=newest.held_on))
        self.events[name] = chosen
        self._made.append((self.events, name, listed))
        return chosen

    def person(self, name: str) -> None:
        """Note `name` among the people the import creates when nobody has that name yet."""
        if name in self.people:
            return  # an earlier row named them: they exist now (created with that row's deal)
        listed = None
        if not Person.select().where(Person.name == name).exists():
            self.report.people_created.append(name)
            listed = self.report.people_created
        self.people.add(name)
        self._made.append((self.people, name, listed))


def _department_kind(name: str) -> str:
    if re.search(r"(人民政府|政府)$", name):
        return "county"
    if re.search(r"(管委会|管理委员会|开发区|园区)$", name):
        return "zone"
    if re.search(r"(供电|电力|燃气|水务|自来水|热力|通信)", name):
        return "utility"
    return "department"


class _Deals:
    """The deals a row may mean: the one with its code, else those with its name (see `find`).

    Rows are looked up many at a time, ahead of the row being applied: the
    codes of the whole file at once, the names of the next rows in growing
    windows. Deals this import creates are added as they are created. An
    update that may change what a name finds (a rename, a signing date, an
    event, a stage: signing a deal dates it) drops the names read ahead and
    not yet used, which are read again when reached.
    """

    MAX_WINDOW = 4096

    def __init__(self, rows: list[RowPlan]):
        self.rows = [r for r in rows if r.values]
        self.by_code: dict = {}
        self.by_key: dict[str, list] = {}
        self.unused: set[str] = set()
        self.window = 64
        self.position = 0
        # Into an empty ledger (a bureau's first import) only the deals the import creates can match.
        self.empty = not Deal.select().exists()
        codes = [] if self.empty else sorted({r.code for r in self.rows if r.code})
        for start in range(0, len(codes), 900):
            for deal in _with_event_name(Deal.code.in_(codes[start:start + 900])):
                self.by_code[deal.code] = deal

    def find(self, row: RowPlan, file_codes: set) -> tuple[object | None, bool]:
        """(the deal `row` means or None, whether found by its code); raises when several deals match.

        The deal found by business key — the name (compared after NFKC and
        without spaces) and the signing date when given, else the event —
        is not one whose own code is written on another row of the file.
        """
        if row.code and row.code in self.by_code:
            return self.by_code[row.code], True
        key = row.key[0]
        if key not in self.by_key:
            self._read_ahead(row)
        self.unused.discard(key)
        candidates = self.by_key[key]
        event = row.values.get("event")
        if row.signed_on is not None:
            same = [d for d in candidates if d.signed_on == row.signed_on]
            if not same:
                same = [d for d in candidates if d.signed_on is None]
        elif event:
            same = [d for d in candidates if d.event_name and name_key(event) in name_key(d.event_name)]
            if not same and len(candidates) == 1 and candidates[0].event_id is None:
                same = candidates
        else:
            same = candidates
        if row.code:
            same = [d for d in same if d.code not in file_codes]
        if len(same) > 1:
            raise InvalidInput(_("Several deals are named {name!r} ({codes}); add the signing date or the code").format(
                name=row.values.get("name", ""), codes=", ".join(d.code for d in same)))
        return (same[0] if same else None), False

    def created(self, row: RowPlan, deal) -> None:
        """A deal the import created for `row`: later rows find it by its name and code."""
        self.by_key.setdefault(row.key[0], []).append(deal)
        self.by_code[deal.code] = deal

    def updated(self, changed: list) -> None:
        if {"name", "signed_on", "event", "stage"} & set(changed):
            for key in self.unused:
                del self.by_key[key]
            self.unused.clear()
            self.window = 1

    def _read_ahead(self, row: RowPlan) -> None:
        if self.empty:
            self.by_key[row.key[0]] = []
            return
        while self.rows[self.position] is not row:
            self.position += 1
        variants: dict[str, set] = {}
        for later in self.rows[self.position:]:
            key = later.key[0]
            if key not in self.by_key and key not in variants:
                # The spellings the first row with this key is looked up by.
                name = later.values.get("name", "")
                variants[key] = {name, unicodedata.normalize("NFKC", name),
                                 name.replace("(", "（").replace(")", "）")}
                if len(variants) >= self.window:
                    break
        self.window = min(self.window * 2, self.MAX_WINDOW)
        names = sorted({n for spellings in variants.values() for n in spellings})
        found: dict[str, list] = {key: [] for key in variants}
        for start in range(0, len(names), 900):
            for deal in _with_event_name(Deal.name.in_(names[start:start + 900])):
                key = name_key(deal.name)
                if key in variants and deal.name in variants[key]:
                    found[key].append(deal)
        for key, deals in found.items():
            deals.sort(key=lambda d: d.id)
            self.by_key[key] = deals
            self.unused.add(key)


def _with_event_name(condition) -> list[Deal]:
    return list(Deal.select(Deal, Event.name.alias("event_name"))
                .join(Event, JOIN.LEFT_OUTER, on=(Deal.event == Event.id)).where(condition).objects())


def run_import(path: str | Path, sheet: str | None = None, dry_run: bool = False, today: datetime.date | None = None,
               actor: str | None = None, progress=None, bulk: bool = True) -> Report:
    """Read, check and (unless `dry_run` or any row is refused) write `path` in one transaction.

    New deals are checked as create_deal checks them and written in batches
    (crm.importing.bulk); `bulk=False` creates them one by one through
    create_deal instead, with the same result, much more slowly.
    """
    with _collector_paused():
        return _run_import(path, sheet, dry_run, today, actor, progress, bulk)


_paused = 0  # imports running with the collector paused (the TUI imports in a worker thread)
_pause_lock = threading.Lock()


@contextlib.contextmanager
def _collector_paused():
    """Python's cycle collector off while importing.

    An import keeps a few objects per cell alive until it ends (the plan, the
    rows, the deals checked): millions, which each full collection walks
    again, ~5 s of 35 at 100,000 rows, to find next to nothing (the import
    makes few cycles). Collections resume when the last import running ends.
    """
    global _paused
    with _pause_lock:
        ours = gc.isenabled() or _paused > 0  # else someone else turned it off: theirs to turn on
        if ours:
            _paused += 1
            gc.disable()
    try:
        yield
    finally:
        if ours:
            with _pause_lock:
                _paused -= 1
                if not _paused:
                    gc.enable()


def _run_import(path, sheet, dry_run, today, actor, progress, bulk) -> Report:
    today = today or datetime.date.today()
    actor = actor or current_actor()
    plan = read_plan(path, sheet, today, progress=None)
    report = Report(source=str(path), sheet=plan.sheet, dry_run=dry_run)
    report.header_row = plan.header.row
    report.columns = {f: inline(str(plan.header.labels[c])) for f, c in plan.header.columns.items()}
    report.ignored_columns = [inline(str(label)) for label in plan.header.ignored]
    report.rows_read = len(plan.rows)
    report.skipped = list(plan.skipped)
    report.problems = list(plan.problems)
    report.notices = list(plan.notices)
    report.totals_checked = list(plan.totals_checked)
    note = _("Imported from {file}, row {row}")
    file_name = Path(path).name
    try:
        with roomy_cache(), writing():
            apply = _Applying(plan, report, actor, today, bulk)
            apply.look_up_names()
            with apply.new.write_behind():
                total = len(plan.rows)
                for done, row in enumerate(plan.rows, 1):
                    if progress and (done % 200 == 0 or done == total):
                        progress(done, total)
                    if row.values:
                        apply.row(row, note.format(file=file_name, row=row.row))
                apply.flush(wait=True)
                if report.problems or dry_run:
                    raise _Rollback
                apply.new.write([(sql, ()) for sql in apply.indexes_aside])
                # Dropped while the writer builds the indexes (~0.5 s at 100,000 rows, ~2 s the indexes).
                plan.rows, apply.deals = [], None
            report.written = True
    except _Rollback:
        pass
    return report


class _Applying:
    """Applies the rows of a plan in order: new deals in batches, matched deals one by one."""

    def __init__(self, plan: Plan, report: Report, actor: str, today: datetime.date, bulk: bool):
        self.report, self.actor, self.today, self.bulk = report, actor, today, bulk
        self.labels = plan.labels
        self.new = NewDeals(actor)
        self.resolver = _Resolver(report, actor, self.new.paused)
        self.deals = _Deals(plan.rows)
        self.file_codes = {r.code for r in plan.rows if r.code}
        self.indexes_aside = []
        if bulk and self.deals.empty and len(self.deals.rows) >= import_bulk.REBUILD_AT:
            # Only the deals the import creates can be looked up: by id and code, which keep their indexes.
            self.indexes_aside = set_indexes_aside(Deal)

    def look_up_names(self) -> None:
        """Find (or create) the departments, events and people the rows name, each once, in the rows' order.

        Applying a row then finds them remembered and asks the database
        nothing: a writer thread (NewDeals.write_behind) can keep it busy
        meanwhile. What a row has refused is left for applying it to refuse
        (and what it created stays: any refusal rolls the whole import back).
        """
        if not self.bulk:
            return
        for row in self.deals.rows:
            self.resolver.start_row()
            try:
                values, supporting = self._resolve(row)
                self.new.look_up(values, supporting or [])
                for _item, department, _raised in _new_problems(row, values, row.signed_on, self.resolver,
                                                                self.today):
                    self.new.look_up({"lead_unit": department}, [])
            except CrmError:
                continue

    def row(self, row: RowPlan, note: str) -> None:
        """Apply one row; a refusal becomes the row's problem (the import then writes nothing)."""
        self.resolver.start_row()
        try:
            match, by_code = self.deals.find(row, self.file_codes)
            refusal = None
        except InvalidInput as err:
            match, by_code, refusal = None, False, err
        try:
            if match is None and self.bulk:
                # No savepoint: a refused new row leaves nothing behind but what the resolver
                # created, and any refusal rolls the whole import back.
                self._create(row, refusal)
            else:
                self.flush(wait=True)  # the row's savepoint must not take in rows still being written
                try:
                    with database.atomic():
                        self._one_by_one(row, match, by_code, refusal, note)
                except CrmError:
                    self.resolver.forget_row()
                    raise
        except CrmError as err:
            self.report.problems.append(_row_problem(row, err, self.labels))
        if len(self.new.pending) >= BATCH:
            self.flush()

    def flush(self, wait: bool = False) -> None:
        """Write the new deals checked so far; with `wait`, not before they are written."""
        try:
            if self.new.behind is not None:
                self.new.flush()
            elif self.new.pending:
                with database.atomic():
                    self.new.flush()
            if wait:
                self.new.wait()
        except IntegrityError as err:
            # Another writer took the same codes meanwhile (PostgreSQL), or ids (a write behind, SQLite).
            self.report.problems.append(Problem(None, None, None, "conflict", _(
                "Deals were added by someone else while importing ({reason}); nothing was imported: run the "
                "import again").format(reason=str(err).splitlines()[0] if str(err) else type(err).__name__)))

    def _resolve(self, row: RowPlan) -> tuple[dict, list | None]:
        values = dict(row.values)
        if values.get("event"):
            values["event"] = self.resolver.event(values["event"], row.signed_on)
        if values.get("lead_unit"):
            values["lead_unit"] = self.resolver.department(values["lead_unit"])
        if values.get("liaison"):
            self.resolver.person(values["liaison"])
        supporting = None if row.supporting is None else [self.resolver.department(n) for n in row.supporting]
        return values, supporting

    def _create(self, row: RowPlan, refusal: InvalidInput | None) -> None:
        values, supporting = self._resolve(row)
        if refusal is not None:
            raise refusal
        code = _new_code(row, values)
        deal = self.new.check({k: v for k, v in values.items() if k in DEAL_FIELDS}, row.stage, supporting or [],
                              code)
        for item, department, raised in _new_problems(row, values, deal.signed_on, self.resolver, self.today):
            self.new.check_blocker(deal, item.text, department, item.due, raised)
        self.new.add(deal)
        self.deals.created(row, deal)
        self.report.created.append((row.row, deal.code, deal.name))
        self.report.blockers_added += len(deal.blockers)

    def _one_by_one(self, row: RowPlan, deal, by_code: bool, refusal, note: str) -> None:
        values, supporting = self._resolve(row)
        if refusal is not None:
            raise refusal
        if deal is None:
            code = _new_code(row, values)
            deal = create_deal({k: v for k, v in values.items() if k in DEAL_FIELDS}, stage=row.stage,
                               supporting=supporting or [], code=code, actor=self.actor)
            added = _add_problems(deal, row, values, self.resolver, self.actor, self.today)
            deal.event_name = deal.event.name if deal.event_id else None
            self.deals.created(row, deal)
            self.report.created.append((row.row, deal.code, deal.name))
            self.report.blockers_added += added
            return
        if by_code or isinstance(deal, NewDeal):
            deal = Deal.get_by_id(deal.id)  # as read when the row is reached (a code is looked up afresh)
        changed = _update(deal, row, values, supporting, self.actor, self.today, note, self.report)
        self.deals.updated(changed)
        deal = Deal.get_by_id(deal.id)
        added = _add_problems(deal, row, values, self.resolver, self.actor, self.today)
        self.report.blockers_added += added
        if changed:
            self.report.updated.append((row.row, deal.code, deal.name, changed + (["blockers"] if added else [])))
        elif added:
            self.report.updated.append((row.row, deal.code, deal.name, ["blockers"]))
        else:
            self.report.unchanged.append((row.row, deal.code))


def _new_code(row: RowPlan, values: dict) -> str | None:
    """The code a new deal keeps from the file (one shaped like ours), else None (the next free one)."""
    if "amount" not in values:
        raise _refuse(_("A new deal needs its total investment (总投资)"), "missing_amount", "amount")
    return row.code if row.code and _OUR_CODE.fullmatch(row.code) else None


def _cell_of(row: RowPlan, labels: dict, field_name: str) -> tuple | None:
    """(its column's label, the value read) of `field_name` in `row`; None when the sheet has no such column."""
    return (labels[field_name], row.raw[field_name]) if field_name in row.raw else None


def _row_problem(row: RowPlan, err: CrmError, labels: dict) -> Problem:
    """A refusal by the ledger core, placed on the row and, where known, the column it concerns."""
    code = getattr(err, "import_code", None) or type(err).__name__.lower()
    field_name = getattr(err, "import_field", None) or "name"
    label, raw = _cell_of(row, labels, field_name) or (None, None)
    if field_name == "name" and raw is None:
        raw = row.values.get("name")
    return Problem(row.row, label, cell_text(raw) if raw is not None else None, code, str(err))


def _refuse(message: str, code: str, field_name: str) -> InvalidInput:
    err = InvalidInput(message)
    err.import_code, err.import_field = code, field_name
    return err


def _update(deal: Deal, row: RowPlan, values: dict, supporting, actor, today, note, report) -> list:
    fields = {k: v for k, v in values.items() if k in DEAL_FIELDS}
    if name_key(fields.get("name", "")) == name_key(deal.name):
        # The same name in full- or half-width brackets, spaced differently: not a rename.
        fields.pop("name", None)
    last_audit = AuditEntry.select(fn.MAX(AuditEntry.id)).scalar() or 0
    saved = edit_deal(deal.code, fields, actor=actor) if fields else deal
    changed = [f for (f,) in AuditEntry.select(AuditEntry.field)
               .where((AuditEntry.id > last_audit) & (AuditEntry.table == "deal") & (AuditEntry.row_id == deal.id))
               .order_by(AuditEntry.id).tuples()]
    if supporting is not None:
        current = {d.name for d in supporting_departments(saved)}
        if current != set(supporting):
            set_supporting(saved.code, supporting, actor=actor)
            changed.append("supporting")
    if row.stage and row.stage != saved.stage:
        src, dst = BY_KEY[saved.stage], BY_KEY[row.stage]
        if saved.stage == "terminated" or (src.order is not None and dst.order is not None and dst.order < src.order):
            raise _refuse(_(
                "The file says {dst} but the ledger has {code} at {src} since {since}; a move back is not made by an "
                "import: use `crm stage {code} …` with a note").format(
                    dst=dst.label(), code=saved.code, src=src.label(), since=saved.stage_since),
                "stage_backwards", "stage")
        change_stage(saved.code, row.stage, on=max(today, saved.stage_since), note=note, actor=actor)
        report.stage_changes += 1
        changed.append("stage")
    return changed


def _new_problems(row: RowPlan, values: dict, signed_on, resolver: _Resolver, today: datetime.date):
    """(item, department name, raised) of each problem a new deal gets (its lead unit owns those naming none)."""
    known = set()
    for item in row.problems:
        if name_key(item.text) in known:
            continue
        department = item.department or values.get("lead_unit")
        if not department:
            raise _refuse(_("The problem {text!r} names no responsible department, and the deal has no lead unit "
                            "(牵头单位) to give it to").format(text=item.text), "blocker_department", "blockers")
        department = resolver.department(department)
        yield item, department, item.raised or _raised_default(item, signed_on, today)
        known.add(name_key(item.text))


def _add_problems(deal: Deal, row: RowPlan, values: dict, resolver: _Resolver, actor, today) -> int:
    if not row.problems:
        return 0
    known = {name_key(t) for (t,) in Blocker.select(Blocker.text).where(Blocker.deal == deal).tuples()}
    added = 0
    for item in row.problems:
        if name_key(item.text) in known:
            continue
        department = item.department or values.get("lead_unit") or (deal.lead_unit.name if deal.lead_unit else None)
        if not department:
            raise _refuse(_("The problem {text!r} names no responsible department, and the deal has no lead unit "
                            "(牵头单位) to give it to").format(text=item.text), "blocker_department", "blockers")
        department = resolver.department(department)
        raised = item.raised or _raised_default(item, deal.signed_on, today)
        blocker_ops.add_blocker(deal.code, item.text, department, due=item.due, raised=raised, actor=actor)
        known.add(name_key(item.text))
        added += 1
    return added


def _raised_default(item: ProblemItem, signed_on: datetime.date | None, today: datetime.date) -> datetime.date:
    """When a problem's raising date is not written: today, unless its due date is earlier."""
    if item.due is None or item.due >= today:
        return today
    if signed_on and signed_on <= item.due:
        return signed_on
    return item.due
