"""Printing results for scripts: aligned tables (Chinese-aware), CSV and JSON."""

import csv
import datetime
import json
import sys
from decimal import Decimal

# tabulate measures East Asian wide characters with wcwidth when this is on,
# so 涿州 takes two columns and tables line up in a terminal.
import tabulate as _tabulate_module
from tabulate import tabulate

from crm.foundation.text import neutralise

_tabulate_module.WIDE_CHARS_MODE = True


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
    json.dump(to_jsonable(data), out, ensure_ascii=False, indent=2)
    out.write("\n")


def _json_value(value, quote=json.encoder.encode_basestring) -> str:
    if type(value) is str:
        return quote(value)
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, dict):  # nested as print_json nests it, one level deeper than the record's keys
        return json.dumps(to_jsonable(value), ensure_ascii=False, indent=2).replace("\n", "\n    ")
    return json.dumps(to_jsonable(value), ensure_ascii=False)


def print_json_records(keys: tuple[str, ...], records, out=None) -> int:
    """Write the tuples of `records` as a JSON array of objects with `keys`, one record at a time.

    The text is what print_json() writes for the same list of dicts (indent 2,
    UTF-8), but no list is ever held: memory stays that of one record.
    Values are str, int, bool or None (anything else goes through to_jsonable).
    Returns the number of records written.
    """
    out = out or sys.stdout
    quote = json.encoder.encode_basestring
    labels = ["    " + quote(k) + ": " for k in keys]
    n = 0
    for record in records:
        out.write(",\n  {\n" if n else "[\n  {\n")
        out.write(",\n".join([label + _json_value(v) for label, v in zip(labels, record)]))
        out.write("\n  }")
        n += 1
    out.write("\n]\n" if n else "[]\n")
    return n


def print_csv_records(headers: list[str], records, out=None) -> int:
    """Write CSV like print_csv() from an iterable of rows, as they come; returns the number of rows."""
    writer = csv.writer(out or sys.stdout)
    writer.writerow(headers)
    n = 0
    for row in records:
        # The csv module writes None as an empty field; text a spreadsheet would run as a formula is neutralised.
        writer.writerow([neutralise(v) if type(v) is str else v for v in row])
        n += 1
    return n


def print_table(headers: list[str], rows: list[list], out=None) -> None:
    """Write an aligned plain-text table."""
    out = out or sys.stdout
    out.write(tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True) + "\n")


def print_csv(headers: list[str], rows: list[list], out=None) -> None:
    """Write CSV (for scripts, no BOM; the exports add one for Excel)."""
    writer = csv.writer(out or sys.stdout)
    writer.writerow(headers)
    # Cells a spreadsheet would run as formulas (=, +, -, @ …) are neutralised, as in every export.
    writer.writerows([["" if v is None else neutralise(v) for v in row] for row in rows])
