"""Long readings of the ledger: every query of one reading sees the same moment, and on PostgreSQL a query's
rows are fetched ahead, a batch at a time, by a reader thread while the caller works on the batch before.

`one_snapshot()` is one read transaction on the caller's connection: SQLite (WAL) fixes its snapshot at the
transaction's first read, PostgreSQL at its first statement under REPEATABLE READ; a write another connection
commits meanwhile is seen by none of the reading's queries. `batches_ahead()` reads on that same connection,
so its rows are of the same snapshot. On PostgreSQL its reader thread waits for the server's next batch (libpq
releases the GIL for the whole round trip; psycopg2's connections are thread-safe) while the caller works. On
SQLite the rows are fetched in the caller's thread: sqlite3 releases the GIL for each row's step, so a reader
thread beside a busy caller waits for the GIL at every row, and the two take turns a batch at a time at a
higher cost than one thread (BENCHMARKS.md, ninth session).
"""

from __future__ import annotations

import contextlib
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterator
from typing import Any

from db.connection import is_postgres
from db.models import database
from db.streaming import BATCH, batches, sql_of

_END = object()
_stream_names = iter(range(1, 1 << 62))


@contextlib.contextmanager
def one_snapshot() -> Iterator[None]:
    """Run the block's queries in one read transaction (see the module's docstring); inside a transaction
    already, that one. Nothing may be written in the block on PostgreSQL's side that another writer could
    have changed (it would fail as a serialization error); the weekly table only reads."""
    db = database.obj
    if db.in_transaction():
        yield
        return
    with db.atomic():
        if is_postgres(db):
            db.execute_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def batches_ahead(
    query,
    batch: int = BATCH,
    ahead: int = 2,
    follow: Callable[[list[tuple]], Any] | None = None,
    threaded: bool | None = None,
) -> Iterator:
    """The rows of a Peewee query in lists of at most `batch` tuples, as db.streaming.batches gives them; on
    PostgreSQL inside a transaction, fetched by a reader thread on the caller's connection up to `ahead`
    batches before they are asked for (see the module's docstring; `threaded` True or False forces either way).

    `follow(rows)`: a second Peewee query for each batch (say, the rows its ids point to), whose rows are
    fetched too, right after the batch: each item is then (batch, its follow-up's rows), and the caller's
    thread needs the connection for neither while a reader thread steps through it.

    Driver errors are raised in the caller as the database's one-line errors. Closing the iterator early (or an
    error in the caller) stops the thread and waits for it, so the connection is the caller's alone again. On
    PostgreSQL outside a transaction, where a server-side cursor needs one of its own, the rows are fetched by
    db.streaming.batches in the caller's thread.
    """
    db = database.obj
    conn = db.connection()
    postgres = not isinstance(conn, sqlite3.Connection)
    if not (postgres if threaded is None else threaded) or (postgres and not db.in_transaction()):
        for found in batches(query, batch):
            yield found if follow is None else (found, db.execute(follow(found)).fetchall())
        return
    sql, params = sql_of(query)
    rows: queue.Queue = queue.Queue(maxsize=ahead)
    stop = threading.Event()
    fetch = _server_side if postgres else _sqlite
    reader = threading.Thread(
        target=_read, args=(fetch, conn, sql, params, batch, follow, rows, stop), name="crm-db-reader", daemon=True
    )
    reader.start()
    try:
        while (item := rows.get()) is not _END:
            if isinstance(item, BaseException):
                raise db._translate(item) if _from_driver(item) else item
            yield item
    finally:
        stop.set()
        with contextlib.suppress(queue.Empty):
            while True:
                rows.get_nowait()  # a reader blocked on a full queue sees `stop`
        reader.join()


def _from_driver(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.Error) or type(exc).__module__.startswith("psycopg2")


def _read(fetch, conn, sql: str, params, batch: int, follow, rows: queue.Queue, stop: threading.Event) -> None:
    """The reader thread: `fetch`'s batches (with their follow-ups) into `rows`, then _END (or the error that
    stopped it)."""
    try:
        for found in fetch(conn, sql, params, batch):
            item = found if follow is None else (found, _all(conn, *sql_of(follow(found))))
            if not _put(rows, item, stop):
                return
    except BaseException as exc:  # noqa: BLE001 — handed to the caller, which raises it
        _put(rows, exc, stop)
        return
    _put(rows, _END, stop)


def _all(conn, sql: str, params) -> list[tuple]:
    """Every row of `sql` on the driver connection `conn`."""
    cursor = conn.cursor()
    try:
        cursor.execute(sql, params)
        return cursor.fetchall()
    finally:
        cursor.close()


def _put(rows: queue.Queue, item, stop: threading.Event) -> bool:
    """Put `item` once there is room; False when the caller stopped reading meanwhile."""
    while not stop.is_set():
        try:
            rows.put(item, timeout=0.05)
            return True
        except queue.Full:
            continue
    return False


def _sqlite(conn: sqlite3.Connection, sql: str, params, batch: int) -> Iterator[list[tuple]]:
    cursor = conn.cursor()
    try:
        cursor.execute(sql, params)
        while found := cursor.fetchmany(batch):
            yield found
    finally:
        cursor.close()


def _server_side(conn, sql: str, params, batch: int) -> Iterator[list[tuple]]:
    # a named cursor: the server sends `batch` rows per round trip, within the caller's transaction (held:
    # psycopg2 names no other under autocommit, which Peewee sets)
    cursor = conn.cursor(name=f"crm_ahead_{next(_stream_names)}", withhold=True)
    try:
        cursor.execute(sql, params)
        while found := cursor.fetchmany(batch):
            yield found
    finally:
        if not conn.closed:
            with contextlib.suppress(Exception):  # a failed statement leaves nothing to close
                cursor.close()
