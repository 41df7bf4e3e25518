"""Writing the weekly table to a file: one place for the formats, the file
suffixes they go with, and writing a file whole or not at all. The CLI and
the TUI's export dialog both call write_weekly()."""

from __future__ import annotations

import contextlib
import gc
import os
import tempfile
from pathlib import Path

from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import _

FORMATS = ("xlsx", "csv", "md", "txt", "html")
SUFFIXES = {".xlsx": "xlsx", ".csv": "csv", ".md": "md", ".markdown": "md", ".txt": "txt", ".html": "html",
            ".htm": "html"}


def format_for(path: str | Path, default: str = "xlsx") -> str:
    """The export format a file name asks for (by its suffix), else `default`."""
    return SUFFIXES.get(Path(path).suffix.lower(), default)


def write_atomically(path: Path, write) -> None:
    """Call write(temp_path), then move the finished file into place: never a half-written export."""
    path = path.expanduser()
    if path.is_dir():
        raise InvalidInput(_("{path} is a directory; give a file name, e.g. {path}/weekly.xlsx").format(path=path))
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.exists():
        raise InvalidInput(_("The folder {dir} does not exist").format(dir=directory))
    fd, temp = tempfile.mkstemp(prefix=".crm-export-", suffix=path.suffix, dir=directory)
    os.close(fd)
    try:
        write(Path(temp))
        os.chmod(temp, 0o644 & ~_umask())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


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


def write_weekly(table, fmt: str, path: Path, progress=None) -> None:
    """Write a weekly table (crm.reporting.weekly.build or .stream) to `path` in `fmt`.

    CSV and xlsx are written as the rows are read, so a streamed table is never held whole.
    """
    with collector_paused():
        if fmt == "xlsx":
            from exports import weekly_xlsx

            write_atomically(path, lambda p: weekly_xlsx.write(table, p, progress=progress))
            return
        from exports import weekly_text

        if fmt == "csv":
            def write_csv(p: Path) -> None:
                with open(p, "w", encoding="utf-8", newline="") as out:  # the csv module writes its own \r\n
                    weekly_text.write_csv(table, out, progress)

            write_atomically(path, write_csv)
            return
        content = weekly_text.render(table, fmt, progress=progress)
        newline = "" if fmt == "csv" else None  # the csv module writes its own \r\n
        write_atomically(path, lambda p: p.write_text(content, encoding="utf-8", newline=newline))
