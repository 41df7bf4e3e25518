"""Printing results for scripts: aligned tables (Chinese-aware), CSV and JSON."""

import csv
import datetime
import json
import re
import sys
from decimal import Decimal

from crm.foundation.text import neutralise


def to_jsonable(value):
    """Decimal → string, date → ISO text, recursively; everything else as is."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    return value


def print_json(data, out=None) -> None:
    """Write `data` as indented UTF-8 JSON (no floats: amounts are strings)."""
    out = out or sys.stdout
    out.write(json.dumps(to_jsonable(data), ensure_ascii=False, indent=2) + "\n")  # one write, not one a token


def write_pieces(pieces, out=None) -> None:
    """Write text that comes in pieces (crm.listing.deal_text's batches of lines), one write a piece.

    A piece holds many lines: with PYTHONUNBUFFERED, or a terminal's line
    buffering, a write per line would be a system call per line.
    """
    out = out or sys.stdout
    for piece in pieces:
        out.write(piece)


def print_table(headers: list[str], rows: list[list], out=None) -> None:
    """Write an aligned plain-text table."""
    import tabulate  # on first use: the CSV and JSON output of large lists does without it

    # tabulate measures East Asian wide characters with wcwidth when this is on, so 涿州 takes two columns.
    tabulate.WIDE_CHARS_MODE = True
    out = out or sys.stdout
    out.write(tabulate.tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True) + "\n")


#: A decimal number as the JSON and CSV write amounts, rates and points.
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def print_csv(headers: list[str], rows: list[list], out=None) -> None:
    """Write CSV (for scripts, no BOM; the exports add one for Excel)."""
    writer = csv.writer(out or sys.stdout)
    writer.writerow(headers)
    # Cells a spreadsheet would run as formulas (=, +, -, @ …) are neutralised; a number written as text (-8.33),
    # which these tables write for amounts and points, is no formula and stays a number.
    writer.writerows([["" if v is None else _csv_cell(v) for v in row] for row in rows])


def _csv_cell(value):
    return value if isinstance(value, str) and _PLAIN_NUMBER.fullmatch(value) else neutralise(value)
