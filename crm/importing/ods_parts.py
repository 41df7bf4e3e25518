"""Which rows and columns an .ods sheet hides, read from the workbook's content.xml.

python-calamine reads an .ods sheet's values but not their visibility; the importer needs it (a row hidden or
filtered out is not imported, a visible column wins over a hidden one: crm.importing.hidden). OpenDocument writes
it on the rows and columns themselves: <table:table-row table:visibility="collapse"> (hidden) or "filter"
(filtered out), the same on <table:table-column>, each standing for table:number-rows-repeated (or
number-columns-repeated) rows or columns in a row.

content.xml holds every sheet of the workbook and may be large: it is parsed as a stream (iterparse), each row
dropped once read, only when its text says visibility= at all (a byte search over the stream first), and no
further than the last sheet asked for.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from xml.etree import ElementTree

from crm.importing.xlsx_parts import SheetParts

_TABLE_NS = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_TABLE = f"{_TABLE_NS}table"
_ROW = f"{_TABLE_NS}table-row"
_COLUMN = f"{_TABLE_NS}table-column"
_VISIBILITY = f"{_TABLE_NS}visibility"
_ROWS_REPEATED = f"{_TABLE_NS}number-rows-repeated"
_COLUMNS_REPEATED = f"{_TABLE_NS}number-columns-repeated"
_NAME = f"{_TABLE_NS}name"
#: The visibilities that keep a row or column from view: hidden by its owner, or filtered out.
_NOT_SHOWN = ("collapse", "filter")
_CHUNK = 1 << 20


def ods_hidden(path: str, names: Iterable[str]) -> dict[str, Hidden]:
    """{sheet: what it hides} of the sheets of the .ods file `path` named in `names`; a sheet that hides nothing is
    left out. A content.xml that cannot be read gives nothing hidden: calamine has read the values from it already.
    """
    left = set(names)
    if not left:
        return {}
    try:
        with zipfile.ZipFile(path) as archive:
            if not _says_visibility(archive):
                return {}
            with archive.open("content.xml") as stream:
                return _hidden(stream, left)
    except (KeyError, OSError, zipfile.BadZipFile, ElementTree.ParseError):
        return {}


class Hidden:
    """The rows and the columns (1-based, as spans) one sheet hides or filters out, counted as they are read."""

    def __init__(self):
        self.spans: dict[bool, list[range]] = {True: [], False: []}  # rows (True), columns (False)
        self.count = {True: 0, False: 0}  # rows, columns read so far

    def take(self, is_row: bool, element) -> None:
        """Count the row (or column) `element`, and those it repeats; note them when they are not shown."""
        repeated = element.get(_ROWS_REPEATED if is_row else _COLUMNS_REPEATED, "1")
        first = self.count[is_row] + 1
        self.count[is_row] += int(repeated) if repeated.isdigit() and int(repeated) > 0 else 1
        if element.get(_VISIBILITY) in _NOT_SHOWN:
            self.spans[is_row].append(range(first, self.count[is_row] + 1))

    def parts(self, last_row: int, last_column: int) -> SheetParts:
        """The hidden rows and columns up to the sheet's last row and column (1-based: beyond them nothing is
        written, and LibreOffice hides a million empty rows in one element) as the importer takes them."""
        parts = SheetParts()
        for span in self.spans[True]:
            parts.hidden_rows.update(range(span.start, min(span.stop, last_row + 1)))
        for span in self.spans[False]:
            parts.hidden_columns.update(range(span.start, min(span.stop, last_column + 1)))
        return parts


def _says_visibility(archive: zipfile.ZipFile) -> bool:
    """Whether content.xml writes visibility= anywhere (nothing is hidden without it): read, not parsed."""
    tail = b""  # the end of the chunk before, for the word split between two chunks
    with archive.open("content.xml") as stream:
        while chunk := stream.read(_CHUNK):
            if b"visibility=" in chunk or b"visibility=" in tail + chunk[:10]:
                return True
            tail = chunk[-10:]
    return False


def _hidden(stream, left: set[str]) -> dict[str, Hidden]:
    """What `ods_hidden` gives, from the content.xml `stream`, for the sheets named in `left` (emptied)."""
    found: dict[str, Hidden] = {}
    sheet: Hidden | None = None
    parents: list = []  # the open elements, to drop each row from its parent once read
    depth = 0  # the tables open (a table inside a cell is not the sheet's rows)
    for event, element in ElementTree.iterparse(stream, events=("start", "end")):
        tag = element.tag
        if event == "start":
            parents.append(element)
            if tag == _TABLE:
                depth += 1
                if depth == 1 and element.get(_NAME) in left:
                    sheet = Hidden()
            elif sheet is not None and depth == 1 and tag in (_ROW, _COLUMN):
                sheet.take(tag == _ROW, element)
            continue
        parents.pop()
        if tag == _TABLE:
            depth -= 1
            if depth == 0 and sheet is not None:
                name = element.get(_NAME)
                left.discard(name)
                if sheet.spans[True] or sheet.spans[False]:
                    found[name] = sheet
                sheet = None
                if not left:
                    break
        if tag in (_ROW, _TABLE) and parents:
            parents[-1].remove(element)  # a large sheet's rows are not all kept in memory
    return found
