"""A summary report (`crm report … -o FILE.xlsx`): one sheet, header row repeated, the 合计 row bold,
landscape and fitted to the page width; values as written by the CLI's other formats."""

from decimal import Decimal, InvalidOperation

from exports.cells import neutralise, workbook


def _number(value):
    if isinstance(value, str):
        try:
            return Decimal(value)
        except InvalidOperation:
            return None
    return value if isinstance(value, int) else None


def write_summary(headers: list[str], rows: list[list], path: str) -> None:
    """Write `rows` under `headers` to the workbook `path`; the last row is the total."""
    with workbook(path) as book:
        sheet = book.add_worksheet("report")
        head = book.add_format({"bold": True, "text_wrap": True, "border": 1, "font_size": 10})
        body = book.add_format({"border": 1, "font_size": 10})
        total = book.add_format({"border": 1, "bold": True, "font_size": 10})
        sheet.write_row(0, 0, headers, head)
        for r, row in enumerate(rows, start=1):
            fmt = total if r == len(rows) else body
            for c, value in enumerate(row):
                number = _number(value) if c else None
                if number is not None:
                    sheet.write_number(r, c, float(number), fmt)
                else:
                    sheet.write_string(r, c, neutralise("" if value is None else str(value)), fmt)
        sheet.set_column(0, 0, 20)
        sheet.set_column(1, len(headers) - 1, 12)
        sheet.freeze_panes(1, 1)
        sheet.repeat_rows(0)
        sheet.set_landscape()
        sheet.set_paper(8)  # A3
        sheet.fit_to_pages(1, 0)
