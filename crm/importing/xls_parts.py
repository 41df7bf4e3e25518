"""Which rows and columns an .xls (BIFF) sheet hides, read with xlrd.

python-calamine reads an .xls sheet's values but not their visibility; the importer needs it (a row hidden or
filtered out is not imported, a visible column wins over a hidden one: crm.importing.hidden). BIFF keeps it in a
sheet's ROW records (a flag on each row: hidden by its owner, or filtered out by an AutoFilter) and COLINFO records
(a flag on a span of columns), which xlrd reads into Sheet.rowinfo_map and Sheet.colinfo_map when the workbook is
opened with formatting_info=True. Nothing else is taken from xlrd: calamine stays the reader of the cells.

xlrd parses each sheet it loads whole, cells included, in Python: it is imported only for an .xls
(crm.importing.workbook), opens the workbook on demand and loads only the sheets asked for, one at a time.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from crm.importing.ods_parts import Hidden


def xls_hidden(path: str, names: Iterable[str]) -> dict[str, Hidden]:
    """{sheet: what it hides} of the sheets of the .xls file `path` named in `names`; a sheet that hides nothing, or
    that xlrd does not read (a chart sheet), is left out. A workbook xlrd cannot read gives nothing hidden: calamine
    has read the values from it already."""
    wanted = list(dict.fromkeys(names))
    if not wanted:
        return {}
    import xlrd

    # xlrd writes its notes on odd records to stdout, where `crm import --format json` writes its report.
    with open(os.devnull, "w") as quiet:
        try:
            book = xlrd.open_workbook(path, logfile=quiet, formatting_info=True, on_demand=True, ragged_rows=True)
        except Exception:  # noqa: BLE001 — xlrd's errors (and struct's, on a damaged record) all mean "unreadable"
            return {}
        try:
            found = {name: _sheet_hidden(book, name) for name in wanted if name in book.sheet_names()}
        finally:
            book.release_resources()
    return {name: hidden for name, hidden in found.items() if hidden is not None}


def _sheet_hidden(book, name: str) -> Hidden | None:
    """The rows and columns the sheet `name` of the xlrd `book` hides, or None when it hides none (or cannot be
    read); the sheet is unloaded after."""
    try:
        sheet = book.sheet_by_name(name)
    except Exception:  # noqa: BLE001 — a damaged sheet: calamine read its values, nothing is said hidden
        return None
    try:
        # A row with no ROW record holds no cell, so the sheet's default (DEFAULTROWHEIGHT's hidden) is not asked.
        rows = spans(r for r, info in sheet.rowinfo_map.items() if info.hidden)
        columns = spans(c for c, info in sheet.colinfo_map.items() if info.hidden)
    finally:
        book.unload_sheet(name)
    if not rows and not columns:
        return None
    hidden = Hidden()
    hidden.spans[True], hidden.spans[False] = rows, columns
    return hidden


def spans(indexes: Iterable[int]) -> list[range]:
    """The 0-based `indexes` (xlrd's rows or columns) as runs of 1-based numbers, the importer's."""
    runs: list[range] = []
    for index in sorted(set(indexes)):
        if runs and runs[-1].stop == index + 1:
            runs[-1] = range(runs[-1].start, index + 2)
        else:
            runs.append(range(index + 1, index + 2))
    return runs
