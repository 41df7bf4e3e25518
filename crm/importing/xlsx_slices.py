"""A large xlsx sheet read by calamine a slice of rows at a time, so that neither it, its XML nor its rows are held whole.

calamine holds a sheet's every cell (some 30 bytes each and its text) until
the sheet is dropped, and the importer read the sheet's XML whole beside it
(for number formats, error cells and the sheet's extent): at 1,000,000 rows
760 MB of XML, then as much again in calamine (BENCHMARKS.md, "Import", seventh
session). A sheet whose XML is larger than SLICE_AT is read here instead: its XML
streamed from the zip and cut after a </row> every SLICE_BYTES, each slice
given to calamine as a workbook of its own (the file's other parts, this
sheet's XML head, the slice's rows), its formats and error cells read from
the slice as crm.importing.xlsx_parts reads them from a whole sheet, and the
merged ranges from the XML after the rows.

Each slice's rows come with their numbers as the sheet has them, so the
rows read are those the whole sheet gives, row for row. The grid is streamed
(Grid.more): the importer takes a slice's rows, applies them and lets them go.
What must be known before the first row (the merged ranges, written after the
rows; whether a text holds a line break; whether the sheet can be sliced at
all) is read by a first pass over the XML (survey), which costs its
decompression (BENCHMARKS.md, "Import memory and speed", eighth session).
"""

from __future__ import annotations

import io
import re
import threading
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import _
from crm.importing import xlsx_parts
from crm.importing.cells import column_index

#: A sheet's XML (uncompressed) from which it is read in slices; below, read whole: faster, and its peak still within
#: the import's memory target (BENCHMARKS.md, "twenty-fifth session").
SLICE_AT = 96 << 20
#: The XML of a slice, about (it ends at the first </row> after this much).
SLICE_BYTES = 8 << 20
#: Shared strings (uncompressed) beyond which a workbook's sheets are read whole (see sliced).
SHARED_AT = 6 << 20
_DIMENSION = re.compile(rb"<dimension\b[^>]*/>")
_MERGE = re.compile(rb'<mergeCell\b[^>]*\bref="([A-Z]{1,3})([0-9]+)(?::([A-Z]{1,3})([0-9]+))?"')
_WIDE = re.compile(rb'<c r="([A-Z]{2,3})[0-9]')
_ROW_NUMBER = re.compile(rb'<row\b[^>]*?\br="([0-9]+)"')
#: A cell whose tag does not start with its r="…".
_UNPLACED_CELL = re.compile(rb'<c(?:>| (?!r="))')
_STUB = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>'
)


#: Rows read ahead of the rest of a sliced sheet: enough to find its header (headers.find_header looks at 40).
HEAD_ROWS = 64
#: Bytes that may stand for a line break in a sheet's or its shared strings' XML (any character reference: &#…).
_BREAKS = (b"\n", b"\r", b"&#", b"_x000")


@dataclass
class Survey:
    """What a sliced sheet's grid must know before its rows: its merged ranges, whether texts are one-line, its rows."""

    merged: list
    one_line: bool
    rows: int  # <row> elements: the most rows the sheet can give
    hidden_columns: frozenset = frozenset()  # 0-based indexes of the columns hidden (their <cols>, before the rows)


def survey(archive: zipfile.ZipFile, workbook: xlsx_parts.WorkbookParts, name: str, max_cells: int) -> Survey:
    """Read sheet `name`'s XML once, cut as it is read in slices, for what the rows need known before them.

    Raises grid._Unsliced or grid._TooWide (as reading the slices would) before any row is given, so a sheet
    streamed row by row never has to be read again another way half-way through.
    """
    member = workbook.sheet_paths[name]
    rows, breaks, last = 0, False, b""
    hidden: frozenset[int] = frozenset()
    for head, body, tail in _cut(archive, member):
        if not rows and b'hidden="' in head:
            hidden = frozenset(c - 1 for c in xlsx_parts.hidden_columns(head))
        last = tail
        rows += _check_placed(body)
        _check_extent(body, max_cells)
        breaks = breaks or any(mark in body for mark in _BREAKS)
    for info in archive.infolist():
        if info.filename.lower().endswith("sharedstrings.xml"):
            data = archive.read(info)
            data = data[data.find(b"?>") + 2 :] if data.startswith(b"<?xml") else data
            breaks = breaks or any(mark in data for mark in _BREAKS)
    return Survey(merged_ranges(last), not breaks, rows, hidden)


def sliced_grid(path, archive: zipfile.ZipFile, workbook: xlsx_parts.WorkbookParts, name: str, max_cells: int):
    """The Grid of sheet `name` streamed slice by slice: its first rows in `rows`, the others given by `more`.

    The merged ranges and whether every text is one line (`one_line`, else False when unsure) are known before
    any row (survey); `more` yields the rows of each later slice as a list, formats added to the grid's as
    the slice is read (Grid.forget_formats drops those of rows done with). `reopen()` gives the sheet afresh.
    """
    from crm.importing.grid import Grid

    seen = survey(archive, workbook, name, max_cells)
    return _streamed(Grid, path, workbook, name, seen)


def _streamed(grid_type, path, workbook, name, seen: Survey):
    grid = grid_type(str(path), name, "xlsx", [], {}, seen.merged, workbook.epoch, trimmed=True, one_line=seen.one_line)
    grid.hidden_columns = seen.hidden_columns
    pieces = _pieces(path, workbook, name, seen.merged, grid)
    for rows in pieces:
        grid.rows += rows
        if len(grid.rows) >= HEAD_ROWS:
            break
    grid.more = pieces
    grid.rows_at_most = seen.rows
    grid.reopen = lambda: _streamed(grid_type, path, workbook, name, seen)
    return grid


def _pieces(path, workbook: xlsx_parts.WorkbookParts, name: str, merged: list, grid) -> Iterator[list]:
    """The rows of each slice of the sheet as the grid holds them, merged cells filled; their formats into `grid`."""
    from crm.importing.grid import MergedFill, _first_line, _take_formats, _take_rows, drop_hidden

    fill = MergedFill(merged)
    try:
        with zipfile.ZipFile(path) as archive:
            read = slices(archive, workbook, name, 0)
            while True:
                try:
                    ws, cells, let_go = next(read)
                    numbered = _slice_rows(ws)
                    ws = None  # its cells are Python's now: the next slice is read while they are taken and applied
                    let_go()
                    rows: list = []
                    _take_rows(path, numbered, cells, {}, rows)
                    numbered = None
                except StopIteration:
                    break
                grid.keep_formats(rows, _take_formats(rows, cells))
                grid.uncomputed.update(cells.formulas)  # said once the rows they are in are sorted out
                yield drop_hidden(fill.piece(rows), cells.hidden_rows, grid.hidden_rows)
            yield fill.piece([], last=True)
    except InvalidInput:
        raise
    except Exception as exc:  # noqa: BLE001 — a damaged slice, as a damaged sheet read whole
        raise InvalidInput(
            _("{path}: sheet {sheet!r} cannot be read ({reason})").format(
                path=path, sheet=name, reason=_first_line(exc)
            )
        ) from None


def _slice_rows(ws):
    """(number, values) of a slice's rows: from its first row and column (the rows above it are other slices').
    The sheet's cells are read out of it here: it need not be kept while the rows are taken."""
    start = ws.start
    if start is None:
        return iter(())
    rows = ws.to_python(skip_empty_area=True)
    if start[1]:
        pad = [""] * start[1]
        return ((number, pad + raw) for number, raw in enumerate(rows, start[0] + 1))
    return enumerate(rows, start[0] + 1)


def sliced(archive: zipfile.ZipFile, member: str) -> bool:
    """Whether the sheet at `member` is read in slices: large, in a workbook whose shared strings are small.

    Each slice is a workbook of its own that calamine reads with the file's shared
    strings, so a large table of them (what Excel and LibreOffice write) would be
    read again for every slice: such a sheet is read whole, as before slicing.
    """
    if archive.getinfo(member).file_size <= SLICE_AT:
        return False
    shared = sum(i.file_size for i in archive.infolist() if i.filename.lower().endswith("sharedstrings.xml"))
    return shared <= SHARED_AT


def slices(
    archive: zipfile.ZipFile, workbook: xlsx_parts.WorkbookParts, name: str, max_cells: int
) -> Iterator[tuple[object, xlsx_parts.SheetParts, Callable[[], None]]]:
    """(calamine sheet, formats and errors, `let_go`) of each slice of sheet `name`, in order; the merged ranges
    last.

    The iterator's value (StopIteration.value, `yield from`'s result) is the sheet's merged ranges
    ((min_row, min_col, max_row, max_col), 1-based), read from the XML after its rows. Each slice is
    read (decompressed, cut, parsed by calamine) by a thread of its own (`_ReadAhead`) once the one before
    is let go: at the latest when the next is asked for, or as soon as its taker calls `let_go()` (it has
    read the sheet's rows and holds it no longer), so that the next is read while those rows are applied.
    `archive` is that thread's until the iterator is done or closed.
    """
    ahead = _ReadAhead(lambda: _slice_sheets(archive, workbook, name, max_cells))
    tail = b""
    try:
        while (got := ahead.next()) is not None:
            tail = got.pop()
            # Taken out of the list as they are given: this frame keeps no slice while its rows are applied.
            yield got.pop(0), got.pop(0), ahead.let_go
            ahead.let_go()
        return merged_ranges(tail)
    finally:
        ahead.close()


def _slice_sheets(archive: zipfile.ZipFile, workbook: xlsx_parts.WorkbookParts, name: str, max_cells: int):
    """[calamine sheet, formats and errors, the XML after the rows] of each slice.

    Each slice's workbook is closed once its sheet is read out of it (the sheet keeps its cells): while it
    waits to be taken, a slice holds its cells, not its XML too.
    """
    from python_calamine import CalamineWorkbook

    member = workbook.sheet_paths[name]
    others = _other_parts(archive, member)
    for head, body, tail in _cut(archive, member):
        if max_cells:  # else checked by survey
            _check_placed(body)
            _check_extent(body, max_cells)
        cells = xlsx_parts.sheet_parts(archive, workbook, name, body)
        book = CalamineWorkbook.from_filelike(_workbook_of(others, member, head, body, tail))
        body = None  # calamine has read it
        try:
            sheet = book.get_sheet_by_name(name)
        finally:
            book.close()
        yield [sheet, cells, tail]
        sheet = None


class _ReadAhead:
    """The items of a generator, each made by a thread while the one before is used: one made ahead, no more.

    calamine parses a slice, and zlib decompresses it, without holding the GIL: the next slice is read on
    the other core while the importer reads, checks and applies this one's rows (BENCHMARKS.md, "Import
    speed", tenth session). The thread makes an item once the one before it was let go (`let_go`), so
    that a slice is parsed while the rows of the one before are applied, not beside that one's cells.
    """

    def __init__(self, make):
        self._ready = threading.Semaphore(0)  # an item (or the end, or an error) is in self._item
        self._taken = threading.Semaphore(0)  # the item was let go: make the next
        self._item = None
        self._stop = False
        self._held = False  # the item given last is not let go yet
        self._thread = threading.Thread(target=self._run, args=(make,), name="import slices", daemon=True)
        self._thread.start()

    def _run(self, make) -> None:
        try:
            items = make()
            for item in items:
                self._hand(("item", item))
                item = None  # the taker's now: not kept here while the next is made
                if self._stop:
                    items.close()
                    return
            self._hand(("end", None))
        except BaseException as exc:  # noqa: BLE001 — raised again by the taker
            self._hand(("error", exc))

    def _hand(self, item) -> None:
        self._item = item
        self._ready.release()
        self._taken.acquire()  # the item was let go (or, the end or an error, taken)

    def next(self):
        """The next item; None after the last. Raises what making it raised."""
        self._ready.acquire()
        kind, value = self._item
        self._item = None
        if kind == "item":
            self._held = True
            return value
        self._stop = True
        self._taken.release()
        if kind == "error":
            raise value
        return None

    def let_go(self) -> None:
        """The item given last is no longer held: make the next (once per item; again, nothing)."""
        if self._held:
            self._held = False
            self._taken.release()

    def close(self) -> None:
        """Stop making items (the item being made is dropped once made) and wait for the thread to end."""
        if not self._stop:
            self._stop = True
            self._taken.release()
        self._thread.join()


def merged_ranges(xml: bytes) -> list[tuple[int, int, int, int]]:
    """The merged ranges written in `xml` (a sheet's part after its rows), 1-based, as calamine gives them + 1."""
    out = []
    for c0, r0, c1, r1 in _MERGE.findall(xml):
        first = (int(r0), column_index(c0.decode()))
        last = (int(r1), column_index(c1.decode())) if c1 else first
        out.append((first[0], first[1], last[0], last[1]))
    return out


def _check_placed(body: bytes) -> int:
    """The rows of a slice; refuses to slice rows or cells without their r="…": calamine would count a slice's
    from its first row. (Inside <sheetData> only a row's tag starts "<row": two passes over the XML, and one
    for the cells, where counting each spelling took six; BENCHMARKS.md, "Import speed", ninth session.)"""
    rows = body.count(b"<row")
    if rows != body.count(b'<row r="') or _UNPLACED_CELL.search(body):
        from crm.importing.grid import _Unsliced

        raise _Unsliced
    return rows


def _check_extent(body: bytes, max_cells: int) -> None:
    first = _ROW_NUMBER.search(body)
    last_at = body.rfind(b"<row ")
    last = _ROW_NUMBER.search(body, last_at) if last_at >= 0 else None
    if first is None or last is None:
        return
    rows = int(last.group(1)) - int(first.group(1)) + 1
    columns = max((column_index(c.decode()) for c in set(_WIDE.findall(body))), default=26)
    if rows * columns > max_cells:  # a stray cell far to the right: calamine would allocate the rectangle
        from crm.importing.grid import _TooWide

        raise _TooWide


def _other_parts(archive: zipfile.ZipFile, member: str) -> list[tuple[str, bytes]]:
    """The workbook's parts a slice's workbook carries: all but this sheet, other sheets as empty ones."""
    parts = []
    for info in archive.infolist():
        if info.filename == member:
            continue
        folder = info.filename.rsplit("/", 1)[0]
        data = _STUB if folder.endswith("worksheets") and info.filename.endswith(".xml") else archive.read(info)
        parts.append((info.filename, data))
    return parts


def _workbook_of(others: list, member: str, *xml: bytes) -> io.BytesIO:
    """An xlsx (stored, not compressed: it is read at once) of `others` and the pieces `xml` as the sheet at
    `member`, at its start. The pieces are written one after another, not joined first: a slice's XML is
    not copied twice while the slice before it is still in use (see _ReadAhead)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as book:
        for filename, data in others:
            book.writestr(filename, data)
        with book.open(zipfile.ZipInfo(member), "w") as sheet:
            for piece in xml:
                sheet.write(piece)
    out.seek(0)
    return out


def _cut(archive: zipfile.ZipFile, member: str) -> Iterator[tuple[bytes, bytes, bytes]]:
    """(the sheet's XML up to its rows, a slice of rows, what closes the sheet) for each slice of rows."""
    closing = b"</sheetData></worksheet>"
    with archive.open(member) as stream:
        buffer = stream.read(SLICE_BYTES)
        while (start := buffer.find(b"<sheetData")) < 0 or buffer.find(b">", start) < 0:
            more = stream.read(SLICE_BYTES)
            if not more:
                break
            buffer += more
        opened = buffer.find(b">", start) + 1 if start >= 0 else 0
        if start < 0 or opened == 0 or buffer[opened - 2 : opened] == b"/>":
            yield buffer + stream.read(), b"", b""  # no rows (or a part too odd to cut): read whole, as it is
            return
        head = _DIMENSION.sub(b"", buffer[:opened])
        buffer = buffer[opened:]
        while True:
            end = buffer.find(b"</sheetData>")
            if end >= 0:
                rest = buffer[end:] + stream.read()
                yield head, buffer[:end], rest
                return
            more = stream.read(SLICE_BYTES)
            cut = buffer.rfind(b"</row>")
            if not more or cut < 0:
                if not more:  # the part ends without closing its rows: let calamine say what it makes of it
                    yield head, buffer, closing
                    return
                buffer += more
                continue
            cut += len(b"</row>")
            yield head, buffer[:cut], closing
            buffer = buffer[cut:] + more
