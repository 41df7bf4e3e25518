"""A read-only table that draws only the lines on screen.

A Rich Table inside a Static is rendered whole to learn its height, and
again on every refresh: a deal with 200 ledger entries and as many audit
entries was slow to open that way. Here the layout is worked out once
per width from the cells' widths (a Chinese character takes two cells), and
`render_line` draws a line only when the compositor asks for it. The last
column wraps onto continuation lines, so a long note is shown whole.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len, chop_cells
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget

from screens.text import fit

GAP = 1  # cells between columns
MIN_LAST = 12  # the wrapping column is never narrower than this


@dataclass(frozen=True)
class LineColumn:
    label: str
    style: str = ""
    align: str = "left"


class LineTable(Widget):
    """Columns of plain text with a dim header row; set the rows with `set_rows`."""

    DEFAULT_CSS = """
    LineTable {
        height: auto;
    }
    """

    def __init__(self, columns: list[LineColumn], *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.columns = columns
        self.rows: list[tuple[str, ...]] = []
        self._styles_of = [Style.parse(c.style) if c.style else Style() for c in columns]
        self._header_style = Style(dim=True)
        self._layout_width = -1
        self._widths: list[int] = []
        self._lines: list[tuple[int, int]] = []  # (row index, chunk of the last column); row -1 is the header
        self._chunks: dict[int, list[str]] = {}

    def set_rows(self, rows: list[tuple[str, ...]]) -> None:
        """Show `rows` (one string per column); an empty list shows the header and a dash."""
        self.rows = [tuple(str(c) for c in r) for r in rows] or [tuple(["—"] + [""] * (len(self.columns) - 1))]
        self._layout_width = -1
        self.refresh(layout=True)

    def _lay_out(self, width: int) -> None:
        if width == self._layout_width:
            return
        count = len(self.columns)
        widths = [cell_len(c.label) for c in self.columns]
        for row in self.rows:
            for i in range(count - 1):
                widths[i] = max(widths[i], cell_len(row[i]))
        room = width - sum(widths[:-1]) - GAP * (count - 1)
        widths[-1] = max(MIN_LAST, room)
        self._widths = widths
        last = widths[-1]
        self._chunks = {}
        lines: list[tuple[int, int]] = [(-1, 0)]
        for index, row in enumerate(self.rows):
            note = row[-1].replace("\n", " ")
            if cell_len(note) > last:
                self._chunks[index] = self.wrap(note, last)
                lines.extend((index, n) for n in range(len(self._chunks[index])))
            else:
                lines.append((index, 0))
        self._lines = lines
        self._layout_width = width

    def wrap(self, text: str, width: int) -> list[str]:
        """The last column's `text` cut into lines of `width` cells (a subclass may break at words)."""
        return chop_cells(text, width)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return container.width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        self._lay_out(width)
        return len(self._lines)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        self._lay_out(width)
        if y >= len(self._lines):
            return Strip.blank(width, self.rich_style)
        index, chunk = self._lines[y]
        base = self.rich_style
        segments = []
        if index < 0:
            cells = [c.label for c in self.columns]
        else:
            row = self.rows[index]
            if chunk:
                cells = [""] * (len(self.columns) - 1) + [self._chunks[index][chunk]]
            else:
                cells = list(row[:-1]) + [self._chunks[index][0] if index in self._chunks else row[-1]]
        for i, (cell, column) in enumerate(zip(cells, self.columns)):
            style = base + (self._header_style if index < 0 else self._styles_of[i])
            segments.append(Segment(fit(cell, self._widths[i], column.align), style))
            if i < len(self.columns) - 1:
                segments.append(Segment(" " * GAP, base))
        return Strip(segments).crop_extend(0, width, base)
