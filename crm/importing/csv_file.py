"""A CSV ledger read into a Grid: UTF-8 (with or without BOM), UTF-16 with a BOM or GB18030; the delimiter sniffed."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import _
from crm.importing.grid import Grid, _first_line

ENCODINGS = ("utf-8-sig", "gb18030")


def decode(data: bytes, path: str = "") -> tuple[str, str]:
    """(text, encoding name) of a CSV file's bytes."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break  # binary data, or UTF-16 without a BOM
        return text, "utf-8" if encoding == "utf-8-sig" else encoding
    raise InvalidInput(
        _("{path}: cannot tell the text encoding; save the CSV as UTF-8 (or GBK) and import it again").format(path=path)
    )


def read_csv(path: Path) -> Grid:
    """The one sheet of a CSV file, its encoding and delimiter found (see crm.importing.workbook)."""
    data = path.read_bytes()
    text, encoding = decode(data, str(path))
    sample = text[:65536]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    try:
        for number, record in enumerate(reader, 1):
            values = [_unforced(v.strip()) or None for v in record]
            while values and values[-1] is None:
                values.pop()
            if values:
                rows.append((number, values))
    except csv.Error as exc:
        raise InvalidInput(
            _("{path} is not a CSV file that can be read ({reason})").format(path=path, reason=_first_line(exc))
        ) from None
    return Grid(source=str(path), sheet="", kind="csv", rows=rows, encoding=encoding)


def _unforced(value: str) -> str:
    """A cell as Excel shows it: ="0012" is how a CSV keeps Excel from reading text as a number."""
    if value.startswith('="') and value.endswith('"') and len(value) >= 3:
        return value[2:-1].replace('""', '"').strip()
    return value
