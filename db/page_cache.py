"""SQLite's page cache of this thread's connection, sized for a long write and put back (PostgreSQL: the server
keeps its own cache; nothing to do)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from db.dialects import dialect_of
from db.models import database


@contextlib.contextmanager
def sized(kib: int) -> Iterator[None]:
    """The page cache at `kib` KiB inside, at its size before once left (PostgreSQL: unchanged)."""
    db = database.obj
    if not dialect_of(db).in_process:
        yield
        return
    before = db.execute_sql("PRAGMA cache_size").fetchone()[0]
    resize(kib)
    try:
        yield
    finally:
        db.execute_sql(f"PRAGMA cache_size = {int(before)}")


def resize(kib: int) -> None:
    """The page cache at `kib` KiB from now on (inside `sized`: until it is left; PostgreSQL: nothing)."""
    db = database.obj
    if dialect_of(db).in_process:
        db.execute_sql(f"PRAGMA cache_size = -{int(kib)}")
