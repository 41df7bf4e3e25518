"""The weekly workbook's deal rows written as the very XML XlsxWriter writes for them, a row at a time.

XlsxWriter's constant-memory mode stores each cell in a table, then writes the
row's XML a cell at a time through several calls (cell reference, format
index, control characters, escaping, whitespace), which made it most of the
time of a weekly workbook. Rows here are written in one piece into the same
row file, with XlsxWriter's own escaping functions, its format indices (taken
in the order it would take them) and its dimensions and row state kept as
its own writing keeps them, so that the workbook is byte for byte the one
XlsxWriter writes cell by cell (tests/ledger/test_weekly_xlsx_rows.py
compares them on hostile text). A cell it would write differently (text
longer than it checks cheaply, text that it takes for a rich string) sends
its row through XlsxWriter itself.
"""

from __future__ import annotations

import re

from xlsxwriter.utility import _preserve_whitespace, xl_col_to_name
from xlsxwriter.xmlwriter import XMLwriter

STRING, NUMBER, DAY, BLANK = 0, 1, 2, 3  # the cell kinds of exports.weekly_xlsx._Body
SHORT = 16_383  # XlsxWriter counts UTF-16 units only of longer text, to cut it at 32,767
# What XlsxWriter escapes in a string cell, or writes with xml:space="preserve": text without it goes as it is.
_SPECIAL = re.compile(r"[\x00-\x08\x0b-\x1f&<>\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^\s|\s$")
_PRESERVE = ' xml:space="preserve"'
_CACHED = 50_000  # string cells kept with their XML: repeated texts (regions, departments …) built once


class DirectRows:
    """Rows of (kind, value, format index) cells for a worksheet `ws` in constant-memory mode: their XML made
    (cells_xml), then written in place (put)."""

    def __init__(self, ws, formats: list) -> None:
        self.ws = ws
        self.formats = formats
        self.xf: dict[int, str] = {}  # format index (of `formats`, which grows) -> '" s="N"', taken on first use
        self.refs: list[str] = []  # column -> '<c r="' + its letters
        self.strings: dict[str, str] = {}
        self.days: dict = {}
        self.last_col = 0
        self.escape_data = ws._escape_data
        self.escape_controls = XMLwriter._escape_control_characters

    @staticmethod
    def usable(ws) -> bool:
        """Whether `ws` is written as this class writes rows: constant memory, rows of the 2007 schema."""
        return bool(getattr(ws, "constant_memory", False)) and getattr(ws, "excel_version", None) == 2007

    def cells_xml(self, r: int, cells: list) -> str | None:
        """The XML of row `r`'s (0-based) `cells`, as XlsxWriter writes them; None when it would write one of
        them otherwise than this class does (then the row is for XlsxWriter to write).

        Rows are asked for in the sheet's order and every cell's format takes its index here, as XlsxWriter
        gives them in the order its cells are written: the rows above (title, header) must have theirs already.
        """
        parts = []
        n = str(r + 1)
        xf, refs, strings = self.xf, self.refs, self.strings
        while len(refs) < len(cells):
            refs.append('<c r="' + xl_col_to_name(len(refs)))
        self.last_col = max(self.last_col, len(cells) - 1)
        for c, (kind, value, fmt) in enumerate(cells):
            s = xf.get(fmt)
            if s is None:
                s = xf[fmt] = '" s="' + str(self.formats[fmt]._get_xf_index()) + '"'
            if kind == STRING:
                tail = strings.get(value)
                if tail is None:
                    tail = self._string(value)
                    if tail is None:
                        for _k, _v, later in cells[c + 1 :]:
                            self.formats[later]._get_xf_index()  # in the order XlsxWriter will take them
                        return None
                parts.append(refs[c] + n + s + tail)
            elif kind == BLANK:
                parts.append(refs[c] + n + s + "/>")
            elif kind == NUMBER:
                parts.append(f"{refs[c]}{n}{s}><v>{value:.16G}</v></c>")
            else:
                serial = self.days.get(value)
                if serial is None:
                    serial = self.days[value] = f"{self.ws._convert_date_time(value):.16G}"
                parts.append(f"{refs[c]}{n}{s}><v>{serial}</v></c>")
        return "".join(parts)

    def put(self, r: int, pixels: float | None, xml: str) -> None:
        """Write row `r` (0-based, below every row written so far) of cells_xml's `xml`, `pixels` high (None: the
        default height), after the row XlsxWriter still holds, keeping the sheet's dimensions as XlsxWriter does."""
        ws = self.ws
        ws._write_single_row(r)
        ws._check_dimensions(r, 0)
        ws._check_dimensions(r, self.last_col)
        n = str(r + 1)
        if pixels is None:
            head = '<row r="' + n + '">'
        else:  # as XlsxWriter's _write_row writes a height set with set_row_pixels
            head = f'<row r="{n}" ht="{pixels * 0.75:.16g}" customHeight="1">'
        ws.fh.write(head + xml + "</row>")

    def _string(self, value: str) -> str | None:
        """What follows a string cell's format index, as XlsxWriter's _write_cell writes it; None for text
        XlsxWriter checks for its length or writes as a rich string."""
        if len(value) > SHORT:
            return None
        if _SPECIAL.search(value) is None:
            tail = ' t="inlineStr"><is><t>' + value + "</t></is></c>"
        else:
            text = self.escape_controls(value)
            if text.startswith("<r>") and text.endswith("</r>"):
                return None
            preserve = _PRESERVE if _preserve_whitespace(text) else ""
            tail = ' t="inlineStr"><is><t' + preserve + ">" + self.escape_data(text) + "</t></is></c>"
        if len(self.strings) > _CACHED:
            self.strings.clear()
        self.strings[value] = tail
        return tail
