"""Reading a bureau's ledger file into rows of cells: xlsx, xls, ods and CSV.

- .xls (Excel 97–2003, WPS .et saved as it) and .ods are read with
  python-calamine too, by what the file holds rather than its name; they
  carry no number formats the importer could read a unit from.
- A password-protected workbook is named as such. A sheet whose cells reach
  far beyond its table (a stray value in XFD1048576) is read cell by cell
  with openpyxl, bounded by the cells really there: calamine would allocate
  the whole rectangle and abort the process.

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
- Sheets hidden in the workbook (hidden or very hidden, as calamine's sheets_metadata says for xlsx, xls and
  ods alike) are not read when no sheet is named: county offices keep old copies and lookup lists there. The
  read names them (Sheets.hidden), for the import to say so; a sheet named is read, hidden or not.
- Rows hidden in an xlsx, xls or ods sheet (or filtered out) are left out of the
  grid's rows and kept in Grid.hidden_rows, to be named; its hidden columns
  are in Grid.hidden_columns, for the header to prefer a visible one. calamine
  says neither: an xlsx's come from its sheet XML (crm.importing.xlsx_parts),
  an ods's from its content.xml (crm.importing.ods_parts), an .xls's from its
  ROW and COLINFO records, read with xlrd (crm.importing.xls_parts).
- CSV is decoded as UTF-8 (with or without BOM), UTF-16 with a BOM, or
  GB18030 (a superset of GBK and GB2312, what Chinese Excel writes), tried in
  that order; UTF-8 decoding is strict, so a GBK file never passes for UTF-8.
  The delimiter (comma, semicolon, tab) is sniffed.

Every failure is an InvalidInput naming the file; nothing here writes.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from crm.foundation.errors import InvalidInput
from crm.foundation.files import regular_input
from crm.foundation.i18n import _, list_sep
from crm.importing.grid import (
    MAX_CELL_CHARS,
    Grid,
    _check_cell_sizes,
    _fill_merged,
    _first_line,
    _grid_of,
    _TooWide,
    _Unsliced,
    drop_hidden,
)

XLSX_SUFFIXES = (".xlsx", ".xlsm")
OTHER_SUFFIXES = (".xls", ".et", ".ods", ".ets")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the compound file that .xls and encrypted .xlsx are kept in
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
#: More cells than this in a sheet's rectangle (rows × columns) and calamine is not asked to hold it.
MAX_CELLS = 20_000_000
CSV_SUFFIXES = (".csv", ".txt", ".tsv")
_RANGE = re.compile(r"([A-Z]+)(\d+):([A-Z]+)(\d+)")
_CELL = re.compile(r"([A-Z]+)(\d+)")
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


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


@dataclass
class Sheets:
    """What a read of a file gives: the grids to look for a ledger in, and the worksheets it left out as hidden in
    the workbook (a whole-workbook read only), in workbook order."""

    grids: list[Grid]
    hidden: list[str] = field(default_factory=list)


def read_grids(path: str | Path, sheet: str | None = None) -> list[Grid]:
    """The sheets of `path` to look for a ledger in: the one named `sheet`, or all its visible ones in order."""
    return read_sheets(path, sheet).grids


def read_sheets(path: str | Path, sheet: str | None = None) -> Sheets:
    """The sheets of `path` to look for a ledger in: the one named `sheet` (hidden or not), or every sheet not hidden
    in the workbook, in order, with the names of those hidden. Refuses (InvalidInput) a workbook whose every worksheet
    is hidden, when no sheet is named."""
    path = regular_input(path)  # a FIFO or a device would make the read wait forever
    suffix = path.suffix.lower()
    with path.open("rb") as f:
        head = f.read(8)
    if head == _OLE and _encrypted(path):
        raise InvalidInput(
            _(
                "{path} is protected by a password: open it in Excel or WPS, remove the password "
                "(文件 → 信息 → 保护工作簿), save, and import that"
            ).format(path=path)
        )
    if suffix in OTHER_SUFFIXES + XLSX_SUFFIXES or head == _OLE or (head.startswith(_ZIP) and suffix != ".numbers"):
        # By what the file holds, not its name: a WPS .et or an .xls is often an xlsx or an ods inside.
        found = _sniff(path, head)
        if found == "xlsx":
            return _read_xlsx(path, sheet)
        if found in ("ods", "ole"):
            return _read_other(path, sheet)
        if (found == "damaged" and suffix not in OTHER_SUFFIXES) or (found == "unknown" and suffix in XLSX_SUFFIXES):
            raise InvalidInput(_not_valid_xlsx(path))
        if suffix in OTHER_SUFFIXES + XLSX_SUFFIXES or found == "zip":
            raise InvalidInput(
                _("{path} is {what}, not a workbook: {advice}").format(path=path, **_not_workbook(found))
            )
    if suffix == ".numbers":
        raise InvalidInput(
            _(
                "{path}: this importer reads .xlsx, .xls, .ods and .csv files; save the ledger as .xlsx "
                "(Excel Workbook) and import that"
            ).format(path=path)
        )
    if sheet:
        raise InvalidInput(_("--sheet applies to xlsx workbooks; {path} is a CSV file").format(path=path))
    from crm.importing.csv_file import read_csv

    return Sheets([read_csv(path)])


# ---- xls, ods ---------------------------------------------------------------

_ZIP = b"PK\x03\x04"


def _sniff(path: Path, head: bytes) -> str:
    """What `path` holds by its first bytes (for a zip, its parts): xlsx, ods, ole, zip, html, xml, pdf, text, unknown."""
    if head == _OLE:
        return "ole"
    if head.startswith(_ZIP):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError):
            return "damaged"  # a zip's first bytes, then no zip: a file cut short or damaged
        if "xl/workbook.xml" in names or any(n.endswith("/workbook.xml") for n in names):
            return "xlsx"
        return "ods" if _is_ods(path) else "zip"
    with path.open("rb") as f:
        start = f.read(2048).lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith(b"%pdf"):
        return "pdf"
    if start.startswith((b"<!doctype html", b"<html")) or b"<table" in start:
        return "html"
    if start.startswith(b"<?xml"):
        return "xml"
    if start and b"\x00" not in start:
        return "text"
    return "unknown"


def _not_valid_xlsx(path: Path) -> str:
    """The one line that says `path` cannot be read as an xlsx workbook at all."""
    return _(
        "{path} is not a valid xlsx file (it may be damaged, or be another format under an xlsx name): open it in "
        "WPS or Excel and save it as .xlsx again"
    ).format(path=path)


def _not_workbook(found: str) -> dict:
    """{what the file is, what to do} for a file named like a workbook that is none, for the error message."""
    what = {
        "html": _("a web page (HTML) saved under a spreadsheet's name"),
        "xml": _("an XML file (perhaps an Excel 2003 XML spreadsheet)"),
        "pdf": _("a PDF document"),
        "zip": _("a ZIP archive that holds no spreadsheet"),
        "text": _("a text file"),
    }.get(found, _("in a format this importer cannot read (perhaps WPS's own .et format)"))
    advice = (
        _("if it is a CSV table, rename it to .csv; else open it in WPS or Excel and save it as .xlsx")
        if found == "text"
        else _("open it in WPS or Excel and save it as .xlsx (文件 → 另存为 → Excel 工作簿)")
    )
    return {"what": what, "advice": advice}


def _encrypted(path: Path) -> bool:
    """A compound file holding an encrypted OOXML package (what Excel writes for a password-protected xlsx)."""
    with path.open("rb") as f:
        return _ENCRYPTED in f.read(1 << 20)


def _is_ods(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return archive.read("mimetype").startswith(b"application/vnd.oasis.opendocument.spreadsheet")
    except (KeyError, zipfile.BadZipFile, OSError):
        return False


def _read_other(path: Path, sheet: str | None) -> Sheets:
    """An .xls, .et or .ods workbook, read with calamine (by content: a WPS .et saved as .xls reads too)."""
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    try:
        with path.open("rb") as f:
            book = CalamineWorkbook.from_filelike(f)
    except Exception as exc:  # noqa: BLE001 — calamine's errors all mean "cannot read this workbook"
        reason = _first_line(exc)
        if "password" in reason.lower() or "encrypt" in reason.lower():
            raise InvalidInput(
                _(
                    "{path} is protected by a password: open it in Excel or WPS, remove the password, "
                    "save, and import that"
                ).format(path=path)
            ) from None
        what = _("an ODS spreadsheet") if _is_ods(path) else _("a compound document (the .xls or WPS .et format)")
        raise InvalidInput(
            _("{path} is {what} that cannot be read ({reason}): open it in WPS or Excel and save it as .xlsx").format(
                path=path, what=what, reason=reason
            )
        ) from None
    kind = "ods" if _is_ods(path) else "xls"
    try:
        kinds = {m.name: m.typ for m in book.sheets_metadata}
        names, left_out = _chosen(path, book, sheet, lambda n: kinds.get(n) in (SheetTypeEnum.WorkSheet, None))
        wanted = [n for n in names if kinds.get(n) in (SheetTypeEnum.WorkSheet, None)]
        hidden = _hidden_of(path, kind, wanted)
        grids = []
        for name in wanted:
            try:
                ws = book.get_sheet_by_name(name)
                grid = _calamine_grid(path, name, ws, _hidden_parts(hidden.get(name), ws), None)
            except Exception as exc:  # noqa: BLE001 — a damaged sheet
                raise InvalidInput(
                    _("{path}: sheet {sheet!r} cannot be read ({reason})").format(
                        path=path, sheet=name, reason=_first_line(exc)
                    )
                ) from None
            grid.kind = kind
            grids.append(grid)
        return Sheets(grids, left_out)
    finally:
        book.close()


def _hidden_of(path: Path, kind: str, names: list[str]) -> dict:
    """{sheet: what it hides (crm.importing.ods_parts.Hidden)} of the sheets `names` of the ods or xls `path`; each
    reader is imported only for its own kind of file (xlrd only for an .xls)."""
    if kind == "ods":
        from crm.importing.ods_parts import ods_hidden

        return ods_hidden(str(path), names)
    from crm.importing.xls_parts import xls_hidden

    return xls_hidden(str(path), names)


def _hidden_parts(hidden, ws):
    """What `_calamine_grid` reads beside calamine's values: the rows and columns `hidden` (an ods or xls sheet's),
    up to the last cell of calamine sheet `ws`; none for a sheet that hides nothing."""
    end = ws.end
    if hidden is None or end is None:
        return _NO_PARTS
    return hidden.parts(end[0] + 1, end[1] + 1)


@dataclass
class _NoParts:
    formats: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)


_NO_PARTS = _NoParts()


def _extent(xml: bytes) -> tuple[int, int]:
    """(last row, last column) of the cells a sheet's XML holds, found without parsing it all."""
    from crm.importing.cells import column_index

    last = xml.rfind(b'<c r="')
    match = re.match(rb'<c r="([A-Z]{1,3})([0-9]+)"', xml[last : last + 32]) if last >= 0 else None
    rows = int(match.group(2)) if match else 0
    # Columns past Z are written with two or three letters: rare, so looked for only as such.
    wide = {m for m in re.findall(rb'<c r="([A-Z]{2,3})[0-9]', xml)}
    columns = max((column_index(c.decode()) for c in wide), default=26)
    return rows, columns


# ---- xlsx -----------------------------------------------------------------


def _open_workbook(path: Path):
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 — zip, XML and openpyxl errors all mean "not a workbook we can read"
        raise InvalidInput(_not_valid_xlsx(path)) from None


def _read_xlsx(path: Path, sheet: str | None) -> Sheets:
    book = _open_calamine(path)
    if book is None:
        return _read_xlsx_openpyxl(path, sheet)
    try:
        return _read_xlsx_calamine(path, book, sheet)
    except _TooWide:
        return _read_xlsx_openpyxl(path, sheet)
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


def _chosen(path: Path, book, sheet: str | None, worksheet) -> tuple[list[str], list[str]]:
    """(the sheets of calamine `book` to read, the worksheets hidden in it left out); see `_pick`."""
    from python_calamine import SheetVisibleEnum

    hidden = {m.name for m in book.sheets_metadata if m.visible != SheetVisibleEnum.Visible}
    return _pick(path, list(book.sheet_names), sheet, worksheet, hidden)


def _pick(path: Path, names: list[str], sheet: str | None, worksheet, hidden: set[str]) -> tuple[list[str], list[str]]:
    """(the sheets to read, the worksheets left out as `hidden`) of a workbook's sheets `names`: the one named `sheet`
    (refused when there is none such), or every sheet not hidden. `worksheet(name)` tells a worksheet from a chart
    sheet: a workbook whose every worksheet is hidden is refused, not read as empty."""
    if sheet is not None:
        if sheet not in names:
            raise InvalidInput(
                _("{path} has no sheet named {sheet!r}; its sheets: {names}").format(
                    path=path, sheet=sheet, names="、".join(names)
                )
            )
        return [sheet], []
    left_out = [n for n in names if n in hidden and worksheet(n)]
    shown = [n for n in names if n not in hidden]
    if left_out and not any(worksheet(n) for n in shown):
        raise InvalidInput(
            _(
                "{path}: every worksheet is hidden ({sheets}), so none was imported; to import one, name it: "
                "crm import {file} --sheet {sheet}"
            ).format(path=path, sheets=list_sep().join(f"“{n}”" for n in left_out), file=path.name, sheet=left_out[0])
        )
    return shown, left_out


def _read_xlsx_calamine(path: Path, book, sheet: str | None) -> Sheets:
    from python_calamine import SheetTypeEnum

    from crm.importing import xlsx_parts, xlsx_slices

    kinds = {m.name: m.typ for m in book.sheets_metadata}
    names, left_out = _chosen(path, book, sheet, lambda n: kinds.get(n) == SheetTypeEnum.WorkSheet)
    grids = []
    name = sheet or ""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = xlsx_parts.workbook_parts(archive)
            for name in names:
                if kinds.get(name) != SheetTypeEnum.WorkSheet:
                    continue  # a chart sheet
                path_in_zip = parts.sheet_paths.get(name)
                if path_in_zip is not None and xlsx_slices.sliced(archive, path_in_zip):
                    try:
                        grids.append(xlsx_slices.sliced_grid(path, archive, parts, name, MAX_CELLS))
                        continue
                    except _Unsliced:
                        pass  # read whole, below
                xml = None if path_in_zip is None else archive.read(path_in_zip)  # read once, for both
                if xml is not None:
                    rows, columns = _extent(xml)
                    if rows * columns > MAX_CELLS:
                        raise _TooWide
                cells = xlsx_parts.sheet_parts(archive, parts, name, xml)
                del xml  # before calamine holds the sheet: the two need not be in memory at once
                ws = book.get_sheet_by_name(name)
                grids.append(_calamine_grid(path, name, ws, cells, parts.epoch))
    except (_TooWide, InvalidInput):
        raise
    except Exception as exc:  # noqa: BLE001 — a damaged sheet or part
        raise InvalidInput(
            _("{path}: sheet {sheet!r} cannot be read ({reason})").format(
                path=path, sheet=name, reason=_first_line(exc)
            )
        ) from None
    return Sheets(grids, left_out)


def _calamine_grid(path: Path, name: str, ws, cells, epoch) -> Grid:
    """The grid of calamine sheet `ws`, with the formats and error cells `cells` of its XML."""
    merged = [(r0 + 1, c0 + 1, r1 + 1, c1 + 1) for (r0, c0), (r1, c1) in (ws.merged_cell_ranges or [])]
    return _grid_of(path, name, [(_numbered(_sheet_rows(ws)), cells)], merged, epoch)


def _numbered(rows):
    return enumerate(rows, 1)


def _sheet_rows(ws):
    """The rows of a calamine sheet from its first row and column, one at a time (not the whole sheet as lists)."""
    start = ws.start
    if start is None or not hasattr(ws, "iter_rows"):
        yield from ws.to_python(skip_empty_area=False)
        return
    # iter_rows starts at the sheet's first row but at its first used column: the columns before it are empty.
    pad = [""] * start[1]
    for raw in ws.iter_rows():
        yield pad + raw if pad else raw


# ---- xlsx with openpyxl (what calamine cannot open) --------------------------------


def _read_xlsx_openpyxl(path: Path, sheet: str | None) -> Sheets:
    wb = _open_workbook(path)
    try:
        hidden = {n for n in wb.sheetnames if getattr(wb[n], "sheet_state", "visible") != "visible"}
        names, left_out = _pick(path, list(wb.sheetnames), sheet, lambda n: hasattr(wb[n], "_get_source"), hidden)
        grids = []
        for name in names:
            ws = wb[name]
            if not hasattr(ws, "_get_source"):
                continue  # a chart sheet
            try:
                grids.append(_sheet_grid(path, wb, ws))
            except InvalidInput:
                raise
            except Exception as exc:  # noqa: BLE001 — a damaged sheet
                raise InvalidInput(
                    _("{path}: sheet {sheet!r} cannot be read ({reason})").format(
                        path=path, sheet=name, reason=_first_line(exc)
                    )
                ) from None
        return Sheets(grids, left_out)
    finally:
        wb.close()


def _merged_ranges(ws) -> tuple[list[tuple[int, int, int, int]], dict, set, set]:
    """The merged ranges of a read-only sheet, read from its XML (they follow the cell data), its formula
    cells with no computed value ((row, column) -> formula; see xlsx_parts.uncomputed_formulas), and the
    numbers of its hidden rows and (1-based) columns."""
    from openpyxl.utils import column_index_from_string

    from crm.importing.xlsx_parts import column_span

    ranges, uncomputed = [], {}
    hidden_rows: set[int] = set()
    hidden_columns: set[int] = set()
    with ws._get_source() as src:
        for _event, element in ElementTree.iterparse(src, events=("end",)):
            tag = element.tag
            if tag == f"{_MAIN_NS}mergeCell":
                match = _RANGE.fullmatch(element.get("ref", ""))
                if match:
                    ranges.append(
                        (
                            int(match.group(2)),
                            column_index_from_string(match.group(1)),
                            int(match.group(4)),
                            column_index_from_string(match.group(3)),
                        )
                    )
            elif tag == f"{_MAIN_NS}c":
                _uncomputed_cell(element, uncomputed)
                element.clear()
            elif tag == f"{_MAIN_NS}row":
                if element.get("hidden") in ("1", "true") and element.get("r", "").isdigit():
                    hidden_rows.add(int(element.get("r")))
                element.clear()
            elif tag == f"{_MAIN_NS}col" and element.get("hidden") in ("1", "true"):
                hidden_columns.update(column_span(element.get("min"), element.get("max")))
    return ranges, uncomputed, hidden_rows, hidden_columns


def _uncomputed_cell(cell, uncomputed: dict) -> None:
    """Add `cell` (an XML <c>) to `uncomputed` when it is a formula with no computed value (a number's)."""
    formula = cell.find(f"{_MAIN_NS}f")
    if formula is None or cell.get("t", "n") != "n":
        return
    value = cell.find(f"{_MAIN_NS}v")
    match = _CELL.fullmatch(cell.get("r", ""))
    if (value is None or not (value.text or "").strip()) and match:
        from openpyxl.utils import column_index_from_string

        uncomputed[(int(match.group(2)), column_index_from_string(match.group(1)))] = formula.text or ""


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
        if len(repr(values)) > MAX_CELL_CHARS:
            _check_cell_sizes(path, number, values)
        rows.append((number, values))
    merged, uncomputed, hidden_rows, hidden_columns = _merged_ranges(ws)
    _fill_merged(rows, merged)
    grid = Grid(
        source=str(path),
        sheet=ws.title,
        kind="xlsx",
        rows=rows,
        formats=formats,
        merged=merged,
        epoch=wb.epoch,
        uncomputed=uncomputed,
        hidden_columns=frozenset(c - 1 for c in hidden_columns),
    )
    grid.rows = drop_hidden(rows, hidden_rows, grid.hidden_rows)
    return grid
