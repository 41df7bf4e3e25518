"""A tabulate table of any number of rows, written with the memory of a few hundred.

tabulate pads every cell to its column's widest, so it needs every row before
it writes the first. Here the rows are read once and spilled to a temporary
file (a batch at a time) while each column's widest cell is measured as
tabulate measures it; then each batch is tabulated again with one extra row
made of those widths, which makes tabulate pad the batch exactly as it pads
the whole table, and that row's lines are dropped. The result is byte for
byte tabulate's own table (tests/ledger/test_weekly_streams.py compares them).

Formats: "github" (Markdown), "grid" (text) and "unsafehtml".
"""

from __future__ import annotations

import pickle
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator

BATCH = 500  # rows tabulated at a time
_LINE_BREAK = re.compile("[\r\n]")


def tabulate(rows, **options) -> str:
    """tabulate.tabulate with wide characters counted as two columns, imported on first use."""
    import tabulate as module

    module.WIDE_CHARS_MODE = True
    return module.tabulate(rows, disable_numparse=True, **options)


def _width_of() -> Callable[[str], int]:
    """tabulate's measure of a cell: its text stripped, ANSI codes not counted, wide characters two columns."""
    import tabulate as module

    module.WIDE_CHARS_MODE = True
    return module._visible_width


class Spill:
    """Rows (lists of cell texts, with one extra value each) kept in a temporary file, their widths measured.

    `multiline` measures cells as tabulate's multi-line formats do (the widest line).
    """

    def __init__(self, columns: int, multiline: bool) -> None:
        self.widths = [0] * columns
        self.multiline = multiline
        self.broken = False  # a cell holds a line break: tabulate's multi-line mode
        self.rows = 0
        self._file = tempfile.TemporaryFile()
        self._batch: list[tuple[list[str], object]] = []
        self._measure = _width_of()

    def add(self, cells: list[str], extra: object = None) -> None:
        """Keep one row; `extra` comes back beside it (the HTML writer's classes)."""
        widths, measure = self.widths, self._measure
        for i, cell in enumerate(cells):
            if 2 * len(cell) <= widths[i]:
                continue  # no character is wider than two columns: it cannot be the widest
            text = cell.strip()
            if self.multiline and ("\n" in text or "\r" in text):
                self.broken = True
                width = max(map(measure, _LINE_BREAK.split(text)))
            else:
                width = measure(text)
            if width > widths[i]:
                widths[i] = width
        self._batch.append((cells, extra))
        self.rows += 1
        if len(self._batch) == BATCH:
            self._flush()

    def _flush(self) -> None:
        pickle.dump(self._batch, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self._batch = []

    def batches(self) -> Iterator[list[tuple[list[str], object]]]:
        """The kept rows, a batch at a time, in the order they were added; then the file is gone."""
        self._flush()
        self._file.seek(0)
        try:
            while True:
                try:
                    batch = pickle.load(self._file)
                except EOFError:
                    return
                if batch:
                    yield batch
        finally:
            self._file.close()

    def sizing_row(self, broken: bool) -> list[str]:
        """The row that makes tabulate pad a batch as it pads the whole table (two lines high when `broken`)."""
        return [("x" * w) + ("\nx" if broken else "") for w in self.widths]


def _skip_head(lines: list[str], fmt: str, sizing_lines: int) -> int:
    """Index of a batch table's first line after its header and the sizing row."""
    if fmt == "github":
        return 2 + sizing_lines
    if fmt == "grid":
        header_end = next(i for i, line in enumerate(lines) if line.startswith("+="))
        return header_end + 1 + sizing_lines + 1  # the sizing row's lines and the rule under it
    body = lines.index("<tbody>")
    return body + 1 + sizing_lines


def _head_end(lines: list[str], fmt: str) -> int:
    """Index of a table's first line after its header (what the first batch keeps)."""
    if fmt == "github":
        return 2
    if fmt == "grid":
        return next(i for i, line in enumerate(lines) if line.startswith("+=")) + 1
    return lines.index("<tbody>") + 1


def _tail_start(lines: list[str], fmt: str) -> int:
    """Index of the lines that close an HTML table (kept once, at the very end); others have none."""
    return len(lines) - 2 if fmt == "unsafehtml" else len(lines)


def write(
    out,
    spill: Spill,
    headers: list[str],
    fmt: str,
    colalign: list[str] | None = None,
    more: Iterable[tuple[list[str], object]] = (),
    mark: Callable[[list[str], int, list], list[str]] | None = None,
) -> None:
    """Write the table of `spill`'s rows, then `more` rows, as tabulate(fmt) writes it, to the text stream `out`.

    `mark(lines, first_row, extras)` may rewrite a batch's row lines (HTML classes); no newline after the table.
    """
    for row in more:
        spill.add(*row)
    broken = spill.broken and fmt == "grid"
    sizing = spill.sizing_row(broken)
    sizing_lines = 2 if broken else 1
    first = True
    done = 0
    tail: list[str] = []
    for batch in spill.batches():
        cells = [sizing] + [c for c, _extra in batch]
        lines = tabulate(cells, headers=headers, tablefmt=fmt, colalign=colalign).split("\n")
        start, end = _skip_head(lines, fmt, sizing_lines), _tail_start(lines, fmt)
        body = lines[start:end]
        if mark is not None:
            body = mark(body, done, [extra for _c, extra in batch])
        if first:
            out.write("\n".join(lines[: _head_end(lines, fmt)]))
            first = False
        out.write("\n" + "\n".join(body))
        tail = lines[end:]
        done += len(batch)
    if tail:
        out.write("\n" + "\n".join(tail))
