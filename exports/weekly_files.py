"""Writing the weekly table to a file: one place for the formats, the file
suffixes they go with, and writing a file whole or not at all. The CLI and
the TUI's export dialog both call write_weekly()."""

from __future__ import annotations

import contextlib
import gc
from pathlib import Path

from crm.foundation.files import output_file

FORMATS = ("xlsx", "csv", "md", "txt", "html")
SUFFIXES = {
    ".xlsx": "xlsx",
    ".csv": "csv",
    ".md": "md",
    ".markdown": "md",
    ".txt": "txt",
    ".html": "html",
    ".htm": "html",
}


def format_for(path: str | Path, default: str = "xlsx") -> str:
    """The export format a file name asks for (by its suffix), else `default`."""
    return SUFFIXES.get(Path(path).suffix.lower(), default)


def write_atomically(path: Path, write, force: bool = False) -> None:
    """Call write(temp_path), then move the finished file into place: never a half-written export.

    The rules of crm.foundation.files.output_file apply: a regular file only,
    never over a database, an existing file only with `force`.
    """
    with output_file(path, force=force) as temp:
        write(temp)


@contextlib.contextmanager
def collector_paused():
    """No cyclic garbage collection inside the block (as it was after it).

    Building and writing a weekly table allocates hundreds of thousands of
    objects that live until it is written and form no cycles; the collector's
    passes over them found nothing to free and cost ~0.3 s of a 9,500-row xlsx
    export. Nesting, and blocks in several threads, leave it enabled at the end.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def write_weekly(table, fmt: str, path: Path, progress=None, force: bool = False) -> None:
    """Write a weekly table (crm.reporting.weekly.build or .stream) to `path` in `fmt`; `force` replaces a file.

    Every format is written as the rows are read, so a streamed table is never held whole.
    """
    with collector_paused():
        if fmt == "xlsx":
            from exports import weekly_xlsx

            write_atomically(path, lambda p: weekly_xlsx.write(table, p, progress=progress), force=force)
            return
        from exports import weekly_text

        def write_text(p: Path) -> None:
            # the csv module writes its own \r\n; the other formats' \n are the platform's line ends
            with open(p, "w", encoding="utf-8", newline="" if fmt == "csv" else None) as out:
                weekly_text.write(table, fmt, out, progress)

        write_atomically(path, write_text, force=force)
