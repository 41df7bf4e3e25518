"""What an xlsx workbook says beside its cell values, read from its XML parts.

python-calamine reads cell values fast but reports neither number formats
nor error cells (#N/A, #VALUE!: it gives them as empty), and the importer
needs both: a number formatted `0.00"亿美元"` says its unit there, and an
error cell is a value to complain about, not a blank. Scanning a whole sheet
as XML costs about as much as reading it, so each scan here runs only when
the small parts say it can find something:

- number formats: only cells whose style (cellXfs index) has a format that
  could carry a unit (crm.importing.number_formats.format_unit reads one from it);
- error cells: only when the sheet holds a cell of type "e" at all;
- hidden rows and columns (<row hidden="1">, <col min max hidden="1">): only when the sheet's XML says
  hidden=" at all (found by a byte search, as the error cells' t="e").

The date system (1900 or 1904) comes from xl/workbook.xml.
"""

from __future__ import annotations

import datetime
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree

from crm.importing.cells import column_index
from crm.importing.number_formats import format_unit

# openpyxl's date systems, kept here so that reading with calamine does not load openpyxl and numpy (BENCHMARKS.md,
# "Import"). No built-in number format shows a unit: their currency sign is the opening system's.
CALENDAR_WINDOWS_1900 = datetime.datetime(1899, 12, 30)
CALENDAR_MAC_1904 = datetime.datetime(1904, 1, 1)

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CELL_REF = re.compile(rb'\br="([A-Z]{1,3})([0-9]+)"')
_ERROR_CELL = re.compile(rb'<c\b(?=[^>]*\bt="e")([^>]*)>(.*?)</c>', re.S)
_VALUE = re.compile(rb"<v>([^<]*)</v>")


@dataclass
class WorkbookParts:
    """The workbook-wide facts: its date system, which styles show a unit, and where each sheet's XML is."""

    epoch: object = CALENDAR_WINDOWS_1900
    unit_styles: dict = field(default_factory=dict)  # cellXfs index -> number format
    sheet_paths: dict = field(default_factory=dict)  # sheet name -> path of its XML in the zip


@dataclass
class SheetParts:
    """Per cell (row, column; 1-based): number formats that may carry a unit, and error values."""

    formats: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)
    formulas: dict = field(default_factory=dict)  # formula cells with no computed value -> the formula
    hidden_rows: set = field(default_factory=set)  # numbers of the rows hidden (or filtered out) in the sheet
    hidden_columns: set = field(default_factory=set)  # 1-based indexes of the columns hidden in the sheet


def workbook_parts(archive: zipfile.ZipFile) -> WorkbookParts:
    """Read xl/workbook.xml, its relationships and xl/styles.xml (all small)."""
    parts = WorkbookParts()
    names = set(archive.namelist())
    workbook_path = "xl/workbook.xml"
    if workbook_path not in names:
        return parts
    workbook = ElementTree.fromstring(archive.read(workbook_path))
    props = workbook.find(f"{_MAIN}workbookPr")
    if props is not None and props.get("date1904", "").lower() in ("1", "true"):
        parts.epoch = CALENDAR_MAC_1904
    rels_path = "xl/_rels/workbook.xml.rels"
    targets = {}
    if rels_path in names:
        for rel in ElementTree.fromstring(archive.read(rels_path)).iter(f"{_PKG_REL}Relationship"):
            target = rel.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            targets[rel.get("Id")] = target
    sheets = workbook.find(f"{_MAIN}sheets")
    for sheet in [] if sheets is None else sheets:
        target = targets.get(sheet.get(f"{_REL}id"))
        if target in names:
            parts.sheet_paths[sheet.get("name")] = target
    styles_path = next((t for t in targets.values() if t.endswith("styles.xml")), "xl/styles.xml")
    if styles_path in names:
        parts.unit_styles = _unit_styles(ElementTree.fromstring(archive.read(styles_path)))
    return parts


def _unit_styles(styles) -> dict:
    custom = {}
    formats = styles.find(f"{_MAIN}numFmts")
    for fmt in [] if formats is None else formats:
        try:
            custom[int(fmt.get("numFmtId", ""))] = fmt.get("formatCode", "")
        except ValueError:
            continue
    out = {}
    xfs = styles.find(f"{_MAIN}cellXfs")
    for index, xf in enumerate([] if xfs is None else xfs):
        try:
            ident = int(xf.get("numFmtId", "0"))
        except ValueError:
            continue
        code = custom.get(ident)
        if code and format_unit(code) is not None:
            out[index] = code
    return out


def sheet_parts(archive: zipfile.ZipFile, workbook: WorkbookParts, sheet: str, xml: bytes | None = None) -> SheetParts:
    """Formats of cells styled with a unit, and error cells, of `sheet`; `xml`: its part, when already read."""
    parts = SheetParts()
    path = workbook.sheet_paths.get(sheet)
    if path is None:
        return parts
    if workbook.unit_styles:
        xml = archive.read(path) if xml is None else xml
        styles = b"|".join(str(i).encode() for i in sorted(workbook.unit_styles))
        styled = re.compile(rb'<c\b(?=[^>]*\bs="(' + styles + rb')")([^>]*)>')
        for match in styled.finditer(xml):
            where = _where(match.group(2))
            if where is not None:
                parts.formats[where] = workbook.unit_styles[int(match.group(1))]
    # An error cell is written t="e"; without that text anywhere, there is none to look for.
    if xml is None:
        xml = archive.read(path)
    if b't="e"' in xml:
        for match in _ERROR_CELL.finditer(xml):
            where = _where(match.group(1))
            value = _VALUE.search(match.group(2))
            if where is not None and value is not None:
                parts.errors[where] = value.group(1).decode("utf-8", "replace")
    if b"<f" in xml:
        parts.formulas = uncomputed_formulas(xml)
    if b'hidden="' in xml:
        parts.hidden_rows, parts.hidden_columns = hidden_rows(xml), hidden_columns(xml)
    return parts


_HIDDEN = re.compile(rb'\bhidden="(?:1|true)"')
_ROW_R = re.compile(rb'\br="([0-9]+)"')
_COLUMN_SPAN = re.compile(rb"<col\b([^>]*)>")
_MIN_MAX = re.compile(rb'\b(min|max)="([0-9]+)"')


def hidden_rows(xml: bytes) -> set[int]:
    """The numbers of the rows a sheet's XML (or a slice of its rows) writes hidden="1": hidden, or filtered out.

    Each place the XML says hidden=" (found by a byte search, not a regular expression over the whole part) is
    checked to be a <row> tag's.
    """
    found = set()
    at = xml.find(b'hidden="')
    while at >= 0:
        start = xml.rfind(b"<", 0, at)
        end = xml.find(b">", at)
        if xml.startswith(b"<row", start) and xml[start + 4 : start + 5].isspace():
            tag = xml[start:end]
            number = _ROW_R.search(tag)
            if number is not None and _HIDDEN.search(tag):
                found.add(int(number.group(1)))
        at = xml.find(b'hidden="', at + 8)
    return found


def hidden_columns(xml: bytes) -> set[int]:
    """The 1-based indexes of the columns a sheet's <cols> (before its rows) writes hidden="1"."""
    start = xml.find(b"<cols")
    end = xml.find(b"</cols>", start) if start >= 0 else -1
    if end < 0:
        return set()
    found: set[int] = set()
    for match in _COLUMN_SPAN.finditer(xml, start, end):
        attributes = match.group(1)
        if _HIDDEN.search(attributes):
            bounds = dict(_MIN_MAX.findall(attributes))
            found.update(column_span(bounds.get(b"min"), bounds.get(b"max")))
    return found


def column_span(low: str | bytes | None, high: str | bytes | None) -> range:
    """The 1-based columns a <col min max> covers (max missing: min alone), within a sheet's 16,384; empty when
    min is no number."""
    if low is None or not low.isdigit():
        return range(0)
    first = int(low)
    last = int(high) if high is not None and high.isdigit() else first
    return range(max(first, 1), min(last, 16384) + 1)


_FORMULA = re.compile(rb"<f[\s>/]")
_FORMULA_TEXT = re.compile(rb"<f\b[^>]*>([^<]*)</f>")
_CELL_TYPE = re.compile(rb'\bt="([a-zA-Z]+)"')


def uncomputed_formulas(xml: bytes) -> dict:
    """(row, column) -> formula of the formula cells of a sheet's XML that hold no computed value.

    What a program writing formulas without calculating them leaves (openpyxl writes =SUM(…) with an empty
    <v/>): calamine reads such a cell as empty. A number's formula always has a value once Excel, WPS or
    LibreOffice saved the file; only a text result may be empty (t="str").
    """
    found = {}
    for match in _FORMULA.finditer(xml):
        start = xml.rfind(b"<c ", 0, match.start())
        end = xml.find(b"</c>", match.start())
        if start < 0 or end < 0:
            continue
        cell = xml[start:end]
        attributes = cell[: cell.find(b">")]
        kind = _CELL_TYPE.search(attributes)
        value = _VALUE.search(cell)
        if (kind is not None and kind.group(1) != b"n") or (value is not None and value.group(1).strip()):
            continue
        where = _where(attributes)
        if where is not None:
            text = _FORMULA_TEXT.search(cell)
            found[where] = _unescape(text.group(1)) if text else ""
    return found


def _unescape(text: bytes) -> str:
    from xml.sax.saxutils import unescape

    return unescape(text.decode("utf-8", "replace"), {"&quot;": '"', "&apos;": "'"})


def _where(attributes: bytes) -> tuple[int, int] | None:
    # Cells without an r attribute (allowed, written by no common program) are not located here.
    ref = _CELL_REF.search(attributes)
    if ref is None:
        return None
    return int(ref.group(2)), column_index(ref.group(1).decode())
