"""The weekly workbook's deal table as exports/weekly_xlsx.py laid it out and wrote it at afe0c93 (a row at a
time, each row's cells pickled with their shape and multi, heights from the final column widths): the
reference the program's chunked layout (exports.weekly_xlsx_body) must equal byte for byte. Not used by the
program. What did not change (formats, heading, column widths, totals, notes, page breaks, the summary sheet) is
imported, so that this reference differs from the program only in how it lays out and writes the deal rows.
Changed since, as the program's print layout was: 总投资 is text (layout.own_text), a row of several lines is
row_points(lines) high, and each row's height is told to the sheet's Pages."""

from __future__ import annotations

import math
import operator
import pickle
import tempfile
from collections.abc import Iterator
from decimal import Decimal

from crm.reporting.weekly import WeeklyTable
from exports import weekly_layout as layout
from exports.weekly_xlsx import HEADER_ROW, _sheet_bottom, _sheet_top, _Styles
from exports.weekly_xlsx_body import MAX_CELL, row_points
from exports.weekly_xlsx_body import cut as _text
from exports.weekly_xlsx_body import line_width as _line_width
from exports.weekly_xlsx_body import lines_of as _lines_of

SPOOL_ROWS = 1000


def _measure(text: str):
    """The display width of one-line text (an int), or the widths of each line (a tuple)."""
    if "\n" in text:
        return tuple(_line_width(line) for line in text.split("\n"))
    return _line_width(text) if text else 0


class _Lines:
    """How many lines each row wraps to, once the column widths are known.

    A row is laid out as `shape`, the display width of each one-line cell (0
    for the others), and `multi`, the (column, line widths) of its cells of
    several lines. _lines_of() decides for every cell; this gives the same
    answer without doing so for the one-line cells that fit their column.
    """

    def __init__(self, widths: list):
        self.rooms = [max(w - 1.5, 1) for w in widths]
        self.fits = []  # per column: the widest one-line text _lines_of() keeps on one line
        for room in self.rooms:
            fit = int(room / 1.1) + 2
            while fit > 0 and math.ceil(fit * 1.1 / room) > 1:
                fit -= 1
            self.fits.append(fit)
        # the room _lines_of(widths, room + 1.5) computes, to the last bit of the float
        self.wrap_rooms = [max((room + 1.5) - 1.5, 1) for room in self.rooms]

    def __call__(self, shape: list, multi: list) -> int:
        lines = 1
        fits = self.fits
        if max(map(operator.sub, shape, fits)) > 0:
            rooms, ceil = self.wrap_rooms, math.ceil
            for i, w in enumerate(shape):
                if w > fits[i]:
                    n = ceil(w * 1.1 / rooms[i])  # _lines_of((w,), …), without a call per cell
                    if n > lines:
                        lines = n
        for i, widths in multi:
            lines = max(lines, _lines_of(widths, self.rooms[i] + 1.5))
        return lines


class _Body:
    """The first pass over the deals: each row laid out as (writer index, value, format index) cells, with its
    shape and multi for _Lines, spooled to a temporary file SPOOL_ROWS at a time, while the widest line of
    each column is kept — so that the second pass knows the column widths and each row's height before it
    writes the row, with memory that does not grow with the number of rows."""

    STRING, NUMBER, DAY, BLANK = 0, 1, 2, 3

    def __init__(self, styles: _Styles, keys: list[str]):
        self.styles = styles
        self.formats: list = []
        self._format_at: dict[int, int] = {}
        self.text, self.centre, self.alert, self.date, self.yi = (
            self.spooled(styles(name)) for name in ("w_text", "w_centre", "w_alert", "w_date", "w_yi")
        )
        self.seq_at, self.stage_at, self.problems_at = keys.index("seq"), keys.index("stage"), keys.index("problems")
        self.signed_at = keys.index("signed_on")
        if keys[self.signed_at : self.signed_at + 3] != ["signed_on", "amount", "amount_cny"] or self.seq_at != 0:
            raise ValueError(f"the weekly xlsx lays out the columns of exports.weekly_layout, not {keys}")
        # the text columns: all but the row number, the date and the two amounts, which _numbers lays out
        self.text_columns = [i for i in range(1, len(keys)) if not self.signed_at <= i < self.signed_at + 3]
        self.before_numbers = self.signed_at - 1
        self.repeating = {
            keys.index(k) for k in ("region", "industry", "event", "stage", "lead_unit", "supporting", "liaison")
        }
        self.column_formats = [self.centre if i == self.stage_at else self.text for i in range(len(keys))]
        self.alert_formats = [self.alert if i == self.problems_at else f for i, f in enumerate(self.column_formats)]
        self._measured: dict[str, int | tuple] = {}
        self._amounts: dict = {}  # Money -> its spooled cell and width
        self._yuan: dict = {}  # Decimal -> its spooled cell and width
        self.widest = [0] * len(keys)
        self.spool = tempfile.TemporaryFile()  # noqa: SIM115 — closed by the `with` of the second pass
        self.total = 0

    def spooled(self, fmt) -> int:
        """The index a format is spooled as (formats do not pickle)."""
        at = self._format_at.get(id(fmt))
        if at is None:
            at = self._format_at[id(fmt)] = len(self.formats)
            self.formats.append(fmt)
        return at

    def lay_out(self, rows) -> None:
        """Lay out and spool every row of `rows`."""
        laid: list[tuple[list, list, list]] = []
        for row in rows:
            laid.append(self._row(row))
            self.total += 1
            if len(laid) == SPOOL_ROWS:
                pickle.dump(laid, self.spool, pickle.HIGHEST_PROTOCOL)
                laid = []
        if laid:
            pickle.dump(laid, self.spool, pickle.HIGHEST_PROTOCOL)
        self.spool.seek(0)

    def _row(self, row) -> tuple[list, list, list]:
        """One deal's cells as spooled, with its shape and multi (see _Lines), its columns' widest kept.

        Each column's type is known (layout.cells), so every cell is laid out without asking its type;
        the texts that repeat from row to row (stage, region, departments …) are measured once.
        """
        values = layout.cells(row)
        widest, measured, string, blank = self.widest, self._measured, self.STRING, self.BLANK
        cells, shape, multi = [], [], []
        seq = values[0]
        cells.append((self.NUMBER, seq, self.centre))
        w = len(str(seq))
        shape.append(w)
        if w > widest[0]:
            widest[0] = w
        formats = self.column_formats
        if any(p.overdue for p in row.problems):
            formats = self.alert_formats
        for i in self.text_columns:
            value = values[i]
            if value:
                cells.append((string, value if len(value) <= MAX_CELL else _text(value), formats[i]))
                w = measured.get(value)
                if w is None:
                    w = _measure(value)
                    if i in self.repeating and len(measured) < 20_000:
                        measured[value] = w
            else:
                cells.append((blank, None, formats[i]))
                w = 0
            if type(w) is int:
                shape.append(w)
                if w > widest[i]:
                    widest[i] = w
            else:
                shape.append(0)
                multi.append((i, w))
                widest[i] = max(widest[i], *w)
            if i == self.before_numbers:
                self._numbers(values, cells, shape)
        return cells, shape, multi

    def _numbers(self, values: list, cells: list, shape: list) -> None:
        """The signing date, the amount in its own currency and in 亿元 (the columns between the texts)."""
        widest = self.widest
        day, own, yi = values[self.signed_at], values[self.signed_at + 1], values[self.signed_at + 2]
        if day is None:
            cells.append((self.BLANK, None, self.text))
            shape.append(0)
        elif type(day) is str:  # a month-only date: its month as text (2025-12)
            cells.append((self.STRING, day, self.centre))
            shape.append(_line_width(day))
            widest[self.signed_at] = max(widest[self.signed_at], _line_width(day))
        else:
            cells.append((self.DAY, day, self.date))
            shape.append(10)  # yyyy-mm-dd
            if 10 > widest[self.signed_at]:
                widest[self.signed_at] = 10
        own_cell, own_w = self._own(own.money)
        yi_cell, yi_w = self._yi(yi.yuan)
        cells.append(own_cell)
        cells.append(yi_cell)
        for at, w in ((self.signed_at + 1, own_w), (self.signed_at + 2, yi_w)):
            shape.append(w)
            if w > widest[at]:
                widest[at] = w

    def _own(self, money) -> tuple[tuple, int]:
        """An amount in its own currency as spooled (its text), and its width; amounts repeat, each is laid out
        once."""
        found = self._amounts.get(money)
        if found is None:
            text = layout.own_text(money)
            found = (self.STRING, text, self.spooled(self.styles("w_amount"))), _measure(text)
            self._amounts[money] = found
        return found

    def _yi(self, yuan: Decimal) -> tuple[tuple, int]:
        """An amount in 亿元 as spooled, and its width."""
        found = self._yuan.get(yuan)
        if found is None:
            found = (self.NUMBER, Decimal(layout.yi_exact(yuan)), self.yi), _measure(layout.yi_text(yuan))
            if len(self._yuan) > 20_000:  # memory stays bounded whatever the number of distinct amounts
                self._yuan.clear()
                self._amounts.clear()
            self._yuan[yuan] = found
        return found

    def rows(self) -> Iterator[tuple[list, list, list]]:
        """The spooled rows, in order; the spool is closed at the end."""
        with self.spool:
            yield from _unspooled(self.spool)


def _write_body(ws, body: _Body, lines_of: _Lines, progress, pages) -> int:
    """The second pass: every spooled row under the header; the 0-based index of the last one."""
    writers = (ws.write_string, ws.write_number, ws.write_datetime, ws.write_blank)
    formats, total = body.formats, body.total
    r = HEADER_ROW - 1  # 0-based from here on, as XlsxWriter counts
    done = 0
    for cells, shape, multi in body.rows():
        r += 1
        done += 1
        lines = lines_of(shape, multi)
        pages.add(r, row_points(lines))
        if lines > 1:
            ws.set_row_pixels(r, row_points(lines) * 4 / 3)
        for c, (write, value, fmt) in enumerate(cells):
            writers[write](r, c, value, formats[fmt])
        if progress and (done % 500 == 0 or done == total):
            progress(done, total)
    return r


def _table_sheet(ws, styles: _Styles, table: WeeklyTable, progress) -> int:
    cols = layout.columns()
    keys = [c.key for c in cols]
    body = _Body(styles, keys)
    body.lay_out(table.rows)
    widths, pages = _sheet_top(ws, styles, table, body.widest)
    r = _write_body(ws, body, _Lines(widths), progress, pages)
    return _sheet_bottom(ws, styles, table, widths, r, pages)


def _unspooled(spool) -> Iterator[tuple[list, list, list]]:
    """The laid-out rows pickled to `spool`, in order."""
    while True:
        try:
            chunk = pickle.load(spool)
        except EOFError:
            return
        yield from chunk
