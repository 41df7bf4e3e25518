"""The weekly CSV's rows written by a second process (crm.reporting.weekly_split): exports.weekly_csv.write_csv
asks the table for it, the child writes its rows' text into a temporary file, and this process appends it after
its own rows."""

from __future__ import annotations

import io
import os
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
            _append_bytes(self.file, out.buffer)
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


def _append_bytes(source, target) -> None:
    """Append the bytes of the file `source` (from its start) to the binary stream `target`: copied by the
    kernel (os.sendfile) where `target` has a file descriptor, through a buffer otherwise (or for what the kernel
    did not copy). The child's part is copied after both processes are done, while the other core waits: the
    kernel's copy costs a fraction of the buffered one (BENCHMARKS.md, twenty-fourth session)."""
    target.flush()
    size, sent = os.fstat(source.fileno()).st_size, 0
    try:
        fd = target.fileno()
        while sent < size and (step := os.sendfile(fd, source.fileno(), sent, size - sent)):
            sent += step
    except (AttributeError, OSError, io.UnsupportedOperation):
        pass  # no descriptor, or one sendfile cannot write to: the buffered copy below does it all
    if sent and target.seekable():
        target.seek(0, io.SEEK_END)  # the stream's own idea of its position follows the bytes written past it
    source.seek(sent)
    shutil.copyfileobj(source, target, 1 << 20)
