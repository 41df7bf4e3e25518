"""The deal rows of the weekly workbook (exports.weekly_xlsx): laid out a thousand rows at a time, spooled, written.

Constant-memory writing puts each row on disk as it is written, and a row's height must be set before it;
the rows come under the heading, whose heights depend on the column widths, which depend on every row.
So the first pass lays every row out and spools it (`Body.lay_out`), keeping each column's widest line;
the second (`Body.write`) writes the rows from the spool with XlsxWriter's public write calls.

A column's width is at most its cap (weekly_xlsx.caps()). A cell that is one line at the width its
column ends with is one line at the cap too, and a column below its cap holds no cell of several lines
(its width fits its widest line): so each row's number of lines is computed in the first pass at the caps,
and the spool holds only what the second pass writes. Both passes work on a chunk's columns (zip(*rows)):
the display widths of text that is ASCII and CJK only, the lines of a column, and the rows' largest number
of lines are computed by the C functions map, zip and max; only other text is measured a cell at a time.
"""

from __future__ import annotations

import datetime
import marshal
import math
import operator
import re
import tempfile
from collections.abc import Callable, Iterable
from decimal import Decimal
from itertools import islice, repeat
from operator import attrgetter, itemgetter

from wcwidth import wcswidth

from crm.values.money import Money
from exports import weekly_layout as layout

MAX_CELL = 32_000  # Excel holds at most 32,767 characters in a cell
CHUNK = 1000  # rows laid out and spooled together
KEPT = 20_000  # distinct amounts (and texts of a column) whose layout is kept for the rows that repeat them
# Points per line of 11-point text: Excel's standard height for it (宋体 lines take 13.5, LibreOffice's CJK
# fallback 13.85). Lines are counted as Excel fits them; LibreOffice fits a little more on a line.
LINE_HEIGHT = 14.25
ROW_PAD = 5.25  # points above and below a cell's lines, so that the last line clears the border (26 px a 1-line row)
# The columns of exports.weekly_layout.columns(), in the order Body writes them
COLUMNS = (
    *("seq", "code", "name", "investor", "region", "industry", "event", "signed_on", "amount", "amount_cny"),
    *("stage", "progress", "problems", "lead_unit", "supporting", "liaison"),
)
# The text columns whose texts repeat from row to row (or are mostly empty): measured once per distinct text
REPEATING = ("region", "industry", "event", "stage", "progress", "problems", "lead_unit", "supporting", "liaison")
_MONEY_KEY = attrgetter("amount", "currency", "approximate")
# Text whose display width its UTF-8 length gives: printable ASCII (1 column, 1 byte) and CJK characters,
# punctuation and full-width forms (2 columns, 3 bytes), one line (tests/unit/test_xlsx_widths.py checks
# every character of the class against wcwidth).
_NARROW_OR_WIDE = re.compile("[\x20-\x7e\u3000-\u3029\u3030-\u303e\u4e00-\u9fff\uff01-\uff60]*")


def row_points(lines: int) -> float:
    """The height (points) of a row whose tallest cell has `lines` lines of 11-point text."""
    return LINE_HEIGHT * lines + ROW_PAD


def line_width(line: str) -> int:
    """Display width of one line (CJK characters count 2)."""
    # Most cells are printable ASCII or CJK text, whose widths their lengths give; wcswidth walks the text
    # a character at a time in Python, so it is kept for the rest.
    if line.isascii() and line.isprintable():
        return len(line)
    if _NARROW_OR_WIDE.fullmatch(line):
        return (len(line) + len(line.encode())) >> 1  # 1 column a byte of ASCII, 2 for the 3 of a CJK character
    w = wcswidth(line)
    return w if w >= 0 else len(line) * 2


def measure(text: str) -> int | tuple[int, ...]:
    """The display width of one-line text (an int), or the widths of each line (a tuple)."""
    if "\n" in text:
        return tuple(line_width(line) for line in text.split("\n"))
    return line_width(text) if text else 0


def lines_of(widths: tuple[int, ...], width: float) -> int:
    """How many lines text whose lines are `widths` wide takes wrapped at `width` columns."""
    # A column of width N holds a little less than N/2 CJK glyphs once padding and font metrics are counted.
    room = max(width - 1.5, 1)
    return sum(max(1, math.ceil(w * 1.1 / room)) for w in widths)


def cut(value: str) -> str:
    """Text as it goes into a cell: cut to what Excel holds.

    Formula-like text needs no apostrophe here: it is written as a string cell
    (write_string), which spreadsheets show and keep as text.
    """
    if len(value) > MAX_CELL:
        value = value[:MAX_CELL] + "…"
    return value


class _Column:
    """One column's widest line so far and how its cells wrap at its cap (`cap` display columns wide)."""

    def __init__(self, cap: int):
        self.widest = 0
        self.cap = cap
        self.room = max(max(cap - 1.5, 1) + 1.5 - 1.5, 1)  # the room lines_of(…, cap) divides by, to the bit
        self.fit = 0  # the widest one-line text that stays on one line at the cap
        while math.ceil((self.fit + 1) * 1.1 / self.room) <= 1:
            self.fit += 1
        self._wide: dict[str, int] = {}  # text measured -> its widest line
        self._lines: dict[str, int] = {}  # text measured -> its lines at the cap

    def widths(self, widths: list[int]) -> list[int] | None:
        """The lines of one-line cells `widths` wide (None: all one line); the widest kept."""
        top = max(widths)
        if top > self.widest:
            self.widest = top
        if top <= self.fit:
            return None
        return list(map(math.ceil, map(operator.truediv, map(operator.mul, widths, repeat(1.1)), repeat(self.room))))

    def texts(self, texts: tuple[str, ...]) -> list[int] | None:
        """The lines of each text of a chunk's column of texts that seldom repeat (None: all one line); the
        widest line kept."""
        joined = "".join(texts)
        if joined.isascii() and joined.isprintable():
            return self.widths(list(map(len, texts)))
        if _NARROW_OR_WIDE.fullmatch(joined):
            return self.widths(
                list(map(operator.rshift, map(operator.add, map(len, texts), _utf8_lengths(texts)), repeat(1)))
            )
        return self.repeated(texts)

    def repeated(self, texts: tuple[str, ...]) -> list[int] | None:
        """The lines of each text of a chunk's column (None: all one line), each distinct text measured once;
        the widest line kept."""
        wide, lines = self._wide, self._lines
        if len(wide) > KEPT:  # memory stays bounded whatever the number of distinct texts
            wide.clear()
            lines.clear()
        distinct = set(texts)
        for text in distinct.difference(wide):
            widths = measure(text)
            if type(widths) is int:
                wide[text], lines[text] = widths, math.ceil(widths * 1.1 / self.room) if widths > self.fit else 1
            else:
                wide[text], lines[text] = max(widths), lines_of(widths, self.cap)
        self.widest = max(self.widest, *map(wide.__getitem__, distinct))
        most = max(map(lines.__getitem__, distinct))
        return list(map(lines.__getitem__, texts)) if most > 1 else None


def _utf8_lengths(texts: tuple[str, ...]) -> Iterable[int]:
    return map(len, map(str.encode, texts))


class Body:
    """The deal rows: `lay_out(rows)` spools them and keeps each column's widest line (`widest`); then
    `write(ws, first_row, progress, pages)` writes them. The spool is a temporary file, gone when written.

    A row whose cells are all one line is not given a height: the sheet's default row height
    (row_points(1), set by the caller) is its height."""

    def __init__(self, styles: Callable, keys: list[str], caps: list[int]):
        if tuple(keys) != COLUMNS:
            raise ValueError(f"the weekly xlsx lays out the columns {COLUMNS}, not {keys}")
        self.text_columns = [i for i, key in enumerate(keys) if key not in ("seq", "signed_on", "amount", "amount_cny")]
        self.repeating = {keys.index(key) for key in REPEATING}
        self.styles = styles
        self.columns = [_Column(cap) for cap in caps]
        self._amounts: dict = {}  # (amount, currency, approximate) -> (the amount's text, its width)
        self._yuan: dict = {}  # Decimal -> (the number of 亿元 as text, its width)
        self.spool = tempfile.TemporaryFile()  # noqa: SIM115 — closed by write()
        self.total = 0

    @property
    def widest(self) -> list[int]:
        """Each column's widest line (display columns)."""
        return [c.widest for c in self.columns]

    def lay_out(self, rows: Iterable) -> None:
        """Lay out and spool every row of `rows`."""
        rows = iter(rows)
        while chunk := list(islice(rows, CHUNK)):
            alerts = [i for i, row in enumerate(chunk) if row.problems and any(p.overdue for p in row.problems)]
            self._spool(list(map(layout.row_values, chunk)), alerts)
        self.spool.seek(0)

    def _spool(self, chunk: list[list], alerts: list[int]) -> None:
        """One chunk of rows, by column: the values as written, each row's number of lines, the rows (by
        index) with an overdue problem."""
        self.total += len(chunk)
        columns = list(zip(*chunk))
        cols = self.columns
        lines = [cols[0].widths(list(map(len, map(str, columns[0]))))]
        days = columns[7]
        if any(days):
            # a day as its ordinal (yyyy-mm-dd, 10 columns wide); a month-only date as its text (2025-12)
            lines.append(cols[7].widths([(len(day) if type(day) is str else 10) if day else 0 for day in days]))
            columns[7] = [(day if type(day) is str else day.toordinal()) if day else 0 for day in days]
        else:
            columns[7] = [0] * len(days)
        for found in (self._amounts, self._yuan):
            if len(found) > KEPT:  # memory stays bounded whatever the number of distinct amounts
                found.clear()
        for i, cells in ((8, self._own(columns[8])), (9, self._yi(columns[9]))):
            columns[i] = list(map(itemgetter(0), cells))
            lines.append(cols[i].widths(list(map(itemgetter(1), cells))))
        for i in self.text_columns:
            texts = columns[i]
            lines.append(cols[i].repeated(texts) if i in self.repeating else cols[i].texts(texts))
            joined = "\0".join(texts)
            if len(joined) > MAX_CELL and max(map(len, texts)) > MAX_CELL:
                texts = tuple(map(cut, texts))
                joined = "\0".join(texts)
            # one string a column (split again in write()) marshals quicker than a thousand; not if a text has a NUL
            columns[i] = joined if joined.count("\0") == len(texts) - 1 else texts
        lines = [x for x in lines if x is not None]
        heights = list(map(max, repeat(1), *lines)) if lines else [1] * len(chunk)
        data = marshal.dumps((columns, heights, alerts), 2)  # 2: no references, quicker
        self.spool.write(len(data).to_bytes(8, "little") + data)  # marshal.load reads a file a few bytes a call

    def _own(self, amounts: tuple) -> list[tuple]:
        """Amounts in their own currency as text (layout.own_text: 4565万元, as every other format shows them),
        with their widths; each distinct amount is laid out once."""
        found = self._amounts
        keys = list(map(_MONEY_KEY, amounts))  # hashed in C, where Money's hash is Python
        for key in set(keys).difference(found):
            text = layout.own_text(Money(*key))
            found[key] = (text, measure(text))
        return list(map(found.__getitem__, keys))

    def _yi(self, amounts: tuple) -> list[tuple]:
        """Amounts in 亿元 as spooled (the number as text), with their widths; each distinct amount laid out once."""
        found = self._yuan
        for yuan in set(amounts).difference(found):
            found[yuan] = (layout.yi_exact(yuan), measure(layout.yi_text(yuan)))
        return list(map(found.__getitem__, amounts))

    def write(self, ws, first_row: int, progress=None, pages=None) -> int:
        """Write the spooled rows from `first_row` (0-based) down; the 0-based index of the last one.
        `pages` (weekly_xlsx.Pages) is told each row's height, to break the printed pages."""
        r = first_row - 1
        with self.spool:
            while size := int.from_bytes(self.spool.read(8), "little"):
                columns, heights, alerts = marshal.loads(self.spool.read(size))
                for i in self.text_columns:
                    if type(columns[i]) is str:
                        columns[i] = columns[i].split("\0")
                alerted = [False] * len(heights)
                for i in alerts:
                    alerted[i] = True
                if pages is not None:
                    pages.add_rows(r + 1, list(map(row_points, heights)))
                r = self._write_chunk(ws, r, columns, heights, alerted)
                if progress:
                    progress(r - first_row + 1, self.total)
        return r

    def _write_chunk(self, ws, r: int, columns: list, heights: list[int], alerts: list[bool]) -> int:
        """One spooled chunk's rows under row `r`; the index of the last one."""
        style = self.styles
        text, centre, alert, date, yi = (style(n) for n in ("w_text", "w_centre", "w_alert", "w_date", "w_yi"))
        amount = style("w_amount")
        string, number, blank, day = ws.write_string, ws.write_number, ws.write_blank, ws.write_datetime
        set_height, fromordinal = ws.set_row_pixels, datetime.date.fromordinal
        numbers: dict[str, Decimal] = {}
        for (
            seq,
            code,
            name,
            investor,
            region,
            industry,
            event,
            signed,
            own,
            cny,
            stage,
            this_week,
            problems,
            lead,
            supporting,
            liaison,
            lines,
            alerted,
        ) in zip(*columns, heights, alerts):
            r += 1
            if lines > 1:
                set_height(r, row_points(lines) * 4 / 3)
            number(r, 0, seq, centre)
            (string if code else blank)(r, 1, code, text)
            (string if name else blank)(r, 2, name, text)
            (string if investor else blank)(r, 3, investor, text)
            (string if region else blank)(r, 4, region, text)
            (string if industry else blank)(r, 5, industry, text)
            (string if event else blank)(r, 6, event, text)
            if type(signed) is str:
                # text, not a date cell: crm import reads a date cell as its day, this as the month it names
                string(r, 7, signed, centre)
            elif signed:
                day(r, 7, fromordinal(signed), date)
            else:
                blank(r, 7, None, text)
            string(r, 8, own, amount)
            number(r, 9, numbers.get(cny) or numbers.setdefault(cny, Decimal(cny)), yi)
            (string if stage else blank)(r, 10, stage, centre)
            (string if this_week else blank)(r, 11, this_week, text)
            (string if problems else blank)(r, 12, problems, alert if alerted else text)
            (string if lead else blank)(r, 13, lead, text)
            (string if supporting else blank)(r, 14, supporting, text)
            (string if liaison else blank)(r, 15, liaison, text)
        return r
