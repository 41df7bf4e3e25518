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
from decimal import Decimal
from pathlib import Path

import xlsxwriter

from crm.foundation.i18n import _, current_language
from crm.reporting.weekly import WeeklyTable
from exports import weekly_layout as layout
from exports.cells import workbook
from exports.weekly_xlsx_body import LINE_HEIGHT, Body, line_width, lines_of
from exports.weekly_xlsx_body import cut as _text

HEADER_ROW = 4  # 1-based, as a reader counts rows
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


def _line_widths(text) -> tuple[int, ...]:
    """Display width of each line of `text` (CJK characters count 2)."""
    if text is None or text == "":
        return (0,)
    text = str(text)
    if "\n" not in text:
        return (line_width(text),)
    return tuple(line_width(line) for line in text.split("\n"))


def _width(text) -> int:
    """Display width of the longest line (CJK characters count 2)."""
    return max(_line_widths(text))


def _lines(text, width: float) -> int:
    """How many lines `text` takes wrapped at `width` columns."""
    if text is None or text == "":
        return 1
    return lines_of(_line_widths(text), width)


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
    options = {
        "constant_memory": True,
        # Cells hold what crm computed: text stays text whatever it looks like.
        "strings_to_numbers": False,
        "strings_to_formulas": False,
        "strings_to_urls": False,
    }
    with workbook(path, options) as wb:
        styles = _Styles(wb)
        _table_sheet(wb.add_worksheet(_("Weekly table")), styles, table, progress)
        _summary_sheet(wb.add_worksheet(_("Summary")), styles, table)
        wb.set_properties({"title": layout.title(table), "author": _("招商台账 (investment-attraction deal ledger)")})
    return path


def _totals_row(ws, styles: _Styles, table: WeeklyTable, widest: list[int]) -> tuple[list, list]:
    """The totals row's cells (writer, value, format) and each cell's line widths; widens `widest` for its
    亿元 total."""
    cells, measured = [], []
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
        measured.append(_line_widths(shown))
    return cells, measured


def _column_widths(cols: list, widest: list[int]) -> list[int]:
    """Each column as wide as its widest line (plus padding) up to its cap in MAX_WIDTHS; a header longer than
    that wraps onto a second line rather than widening the column."""
    widths = []
    for col, w in zip(cols, widest):
        header = max(math.ceil(_width(col.header) / 2) + 2, 6)
        # the room lines_of() gives a line of w columns, so that text that fits is measured as one line
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


def _table_sheet(ws, styles: _Styles, table: WeeklyTable, progress) -> None:
    cols = layout.columns()
    keys = [c.key for c in cols]
    n = len(cols)
    body = Body(styles, keys, [MAX_WIDTHS.get(key, 16) for key in keys])
    body.lay_out(table.rows)
    widest = body.widest
    totals, measured = _totals_row(ws, styles, table, widest)
    widths = _column_widths(cols, widest)
    for i, w in enumerate(widths):
        ws.set_column(i, i, w)
    _heading(ws, styles, table, cols, widths)

    r = body.write(ws, HEADER_ROW, progress)
    last_data = r + 1
    r += 1
    _write_row(ws, r, totals, max(map(lines_of, measured, widths)))
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
