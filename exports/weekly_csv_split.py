"""The weekly CSV's rows written by a second process (crm.reporting.weekly_split): exports.weekly_csv.write_csv
asks the table for it, the child writes its rows' text into a temporary file, and this process appends it after
its own rows."""

from __future__ import annotations

import io
import shutil
import tempfile
from collections.abc import Callable

from crm.reporting.weekly import WeeklyTable


class SecondRange:
    """The rows a child process writes when the table is split (WeeklyTable.split, crm.reporting.weekly_split):
    their CSV text in an unnamed temporary file (gone whatever happens), appended after this process's rows.
    `write_batches(batches, out, progress, total)` writes rows (exports.weekly_csv._write_batches)."""

    def __init__(self, table: WeeklyTable, progress, total: int, write_batches: Callable[..., int]) -> None:
        self.progress, self.total, self.write_batches = progress, total, write_batches
        self.mine = 0  # this process's rows, once written
        self.part = table.split(self._write, self._waiting) if table.split is not None else None
        self.file = tempfile.TemporaryFile() if self.part is not None else None  # before the child is forked

    def done(self) -> int:
        """The child's rows so far (0 without one)."""
        return self.part.done() if self.part is not None else 0

    def _write(self, batches, report) -> None:
        """In the child: its rows as CSV into the file, `report(rows)` after each batch."""
        text = io.TextIOWrapper(self.file, encoding="utf-8", newline="")
        try:
            self.write_batches(batches, text, lambda done, _total: report(done), 0)
        finally:
            text.flush()  # the rows before an error too: the parent writes them before raising it
            text.detach()

    def _waiting(self, rows: int) -> None:
        if self.progress:
            self.progress(self.mine + rows, self.total)

    def append_to(self, out) -> int:
        """Write the child's text to `out` (after this process's rows); the number of its rows."""
        if self.part is None or self.file is None:
            return 0
        self.file.seek(0)
        if hasattr(out, "buffer") and str(getattr(out, "encoding", "")).lower().replace("-", "") == "utf8":
            out.flush()  # the bytes as they are: no decoding and encoding again
            shutil.copyfileobj(self.file, out.buffer, 1 << 20)
        else:
            shutil.copyfileobj(io.TextIOWrapper(self.file, encoding="utf-8", newline=""), out, 1 << 20)
        return self.part.rows

    def append_failed(self, out) -> None:
        """Write the rows the child wrote before its error (raised in this process) to `out`: nothing when there
        was no child or it did not fail."""
        if self.part is not None and self.part.failed:
            self.append_to(out)

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
