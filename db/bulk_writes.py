"""Writing a transaction's rows from a second thread: the statements run there, and the ids the rows take.

A bulk import checks rows in one thread while another writes the batches
already checked, on the same connection and in the same transaction
(crm.importing.bulk.NewDeals.write_behind). The writing thread must not
read rows back, so the ids of the rows it writes are given to the rows
ahead of time. How each backend does both differs, here:

- SQLite: the statements run on the connection as they are (SQLite
  serialises the two threads' calls); ids are counted on from the largest
  one, which the transaction's write lock keeps ours until it ends.
- PostgreSQL: the statements run under a savepoint the first list makes,
  so that a failed one leaves the transaction usable for the error to be
  reported (an aborted transaction would refuse the checking thread's next
  read instead); ids are taken from the table's sequence on a connection of
  their own (a sequence is not transactional: the values are ours at
  once, and the checking thread never waits for the writer to ask); the
  rows of a multi-row INSERT go by COPY (CopyRows): the server neither
  parses thirty thousand values a batch, nor does the client quote them.
"""

from __future__ import annotations

import contextlib
import datetime
import decimal
import io
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import peewee

from db.connection import as_ledger_error, copy_lock
from db.dialects import dialect_of

#: The savepoint each list of statements runs under on PostgreSQL.
_SAVEPOINT = "crm_written_behind"
#: Peewee's log of what it runs, and its translation of a driver's errors into its own (untyped in its stubs).
_LOG = logging.getLogger("peewee")
_AS_PEEWEE_ERRORS = peewee.__exception_wrapper__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class CopyRows:
    """In place of a multi-row INSERT's text on PostgreSQL: `sql` is its `COPY table (columns) FROM STDIN`; the
    statement's parameters are the rows' values one after another, `width` to a row (crm.importing.inserts)."""

    sql: str
    width: int

    def payload(self, values: list) -> str:
        """The rows in COPY's text format: a value's text (NULL as \\N, backslash, tab, newline and carriage
        return escaped), tabs between the values of a row, a newline after each. Raises TypeError for a value
        of a type the import never writes."""
        cells = list(map(_copy_text, values))
        width = self.width
        return "".join("\t".join(cells[at : at + width]) + "\n" for at in range(0, len(cells), width))


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
#: Each type's text as PostgreSQL's input reads it back as the same value (a text's escapes are COPY's).
_COPY_TEXT: dict[type, Callable[[Any], str]] = {
    str: lambda v: v.translate(_COPY_ESCAPES),
    int: str,
    bool: lambda v: "t" if v else "f",
    type(None): lambda v: "\\N",
    decimal.Decimal: str,
    datetime.date: datetime.date.isoformat,
    datetime.datetime: lambda v: v.isoformat(" "),
}


def _copy_text(value: Any) -> str:
    convert = _COPY_TEXT.get(type(value))
    if convert is None:
        raise TypeError(f"no COPY text for a value of type {type(value).__name__}")
    return convert(value)


def statements_runner(db: peewee.Database) -> Callable[[list], None]:
    """A function running a list of (sql, parameters) on this thread's connection of `db`, from any thread.

    Call it from one thread at a time. A statement that fails raises its
    driver error as peewee's; on PostgreSQL what the lists wrote is undone
    and the transaction goes on, on SQLite the statements before it stay.
    PostgreSQL: one savepoint, made by the first list and kept to the
    transaction's end. A savepoint per list would be a subtransaction per
    batch, and past 64 of them in one transaction other sessions' snapshots
    check the import's rows the slow way (pg_subtrans) while it runs.
    """
    connection = db.connection()
    if dialect_of(db).in_process:

        def run_sqlite(statements: list) -> None:
            for sql, params in statements:
                _LOG.debug((sql, params))  # as peewee logs what it runs
                with _AS_PEEWEE_ERRORS:
                    connection.execute(sql, params)

        return run_sqlite

    made: list[str] = []  # the savepoint, once made
    copying = copy_lock(connection)  # here, in the connection's own thread, before any COPY

    def run_postgres(statements: list) -> None:
        with connection.cursor() as cursor:
            if not made:
                cursor.execute(f"SAVEPOINT {_SAVEPOINT}")
                made.append(_SAVEPOINT)
            try:
                for sql, params in statements:
                    _LOG.debug((sql, params))
                    with _AS_PEEWEE_ERRORS:
                        if isinstance(sql, CopyRows):
                            with copying:
                                cursor.copy_expert(sql.sql, io.StringIO(params))  # its payload (Ahead.bind)
                        else:
                            cursor.execute(sql, params or None)  # None: a '%' in the text is not a placeholder
            except BaseException:
                cursor.execute(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}")
                raise

    return run_postgres


class Ahead:
    """What the checking thread readies for the writing thread: the ids its rows take, and its statements bound.

    `take(model, count)` gives `count` new ids of `model`'s table, in
    increasing order; `bind(statements)` gives the statements as the writer
    runs them; `recount()` after rows were written by other means than with
    these ids (SQLite counts on from the largest id again); `close()` at the end.
    """

    def __init__(self, db: peewee.Database):
        self.db = db
        self._next: dict = {}  # SQLite: model -> the id the next row takes
        self._side: Any = None  # PostgreSQL: the connection the sequences are read and statements bound on

    def take(self, model, count: int) -> list[int]:
        """`count` ids for new rows of `model` (none of them taken by anyone else, now or later)."""
        table = model._meta.table_name
        if dialect_of(self.db).in_process:
            if model not in self._next:
                self._next[model] = self.db.execute_sql(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"').fetchone()[0]
            start = self._next[model]
            self._next[model] = start + count
            return list(range(start, start + count))
        with self._cursor() as cursor:
            column = model._meta.primary_key.column_name
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", (table, column, count)
            )
            return sorted(ident for (ident,) in cursor.fetchall())

    def bind(self, statements: list) -> list:
        """`statements` ((sql, parameters)) as the writing thread runs them. PostgreSQL: with their parameters in
        their text, as the driver would put them there (psycopg2 binds on the client), here: the writer waits for
        the server, the checking thread mostly for the rows, and binding ~30 values a deal was a fifth of the
        writer's time; a CopyRows' values become its payload. SQLite binds in the library, without the GIL: as
        they are."""
        if dialect_of(self.db).in_process:
            return statements
        with self._cursor() as cursor:
            return [
                (sql, sql.payload(params)) if isinstance(sql, CopyRows) else (cursor.mogrify(sql, params or None), None)
                for sql, params in statements
            ]

    @contextlib.contextmanager
    def _cursor(self) -> Iterator[Any]:
        """A cursor of PostgreSQL's side connection (a connection of its own, not this thread's: the writer uses
        that one meanwhile), opened at first use. A driver's error (the server gone, say) is raised as the
        ledger's one-line error, as the import's own connection raises it."""
        try:
            with _AS_PEEWEE_ERRORS:
                if self._side is None:
                    self._side = self.db._connect()  # type: ignore[attr-defined]  # Peewee private API
                    self._side.autocommit = True
                with self._side.cursor() as cursor:
                    yield cursor
        except peewee.PeeweeException as exc:
            raise as_ledger_error(exc) from None

    def recount(self) -> None:
        """Rows were written meanwhile by other means: SQLite counts its ids afresh (PostgreSQL's are taken)."""
        self._next.clear()

    def close(self) -> None:
        """Let go of PostgreSQL's side connection."""
        if self._side is not None:
            self._side.close()
            self._side = None
