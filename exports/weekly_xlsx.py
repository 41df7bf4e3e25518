"""The weekly table as an xlsx workbook a bureau can print and send as it is.

Sheet 1 (周报): merged title and scope rows, a bold frozen header row that is
repeated on every printed page, one row per deal, a totals row (合计) and the
notes; columns sized for Chinese text, long cells wrapped, amounts and dates
as numbers with number formats, landscape A4 fitted to the page width.
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
from decimal import Decimal
from pathlib import Path

import xlsxwriter
from wcwidth import wcswidth

from crm.foundation.i18n import _, current_language
from crm.values.money import format_money
from crm.reporting.weekly import WeeklyTable
from exports import weekly_layout as layout

MAX_CELL = 32_000  # Excel holds at most 32,767 characters in a cell
HEADER_ROW = 4  # 1-based, as a reader counts rows
LINE_HEIGHT = 16.0  # points per line of 11-point text (CJK glyphs need more than the 14.25 of Latin text)
MAX_WIDTHS = {"name": 30, "investor": 22, "event": 24, "progress": 44, "problems": 48, "supporting": 24,
              "lead_unit": 20, "industry": 18, "region": 12}
YI_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = "0.00%"
A4 = 9  # the paper size code of the OOXML page setup


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
        normal = {"font_name": font, "font_size": 11}
        self.specs = {
            "w_title": {"font_name": font, "font_size": 16, "bold": True, "align": "center", "valign": "vcenter"},
            "w_scope": {"font_name": font, "font_size": 10, "valign": "vcenter", "text_wrap": True},
            "w_header": {**normal, "bold": True, **header_fill, **border, "align": "center", "valign": "vcenter",
                         "text_wrap": True},
            "w_text": {**normal, **border, **top},
            "w_centre": {**normal, **border, **centre},
            "w_alert": {**normal, "font_color": "#C00000", **border, **top},
            "w_date": {**normal, **border, **centre, "num_format": DATE_FORMAT},
            "w_yi": {**normal, **border, "valign": "top", "num_format": YI_FORMAT},
            "w_total": {**normal, "bold": True, **total_fill, **border, **top},
            "w_total_yi": {**normal, "bold": True, **total_fill, **border, "valign": "top", "num_format": YI_FORMAT},
            "w_note": {"font_name": font, "font_size": 10, "valign": "top", "text_wrap": True},
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
    wb = xlsxwriter.Workbook(str(path), {
        "constant_memory": True,
        # Cells hold what crm computed: text stays text whatever it looks like.
        "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False,
    })
    styles = _Styles(wb)
    _table_sheet(wb.add_worksheet(_("Weekly table")), styles, table, progress)
    _summary_sheet(wb.add_worksheet(_("Summary")), styles, table)
    wb.set_properties({"title": layout.title(table), "author": _("招商台账 (investment-attraction deal ledger)")})
    # Only a finished workbook is assembled: after an error its rows' temporary files just go away.
    wb.close()
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

    def __call__(self, shape: list, multi: list) -> int:
        lines = 1
        if max(map(operator.sub, shape, self.fits)) > 0:
            for i, w in enumerate(shape):
                if w > self.fits[i]:
                    lines = max(lines, _lines_of((w,), self.rooms[i] + 1.5))
        for i, widths in multi:
            lines = max(lines, _lines_of(widths, self.rooms[i] + 1.5))
        return lines


def _table_sheet(ws, styles: _Styles, table: WeeklyTable, progress) -> None:
    cols = layout.columns()
    keys = [c.key for c in cols]
    n = len(cols)
    widths = {c.key: max(_width(c.header) + 2, 6) for c in cols}
    widest = [0] * n  # the widest line of each column's cells

    text, centre, alert, date, yi = (styles("w_text"), styles("w_centre"), styles("w_alert"), styles("w_date"),
                                     styles("w_yi"))
    string, number, day, blank = ws.write_string, ws.write_number, ws.write_datetime, ws.write_blank
    seq_at, stage_at, problems_at = keys.index("seq"), keys.index("stage"), keys.index("problems")
    # Per row: its cells as (writer, value, format), and its shape and multi for _Lines.
    laid: list[tuple[list, list, list]] = []
    for row in table.rows:
        cells = []
        shape = []
        multi = []
        for i, value in enumerate(layout.cells(row)):
            if type(value) is str:
                if i == stage_at:
                    fmt = centre
                elif i == problems_at and any(p.overdue for p in row.problems):
                    fmt = alert
                else:
                    fmt = text
                if value:
                    cells.append((string, _text(value), fmt))
                else:
                    cells.append((blank, None, fmt))
                w = _measure(value)
            elif isinstance(value, layout.Own):
                figure, own_format = layout.own_number(value.money)
                cells.append((number, Decimal(layout.plain_decimal(figure)), styles("w_yi", own_format)))
                w = _measure(format_money(value.money) + "00")  # the format shows at least two decimals
            elif isinstance(value, layout.Yi):
                cells.append((number, Decimal(layout.yi_exact(value.yuan)), yi))
                w = _measure(layout.yi_text(value.yuan))
            elif isinstance(value, datetime.date):
                cells.append((day, value, date))
                w = 10  # yyyy-mm-dd
            elif value is None:
                cells.append((blank, None, text))
                w = 0
            else:  # the number of the row
                cells.append((number, value, centre if i == seq_at else text))
                w = _measure(str(value))
            if type(w) is int:
                shape.append(w)
                if w > widest[i]:
                    widest[i] = w
            else:
                shape.append(0)
                multi.append((i, w))
                widest[i] = max(widest[i], *w)
        laid.append((cells, shape, multi))

    totals = []
    total_shape = []
    total_multi = []
    for i, (key, value) in enumerate(zip(keys, layout.totals(table))):
        if isinstance(value, layout.Yi):
            shown = layout.yi_text(value.yuan)
            totals.append((number, Decimal(layout.yi_exact(value.yuan)), styles("w_total_yi")))
            widest[i] = max(widest[i], _width(shown))
        else:
            shown = value
            totals.append((string, _text(value), styles("w_total")) if value else (blank, None, styles("w_total")))
        w = _measure(shown)
        total_shape.append(w if type(w) is int else 0)
        if type(w) is not int:
            total_multi.append((i, w))

    for i, key in enumerate(keys):
        widths[key] = min(max(widths[key], widest[i] + 2), MAX_WIDTHS.get(key, 40))
    column_widths = [widths[k] for k in keys]
    for i, w in enumerate(column_widths):
        ws.set_column(i, i, w)
    table_width = sum(widths.values())

    title = styles("w_title")
    _set_height(ws, 1, 30)
    _merge(ws, 1, n, layout.title(table), title)
    scope = styles("w_scope")
    for row_no, words in ((2, layout.scope_text(table)), (3, layout.as_of_text(table))):
        _set_height(ws, row_no, LINE_HEIGHT * _lines(words, table_width))
        _merge(ws, row_no, n, words, scope)
    header_lines = max(_lines(c.header, widths[c.key]) for c in cols)
    _set_height(ws, HEADER_ROW, LINE_HEIGHT * max(header_lines, 1) + 6)
    header = styles("w_header")
    for i, col in enumerate(cols, 1):
        _put(ws, HEADER_ROW, i, col.header, header)

    lines_of = _Lines(column_widths)
    r = HEADER_ROW - 1  # 0-based from here on, as XlsxWriter counts
    total = len(laid)
    for done, (cells, shape, multi) in enumerate(laid, 1):
        r += 1
        _write_row(ws, r, cells, lines_of(shape, multi))
        if progress and (done % 500 == 0 or done == total):
            progress(done, total)
    last_data = r + 1
    r += 1
    _write_row(ws, r, totals, lines_of(total_shape, total_multi))
    r += 2  # 1-based again: the row after the blank one under the totals

    note = styles("w_note")
    for words in layout.notes(table):
        r += 1
        _set_height(ws, r, LINE_HEIGHT * _lines(words, table_width * 0.95))
        _merge(ws, r, n, words, note)

    ws.freeze_panes(HEADER_ROW, keys.index("name") + 1)
    if last_data > HEADER_ROW:
        ws.autofilter(HEADER_ROW - 1, 0, last_data - 1, n - 1)
    _print_setup(ws, landscape=True)
    ws.repeat_rows(HEADER_ROW - 1)
    ws.print_area(0, 0, r - 1, n - 1)
    ws.set_zoom(90)


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


def _print_setup(ws, landscape: bool) -> None:
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_paper(A4)
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
