"""The weekly table as an xlsx workbook a bureau can print and send as it is.

Sheet 1 (周报): merged title and scope rows, a bold frozen header row that is
repeated on every printed page, one row per deal, a totals row (合计) and the
notes; columns sized for Chinese text (2-4 character headers whole), long cells
wrapped in rows tall enough for their lines, 总投资 as the text every format
shows (4565万元, 1.5亿美元), 折合人民币 and dates as numbers with number
formats (a date that names its month only as its month's text, 2025-12);
landscape and fitted to the page width, A4 when the body text still
prints at MIN_PRINTED_PT or more (paper_for), and the pages broken where the
program chooses (Pages) so that the totals row is never alone on its page.
Sheet 2 (汇总): the summary sections, on the same paper (portrait), amounts and rates as numbers (a total
that adds up an approximate amount shown 约346.42 by its number format); its title rows head every printed
page, and it is shrunk onto one page when a little longer than one, else broken between its sections.

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
from bisect import bisect_right
from collections import deque
from collections.abc import Callable
from decimal import Decimal
from itertools import accumulate
from pathlib import Path

import xlsxwriter

from crm.foundation.i18n import _, current_language, list_sep
from crm.reporting.weekly import WeeklyTable
from crm.values.money import marked_about
from exports import weekly_layout as layout
from exports.cells import workbook
from exports.weekly_xlsx_body import LINE_HEIGHT, Body, line_width, lines_of, row_points  # noqa: F401 — re-exported
from exports.weekly_xlsx_body import cut as _text

HEADER_ROW = 4  # 1-based, as a reader counts rows
# Caps on the columns' widths (in display columns, CJK = 2; others 16): longer text wraps inside its row.
# They keep the 16 columns narrow enough to print on A4 landscape at MIN_PRINTED_PT or more
# (tests/ledger/test_weekly_print_layout.py).
MAX_WIDTHS = {
    "seq": 7,
    "code": 15,
    "name": 16,
    "investor": 11,
    "region": 11,
    "industry": 11,
    "event": 12,
    "signed_on": 13,
    "amount": 16,
    "amount_cny": 12,
    "stage": 10,
    "progress": 20,
    "problems": 20,
    "supporting": 11,
    "lead_unit": 11,
    "liaison": 10,
}
# The key columns keep this width in a week without progress or problems.
MIN_WIDTHS = {"progress": 18, "problems": 14}
YI_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = "0.00%"
A4, A3 = 9, 8  # paper size codes of the OOXML page setup
PAPER_PT = {A4: (595.28, 841.89), A3: (841.89, 1190.55)}  # (short, long) sides
MARGINS = {"left": 0.4, "right": 0.4, "top": 0.6, "bottom": 0.8}  # inches
HEADER_FOOTER_MARGIN = 0.3  # inches from the paper's edge: the page number has 0.5 inch of the bottom margin
BODY_PT = 11  # the table's text size on screen; printed, it is scaled to fit the page's width
MIN_PRINTED_PT = 7.0  # the smallest printed body text paper_for() accepts on A4 (六号 is 7.5 points)
# Points a unit of column width prints at: Calibri's digit at 11 points, as LibreOffice measures it (5.58), and
# as Excel and WPS round it to 7 pixels (5.25): a sheet prints narrower, so larger, in Excel.
PT_PER_WIDTH = 5.575
EXCEL_PT_PER_WIDTH = 5.25
PAGE_SLACK = 0.97  # the share of a page's height Pages fills, so that no application's rounding overfills it
SUMMARY_MIN_PT = 9.0  # a summary a little longer than a page is shrunk onto one while its text still prints this big


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
            "w_amount": {**normal, **border, **top, "align": "right"},
            "w_total": {**normal, "bold": True, **total_fill, **border, **top},
            "w_total_amount": {**normal, "bold": True, **total_fill, **border, **top, "align": "right"},
            "w_total_yi": {**normal, "bold": True, **total_fill, **border, "valign": "top", "num_format": YI_FORMAT},
            "w_note": {"font_name": font, "font_size": BODY_PT, "valign": "top", "text_wrap": True},
            "w_section": {"font_name": font, "font_size": 12, "bold": True},
            "w_percent": {**normal, **border, "valign": "top", "num_format": PERCENT_FORMAT},
            "w_count": {**normal, **border, "valign": "top", "num_format": "0"},
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
        paper = _table_sheet(wb.add_worksheet(_("Weekly table")), styles, table, progress)
        _summary_sheet(wb.add_worksheet(_("Summary")), styles, table, paper)
        wb.set_properties({"title": layout.title(table), "author": _("招商台账 (investment-attraction deal ledger)")})
    return path


def _totals_row(ws, styles: _Styles, table: WeeklyTable, widths: list[float]) -> tuple[list, int]:
    """The totals row's cells (writer, value, format) at the columns' final `widths`, and its number of lines.

    The per-currency totals (384.97亿元、2亿欧元、2.05亿美元) that do not fit their column are put one a line,
    so that the text wraps after a 、, never inside an amount."""
    cells, lines = [], 1
    amount_at = [c.key for c in layout.columns()].index("amount")
    for i, value in enumerate(layout.totals(table)):
        if isinstance(value, layout.Yi):
            shown = layout.shown(value)
            cells.append(
                (ws.write_number, Decimal(layout.yi_exact(value.yuan)), styles("w_total_yi", yi_format(value)))
            )
        elif i == amount_at:
            shown = layout.stacked(layout.currency_parts(table), _one_line(widths[i]))
            cells.append((ws.write_string, _text(shown), styles("w_total_amount")))
        else:
            shown = value
            cells.append(
                (ws.write_string, _text(value), styles("w_total"))
                if value
                else (ws.write_blank, None, styles("w_total"))
            )
        lines = max(lines, _lines(shown, widths[i]))
    return cells, lines


def _one_line(width: float) -> Callable[[str], bool]:
    """Whether a text takes one line in a column `width` wide."""
    return lambda text: _lines(text, width) == 1


def _totals_widest(table: WeeklyTable) -> dict[int, int]:
    """The widest line the totals row needs, by column: its 亿元 total and the longest of its per-currency totals
    with the 、 after it (they go one a line when they do not fit on one)."""
    keys = [c.key for c in layout.columns()]
    parts = layout.currency_parts(table)
    ends = [list_sep().rstrip()] * (len(parts) - 1) + [""]
    return {
        keys.index("amount_cny"): _width(layout.shown(layout.Yi(table.summary.total_cny, table.summary.approximate))),
        keys.index("amount"): max((_width(p + end) for p, end in zip(parts, ends)), default=0),
    }


def _header_room(header: str) -> int:
    """The display width a header needs to wrap only between its words: 当前阶段 whole, 折合人民币(亿元) as
    折合人民币 / (亿元), County (city, district) at its spaces."""
    return max(map(_width, layout.header_words(header)), default=0)


def caps(cols: list) -> list[int]:
    """The widest each column may be: its MAX_WIDTHS, or its header's widest word (a longer English word), or
    the widest word of a stage's label in the stage column (Construction), so that no stage is broken in a word."""
    return [max(MAX_WIDTHS.get(col.key, 16), _header_min(col.header), _labels_min(col.key)) for col in cols]


def _labels_min(key: str) -> int:
    """The width the stage column's widest label word takes on one line as lines_of() counts it (the room
    _column_widths gives it); 0 for the other columns."""
    if key != "stage":
        return 0
    return math.ceil(layout.widest_stage_word() * 1.1 + 2)


def _header_min(header: str) -> int:
    """The width a header's widest word takes on one line: a CJK word its display width (a glyph of 11 points
    is two units), a Latin word, in bold, a tenth more."""
    return max(math.ceil(_header_room(header) * (1.1 if header.isascii() else 1) + 2), 6)


def _column_widths(cols: list, widest: list[int]) -> list[int]:
    """Each column as wide as its widest line (plus padding), at least its header's widest word and its
    MIN_WIDTHS, up to its cap (caps()): longer text wraps inside its row."""
    widths = []
    for col, w, cap in zip(cols, widest, caps(cols)):
        # the room lines_of() gives a line of w columns, so that text that fits is measured as one line
        content = max(math.ceil(w * 1.1 + 2), MIN_WIDTHS.get(col.key, 0), _header_min(col.header))
        widths.append(min(content, cap))
    return widths


def _heading(ws, styles: _Styles, table: WeeklyTable, cols: list, widths: list[int]) -> float:
    """Title, scope and as-of rows, and the header row; the points they take."""
    n, table_width = len(cols), sum(widths)
    heights = [30.0]
    _set_height(ws, 1, heights[0])
    _merge(ws, 1, n, layout.title(table), styles("w_title"))
    scope = styles("w_scope")
    for row_no, words in ((2, layout.scope_text(table)), (3, layout.as_of_text(table))):
        heights.append(row_points(_lines(words, table_width)))
        _set_height(ws, row_no, heights[-1])
        _merge(ws, row_no, n, words, scope)
    heights.append(_header_height(cols, widths))
    _set_height(ws, HEADER_ROW, heights[-1])
    header = styles("w_header")
    for i, col in enumerate(cols, 1):
        _put(ws, HEADER_ROW, i, col.header, header)
    return sum(heights)


def _header_height(cols: list, widths: list[int]) -> float:
    """The header row's height: its tallest header's lines, and room for its bold text."""
    return row_points(max(_lines(c.header, w) for c, w in zip(cols, widths))) + 2


def _table_sheet(ws, styles: _Styles, table: WeeklyTable, progress) -> int:
    """The 周报 sheet; the paper it prints on."""
    cols = layout.columns()
    body = Body(styles, [c.key for c in cols], caps(cols))
    body.lay_out(table.rows)
    widths, pages = _sheet_top(ws, styles, table, body.widest)
    r = body.write(ws, HEADER_ROW, progress, pages)
    return _sheet_bottom(ws, styles, table, widths, r, pages)


def _sheet_top(ws, styles: _Styles, table: WeeklyTable, widest: list[int]) -> tuple[list[int], Pages]:
    """The column widths (from the deal rows' `widest` lines and the totals), the heading above the deal
    rows, and the Pages that will break them; the sheet's rows of one line take row_points(1)."""
    cols = layout.columns()
    for i, w in _totals_widest(table).items():
        widest[i] = max(widest[i], w)
    widths = _column_widths(cols, widest)
    for i, w in enumerate(widths):
        ws.set_column(i, i, w)
    ws.set_default_row(row_points(1))
    heading = _heading(ws, styles, table, cols, widths)
    pages = Pages(page_room(paper_for(widths), widths), _header_height(cols, widths), heading)
    return widths, pages


def _sheet_bottom(ws, styles: _Styles, table: WeeklyTable, widths: list[int], r: int, pages: Pages) -> int:
    """Under the last deal row (`r`, 0-based): the totals row, kept on the page of the rows above it, the
    notes; then the freeze, filter and print setup. Returns the paper the sheet prints on."""
    cols = layout.columns()
    n, keys = len(cols), [c.key for c in cols]
    last_data = r + 1
    r += 1
    totals, lines = _totals_row(ws, styles, table, widths)
    pages.keep_with_rows_above(r, row_points(lines))
    _write_row(ws, r, totals, lines)
    pages.add(r + 1, row_points(1))  # the blank row under the totals
    r += 2  # 1-based again: the row after the blank one under the totals

    note = styles("w_note")
    for words in layout.notes(table):
        r += 1
        height = row_points(_lines(words, sum(widths) * 0.95))
        pages.add(r - 1, height)
        _set_height(ws, r, height)
        _merge(ws, r, n, words, note)

    ws.freeze_panes(HEADER_ROW, keys.index("name") + 1)
    if last_data > HEADER_ROW:
        ws.autofilter(HEADER_ROW - 1, 0, last_data - 1, n - 1)
    paper = paper_for(widths)
    _print_setup(ws, landscape=True, paper=paper)
    ws.set_h_pagebreaks(list(pages.breaks))
    ws.repeat_rows(HEADER_ROW - 1)
    ws.print_area(0, 0, r - 1, n - 1)
    ws.set_zoom(90)
    return paper


def paper_for(widths: list[int]) -> int:
    """A4 when a table of columns `widths` wide, fitted to an A4 landscape page's width, still prints its
    11-point body text at MIN_PRINTED_PT or more (in LibreOffice, which prints it smallest); else A3."""
    return A4 if print_scale(A4, widths) * BODY_PT >= MIN_PRINTED_PT else A3


def print_scale(paper: int, widths: list[int], pt_per_width: float = PT_PER_WIDTH, landscape: bool = True) -> float:
    """The scale a table of columns `widths` wide prints at, fitted to the width of a page of `paper`
    (landscape or portrait), each unit of width `pt_per_width` points: a whole percentage, as the
    applications choose it, never above 100%."""
    # XlsxWriter stores a width of w as whole pixels of 7 a unit and 5 of padding
    stored = sum((int(w * 7 + 0.5) + 5) / 7 for w in widths)
    room = PAPER_PT[paper][1 if landscape else 0] - (MARGINS["left"] + MARGINS["right"]) * 72
    return min(100, math.floor(100 * room / (stored * pt_per_width))) / 100


def page_room(paper: int, widths: list[int], landscape: bool = True) -> float:
    """The points of sheet rows a page of `paper` (landscape or portrait) holds (PAGE_SLACK of it) at the largest
    scale an application prints the table at (Excel's): no application fits fewer rows on a page."""
    room = PAPER_PT[paper][0 if landscape else 1] - (MARGINS["top"] + MARGINS["bottom"]) * 72
    return room / print_scale(paper, widths, EXCEL_PT_PER_WIDTH, landscape) * PAGE_SLACK


class Pages:
    """Where the printed 周报 breaks onto a new page: worked out from the rows' heights as they are written,
    so that the totals row starts no page of its own (keep_with_rows_above). Each page holds `room` points
    of rows: the first the heading (`heading` points), the others the repeated header row (`header`).

    Excel holds at most 1,026 manual breaks in a sheet: the last MOST are kept (the end of the table, where
    the totals row is); an application breaks the pages before them where they fill."""

    MOST = 1000

    def __init__(self, room: float, header: float, heading: float):
        self.room, self.header = room, min(header, room / 2)
        self.used = heading
        self.on_page = 0  # rows on the current page
        self.breaks: deque[int] = deque(maxlen=self.MOST)  # rows (0-based) that start a page
        self.tail: list[float] = []  # the heights of the last rows added

    def _new_page(self, row: int) -> None:
        self.breaks.append(row)
        self.used, self.on_page = self.header, 0

    def add(self, row: int, height: float) -> None:
        """Row `row` (0-based) of `height` points comes next."""
        self.add_rows(row, [height])

    def add_rows(self, first: int, heights: list[float]) -> None:
        """Rows `first`, `first` + 1, … of `heights` points come next."""
        ends = list(accumulate(heights, initial=0.0))
        i = 0
        while i < len(heights):
            # the rows i … j - 1 fit on the current page
            j = max(bisect_right(ends, self.room - self.used + ends[i], lo=i) - 1, i)
            if j == i and self.on_page:
                self._new_page(first + i)  # the row does not fit: it starts the next page
                continue
            j = min(max(j, i + 1), len(heights))  # a row taller than a page is its page's only row
            self.used += ends[j] - ends[i]
            self.on_page += j - i
            i = j
            if i < len(heights):
                self._new_page(first + i)
        self.tail = (self.tail + heights[-2:])[-2:]

    def keep_with_rows_above(self, row: int, height: float, rows: int = 2) -> None:
        """Row `row` of `height` points (the totals) comes next, on the page of the row above it: when it does
        not fit there, the page breaks before the last `rows` rows above it instead (leaving one at least, and
        if they and the row fit on the next page), so that it is not alone under the header."""
        carried = self.tail[-min(rows, self.on_page - 1) :] if self.on_page > 1 else []
        if self.used + height > self.room and carried and self.header + sum(carried) + height <= self.room:
            self._new_page(row - len(carried))
            self.used += sum(carried)
            self.on_page = len(carried)
        self.add(row, height)

    def keep_together(self, row: int, heights: list[float], least: int = 4) -> None:
        """Rows `row`, … of `heights` points (a section of the summary) come next, on one page: the page breaks
        before them when they do not fit on this one but do on the next; a section taller than a page breaks
        before it when its first `least` rows (its title, header row and first rows) do not fit on this one."""
        kept = heights if self.header + sum(heights) <= self.room else heights[:least]
        if self.on_page and self.used + sum(kept) > self.room:
            self._new_page(row)
        self.add_rows(row, heights)


def _write_row(ws, r: int, cells: list, lines: int) -> None:
    """One row of the table (r 0-based), its height set first for its number of lines."""
    if lines > 1:
        ws.set_row_pixels(r, row_points(lines) * 4 / 3)
    for c, (write, value, fmt) in enumerate(cells):
        write(r, c, value, fmt)


def _print_setup(ws, landscape: bool, paper: int = 0) -> None:
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_paper(paper or A4)
    ws.fit_to_pages(1, 0)  # one page wide, as many pages tall as needed
    ws.set_margins(**MARGINS)
    ws.center_horizontally()
    ws.set_header("", {"margin": HEADER_FOOTER_MARGIN})
    ws.set_footer("&C" + layout.page_number_words(), {"margin": HEADER_FOOTER_MARGIN})


def _summary_sheet(ws, styles: _Styles, table: WeeklyTable, paper: int) -> None:
    """The summary sections, on `paper` (the 周报's), portrait: a tall list of a few columns, printed as
    _summary_pages() breaks it."""
    sections = layout.summary_sections(table)
    n = max(len(s.headers) for s in sections)
    widths = _summary_widths(sections, n)
    for i, w in enumerate(widths):
        ws.set_column(i, i, w)
    ws.set_default_row(row_points(1))
    scope = layout.scope_text(table)
    heights: list[float] = []  # points of each row, from row 1

    def row(points: float) -> int:
        """The next row (1-based), `points` tall: each row's height is set, so that an application prints the
        rows as tall as _summary_pages() counts them."""
        heights.append(points)
        _set_height(ws, len(heights), points)
        return len(heights)

    _merge(ws, row(28.0), n, layout.summary_title(table), styles("w_title"))
    _merge(ws, row(row_points(_lines(scope, sum(widths)))), n, scope, styles("w_scope"))
    row(row_points(1))
    spans = []  # each section's first row and its rows' heights (without the blank row under it)
    for section in sections:
        first = row(row_points(1))
        _put(ws, first, 1, section.title, styles("w_section"))
        lines = max(1 if _room(h) <= w else _lines(h, w) for h, w in zip(section.headers, widths))
        r = row(row_points(lines) + 2)
        for i, header in enumerate(section.headers, 1):
            _put(ws, r, i, header, styles("w_header"))
        for values in section.rows:
            shown = [_summary_shown(value) for value in values]
            r = row(row_points(max(1 if _room(text) <= w else _lines(text, w) for text, w in zip(shown, widths))))
            for i, value in enumerate(values, 1):
                _summary_cell(ws, styles, r, i, value)
        spans.append((first, heights[first - 1 :]))
        if section is not sections[-1]:
            row(row_points(1))
    _print_setup(ws, landscape=False, paper=paper)
    scale = print_scale(paper, widths, EXCEL_PT_PER_WIDTH, landscape=False)
    _summary_pages(ws, page_room(paper, widths, landscape=False), scale, heights, spans)


def _summary_pages(ws, room: float, scale: float, heights: list[float], spans: list[tuple[int, list[float]]]) -> None:
    """Print the summary sheet of rows `heights` points tall (from row 1) whose sections start at the rows of
    `spans` (with their rows' heights), a page holding `room` points at the `scale` that fits its width: on one
    page, shrunk, while its text still prints at SUMMARY_MIN_PT; else each section on one page where it fits on
    one (its title, header row and first rows at least together). The title and scope rows head every page."""
    ws.repeat_rows(0, 1)
    total = sum(heights)
    if total <= room:
        return
    if scale * room / total * BODY_PT >= SUMMARY_MIN_PT:
        ws.fit_to_pages(1, 1)
        return
    pages = Pages(room, heights[0] + heights[1], 0.0)
    starts = {first: rows for first, rows in spans}
    r = 1
    while r <= len(heights):
        rows = starts.get(r)
        if rows is None:
            pages.add(r - 1, heights[r - 1])
            r += 1
            continue
        pages.keep_together(r - 1, rows)
        r += len(rows)
    ws.set_h_pagebreaks(list(pages.breaks))


def yi_format(value: layout.Yi) -> str | None:
    """The number format a Yi is shown with when not its style's YI_FORMAT (None): YI_FORMAT after 约
    (marked_about) when it adds up an approximate amount, so that the cell stays a number."""
    if not value.approximate:
        return None
    return '"' + marked_about("").replace('"', "") + '"' + YI_FORMAT


def rate_format(value: layout.Rate) -> str:
    """The number format of a rate: the decimals layout.shown shows (0.0000, or more when it has them)."""
    decimals = len(layout.shown(value).partition(".")[2])
    return "0." + "0" * decimals if decimals else "0"


def _summary_widths(sections: list, n: int) -> list[int]:
    """The summary's column widths: each its widest text, the Latin letters and digits of which print wider
    than the CJK-counted width in the fonts LibreOffice falls back on (a fifth more), up to 40."""
    widths = [10] * n
    for section in sections:
        for i, header in enumerate(section.headers):
            widths[i] = max(widths[i], _room(header))
        for values in section.rows:
            for i, value in enumerate(values):
                widths[i] = max(widths[i], _room(_summary_shown(value)))
    return [min(w, 40) for w in widths]


def _room(text: str) -> int:
    """The column width text needs on one line: its display width, Latin text a fifth wider, and padding."""
    wide = sum(1 for ch in text if ord(ch) > 0x2E7F)
    return math.ceil((_width(text) - 2 * wide) * 1.2 + 2 * wide * 1.05 + 2)


def _summary_shown(value) -> str:
    """A summary cell as its number format shows it."""
    if isinstance(value, layout.NUMBERS):
        return layout.shown(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _summary_cell(ws, styles: _Styles, r: int, i: int, value) -> str:
    """Write one summary cell (r, i 1-based); the text it shows."""
    if isinstance(value, layout.Yi):
        _put(ws, r, i, Decimal(layout.yi_exact(value.yuan)), styles("w_yi", yi_format(value)))
    elif isinstance(value, layout.Rate):
        _put(ws, r, i, value.rate, styles("w_yi", rate_format(value)))
    elif isinstance(value, layout.Ratio):
        number = layout.ratio_number(value)
        if number is not None:
            _put(ws, r, i, number, styles("w_percent"))
        else:
            _put(ws, r, i, layout.shown(value), styles("w_centre"))
    elif isinstance(value, int):
        _put(ws, r, i, value, styles("w_count"))
    elif isinstance(value, datetime.date):
        _put(ws, r, i, value, styles("w_date"))
    else:
        _put(ws, r, i, value, styles("w_text"))
    return _summary_shown(value)
