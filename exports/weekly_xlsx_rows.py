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
    """Writes rows of (kind, value, format index) cells for a worksheet `ws` in constant-memory mode."""

    def __init__(self, ws, formats: list) -> None:
        self.ws = ws
        self.formats = formats
        self.xf: list[str | None] = [None] * len(formats)  # format index -> ' s="N"', taken on first use
        self.refs: list[str] = []  # column -> '<c r="' + its letters
        self.strings: dict[str, str] = {}
        self.days: dict = {}
        self.escape_data = ws._escape_data
        self.escape_controls = XMLwriter._escape_control_characters

    @staticmethod
    def usable(ws) -> bool:
        """Whether `ws` is written as this class writes rows: constant memory, rows of the 2007 schema."""
        return bool(getattr(ws, "constant_memory", False)) and getattr(ws, "excel_version", None) == 2007

    def row(self, r: int, pixels: float | None, cells: list) -> bool:
        """Write row `r` (0-based) of `cells`, `pixels` high (None: the default height); False when XlsxWriter
        would write one of its cells otherwise than this class does: then nothing of row `r` is written, and the
        caller writes it through XlsxWriter."""
        ws = self.ws
        if r <= ws.previous_row:
            return False  # not a row after those written: XlsxWriter's own checks apply
        # the row XlsxWriter still holds (the header) is written first, and its formats take their indices first
        ws._write_single_row(r)
        parts = []
        n = str(r + 1)
        xf, refs, strings = self.xf, self.refs, self.strings
        while len(refs) < len(cells):
            refs.append('<c r="' + xl_col_to_name(len(refs)))
        for c, (kind, value, fmt) in enumerate(cells):
            s = xf[fmt]
            if s is None:
                s = xf[fmt] = '" s="' + str(self.formats[fmt]._get_xf_index()) + '"'
            if kind == STRING:
                tail = strings.get(value)
                if tail is None:
                    tail = self._string(value)
                    if tail is None:
                        return False
                parts.append(refs[c] + n + s + tail)
            elif kind == BLANK:
                parts.append(refs[c] + n + s + "/>")
            elif kind == NUMBER:
                parts.append(f"{refs[c]}{n}{s}><v>{value:.16G}</v></c>")
            else:
                serial = self.days.get(value)
                if serial is None:
                    serial = self.days[value] = f"{ws._convert_date_time(value):.16G}"
                parts.append(f"{refs[c]}{n}{s}><v>{serial}</v></c>")
        ws._check_dimensions(r, 0)
        ws._check_dimensions(r, len(cells) - 1)
        if pixels is None:
            head = '<row r="' + n + '">'
        else:  # as XlsxWriter's _write_row writes a height set with set_row_pixels
            head = f'<row r="{n}" ht="{pixels * 0.75:.16g}" customHeight="1">'
        ws.fh.write(head + "".join(parts) + "</row>")
        return True

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
