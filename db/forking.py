"""A second process that reads the same moment of the ledger as this one (a long reading split in two).

`SharedSnapshot()` is db.reading.one_snapshot() that a forked child can share: the reading begins in this
process (whatever both processes need is read once, before the fork, and the child inherits it), and
`fork()` then starts a child whose read transaction sees the same committed writes. `side(work)` runs a
reading in a thread on a connection of its own at the same snapshot meanwhile (a count, say, while this
thread reads something else). The child never uses the parent's connection (a SQLite or psycopg2 connection
must not be used across fork): it opens its own, and keeps the inherited one referenced, never closed
(psycopg2 would end the parent's session on the server), until it ends with os._exit.

What differs between the backends is how the snapshots are made the same:

- PostgreSQL exports the parent's snapshot (pg_export_snapshot) and the child's (or the side thread's)
  REPEATABLE READ transaction imports it (SET TRANSACTION SNAPSHOT);
- SQLite (WAL) has no such call in Python's driver: the parent holds the write lock (BEGIN IMMEDIATE on a
  connection of its own, which writes nothing) from before its snapshot until the child's is fixed, or until
  it decides to read alone (`alone()`), so no write can commit in between. Writers wait that long (the
  reading before the fork) within their busy timeout; when another program holds the write lock already, the
  reading cannot be shared (`can_fork` False).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Callable
from typing import Any

from db.connection import existing_file_uri, is_postgres
from db.drivers import sqlite_without_memory_statistics
from db.models import database
from db.reading import one_snapshot

#: How long the parent waits for the write lock before it reads alone (another program is writing).
LOCK_WAIT_S = 0.2

#: The inherited connections a child keeps (never closed, never used) until it ends.
_inherited: list = []


class SharedSnapshot:
    """A read transaction (a context manager) that a forked child may share; see the module's docstring.

    Inside a transaction already (whose snapshot cannot be shared), or when another program holds SQLite's
    write lock, the block reads in one snapshot alone and `can_fork` is False. In a child, leaving the block
    closes the child's connection and ends the process (os._exit: nothing of the parent's is unwound, flushed
    or closed in it; status 0, or 70 when the block raised); the parent reaps the child itself.
    """

    def __init__(self) -> None:
        self.db = database.obj
        self.can_fork = False
        self._snapshot: str | None = None
        self._lock: sqlite3.Connection | None = None
        self._stack = contextlib.ExitStack()
        self._child = False
        self._own: list[int] | None = None  # helpers(): this connection's backend
        self._backends: list[int] = []  # helpers(): the side threads' backends

    def __enter__(self) -> SharedSnapshot:
        db = self.db
        if db.in_transaction():
            return self
        postgres = is_postgres(db)
        if not postgres:
            # the side threads' queries then run side by side; the connection opens again for the snapshot
            sqlite_without_memory_statistics(close=db.close)
        self._lock = None if postgres else _write_lock(db.database)
        self._stack.enter_context(one_snapshot())
        if postgres or self._lock is not None:
            self._snapshot = _fix_snapshot(db)
            self.can_fork = True
        return self

    def __exit__(self, kind, exc, tb) -> None:
        if self._child:
            _end_child(self.db, 0 if kind is None else 70)
        self.alone()
        self._stack.__exit__(kind, exc, tb)

    def helpers(self) -> list[int]:
        """The processes of this machine that read for this one so far: the PostgreSQL server's backends serving
        its connection and its side threads' when the server runs here (their CPU time is this reading's, not
        other programs' load)."""
        if self._own is None:
            self._own = _local_backend(self.db)
        return [*self._own, *self._backends]

    def alone(self) -> None:
        """Read on in this process only: no child will be forked (SQLite's write lock is let go)."""
        self.can_fork = False
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def side(self, work: Callable[[], Any]) -> Callable[[], Any]:
        """Run `work()` in a thread on a connection of its own inside a read transaction at this snapshot;
        returns the call that waits for it and gives its result (or raises its error). Wait for it before
        fork(): a thread running at the fork would leave its locks held in the child."""
        if not self.can_fork:
            return work  # no snapshot to share: run here when asked
        found: list = []
        ready = threading.Event()

        def run() -> None:
            try:
                with _AtSnapshot(self.db, self._snapshot):
                    self._backends.extend(_local_backend(self.db))
                    ready.set()
                    found.append((True, work()))
            except BaseException as exc:  # noqa: BLE001 — raised again in the caller's thread
                found.append((False, exc))
            finally:
                ready.set()
                self.db.close()

        thread = threading.Thread(target=run, name="crm-db-side", daemon=True)
        thread.start()
        ready.wait()  # its snapshot is fixed: SQLite's write lock may go from now on

        def result() -> Any:
            thread.join()
            done, value = found[0]
            if not done:
                raise value
            return value

        return result

    def fork(self) -> int | None:
        """Fork a child that reads at this snapshot: its pid in the parent, 0 in the child, None when the
        reading cannot be shared (see the class). Either way this process then reads on alone (`alone()`)."""
        if not self.can_fork:
            return None
        ready_r, ready_w = os.pipe()
        try:
            pid = os.fork()
            if pid == 0:
                self._child = True
                os.close(ready_r)
                ready_r = -1
                _child_connection(self.db, self._snapshot)
                os.write(ready_w, b"1")
                return 0
            os.close(ready_w)
            ready_w = -1
            os.read(ready_r, 1)  # the child's snapshot is fixed (or the child is gone: b"")
            self.alone()
            return pid
        finally:
            for fd in (ready_r, ready_w):
                if fd >= 0:
                    os.close(fd)


def _local_backend(db) -> list[int]:
    """[the pid of the PostgreSQL backend serving this thread's connection] when it runs on this machine, else []
    (SQLite; a server elsewhere)."""
    if not is_postgres(db):
        return []
    pid = db.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
    try:
        with open(f"/proc/{pid}/comm", encoding="utf-8") as comm:
            return [pid] if comm.read().strip().startswith("postgres") else []
    except OSError:
        return []


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
    transaction = _AtSnapshot(db, snapshot)
    _inherited.append(transaction)
    transaction.__enter__()  # left open: the child ends inside it


class _AtSnapshot(contextlib.AbstractContextManager):
    """This thread (or process) connected, in a read transaction at the snapshot (PostgreSQL's exported name;
    None: SQLite's, fixed at entry while the parent holds the write lock)."""

    def __init__(self, db, snapshot: str | None) -> None:
        self.db, self.snapshot = db, snapshot
        self.transaction: Any = None

    def __enter__(self):
        db = self.db
        db.connect()
        self.transaction = db.atomic()
        self.transaction.__enter__()
        if self.snapshot is not None:
            db.execute_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            db.execute_sql("SET TRANSACTION SNAPSHOT %s", (self.snapshot,))
        else:
            db.execute_sql("SELECT count(*) FROM sqlite_master").fetchone()
        return self

    def __exit__(self, kind, exc, tb):
        return self.transaction.__exit__(kind, exc, tb)
