"""A summary report (`crm report … -o FILE.xlsx`) as one printable sheet: the title with its as-of day, the
headers with their units (repeated on every page), the groups' numbers, the 合计 row bold, the exchange rates
used below; landscape and fitted to the page width.

Each column is as wide as its numbers and its header need: a header breaks only between its words (总投资 /
(亿元), 超序时进度 / (百分点)), never inside one (逾期未开 / 工), in Excel and WPS as in LibreOffice, which fits
a little more on a line (header_width)."""

import math
import re

from crm.foundation.lines import cells
from exports.cells import neutralise, workbook

#: Number formats by a column's kind: 亿元 and per cent to two decimals, points signed, counts whole.
_FORMATS = {"yi": "#,##0.00", "rate": "0.00", "gap": "+0.00;-0.00;0.00", "count": "0"}
#: Python's way of showing a number as each kind's format does, to measure the widest one.
_SHOWN = {"yi": "{:,.2f}", "rate": "{:.2f}", "gap": "{:+.2f}", "count": "{:.0f}"}
#: The narrowest column of a kind (characters).
_WIDTHS = {"yi": 6, "rate": 6, "gap": 6, "count": 5}
#: The group names' column: as wide as the longest name (a Chinese character two), between these; a longer name
#: wraps, so that one long 管委会 name does not shrink the whole printed page.
_NAME_WIDTH = (10, 32)
FONT_PT = 10
#: A header's words, which a printed header keeps whole: a bracketed part ((亿元), (100m CNY)), or a run of text
#: between spaces and brackets (超序时进度, Operating).
_WORDS = re.compile(r"[(（][^()（）]*[)）]|[^\s(（]+")
#: What a spreadsheet keeps on one line as it wraps a header: an ideograph with the brackets and marks that cling
#: to it ((亿, 元), 区)), a run of other characters between spaces ((100m, CNY)), or spaces.
_ATOMS = re.compile(r"[(（]*(?:[\u3400-\u9fff]|[^\s\u3400-\u9fff(（]+)[)）%、，]*|\s+")
_HEADER_LINES = 3  # at most
_LINE_PT, _PAD_PT = 13.0, 5.0  # a line of 10-point text, and the room above and below a row's lines
# Points a unit of column width prints at in LibreOffice (Carlito's digit), and the points of a cell's padding.
_LO_PT_PER_WIDTH, _LO_PAD_PT = 5.575, 3.0
# Pixels a unit of column width gives Excel's and WPS's text (7 a unit; the 5 of padding are not for text).
_EXCEL_PX_PER_WIDTH = 7


def name_width(names: list[str]) -> int:
    """The width (characters) of the group names' column: the widest name's cells and a margin, within _NAME_WIDTH."""
    widest = max((cells(name) for name in names), default=0)
    return max(_NAME_WIDTH[0], min(_NAME_WIDTH[1], widest + 2))


def line_rooms(width: int, font_pt: float = FONT_PT) -> range:
    """How many display columns (a Chinese character two) of `font_pt` text a line of a column `width` wide holds:
    from Excel's (whole glyphs of its pixels, one fewer for a bold or wider font) to LibreOffice's (more)."""
    unit_px, unit_pt = font_pt * 96 / 72 / 2, font_pt / 2
    fewest = math.floor(_EXCEL_PX_PER_WIDTH * width / unit_px) - 1
    most = math.floor((_LO_PT_PER_WIDTH * (width + 5 / 7) - _LO_PAD_PT) / unit_pt)
    return range(max(fewest, 1), max(most, fewest, 1) + 1)


def _breaks(header: str, room: int) -> list[int] | None:
    """Where a spreadsheet filling lines of `room` display columns atom by atom (_ATOMS) starts each later line of
    `header` (positions in it), or None when an atom is wider than a line (it would be cut inside)."""
    starts, used = [], 0
    for atom in _ATOMS.finditer(header):
        width = cells(atom.group())
        if atom.group().isspace():
            used += width  # a space at a line's end is dropped: it never pushes the line over
            continue
        if width > room:
            return None
        if used and used + width > room:
            starts.append(atom.start())
            used = 0
        used += width
    return starts


def header_width(header: str, least: int) -> int:
    """The width (characters) of a column headed `header`: at least `least`, and the narrowest at which the
    header breaks only between its words (_WORDS: 总投资 / (亿元), not 总投资(亿 / 元)) into at most _HEADER_LINES
    lines at every line_rooms() of it; else wide enough for one line."""
    words = {m.start() for m in _WORDS.finditer(header)}
    width = max(least, 1)
    while min(line_rooms(width)) < cells(header):
        found = [_breaks(header, room) for room in line_rooms(width)]
        if all(b is not None and len(b) < _HEADER_LINES and set(b) <= words for b in found):
            break
        width += 1
    return width


def header_height(headers: list[str], widths: list[int]) -> float:
    """The header row's height (points): room for the lines of its header of the most lines, at the fewest
    display columns a line of its column holds."""
    lines = max(len(_breaks(h, min(line_rooms(w))) or ()) + 1 for h, w in zip(headers, widths))
    return _LINE_PT * lines + _PAD_PT


def column_widths(names: list[str], kinds: list[str], rows: list, marked) -> list[int]:
    """The columns' widths (characters): the group names' (name_width), then each KPI's, as wide as its widest
    number as shown (with `mark`'s two columns in the cells (row, column) of `marked`) and its header need
    (header_width)."""
    widths = [header_width(names[0], name_width([str(row[0]) for row in rows]))]
    for c, (name, kind) in enumerate(zip(names[1:], kinds), start=1):
        shown = [
            len(_SHOWN[kind].format(row[c])) + (2 if (r, c) in marked else 0)
            for r, row in enumerate(rows)
            if row[c] is not None
        ]
        widths.append(header_width(name, max([_WIDTHS[kind], *(n + 1 for n in shown)])))  # bold digits: one more
    return widths


def write_summary(
    path: str,
    sheet_name: str,
    title: str,
    names: list[str],
    kinds: list[str],
    rows: list,
    notes: list,
    *,
    marked: frozenset | set = frozenset(),
    mark: str = "",
):
    """Write a report to the workbook `path`: `title` over the headers `names`, then `rows` (the group's name and
    a number or None for each of `kinds` — yi, rate, gap, count; the 合计 row last, bold), then `notes` a line
    each (the exchange rates used). The cells (row index, column index) of `marked` show `mark` (约) before
    their number, which stays a number."""
    with workbook(path) as book:
        sheet = book.add_worksheet(_sheet_name(sheet_name))
        base = {"border": 1, "font_size": FONT_PT, "valign": "vcenter"}
        head = book.add_format({**base, "bold": True, "text_wrap": True, "align": "center"})
        text = {bold: book.add_format({**base, "bold": bold, "text_wrap": True}) for bold in (False, True)}
        undefined = {bold: book.add_format({**base, "bold": bold, "align": "right"}) for bold in (False, True)}
        numbers = {
            (kind, bold): book.add_format({**base, "bold": bold, "num_format": fmt})
            for kind, fmt in _FORMATS.items()
            for bold in (False, True)
        }
        about = '"' + mark.replace('"', "") + '"'
        marks = {
            (kind, bold): book.add_format({**base, "bold": bold, "num_format": about + fmt.split(";")[0]})
            for kind, fmt in _FORMATS.items()
            for bold in (False, True)
        }
        sheet.merge_range(
            0,
            0,
            0,
            len(names) - 1,
            title,
            book.add_format({"bold": True, "font_size": 14, "align": "center"}),
        )
        sheet.set_row(0, 24)
        widths = column_widths(names, kinds, rows, marked)
        sheet.write_row(1, 0, names, head)
        sheet.set_row(1, header_height(names, widths))
        for r, row in enumerate(rows, start=2):
            total = r == len(rows) + 1
            sheet.write_string(r, 0, neutralise(row[0]), text[total])
            lines = -(-cells(str(row[0])) // (widths[0] - 2))
            if lines > 1:  # a wrapped name's row is as tall as its lines: not every viewer grows it on opening
                sheet.set_row(r, 14 * lines)
            for c, (value, kind) in enumerate(zip(row[1:], kinds), start=1):
                if value is None:
                    sheet.write_string(r, c, "—", undefined[total])
                else:
                    shown = marks if (r - 2, c) in marked else numbers
                    sheet.write_number(r, c, float(value), shown[kind, total])
        for n, line in enumerate(notes, start=len(rows) + 3):
            sheet.write_string(n, 0, line)
        for c, width in enumerate(widths):
            sheet.set_column(c, c, width)
        sheet.freeze_panes(2, 1)
        sheet.repeat_rows(1)
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)
        sheet.set_footer("&C&P / &N")


def _sheet_name(text: str) -> str:
    """A worksheet's name: at most 31 characters, none of []:*?/\\."""
    return "".join(" " if ch in "[]:*?/\\" else ch for ch in text)[:31]
