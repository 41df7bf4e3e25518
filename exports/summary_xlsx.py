"""A summary report (`crm report … -o FILE.xlsx`) as one printable sheet: the title with its as-of day, the
headers with their units (repeated on every page), the groups' numbers, the 合计 row bold, the exchange rates
used below; landscape and fitted to the page width."""

from crm.foundation.lines import cells
from exports.cells import neutralise, workbook

#: Number formats by a column's kind: 亿元 and per cent to two decimals, points signed, counts whole.
_FORMATS = {"yi": "#,##0.00", "rate": "0.00", "gap": "+0.00;-0.00;0.00", "count": "0"}
#: Column widths (characters) by kind: the 23 KPIs fit an A4 landscape page at a readable scale.
_WIDTHS = {"yi": 8, "rate": 8, "gap": 8, "count": 7}
#: The group names' column: as wide as the longest name (a Chinese character two), between these; a longer name
#: wraps, so that one long 管委会 name does not shrink the whole printed page.
_NAME_WIDTH = (18, 32)


def name_width(names: list[str]) -> int:
    """The width (characters) of the group names' column: the widest name's cells and a margin, within _NAME_WIDTH."""
    widest = max((cells(name) for name in names), default=0)
    return max(_NAME_WIDTH[0], min(_NAME_WIDTH[1], widest + 2))


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
        base = {"border": 1, "font_size": 10, "valign": "vcenter"}
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
        sheet.write_row(1, 0, names, head)
        sheet.set_row(1, 44)  # three lines of a wrapped header
        width = name_width([str(row[0]) for row in rows])
        for r, row in enumerate(rows, start=2):
            total = r == len(rows) + 1
            sheet.write_string(r, 0, neutralise(row[0]), text[total])
            lines = -(-cells(str(row[0])) // (width - 2))
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
        sheet.set_column(0, 0, width)
        for c, kind in enumerate(kinds, start=1):
            sheet.set_column(c, c, _WIDTHS[kind])
        sheet.freeze_panes(2, 1)
        sheet.repeat_rows(1)
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)
        sheet.set_footer("&C&P / &N")


def _sheet_name(text: str) -> str:
    """A worksheet's name: at most 31 characters, none of []:*?/\\."""
    return "".join(" " if ch in "[]:*?/\\" else ch for ch in text)[:31]
