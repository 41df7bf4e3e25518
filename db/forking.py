"""A second process that reads the same moment of the ledger as this one (a long reading split in two).

`forked_snapshot()` is db.reading.one_snapshot() shared with a forked child: both processes read inside read
transactions that see the same committed writes. The child never uses the parent's connection (a SQLite or
psycopg2 connection must not be used across fork): it opens its own, and keeps the inherited one referenced,
never closed (psycopg2 would end the parent's session on the server), until it ends with os._exit.

What differs between the backends is how the two snapshots are made the same:

- PostgreSQL exports the parent's snapshot (pg_export_snapshot) and the child's REPEATABLE READ transaction
  imports it (SET TRANSACTION SNAPSHOT);
- SQLite (WAL) has no such call in Python's driver: the parent holds the write lock (BEGIN IMMEDIATE on a
  connection of its own, which writes nothing) from before its snapshot until the child's is fixed, so no
  write can commit between the two. Writers wait that long (the child's connecting, milliseconds) within
  their busy timeout; when another program holds the write lock already, there is no child (None).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator

from db.connection import existing_file_uri, is_postgres
from db.models import database
from db.reading import one_snapshot

#: How long the parent waits for the write lock before it reads alone (another program is writing).
LOCK_WAIT_S = 0.2

#: The inherited connections a child keeps (never closed, never used) until it ends.
_inherited: list = []


@contextlib.contextmanager
def forked_snapshot() -> Iterator[int | None]:
    """Fork inside a read transaction that the child shares: yields the child's pid in the parent, 0 in the
    child, or None (no child: another program holds SQLite's write lock, or a transaction is already open,
    whose snapshot cannot be shared) in the one process, which then reads in one_snapshot() alone.

    The child runs inside its own read transaction on its own connection; when its block ends (or raises), the
    child closes that connection and ends (os._exit: nothing of the parent's is unwound, flushed or closed in
    it). The parent reaps the child itself.
    """
    db = database.obj
    if db.in_transaction():
        yield None
        return
    lock = None if is_postgres(db) else _write_lock(db.database)
    if lock is None and not is_postgres(db):
        with one_snapshot():
            yield None
        return
    ready_r, ready_w = os.pipe()
    try:
        with one_snapshot():
            snapshot = _fix_snapshot(db)
            pid = os.fork()
            if pid == 0:
                status = 70  # the child never unwinds into the parent's state (its lock, transaction, pipes)
                try:
                    os.close(ready_r)
                    _child_connection(db, snapshot)
                    os.write(ready_w, b"1")
                    os.close(ready_w)
                    yield 0
                    status = 0
                finally:
                    _end_child(db, status)
            os.close(ready_w)
            ready_w = -1
            os.read(ready_r, 1)  # the child's snapshot is fixed (or the child is gone: b"")
            if lock is not None:
                lock.close()
                lock = None
            yield pid
    finally:
        if lock is not None:
            lock.close()
        os.close(ready_r)
        if ready_w >= 0:
            os.close(ready_w)


def _write_lock(path: str) -> sqlite3.Connection | None:
    """A connection of its own to the SQLite file holding the write lock (BEGIN IMMEDIATE), or None when
    another program holds it for longer than LOCK_WAIT_S. Closing the connection lets the lock go."""
    conn = sqlite3.connect(existing_file_uri(path), uri=True, timeout=LOCK_WAIT_S, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:
        conn.close()
        return None
    return conn


def _fix_snapshot(db) -> str | None:
    """Fix the snapshot of the open read transaction now: PostgreSQL's exported name, None on SQLite."""
    if is_postgres(db):
        return db.execute_sql("SELECT pg_export_snapshot()").fetchone()[0]
    db.execute_sql("SELECT count(*) FROM sqlite_master").fetchone()  # SQLite fixes it at the first read
    return None


def _end_child(db, status: int) -> None:
    """End the child process: its own connection closed (the server sees a session end, not a lost link)."""
    own = db._state.conn
    if own is not None and all(own is not kept for kept in _inherited):
        with contextlib.suppress(Exception):
            own.close()
    os._exit(status)


def _child_connection(db, snapshot: str | None) -> None:
    """In the child: a connection of its own, inside a read transaction at the parent's snapshot."""
    _inherited.append(db._state.conn)
    db._state.reset()
    db.connect()
    _inherited.append(db.atomic())
    _inherited[-1].__enter__()  # left open: the child ends inside it
    if snapshot is not None:
        db.execute_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        db.execute_sql("SET TRANSACTION SNAPSHOT %s", (snapshot,))
    else:
        db.execute_sql("SELECT count(*) FROM sqlite_master").fetchone()
