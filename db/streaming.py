"""Reading a query's rows a batch at a time, whatever the number of rows.

SQLite's cursor already steps through the result as it is fetched. psycopg2's
ordinary cursor reads the whole result into the client first, so PostgreSQL
gets a named (server-side) cursor that sends `batch` rows per round trip.
Either way the client holds one batch, so an export of a million deals needs
no more memory than one of a thousand.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator

from db.models import database

BATCH = 2000
_names = itertools.count(1)


def sql_of(query) -> tuple[str, list]:
    """The SQL text and parameters Peewee sends for `query` on the bound database."""
    return database.get_sql_context().sql(query).query()


def stream(query, batch: int = BATCH) -> Iterator[tuple]:
    """The rows of a Peewee query as the driver returns them (tuples), `batch` at a time."""
    for rows in batches(query, batch):
        yield from rows


def batches(query, batch: int = BATCH, raw_text: bool = False) -> Iterator[list[tuple]]:
    """The rows of a Peewee query in lists of at most `batch` tuples, as the driver returns them.

    A writer that hands a whole list to C code (csv.writer.writerows, str.join)
    costs nothing per row in Python. A PostgreSQL cursor reads inside a transaction (one is begun when none is open), where
    the server sends rows as it finds them.

    `raw_text`: on SQLite, text values come as the UTF-8 bytes the file holds, not decoded (a writer
    of bytes then needs no decoding and encoding again); the caller must not query the connection
    until the iteration ends. PostgreSQL's rows are as always.
    """
    db = database.obj
    sql, params = sql_of(query)
    conn = db.connection()
    if isinstance(conn, sqlite3.Connection):
        cursor = db.execute_sql(sql, params)
        previous = conn.text_factory
        if raw_text:
            conn.text_factory = bytes  # read as each row is fetched
        try:
            while rows := cursor.fetchmany(batch):
                yield rows
        except sqlite3.Error as exc:
            raise db._translate(exc) from exc
        finally:
            conn.text_factory = previous
            cursor.close()
        return
    yield from _server_side(db, conn, sql, params, batch)


def _server_side(db, conn, sql: str, params, batch: int) -> Iterator[list[tuple]]:
    import psycopg2  # only reached on a PostgreSQL ledger, where the driver is loaded anyway

    if not db.in_transaction():
        # A held cursor (psycopg2 names no other under autocommit) declared outside a transaction is computed
        # whole before its first row is sent; inside one, rows are sent as they are found.
        with db.atomic():
            yield from _server_side(db, conn, sql, params, batch)
        return
    cursor = conn.cursor(name=f"crm_stream_{next(_names)}", withhold=True)
    cursor.itersize = batch
    try:
        try:
            cursor.execute(sql, params)
            while rows := cursor.fetchmany(batch):
                yield rows
        except psycopg2.Error as exc:
            raise db._translate(exc) from exc
    finally:
        if not conn.closed:
            try:
                cursor.close()
            except psycopg2.Error:  # a cancelled statement leaves nothing to close
                pass
