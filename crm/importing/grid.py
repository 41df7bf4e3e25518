"""A sheet's cells as the importer reads them (Grid), and calamine's values made into its rows as openpyxl gives them.

Shared by crm.importing.workbook (whole sheets), crm.importing.xlsx_slices (a large sheet slice by slice) and
crm.importing.csv_file.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import _

MAX_CELL_CHARS = 32767  # what Excel and WPS let a cell hold


@dataclass
class Grid:
    """The cells of one sheet: `rows` are (row number as the spreadsheet shows it, values)."""

    source: str
    sheet: str
    kind: str  # "xlsx" | "csv"
    rows: list[tuple[int, list]]
    formats: dict = field(default_factory=dict)  # (row number, column index) -> number format of numeric cells
    merged: list = field(default_factory=list)  # (min_row, min_col, max_row, max_col), 1-based
    epoch: object = None  # the workbook's date system, for serial numbers
    encoding: str = ""
    trimmed: bool = False  # every text cell is trimmed and not empty (an empty cell is None)
    one_line: bool = False  # and none holds a line break
    # A sheet streamed (crm.importing.xlsx_slices): `rows` are its first rows, `more` gives the others a slice's
    # rows (a list) at a time, once; `rows_at_most` bounds their count; `reopen()` gives the sheet afresh.
    more: Iterator[list] | None = None
    rows_at_most: int = 0
    reopen: Callable[[], Grid] | None = None
    _kept_formats: list = field(default_factory=list)  # (last row, format keys) of each slice read
    # (row, column), 1-based -> formula, of formula cells with no computed value (a file no spreadsheet saved)
    uncomputed: dict = field(default_factory=dict)
    # Rows hidden in the sheet (or filtered out), left out of `rows`: number -> values; a streamed sheet's as read.
    hidden_rows: dict = field(default_factory=dict)
    hidden_columns: frozenset = frozenset()  # 0-based indexes of the columns hidden in the sheet

    def number_format(self, row: int, col: int) -> str:
        return self.formats.get((row, col), "General")

    def keep_formats(self, rows: list, formats: dict) -> None:
        """Add a streamed slice's `formats` (of its `rows`), to be forgotten once its rows are read."""
        if formats:
            self.formats.update(formats)
            self._kept_formats.append((rows[-1][0] if rows else 0, list(formats)))

    def forget_formats(self, through: int) -> None:
        """Drop the formats of the slices whose rows all number `through` or less (a streamed grid's rows read)."""
        kept = self._kept_formats
        while kept and kept[0][0] <= through:
            for key in kept.pop(0)[1]:
                self.formats.pop(key, None)

    def all_rows(self) -> Grid:
        """This grid with a streamed sheet's every row taken into `rows` (for a reader that needs them all)."""
        if self.more is not None:
            for rows in self.more:
                self.rows += rows
            self.more, self._kept_formats = None, []
        return self


def _first_line(exc: Exception) -> str:
    text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return text[:200]


class _TooWide(Exception):
    """A sheet's cells span more than MAX_CELLS: read it with openpyxl, cell by cell."""


class _Unsliced(Exception):
    """A large sheet whose rows or cells do not all say where they are (r="…"): read it whole."""


def _grid_of(path: Path, name: str, pieces, merged: list, epoch, fill: bool = True) -> Grid:
    """A Grid of `pieces`: (rows as (number, calamine values), their formats and error cells) in sheet order."""
    rows: list[tuple[int, list]] = []
    formats, uncomputed = {}, {}
    hidden: set[int] = set()
    hidden_columns: set[int] = set()
    # One str object per distinct text: a ledger repeats its regions, stages, units and dates down the rows,
    # and every later step keeps (and hashes) what the grid holds.
    texts: dict[str, str] = {}
    for numbered, cells in pieces:
        start = len(rows)
        _take_rows(path, numbered, cells, texts, rows)
        formats.update(_take_formats(rows[start:], cells))
        uncomputed.update(getattr(cells, "formulas", None) or {})
        hidden |= getattr(cells, "hidden_rows", None) or set()
        hidden_columns |= getattr(cells, "hidden_columns", None) or set()
    if fill:
        _fill_merged(rows, merged)
    one_line = not any("\n" in t or "\r" in t for t in texts)  # texts trimmed above, empty ones None: trimmed
    grid = Grid(str(path), name, "xlsx", rows, formats, merged, epoch, trimmed=True, one_line=one_line)
    grid.uncomputed = uncomputed
    grid.rows = drop_hidden(rows, hidden, grid.hidden_rows)
    grid.hidden_columns = frozenset(c - 1 for c in hidden_columns)
    return grid


def drop_hidden(rows: list, hidden: set, kept: dict) -> list:
    """`rows` without those numbered in `hidden` (rows hidden in the sheet), which are put in `kept`.

    A hidden row is one the sheet's owner hid or filtered out (a duplicate voided, a county filtered away):
    not imported; the import names them (headers.hidden_notices), and unhiding them imports them.
    """
    if not hidden:
        return rows
    out = []
    for number, values in rows:
        if number in hidden:
            kept[number] = values
        else:
            out.append((number, values))
    return out


def _take_formats(rows: list, cells) -> dict:
    """The formats of `cells` (a piece's SheetParts) that `rows` (the piece's) keep: numeric cells' only,
    as when openpyxl reads them."""
    if not cells.formats:
        return {}
    by_number = dict(rows)
    formats = {}
    for (row, col), fmt in cells.formats.items():
        values = by_number.get(row)
        if (
            values
            and col <= len(values)
            and isinstance(values[col - 1], (int, float))
            and not isinstance(values[col - 1], bool)
        ):
            formats[(row, col)] = fmt
    return formats


def _take_rows(path: Path, numbered, cells, texts: dict, rows: list) -> None:
    """Append (number, values) of the rows `numbered` gives to `rows`, their values as openpyxl gives them."""
    errors: dict[int, list] = {}
    for (row, col), text in cells.errors.items():
        errors.setdefault(row, []).append((col, text.strip() or None))
    same = texts.setdefault
    start = len(rows)
    for number, raw in numbered:
        # Text first, inline: most cells are text, and a ledger has millions.
        values = [(same(t, t) if (t := v.strip()) else None) if type(v) is str else _as_openpyxl(v) for v in raw]
        # calamine gives an error cell as '': openpyxl gives its text (#N/A), a value to complain about.
        for col, text in errors.get(number, ()):
            while len(values) < col:
                values.append(None)
            values[col - 1] = text
        while values and values[-1] is None:
            values.pop()
        if not values:
            continue
        rows.append((number, values))
    # Only a text can outgrow a cell, and each distinct one is in `texts`: looked at once, not a repr per row.
    if max(map(len, texts), default=0) > MAX_CELL_CHARS or any(len(t) > MAX_CELL_CHARS for t in cells.errors.values()):
        for number, values in rows[start:]:
            _check_cell_sizes(path, number, values)


def _check_cell_sizes(path: Path, number: int, values: list) -> None:
    """Refuse a cell holding more than a spreadsheet cell can (32,767 characters), naming where it is."""
    from crm.importing.cells import column_letter

    for col, value in enumerate(values, 1):
        if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
            raise InvalidInput(
                _(
                    "{path}: row {row}, column {column}: the cell holds {n} characters, more than a "
                    "spreadsheet cell can ({limit}); shorten it"
                ).format(path=path, row=number, column=column_letter(col), n=len(value), limit=MAX_CELL_CHARS)
            )


def _as_openpyxl(value):
    """A calamine value as openpyxl gives it: '' is no value, 25.0 is 25, a date is a datetime."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, float):
        # Excel stores whole numbers without a decimal point; openpyxl reads those as int.
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return datetime.datetime.combine(value, datetime.time())
    return value


def _fill_merged(rows: list[tuple[int, list]], merged) -> None:
    """Give each cell of a one-column merged range the value of its first cell (`rows`: every row, in order)."""
    MergedFill(list(merged)).piece(rows, last=True)


class MergedFill:
    """_fill_merged for a sheet given a piece of rows at a time, in order, its merged ranges known before."""

    def __init__(self, merged: list):
        self.merged = merged
        self.tops: dict[int, object] = {}  # index of a range -> the value of its first cell, once read
        self.low = 1  # the first row number the next piece covers (rows missing before it were the last's)

    def piece(self, rows: list[tuple[int, list]], last: bool = False) -> list[tuple[int, list]]:
        """`rows` (the next piece's, in order) with each one-column range's cells given its first cell's value;
        `last`: no piece follows (the rows a range still covers are added)."""
        low = self.low
        high = rows[-1][0] if rows and not last else (1 << 62 if last else low - 1)
        if high < low:
            return rows
        self.low = high + 1
        by_number = None
        for index, (min_row, min_col, max_row, max_col) in enumerate(self.merged):
            if min_col != max_col or max_row == min_row or max_row < low or min_row > high:
                continue
            if by_number is None:
                by_number = {number: values for number, values in rows}
            if min_row >= low:
                top = by_number.get(min_row)
                self.tops[index] = top[min_col - 1] if top and len(top) >= min_col else None
            value = self.tops.get(index)
            if value is None:
                continue
            for number in range(max(min_row + 1, low), min(max_row, high) + 1):
                values = by_number.get(number)
                if values is None:
                    values = []
                    by_number[number] = values
                    rows.append((number, values))
                while len(values) < min_col:
                    values.append(None)
                if values[min_col - 1] is None:
                    values[min_col - 1] = value
        if by_number is not None:
            rows.sort(key=lambda r: r[0])
        return rows
