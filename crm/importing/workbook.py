"""Reading a bureau's ledger file into rows of cells: xlsx and CSV.

- xlsx values are read with python-calamine (Rust): openpyxl's read-only
  mode needs about 15 s just to read the cells of a 100,000-row ledger,
  calamine about 1.5 s. What calamine does not give (number formats,
  error cells, the date system) comes from the workbook's XML parts
  (crm.importing.xlsx_parts). Values are given as openpyxl gives them (whole numbers
  as int, dates as datetime, error cells as their text), so the importer
  reads a file the same way whichever reader read it; openpyxl's read-only
  mode remains the reader for a workbook calamine cannot open.
- Merged ranges: a range one column wide (a county written once for three
  deals) gives its value to every cell of the range; a wider one (a title,
  a group header) keeps it in its first cell only.
- Numeric cells keep their number format: 1.8 formatted `0.00"亿美元"` says
  its unit there, and the importer reads it.
- CSV is decoded as UTF-8 (with or without BOM), UTF-16 with a BOM, or
  GB18030 (a superset of GBK and GB2312, what Chinese Excel writes), tried in
  that order; UTF-8 decoding is strict, so a GBK file never passes for UTF-8.
  The delimiter (comma, semicolon, tab) is sniffed.

Every failure is an InvalidInput naming the file; nothing here writes.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from crm.foundation.files import regular_input
from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import _

XLSX_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv", ".txt", ".tsv")
_RANGE = re.compile(r"([A-Z]+)(\d+):([A-Z]+)(\d+)")
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


@dataclass
class Grid:
    """The cells of one sheet: `rows` are (row number as the spreadsheet shows it, values)."""

    source: str
    sheet: str
    kind: str  # "xlsx" | "csv"
    rows: list[tuple[int, list]]
    formats: dict = field(default_factory=dict)  # (row number, column index) -> number format of numeric cells
    merged: list = field(default_factory=list)  # (min_row, min_col, max_row, max_col), 1-based
    epoch: object = None  # the workbook's date system, for serial numbers
    encoding: str = ""

    def number_format(self, row: int, col: int) -> str:
        return self.formats.get((row, col), "General")


def sheet_names(path: str | Path) -> list[str]:
    """The worksheets of an xlsx file, in order."""
    path = Path(path)
    book = _open_calamine(path)
    if book is not None:
        try:
            return list(book.sheet_names)
        finally:
            book.close()
    wb = _open_workbook(path)
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def read_grids(path: str | Path, sheet: str | None = None) -> list[Grid]:
    """The sheets of `path` to look for a ledger in: the one named `sheet`, or all of them in order."""
    path = regular_input(path)  # a FIFO or a device would make the read wait forever
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES or (suffix not in CSV_SUFFIXES and zipfile.is_zipfile(path)):
        return _read_xlsx(path, sheet)
    if suffix in (".xls", ".et", ".ods", ".numbers"):
        raise InvalidInput(_("{path}: this importer reads .xlsx and .csv files; save the ledger as .xlsx "
                             "(Excel Workbook) and import that").format(path=path))
    if sheet:
        raise InvalidInput(_("--sheet applies to xlsx workbooks; {path} is a CSV file").format(path=path))
    return [_read_csv(path)]


# ---- xlsx -----------------------------------------------------------------


def _open_workbook(path: Path):
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 — zip, XML and openpyxl errors all mean "not a workbook we can read"
        raise InvalidInput(_("{path} is not an xlsx workbook that can be read ({reason})").format(
            path=path, reason=_first_line(exc))) from None


def _first_line(exc: Exception) -> str:
    text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return text[:200]


def _read_xlsx(path: Path, sheet: str | None) -> list[Grid]:
    book = _open_calamine(path)
    if book is None:
        return _read_xlsx_openpyxl(path, sheet)
    try:
        return _read_xlsx_calamine(path, book, sheet)
    finally:
        book.close()


# ---- xlsx with calamine ------------------------------------------------------


def _open_calamine(path: Path):
    """The workbook opened by calamine, or None when calamine cannot read it (openpyxl then tries)."""
    from python_calamine import CalamineWorkbook

    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception:  # noqa: BLE001 — any failure here leaves the file to openpyxl, which reports it
        return None


def _read_xlsx_calamine(path: Path, book, sheet: str | None) -> list[Grid]:
    from python_calamine import SheetTypeEnum

    from crm.importing import xlsx_parts

    names = list(book.sheet_names)
    if sheet is not None and sheet not in names:
        raise InvalidInput(_("{path} has no sheet named {sheet!r}; its sheets: {names}").format(
            path=path, sheet=sheet, names="、".join(names)))
    kinds = {m.name: m.typ for m in book.sheets_metadata}
    grids = []
    name = sheet or ""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = xlsx_parts.workbook_parts(archive)
            for name in [sheet] if sheet else names:
                if kinds.get(name) != SheetTypeEnum.WorkSheet:
                    continue  # a chart sheet
                ws = book.get_sheet_by_name(name)
                cells = xlsx_parts.sheet_parts(archive, parts, name)
                grids.append(_calamine_grid(path, name, ws, cells, parts.epoch))
    except Exception as exc:  # noqa: BLE001 — a damaged sheet or part
        raise InvalidInput(_("{path}: sheet {sheet!r} cannot be read ({reason})").format(
            path=path, sheet=name, reason=_first_line(exc))) from None
    return grids


def _calamine_grid(path: Path, name: str, ws, cells, epoch) -> Grid:
    rows: list[tuple[int, list]] = []
    formats = {}
    errors: dict[int, list] = {}
    for (row, col), text in cells.errors.items():
        errors.setdefault(row, []).append((col, text.strip() or None))
    for index, raw in enumerate(ws.to_python(skip_empty_area=False)):
        number = index + 1
        # Text first, inline: most cells are text, and a ledger has millions.
        values = [(v.strip() or None) if type(v) is str else _as_openpyxl(v) for v in raw]
        # calamine gives an error cell as '': openpyxl gives its text (#N/A), a value to complain about.
        for col, text in errors.get(number, ()):
            while len(values) < col:
                values.append(None)
            values[col - 1] = text
        while values and values[-1] is None:
            values.pop()
        if not values:
            continue
        rows.append((number, values))
    # Only numeric cells keep a format, as when openpyxl reads them.
    by_number = dict(rows)
    for (row, col), fmt in cells.formats.items():
        values = by_number.get(row)
        if values and col <= len(values) and isinstance(values[col - 1], (int, float)) \
                and not isinstance(values[col - 1], bool):
            formats[(row, col)] = fmt
    merged = [(r0 + 1, c0 + 1, r1 + 1, c1 + 1) for (r0, c0), (r1, c1) in (ws.merged_cell_ranges or [])]
    _fill_merged(rows, merged)
    return Grid(source=str(path), sheet=name, kind="xlsx", rows=rows, formats=formats, merged=merged, epoch=epoch)


def _as_openpyxl(value):
    """A calamine value as openpyxl gives it: '' is no value, 25.0 is 25, a date is a datetime."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, float):
        # Excel stores whole numbers without a decimal point; openpyxl reads those as int.
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return datetime.datetime.combine(value, datetime.time())
    return value


# ---- xlsx with openpyxl (what calamine cannot open) --------------------------------


def _read_xlsx_openpyxl(path: Path, sheet: str | None) -> list[Grid]:
    wb = _open_workbook(path)
    try:
        names = list(wb.sheetnames)
        if sheet is not None and sheet not in names:
            raise InvalidInput(_("{path} has no sheet named {sheet!r}; its sheets: {names}").format(
                path=path, sheet=sheet, names="、".join(names)))
        grids = []
        for name in [sheet] if sheet else names:
            ws = wb[name]
            if not hasattr(ws, "_get_source"):
                continue  # a chart sheet
            try:
                grids.append(_sheet_grid(path, wb, ws))
            except InvalidInput:
                raise
            except Exception as exc:  # noqa: BLE001 — a damaged sheet
                raise InvalidInput(_("{path}: sheet {sheet!r} cannot be read ({reason})").format(
                    path=path, sheet=name, reason=_first_line(exc))) from None
        return grids
    finally:
        wb.close()


def _merged_ranges(ws) -> list[tuple[int, int, int, int]]:
    """The merged ranges of a read-only sheet, read from its XML (they follow the cell data)."""
    from openpyxl.utils import column_index_from_string

    ranges = []
    with ws._get_source() as src:
        for _event, element in ElementTree.iterparse(src, events=("end",)):
            tag = element.tag
            if tag == f"{_MAIN_NS}mergeCell":
                match = _RANGE.fullmatch(element.get("ref", ""))
                if match:
                    ranges.append((int(match.group(2)), column_index_from_string(match.group(1)),
                                   int(match.group(4)), column_index_from_string(match.group(3))))
            elif tag in (f"{_MAIN_NS}row", f"{_MAIN_NS}c"):
                element.clear()
    return ranges


def _sheet_grid(path: Path, wb, ws) -> Grid:
    from openpyxl.cell.read_only import EmptyCell

    # Some writers store a wrong <dimension>; read what is really there.
    ws.reset_dimensions()
    rows: list[tuple[int, list]] = []
    formats = {}
    for cells in ws.iter_rows():
        if not cells:
            continue
        number = next((c.row for c in cells if not isinstance(c, EmptyCell)), None)
        if number is None:
            continue
        values = []
        for index, cell in enumerate(cells, 1):
            value = None if isinstance(cell, EmptyCell) else cell.value
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                fmt = cell.number_format
                if fmt and fmt != "General":
                    formats[(number, index)] = fmt
            if isinstance(value, str):
                value = value.strip() or None
            values.append(value)
        while values and values[-1] is None:
            values.pop()
        rows.append((number, values))
    merged = _merged_ranges(ws)
    _fill_merged(rows, merged)
    return Grid(source=str(path), sheet=ws.title, kind="xlsx", rows=rows, formats=formats, merged=merged,
                epoch=wb.epoch)


def _fill_merged(rows: list[tuple[int, list]], merged) -> None:
    """Give each cell of a one-column merged range the value of its first cell."""
    by_number = {number: values for number, values in rows}
    for min_row, min_col, max_row, max_col in merged:
        if min_col != max_col or max_row == min_row:
            continue
        top = by_number.get(min_row)
        value = top[min_col - 1] if top and len(top) >= min_col else None
        if value is None:
            continue
        for number in range(min_row + 1, max_row + 1):
            values = by_number.get(number)
            if values is None:
                values = []
                by_number[number] = values
                rows.append((number, values))
            while len(values) < min_col:
                values.append(None)
            if values[min_col - 1] is None:
                values[min_col - 1] = value
    rows.sort(key=lambda r: r[0])


# ---- CSV ------------------------------------------------------------------

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
    raise InvalidInput(_("{path}: cannot tell the text encoding; save the CSV as UTF-8 (or GBK) and import "
                         "it again").format(path=path))


def _read_csv(path: Path) -> Grid:
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
            values = [v.strip() or None for v in record]
            while values and values[-1] is None:
                values.pop()
            if values:
                rows.append((number, values))
    except csv.Error as exc:
        raise InvalidInput(_("{path} is not a CSV file that can be read ({reason})").format(
            path=path, reason=_first_line(exc))) from None
    return Grid(source=str(path), sheet="", kind="csv", rows=rows, encoding=encoding)
