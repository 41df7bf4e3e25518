"""The weekly table as an xlsx workbook a bureau can print and send as it is.

Sheet 1 (周报): merged title and scope rows, a bold frozen header row that is
repeated on every printed page, one row per deal, a totals row (合计) and the
notes; columns sized for Chinese text, long cells wrapped, amounts and dates
as numbers with number formats, landscape A4 fitted to the page width.
Sheet 2 (汇总): the summary sections.

Totals are written as numbers computed by crm (exact sums), not formulas, so
that every reader of the file — including ones that do not calculate — sees
the same figures as `crm kpi`.
"""

from __future__ import annotations

import datetime
import math
from copy import copy
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from wcwidth import wcswidth

from crm.i18n import _, current_language
from crm.money import format_money
from crm.weekly import WeeklyTable
from exports import weekly_layout as layout
from exports.cells import neutralise

MAX_CELL = 32_000  # Excel holds at most 32,767 characters in a cell
HEADER_ROW = 4
LINE_HEIGHT = 16.0  # points per line of 11-point text (CJK glyphs need more than the 14.25 of Latin text)
MAX_WIDTHS = {"name": 30, "investor": 22, "event": 24, "progress": 44, "problems": 48, "supporting": 24,
              "lead_unit": 20, "industry": 18, "region": 12}
YI_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = "0.00%"


def _font_name() -> str:
    # 宋体 is on every Chinese Windows and in WPS; Latin readers get Excel's default.
    return "宋体" if current_language() == "zh" else "Calibri"


def _width(text: str) -> int:
    """Display width of the longest line (CJK characters count 2)."""
    widest = 0
    for line in str(text).split("\n"):
        w = wcswidth(line)
        widest = max(widest, w if w >= 0 else len(line) * 2)
    return widest


def _lines(text: str, width: float) -> int:
    """How many lines `text` takes wrapped at `width` columns."""
    if text is None or text == "":
        return 1
    total = 0
    for line in str(text).split("\n"):
        w = wcswidth(line)
        w = w if w >= 0 else len(line) * 2
        # A column of width N holds a little less than N/2 CJK glyphs once padding and font metrics are counted.
        total += max(1, math.ceil(w * 1.1 / max(width - 1.5, 1)))
    return total


class _Styles:
    """Named styles: registering each once keeps writing 10,000 rows fast."""

    def __init__(self, wb: Workbook):
        font = _font_name()
        thin = Side(style="thin", color="808080")
        border = Border(left=thin, right=thin, top=thin, bottom=thin)
        top = Alignment(vertical="top", wrap_text=True)
        centre = Alignment(horizontal="center", vertical="top", wrap_text=True)
        header_fill = PatternFill("solid", fgColor="DDEBF7")
        total_fill = PatternFill("solid", fgColor="F2F2F2")
        specs = {
            "w_title": dict(font=Font(name=font, size=16, bold=True),
                            alignment=Alignment(horizontal="center", vertical="center")),
            "w_scope": dict(font=Font(name=font, size=10), alignment=Alignment(vertical="center", wrap_text=True)),
            "w_header": dict(font=Font(name=font, size=11, bold=True), fill=header_fill, border=border,
                             alignment=Alignment(horizontal="center", vertical="center", wrap_text=True)),
            "w_text": dict(font=Font(name=font, size=11), border=border, alignment=top),
            "w_centre": dict(font=Font(name=font, size=11), border=border, alignment=centre),
            "w_alert": dict(font=Font(name=font, size=11, color="C00000"), border=border, alignment=top),
            "w_date": dict(font=Font(name=font, size=11), border=border, alignment=centre, number_format=DATE_FORMAT),
            "w_yi": dict(font=Font(name=font, size=11), border=border, alignment=Alignment(vertical="top"),
                         number_format=YI_FORMAT),
            "w_total": dict(font=Font(name=font, size=11, bold=True), fill=total_fill, border=border, alignment=top),
            "w_total_yi": dict(font=Font(name=font, size=11, bold=True), fill=total_fill, border=border,
                               alignment=Alignment(vertical="top"), number_format=YI_FORMAT),
            "w_note": dict(font=Font(name=font, size=10), alignment=Alignment(vertical="top", wrap_text=True)),
            "w_section": dict(font=Font(name=font, size=12, bold=True)),
            "w_percent": dict(font=Font(name=font, size=11), border=border, number_format=PERCENT_FORMAT),
            "w_count": dict(font=Font(name=font, size=11), border=border, number_format="0"),
        }
        for name, spec in specs.items():
            style = NamedStyle(name=name)
            for attr, value in spec.items():
                setattr(style, attr, value)
            wb.add_named_style(style)
        self.own_formats: dict[str, str] = {}


_TEMPLATES: dict = {}


def _put(ws, row: int, col: int, value, style: str, number_format: str | None = None):
    """Write one cell. Its style is copied from a template cell styled once per (style, format):
    resolving a named style for every cell takes longer than writing the cell."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str) and len(value) > MAX_CELL:
        value = value[:MAX_CELL] + "…"
    cell.value = neutralise(value)
    key = (id(ws.parent), style, number_format)
    template = _TEMPLATES.get(key)
    if template is None:
        cell.style = style
        if number_format:
            cell.number_format = number_format
        _TEMPLATES[key] = copy(cell._style)
    else:
        cell._style = copy(template)
    return cell


def write(table: WeeklyTable, path: str | Path, progress=None) -> Path:
    """Write the workbook to `path`; `progress(done, total)` is called as rows are written."""
    path = Path(path)
    wb = Workbook()
    _Styles(wb)
    ws = wb.active
    ws.title = _("Weekly table")
    _table_sheet(ws, table, progress)
    _summary_sheet(wb.create_sheet(_("Summary")), table)
    wb.properties.title = layout.title(table)
    wb.properties.creator = _("招商台账 (investment-attraction deal ledger)")
    try:
        wb.save(path)
    finally:
        for key in [k for k in _TEMPLATES if k[0] == id(wb)]:
            del _TEMPLATES[key]
    return path


def _table_sheet(ws, table: WeeklyTable, progress) -> None:
    cols = layout.columns()
    keys = [c.key for c in cols]
    n = len(cols)
    last = get_column_letter(n)
    widths = {c.key: max(_width(c.header) + 2, 6) for c in cols}

    _put(ws, 1, 1, layout.title(table), "w_title")
    ws.merge_cells(f"A1:{last}1")
    ws.row_dimensions[1].height = 30
    _put(ws, 2, 1, layout.scope_text(table), "w_scope")
    ws.merge_cells(f"A2:{last}2")
    _put(ws, 3, 1, layout.as_of_text(table), "w_scope")
    ws.merge_cells(f"A3:{last}3")
    for i, col in enumerate(cols, 1):
        _put(ws, HEADER_ROW, i, col.header, "w_header")

    r = HEADER_ROW
    texts: list[list] = []  # the wrapped texts of each row, for its height
    total = len(table.rows)
    for done, row in enumerate(table.rows, 1):
        r += 1
        values = layout.cells(row)
        row_texts = []
        for i, (key, value) in enumerate(zip(keys, values), 1):
            if isinstance(value, layout.Own):
                number, fmt = layout.own_number(value.money)
                _put(ws, r, i, Decimal(layout.plain_decimal(number)), "w_yi", fmt)
                shown = format_money(value.money) + "00"  # the format shows at least two decimals
            elif isinstance(value, layout.Yi):
                _put(ws, r, i, Decimal(layout.yi_exact(value.yuan)), "w_yi")
                shown = layout.yi_text(value.yuan)
            elif isinstance(value, datetime.date):
                _put(ws, r, i, value, "w_date")
                shown = value.isoformat()
            elif key in ("seq", "stage"):
                _put(ws, r, i, value, "w_centre")
                shown = str(value)
            elif key == "problems" and any(p.overdue for p in row.problems):
                _put(ws, r, i, value, "w_alert")
                shown = value
            else:
                _put(ws, r, i, value, "w_text")
                shown = "" if value is None else str(value)
            widths[key] = max(widths[key], _width(shown) + 2)
            row_texts.append(shown)
        texts.append(row_texts)
        if progress and (done % 500 == 0 or done == total):
            progress(done, total)
    last_data = r

    r += 1
    total_texts = []
    for i, (key, value) in enumerate(zip(keys, layout.totals(table)), 1):
        if isinstance(value, layout.Yi):
            _put(ws, r, i, Decimal(layout.yi_exact(value.yuan)), "w_total_yi")
            widths[key] = max(widths[key], _width(layout.yi_text(value.yuan)) + 2)
            total_texts.append(layout.yi_text(value.yuan))
        else:
            _put(ws, r, i, value, "w_total")
            total_texts.append(value)
    texts.append(total_texts)

    for key in widths:
        widths[key] = min(widths[key], MAX_WIDTHS.get(key, 40))
    for i, key in enumerate(keys, 1):
        ws.column_dimensions[get_column_letter(i)].width = widths[key]
    for offset, row_texts in enumerate(texts):
        lines = max(_lines(t, widths[k]) for k, t in zip(keys, row_texts))
        if lines > 1:
            ws.row_dimensions[HEADER_ROW + 1 + offset].height = LINE_HEIGHT * lines
    header_lines = max(_lines(c.header, widths[c.key]) for c in cols)
    ws.row_dimensions[HEADER_ROW].height = LINE_HEIGHT * max(header_lines, 1) + 6
    table_width = sum(widths.values())
    for row_no, text in ((2, layout.scope_text(table)), (3, layout.as_of_text(table))):
        ws.row_dimensions[row_no].height = LINE_HEIGHT * _lines(text, table_width)

    r += 1
    for note in layout.notes(table):
        r += 1
        _put(ws, r, 1, note, "w_note")
        ws.merge_cells(f"A{r}:{last}{r}")
        ws.row_dimensions[r].height = LINE_HEIGHT * _lines(note, table_width * 0.95)

    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=keys.index("name") + 2)
    if last_data > HEADER_ROW:
        ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{last_data}"
    _print_setup(ws, landscape=True)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_area = f"A1:{last}{r}"
    ws.sheet_view.zoomScale = 90


def _print_setup(ws, landscape: bool) -> None:
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as needed
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = _("Page &P of &N")


def _summary_sheet(ws, table: WeeklyTable) -> None:
    sections = layout.summary_sections(table)
    n = max(len(s.headers) for s in sections)
    widths = [10] * n
    _put(ws, 1, 1, layout.summary_title(table), "w_title")
    ws.merge_cells(f"A1:{get_column_letter(n)}1")
    ws.row_dimensions[1].height = 28
    _put(ws, 2, 1, layout.scope_text(table), "w_scope")
    ws.merge_cells(f"A2:{get_column_letter(n)}2")
    r = 3
    for section in sections:
        r += 1
        _put(ws, r, 1, section.title, "w_section")
        r += 1
        for i, header in enumerate(section.headers, 1):
            _put(ws, r, i, header, "w_header")
            widths[i - 1] = max(widths[i - 1], _width(header) + 2)
        for values in section.rows:
            r += 1
            for i, value in enumerate(values, 1):
                if isinstance(value, layout.Yi):
                    _put(ws, r, i, Decimal(layout.yi_exact(value.yuan)), "w_yi")
                    shown = layout.yi_text(value.yuan)
                elif isinstance(value, layout.Ratio):
                    number = layout.ratio_number(value)
                    _put(ws, r, i, number if number is not None else layout.ratio_text(value),
                         "w_percent" if number is not None else "w_centre")
                    shown = layout.ratio_text(value)
                elif isinstance(value, int):
                    _put(ws, r, i, value, "w_count")
                    shown = str(value)
                elif isinstance(value, datetime.date):
                    _put(ws, r, i, value, "w_date")
                    shown = value.isoformat()
                else:
                    _put(ws, r, i, value, "w_text")
                    shown = str(value)
                widths[i - 1] = max(widths[i - 1], _width(shown) + 2)
        r += 1
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = min(w, 60)
    _print_setup(ws, landscape=False)
