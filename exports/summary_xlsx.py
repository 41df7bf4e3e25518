"""A summary report (`crm report … -o FILE.xlsx`) as one printable sheet: the title with its as-of day, the
headers with their units (repeated on every page), the groups' numbers, the 合计 row bold, the exchange rates
used below; landscape and fitted to the page width."""

from crm.foundation.i18n import _
from exports.cells import neutralise, workbook
from exports.summary_table import COLUMNS, DIMENSION_LABELS, file_rows, headers, rates_described, rates_line, title

#: Number formats by a column's kind: 亿元 and per cent to two decimals, points signed, counts whole.
_FORMATS = {"yi": "#,##0.00", "rate": "0.00", "gap": "+0.00;-0.00;0.00", "count": "0"}
#: Column widths (characters) by kind: the 23 KPIs fit an A4 landscape page at a readable scale.
_WIDTHS = {"yi": 8, "rate": 8, "gap": 8, "count": 7}


def write_summary(dimension: str, rows: list, path: str) -> None:
    """Write summary `rows` (the 合计 row last), grouped by `dimension`, to the workbook `path`."""
    names = headers(dimension, units=True)
    with workbook(path) as book:
        sheet = book.add_worksheet(_sheet_name(_(DIMENSION_LABELS[dimension][0])))
        base = {"border": 1, "font_size": 10, "valign": "vcenter"}
        head = book.add_format({**base, "bold": True, "text_wrap": True, "align": "center"})
        text = {False: book.add_format(base), True: book.add_format({**base, "bold": True})}
        undefined = {bold: book.add_format({**base, "bold": bold, "align": "right"}) for bold in (False, True)}
        numbers = {
            (kind, bold): book.add_format({**base, "bold": bold, "num_format": fmt})
            for kind, fmt in _FORMATS.items()
            for bold in (False, True)
        }
        sheet.merge_range(
            0,
            0,
            0,
            len(names) - 1,
            title(dimension, rows),
            book.add_format({"bold": True, "font_size": 14, "align": "center"}),
        )
        sheet.set_row(0, 24)
        sheet.write_row(1, 0, names, head)
        sheet.set_row(1, 44)  # three lines of a wrapped header
        kinds = [kind for _label, kind in COLUMNS.values()]
        for r, row in enumerate(file_rows(rows), start=2):
            total = r == len(rows) + 1
            sheet.write_string(r, 0, neutralise(row[0]), text[total])
            for c, (value, kind) in enumerate(zip(row[1:], kinds), start=1):
                if value is None:
                    sheet.write_string(r, c, "—", undefined[total])
                else:
                    sheet.write_number(r, c, float(value), numbers[kind, total])
        # one rate a row: a line of them all would widen the printed page past the table
        rates = rates_described(rows)
        lines = [_("Exchange rates used"), *rates] if rates else [rates_line(rows)]
        for n, line in enumerate(lines, start=len(rows) + 3):
            sheet.write_string(n, 0, line)
        sheet.set_column(0, 0, 18)
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
