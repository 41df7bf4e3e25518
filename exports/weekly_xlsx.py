"""The weekly table as an xlsx workbook a bureau can print and send as it is.

Sheet 1 (周报): merged title and scope rows, a bold frozen header row that is
repeated on every printed page, one row per deal, a totals row (合计) and the
notes; columns sized for Chinese text, long cells wrapped, amounts and dates
as numbers with number formats, landscape and fitted to the page width: A4
when the body text still prints at 8 points or more, else A3 (paper_for).
Sheet 2 (汇总): the summary sections.

Totals are written as numbers computed by crm (exact sums), not formulas, so
that every reader of the file — including ones that do not calculate — sees
the same figures as `crm kpi`.

Written with XlsxWriter in constant-memory mode: each row goes to disk as it
is written, so a row's height (which depends on the column widths, which
depend on every row) must be known before the row is written. The table is
therefore laid out in full first, then written top to bottom.
"""

from __future__ import annotations

import datetime
import math
import operator
import pickle
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import xlsxwriter
from wcwidth import wcswidth

from crm.foundation.i18n import _, current_language
from crm.reporting.weekly import WeeklyTable
from crm.values.money import format_money
from exports import weekly_layout as layout
from exports.cells import close_workbook
from exports.weekly_xlsx_rows import DirectRows

MAX_CELL = 32_000  # Excel holds at most 32,767 characters in a cell
HEADER_ROW = 4  # 1-based, as a reader counts rows
SPOOL_ROWS = 1000  # laid-out rows pickled to the spool at a time
LINE_HEIGHT = 16.0  # points per line of 11-point text (CJK glyphs need more than the 14.25 of Latin text)
# Caps on the columns' widths (in display columns, CJK = 2; others 16): longer text wraps inside its row.
# They keep the 16 columns narrow enough to print at 8 points or more on A3 (tests/ledger/test_weekly_print.py).
MAX_WIDTHS = {
    "seq": 6,
    "code": 15,
    "name": 20,
    "investor": 14,
    "region": 10,
    "industry": 12,
    "event": 16,
    "signed_on": 12,
    "stage": 8,
    "progress": 30,
    "problems": 32,
    "supporting": 16,
    "lead_unit": 14,
    "liaison": 10,
}
YI_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = "0.00%"
A4, A3 = 9, 8  # paper size codes of the OOXML page setup
BODY_PT = 11  # the table's text size on screen; printed, it is scaled to fit the page's width
MIN_PRINTED_PT = 8.5  # the smallest printed body text paper_for() accepts (8 points, and a margin)
A4_LANDSCAPE_WIDTH_PT = 842 - 0.8 * 72  # the page less the left and right margins of _print_setup
PT_PER_WIDTH = 5.6  # points one unit of column width takes in print (Calibri's digit, 7 px, and padding)


def _font_name() -> str:
    # 宋体 is on every Chinese Windows and in WPS; Latin readers get Excel's default.
    return "宋体" if current_language() == "zh" else "Calibri"


def _line_width(line: str) -> int:
    # Most cells (codes, dates, numbers, English) are printable ASCII, one column a character;
    # wcswidth walks the text a character at a time in Python, so it is kept for the rest.
    if line.isascii() and line.isprintable():
        return len(line)
    w = wcswidth(line)
    return w if w >= 0 else len(line) * 2


def _line_widths(text) -> tuple[int, ...]:
    """Display width of each line of `text` (CJK characters count 2)."""
    if text is None or text == "":
        return (0,)
    text = str(text)
    if "\n" not in text:
        return (_line_width(text),)
    return tuple(_line_width(line) for line in text.split("\n"))


def _width(text) -> int:
    """Display width of the longest line (CJK characters count 2)."""
    return max(_line_widths(text))


def _lines_of(widths: tuple[int, ...], width: float) -> int:
    """How many lines text whose lines are `widths` wide takes wrapped at `width` columns."""
    # A column of width N holds a little less than N/2 CJK glyphs once padding and font metrics are counted.
    room = max(width - 1.5, 1)
    return sum(max(1, math.ceil(w * 1.1 / room)) for w in widths)


def _lines(text, width: float) -> int:
    """How many lines `text` takes wrapped at `width` columns."""
    if text is None or text == "":
        return 1
    return _lines_of(_line_widths(text), width)


class _Styles:
    """The workbook's cell formats, one per (style, number format), made on first use."""

    def __init__(self, wb: xlsxwriter.Workbook):
        font = _font_name()
        border = {"border": 1, "border_color": "#808080"}
        top = {"valign": "top", "text_wrap": True}
        centre = {"align": "center", "valign": "top", "text_wrap": True}
        header_fill = {"pattern": 1, "bg_color": "#DDEBF7"}
        total_fill = {"pattern": 1, "bg_color": "#F2F2F2"}
        normal = {"font_name": font, "font_size": BODY_PT}
        self.specs = {
            "w_title": {"font_name": font, "font_size": 16, "bold": True, "align": "center", "valign": "vcenter"},
            "w_scope": {"font_name": font, "font_size": BODY_PT, "valign": "vcenter", "text_wrap": True},
            "w_header": {
                **normal,
                "bold": True,
                **header_fill,
                **border,
                "align": "center",
                "valign": "vcenter",
                "text_wrap": True,
            },
            "w_text": {**normal, **border, **top},
            "w_centre": {**normal, **border, **centre},
            "w_alert": {**normal, "font_color": "#C00000", **border, **top},
            "w_date": {**normal, **border, **centre, "num_format": DATE_FORMAT},
            "w_yi": {**normal, **border, "valign": "top", "num_format": YI_FORMAT},
            "w_total": {**normal, "bold": True, **total_fill, **border, **top},
            "w_total_yi": {**normal, "bold": True, **total_fill, **border, "valign": "top", "num_format": YI_FORMAT},
            "w_note": {"font_name": font, "font_size": BODY_PT, "valign": "top", "text_wrap": True},
            "w_section": {"font_name": font, "font_size": 12, "bold": True},
            "w_percent": {**normal, **border, "num_format": PERCENT_FORMAT},
            "w_count": {**normal, **border, "num_format": "0"},
        }
        self.wb = wb
        self.made: dict = {}

    def __call__(self, style: str, number_format: str | None = None):
        key = (style, number_format)
        fmt = self.made.get(key)
        if fmt is None:
            spec = self.specs[style]
            fmt = self.made[key] = self.wb.add_format({**spec, "num_format": number_format} if number_format else spec)
        return fmt


def _put(ws, row: int, col: int, value, fmt) -> None:
    """Write one cell (row and col 1-based, as in the layout) with its format.

    Text goes through write_string, never write(): XlsxWriter's write() would
    turn text that looks like a formula, a URL or a number into one.
    """
    r, c = row - 1, col - 1
    if value is None or value == "":
        ws.write_blank(r, c, None, fmt)  # an empty cell, as readers expect, not a cell holding ""
    elif isinstance(value, str):
        ws.write_string(r, c, _text(value), fmt)
    elif isinstance(value, (datetime.date, datetime.datetime)):
        ws.write_datetime(r, c, value, fmt)
    else:
        ws.write_number(r, c, value, fmt)


def _merge(ws, row: int, last_col: int, value: str, fmt) -> None:
    """A text cell merged across the whole table (row 1-based)."""
    ws.merge_range(row - 1, 0, row - 1, last_col - 1, _text(value), fmt)


def _set_height(ws, row: int, points: float) -> None:
    # set_row() rounds a height to whole pixels (16 pt would become 15.75); in pixels it is kept exact.
    ws.set_row_pixels(row - 1, points * 4 / 3)


def write(table: WeeklyTable, path: str | Path, progress=None) -> Path:
    """Write the workbook to `path`; `progress(done, total)` is called as rows are written."""
    path = Path(path)
    wb = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            # Cells hold what crm computed: text stays text whatever it looks like.
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    styles = _Styles(wb)
    _table_sheet(wb.add_worksheet(_("Weekly table")), styles, table, progress)
    _summary_sheet(wb.add_worksheet(_("Summary")), styles, table)
    wb.set_properties({"title": layout.title(table), "author": _("招商台账 (investment-attraction deal ledger)")})
    # Only a finished workbook is assembled: after an error its rows' temporary files just go away.
    close_workbook(wb)
    return path


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
    """The first pass over the deals: each row laid out as (writer index, value, format index) cells, made into
    the XML of its cells where exports.weekly_xlsx_rows can (the cells themselves where it cannot), with its
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
        self.direct: DirectRows | None = None

    def spooled(self, fmt) -> int:
        """The index a format is spooled as (formats do not pickle)."""
        at = self._format_at.get(id(fmt))
        if at is None:
            at = self._format_at[id(fmt)] = len(self.formats)
            self.formats.append(fmt)
        return at

    def lay_out(self, rows, ws) -> None:
        """Lay out and spool every row of `rows`, the deal rows of `ws`: each as its XML (DirectRows) where it
        can be, which spools as one text and is written in one piece; as its cells where it cannot."""
        laid: list[tuple[list | str, list, list]] = []
        direct = self.direct = DirectRows(ws, self.formats) if DirectRows.usable(ws) else None
        r = HEADER_ROW - 1  # 0-based, as XlsxWriter counts
        for row in rows:
            cells, shape, multi = self._row(row)
            r += 1
            xml = direct.cells_xml(r, cells) if direct else None
            laid.append((cells if xml is None else xml, shape, multi))
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
        """An amount in its own currency as spooled, and its width; amounts repeat, each is laid out once."""
        found = self._amounts.get(money)
        if found is None:
            figure, own_format = layout.own_number(money)
            fmt = self.spooled(self.styles("w_yi", own_format))
            # the format shows at least two decimals; an amount is one line
            found = (self.NUMBER, Decimal(layout.plain_decimal(figure)), fmt), _measure(format_money(money) + "00")
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
            while True:
                try:
                    chunk = pickle.load(self.spool)
                except EOFError:
                    return
                yield from chunk


def _totals_row(ws, styles: _Styles, table: WeeklyTable, keys: list[str], widest: list[int]):
    """The totals row's cells (writer, value, format), shape and multi; widens `widest` for its 亿元 total."""
    cells, shape, multi = [], [], []
    for i, value in enumerate(layout.totals(table)):
        if isinstance(value, layout.Yi):
            shown = layout.yi_text(value.yuan)
            cells.append((ws.write_number, Decimal(layout.yi_exact(value.yuan)), styles("w_total_yi")))
            widest[i] = max(widest[i], _width(shown))
        else:
            shown = value
            cells.append(
                (ws.write_string, _text(value), styles("w_total"))
                if value
                else (ws.write_blank, None, styles("w_total"))
            )
        w = _measure(shown)
        shape.append(w if type(w) is int else 0)
        if type(w) is not int:
            multi.append((i, w))
    return cells, shape, multi


def _column_widths(cols: list, widest: list[int]) -> list[int]:
    """Each column as wide as its widest line (plus padding) up to its cap in MAX_WIDTHS; a header longer than
    that wraps onto a second line rather than widening the column."""
    widths = []
    for col, w in zip(cols, widest):
        header = max(math.ceil(_width(col.header) / 2) + 2, 6)
        # the room _lines_of() gives a line of w columns, so that text that fits is measured as one line
        widths.append(min(max(header, math.ceil(w * 1.1 + 2)), MAX_WIDTHS.get(col.key, 16)))
    return widths


def _heading(ws, styles: _Styles, table: WeeklyTable, cols: list, widths: list[int]) -> None:
    """Title, scope and as-of rows, and the header row."""
    n, table_width = len(cols), sum(widths)
    _set_height(ws, 1, 30)
    _merge(ws, 1, n, layout.title(table), styles("w_title"))
    scope = styles("w_scope")
    for row_no, words in ((2, layout.scope_text(table)), (3, layout.as_of_text(table))):
        _set_height(ws, row_no, LINE_HEIGHT * _lines(words, table_width))
        _merge(ws, row_no, n, words, scope)
    header_lines = max(_lines(c.header, w) for c, w in zip(cols, widths))
    _set_height(ws, HEADER_ROW, LINE_HEIGHT * max(header_lines, 1) + 6)
    header = styles("w_header")
    for i, col in enumerate(cols, 1):
        _put(ws, HEADER_ROW, i, col.header, header)


def _write_body(ws, body: _Body, lines_of: _Lines, progress) -> int:
    """The second pass: every spooled row under the header; the 0-based index of the last one.

    Rows laid out as XML (exports.weekly_xlsx_rows) go straight into the sheet, the others through XlsxWriter.
    """
    writers = (ws.write_string, ws.write_number, ws.write_datetime, ws.write_blank)
    formats, total = body.formats, body.total
    put = body.direct.put if body.direct else None
    r = HEADER_ROW - 1  # 0-based from here on, as XlsxWriter counts
    done = 0
    for cells, shape, multi in body.rows():
        r += 1
        done += 1
        lines = lines_of(shape, multi)
        pixels = LINE_HEIGHT * lines * 4 / 3 if lines > 1 else None
        if type(cells) is str:
            put(r, pixels, cells)
        else:
            if pixels is not None:
                ws.set_row_pixels(r, pixels)
            for c, (write, value, fmt) in enumerate(cells):
                writers[write](r, c, value, formats[fmt])
        if progress and (done % 500 == 0 or done == total):
            progress(done, total)
    return r


def _table_sheet(ws, styles: _Styles, table: WeeklyTable, progress) -> None:
    cols = layout.columns()
    keys = [c.key for c in cols]
    n = len(cols)
    body = _Body(styles, keys)
    if DirectRows.usable(ws):  # the rows above the deals' (written later) take their formats' indices first
        for name in ("w_title", "w_scope", "w_header"):
            styles(name)._get_xf_index()
    body.lay_out(table.rows, ws)
    totals = _totals_row(ws, styles, table, keys, body.widest)
    widths = _column_widths(cols, body.widest)
    for i, w in enumerate(widths):
        ws.set_column(i, i, w)
    _heading(ws, styles, table, cols, widths)

    lines_of = _Lines(widths)
    r = _write_body(ws, body, lines_of, progress)
    last_data = r + 1
    r += 1
    _write_row(ws, r, totals[0], lines_of(*totals[1:]))
    r += 2  # 1-based again: the row after the blank one under the totals

    note = styles("w_note")
    for words in layout.notes(table):
        r += 1
        _set_height(ws, r, LINE_HEIGHT * _lines(words, sum(widths) * 0.95))
        _merge(ws, r, n, words, note)

    ws.freeze_panes(HEADER_ROW, keys.index("name") + 1)
    if last_data > HEADER_ROW:
        ws.autofilter(HEADER_ROW - 1, 0, last_data - 1, n - 1)
    _print_setup(ws, landscape=True, paper=paper_for(sum(widths)))
    ws.repeat_rows(HEADER_ROW - 1)
    ws.print_area(0, 0, r - 1, n - 1)
    ws.set_zoom(90)


def paper_for(table_width: float) -> int:
    """A4 when a table `table_width` columns wide, fitted to an A4 landscape page's width, still prints its
    11-point body text at MIN_PRINTED_PT or more; else A3 (what bureaus print wide 周报 on)."""
    scale = A4_LANDSCAPE_WIDTH_PT / (table_width * PT_PER_WIDTH)
    return A4 if scale * BODY_PT >= MIN_PRINTED_PT else A3


def _text(value: str) -> str:
    """Text as it goes into a cell: cut to what Excel holds.

    Formula-like text needs no apostrophe here: it is written as a string cell
    (write_string), which spreadsheets show and keep as text.
    """
    if len(value) > MAX_CELL:
        value = value[:MAX_CELL] + "…"
    return value


def _write_row(ws, r: int, cells: list, lines: int) -> None:
    """One row of the table (r 0-based), its height set first for its number of lines."""
    if lines > 1:
        ws.set_row_pixels(r, LINE_HEIGHT * lines * 4 / 3)
    for c, (write, value, fmt) in enumerate(cells):
        write(r, c, value, fmt)


def _print_setup(ws, landscape: bool, paper: int = 0) -> None:
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_paper(paper or A4)
    ws.fit_to_pages(1, 0)  # one page wide, as many pages tall as needed
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.center_horizontally()
    ws.set_header("", {"margin": 0.5})
    ws.set_footer("&C" + _("Page &P of &N"), {"margin": 0.5})


def _summary_sheet(ws, styles: _Styles, table: WeeklyTable) -> None:
    sections = layout.summary_sections(table)
    n = max(len(s.headers) for s in sections)
    widths = [10] * n
    _set_height(ws, 1, 28)
    _merge(ws, 1, n, layout.summary_title(table), styles("w_title"))
    _merge(ws, 2, n, layout.scope_text(table), styles("w_scope"))
    r = 3
    for section in sections:
        r += 1
        _put(ws, r, 1, section.title, styles("w_section"))
        r += 1
        for i, header in enumerate(section.headers, 1):
            _put(ws, r, i, header, styles("w_header"))
            widths[i - 1] = max(widths[i - 1], _width(header) + 2)
        for values in section.rows:
            r += 1
            for i, value in enumerate(values, 1):
                if isinstance(value, layout.Yi):
                    _put(ws, r, i, Decimal(layout.yi_exact(value.yuan)), styles("w_yi"))
                    shown = layout.yi_text(value.yuan)
                elif isinstance(value, layout.Ratio):
                    number = layout.ratio_number(value)
                    if number is not None:
                        _put(ws, r, i, number, styles("w_percent"))
                    else:
                        _put(ws, r, i, layout.ratio_text(value), styles("w_centre"))
                    shown = layout.ratio_text(value)
                elif isinstance(value, int):
                    _put(ws, r, i, value, styles("w_count"))
                    shown = str(value)
                elif isinstance(value, datetime.date):
                    _put(ws, r, i, value, styles("w_date"))
                    shown = value.isoformat()
                else:
                    _put(ws, r, i, value, styles("w_text"))
                    shown = str(value)
                widths[i - 1] = max(widths[i - 1], _width(shown) + 2)
        r += 1
    for i, w in enumerate(widths):
        ws.set_column(i, i, min(w, 60))
    _print_setup(ws, landscape=False)
