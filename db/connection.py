"""Opening the ledger's database from a URL, and the transactions that write it.

`--db URL` or `CRM_DATABASE_URL` choose the database: a plain path or
`sqlite:///path` for SQLite, `postgresql://user:pass@host/db` for PostgreSQL.
With neither, the ledger is one SQLite file in the user's data directory.
"""

import contextlib
import os
import re
import sqlite3
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import peewee
import platformdirs
from peewee import OperationalError, PostgresqlDatabase, SqliteDatabase

from crm.foundation.errors import ConnectionLost, DatabaseError, from_os_error
from crm.foundation.files import protect
from crm.foundation.i18n import _, current_language
from crm.foundation.text import mask_url, url_secrets
from db import migrate
from db.dialects import quoted
from db.drivers import cancel_statement, load_postgres_driver
from db.models import database
from db.names import describe
from db.server_errors import explain

APP_NAME = "zhaoshang-taizhang"
ENV_URL = "CRM_DATABASE_URL"
BUSY_TIMEOUT_MS = 30_000


def default_path() -> Path:
    """Where the single-user ledger lives when no URL is given."""
    return Path(platformdirs.user_data_dir(APP_NAME)) / "ledger.sqlite3"


def mask_password(url: str) -> str:
    """The URL with every secret in it replaced by ***, fit for errors and logs (crm.foundation.text.mask_url)."""
    return mask_url(url)


def url_password(url: str | None) -> str | None:
    """The password written in `url` (still percent-encoded), if any."""
    found = url_secrets(url)
    return found[0] if found else None


# ---- driver errors as one readable line -------------------------------------

# SQLSTATEs of a PostgreSQL transaction that lost a race (serialization
# failure, deadlock): nothing was written and the same command can be re-run.
TRANSIENT_SQLSTATES = {"40001", "40P01"}
# SQLSTATEs of a server that shut down or dropped the session (admin shutdown, crash, cannot connect).
LOST_SQLSTATES = {"57P01", "57P02", "57P03", "08000", "08003", "08006", "08001", "08004"}
_error_types: dict = {}


def _looks_lost(orig: BaseException) -> bool:
    """True for a driver error that means the server or the link went away (not a refused statement)."""
    text = str(orig)
    return getattr(orig, "pgcode", None) in LOST_SQLSTATES or any(
        phrase in text
        for phrase in (
            "server closed the connection",
            "connection already closed",
            "could not connect to server",
            "Connection refused",
            "terminating connection",
            "no connection to the server",
            "SSL connection has been closed",
            # libpq's words when a (re)connection fails: refused, shutting down, starting up, timed out
            "connection to server at",
            "connection to server on socket",
            "the database system is",
        )
    )


def _ledger_error_type(base: type, transient: bool = False, lost: bool = False) -> type:
    """A subclass of the peewee error `base` that is also the project's DatabaseError.

    Code that catches peewee's IntegrityError or OperationalError still does;
    anything not caught reaches the CLI as one line and exit 2 (3 for a
    transaction that lost a race) instead of a traceback.
    """
    key = (base, transient, lost)
    if key not in _error_types:
        attrs = {"exit_code": 3} if transient else {}
        bases = (base, ConnectionLost) if lost else (base, DatabaseError)
        _error_types[key] = type("Ledger" + base.__name__, bases, attrs)
    return _error_types[key]


def _driver_errors() -> tuple:
    errors = [peewee.PeeweeException, sqlite3.Error]
    psycopg2 = sys.modules.get(
        "psycopg2"
    )  # loaded with the first PostgreSQL ledger (db.drivers), else none of its errors
    if psycopg2 is not None:
        errors.append(psycopg2.Error)
    return tuple(errors)


_DRIVER_ERRORS = _driver_errors()


class _OneLineErrors(peewee.Database):
    _state: Any  # Peewee's per-thread connection state
    """Mixin for the Peewee database classes: driver errors become one masked line."""

    def _translate(self, exc: Exception, statement: str | None = None) -> Exception:
        if isinstance(exc, DatabaseError):
            return exc
        orig = getattr(exc, "orig", exc)
        sqlstate = getattr(orig, "pgcode", None)
        base = type(exc) if isinstance(exc, peewee.PeeweeException) else OperationalError
        if base is peewee.PeeweeException or not issubclass(base, (peewee.DatabaseError, peewee.InterfaceError)):
            base = OperationalError
        reason = _reason(self, exc, None, statement)
        where = describe(self)
        if sqlstate in TRANSIENT_SQLSTATES:
            message = _(
                "Another change to the same records got in first on {db}; nothing was saved: run the command again"
            ).format(db=where)
            new = _ledger_error_type(OperationalError, transient=True)(message)
            new.transient = True
        elif self._connection_lost() or _looks_lost(orig):
            new = self._lost_error()
        elif isinstance(self, SqliteDatabase) and ("locked" in reason or "busy" in reason):
            message = _(
                "The database {db} stayed locked by another program for {seconds} s; nothing was saved: try again"
            ).format(db=where, seconds=BUSY_TIMEOUT_MS // 1000)
            new = _ledger_error_type(OperationalError)(message)
        else:
            message = _("The database {db} refused the operation: {reason}").format(db=where, reason=reason)
            new = _ledger_error_type(base)(message)
        new.orig = orig
        return new

    def _lost_error(self) -> Exception:
        message = _(
            "The connection to {db} was lost; nothing more was saved: try again when the server is back"
        ).format(db=describe(self))
        return _ledger_error_type(OperationalError, lost=True)(message)

    def _lost_inside_transaction(self) -> bool:
        # Connecting afresh here would empty Peewee's transaction stack under the open atomic blocks.
        return bool(self._state.closed) and self.in_transaction()

    def _secrets(self) -> list[str]:
        password = getattr(self, "connect_params", {}).get("password")
        return [password] if password else []

    def _connection_lost(self) -> bool:
        conn = self._state.conn
        return conn is not None and bool(getattr(conn, "closed", 0))  # psycopg2: non-zero once the link is gone

    def _forget_connection(self) -> None:
        # The transaction stack stays for the atomic block to pop; the next statement connects afresh.
        conn, self._state.conn, self._state.closed = self._state.conn, None, True
        with contextlib.suppress(Exception):
            conn.close()

    def _execute_cursor(self, sql, params, **cursor_options):
        if self._lost_inside_transaction():
            raise self._lost_error()  # the transaction went with the link; its blocks unwind to one line
        try:
            return super()._execute_cursor(sql, params, **cursor_options)  # type: ignore[misc]  # Peewee private API
        except _DRIVER_ERRORS as exc:
            lost = self._connection_lost() or _looks_lost(getattr(exc, "orig", exc))
            if lost and not self._state.closed:
                self._forget_connection()
            if lost and not self.in_transaction():
                # Nothing was half done: a statement outside a transaction is sent once more on a new link.
                try:
                    return super()._execute_cursor(sql, params, **cursor_options)  # type: ignore[misc]  # Peewee private API
                except _DRIVER_ERRORS as again:
                    if self._connection_lost():
                        self._forget_connection()
                    raise self._translate(again, sql) from None
            raise self._translate(exc, sql) from None

    def begin(self, *args, **kwargs):
        # BEGIN goes through Peewee's own cursor, not _execute_cursor: a link the server dropped (a restart)
        # shows here first, before anything of the transaction was sent, so it is opened once more on a new link.
        try:
            return super().begin(*args, **kwargs)
        except _DRIVER_ERRORS as exc:
            if not (self._connection_lost() or _looks_lost(getattr(exc, "orig", exc))):
                raise self._translate(exc) from None
            self._forget_connection()
            try:
                return super().begin(*args, **kwargs)
            except _DRIVER_ERRORS as again:
                if self._connection_lost():
                    self._forget_connection()
                raise self._translate(again) from None

    def commit(self):
        if self._lost_inside_transaction():
            raise self._lost_error()
        try:
            return super().commit()
        except _DRIVER_ERRORS as exc:
            raise self._translate(exc) from None

    def rollback(self):
        if self._state.closed:
            return None  # the link went with the server, and the transaction with it
        try:
            return super().rollback()
        except _DRIVER_ERRORS:
            # After a failed COMMIT SQLite has ended the transaction already, and a lost server
            # took it with the connection: nothing is left to undo; the first error is the one to report.
            if self._connection_lost():
                self._forget_connection()
            return None

    def checkpoint(self) -> None:
        """Fold SQLite's -wal file into the ledger file (a no-op elsewhere), so copying the file copies everything."""
        if isinstance(self, SqliteDatabase) and not self.is_closed() and not self.in_transaction():
            with contextlib.suppress(Exception):  # another process reading holds the log: it checkpoints later
                self.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def existing_file_uri(path: str) -> str:
    """SQLite's URI of the ledger file at `path`, opened read-write only if it exists (mode=rw: never created)."""
    return f"file:{quote(str(Path(path).absolute()))}?mode=rw"


class LedgerSqliteDatabase(_OneLineErrors, SqliteDatabase):
    """SQLite with driver errors as one readable line; a connection never creates the file.

    Every (re)connection opens the file with mode=rw: a ledger deleted while
    the program runs is reported, not silently re-created empty.
    """

    def _connect(self):
        path = self.database
        if path == ":memory:":
            return super()._connect()  # type: ignore[misc]  # Peewee private API
        conn = sqlite3.connect(
            existing_file_uri(path),
            uri=True,
            timeout=self._timeout,  # type: ignore[attr-defined]
            isolation_level=None,
            **self.connect_params,
        )
        try:
            self._add_conn_hooks(conn)  # type: ignore[attr-defined]
        except Exception:
            conn.close()
            raise
        return conn


class LedgerPostgresqlDatabase(_OneLineErrors, PostgresqlDatabase):
    """PostgreSQL with driver errors as one readable line, never showing the password; a statement waits while
    another thread sends a COPY's rows on its connection (copy_lock)."""

    def _execute_cursor(self, sql, params, **cursor_options):
        lock = _COPY_LOCKS.get(id(self._state.conn))
        if lock is None:
            return super()._execute_cursor(sql, params, **cursor_options)
        with lock:
            return super()._execute_cursor(sql, params, **cursor_options)

    def _close(self, conn) -> None:
        # its COPY lock goes with it: a later connection at the same address must not find it
        _COPY_LOCKS.pop(id(conn), None)
        super()._close(conn)  # type: ignore[misc]  # peewee.Database._close, absent from its stubs


#: The lock of each PostgreSQL connection a COPY may be sent on from a thread beside the one it belongs to.
_COPY_LOCKS: dict[int, threading.Lock] = {}


def copy_lock(conn) -> threading.Lock:
    """The lock a thread holds while it sends a COPY's rows on the psycopg2 connection `conn` (db.bulk_writes).

    psycopg2 sends the rows outside its connection's own lock: a statement another thread sent on `conn` meanwhile
    would go in the middle of them, and both threads would wait for the server forever. Made before the first
    COPY, it makes every later statement on `conn` through a ledger database wait for the COPY to end; it is let
    go when the database closes `conn`.
    """
    return _COPY_LOCKS.setdefault(id(conn), threading.Lock())


def _create_sqlite_file(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Created here so that it is never readable by others, not even for the moment before a chmod.
        fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
        os.close(fd)
    except FileExistsError:
        pass
    except OSError as exc:
        raise from_os_error(exc, path) from None


def _sqlite(path: Path, create: bool = False) -> LedgerSqliteDatabase:
    path = path.expanduser()
    try:
        is_dir, exists = path.is_dir(), path.exists()
    except OSError as exc:  # a name too long, a loop of links …
        raise from_os_error(exc, path) from None
    if is_dir:
        raise DatabaseError(_("{path} is a directory, not a database file").format(path=path))
    if not exists and path.is_symlink():
        raise DatabaseError(_("{path} is a link to a file that does not exist").format(path=path))
    if not exists and not create:
        raise DatabaseError(
            _("There is no ledger at {path}: check the path, or create one there with `crm --db {path} init`").format(
                path=path
            )
        )
    if not exists:
        _create_sqlite_file(path)
    elif not os.path.isfile(path):
        raise DatabaseError(_("{path} is not a regular file, so it cannot be a ledger").format(path=path))
    protect(path)
    return LedgerSqliteDatabase(
        str(path),
        timeout=BUSY_TIMEOUT_MS / 1000,
        # Peewee keeps a connection per thread; an import also lends its own to a writer thread
        # (crm.importing.bulk.NewDeals.write_behind), which SQLite's serialised mode makes safe.
        check_same_thread=False,
        # journal_mode=wal is set by open_database once the file is known to
        # be a ledger (or new): opening someone else's database changes nothing.
        pragmas={
            "foreign_keys": 1,
            "busy_timeout": BUSY_TIMEOUT_MS,
            "synchronous": "normal",
        },
    )


def _postgres(url: str) -> LedgerPostgresqlDatabase:
    global _DRIVER_ERRORS
    load_postgres_driver()
    _DRIVER_ERRORS = _driver_errors()
    from psycopg2 import ProgrammingError
    from psycopg2.extensions import parse_dsn

    try:
        params = parse_dsn(url)  # libpq's own reading of the URL (percent-decoding, query keywords)
        if not all(p.isdigit() for p in params.get("port", "0").split(",")):
            raise ValueError(params["port"])  # a password's ':' split the URL: libpq would quote the piece
        if "@" in params.get("host", ""):
            raise ValueError(params["host"])  # a password's '@' split the URL: the host would be part of it
    except (ValueError, ProgrammingError):
        # urllib's reason may quote a piece of an unencoded password ("port 'Sekr…'"): give the rule instead.
        raise DatabaseError(
            _(
                "Cannot read the database URL {url}: write postgresql://user:password@host:port/database, "
                "with @ / : ? # in the password percent-encoded (%40 %2F %3A %3F %23)"
            ).format(url=mask_password(url))
        ) from None
    name = params.pop("dbname", None)
    if not name:
        raise DatabaseError(_("The database URL {url} names no database").format(url=mask_password(url)))
    params.setdefault("connect_timeout", 10)
    return LedgerPostgresqlDatabase(name, **params)


_SERVER_SCHEMES = ("postgres", "postgresql")


def _scheme(url: str) -> str:
    return url.split("://", 1)[0].lower() if "://" in url else ""


def names_a_server(url: str | None) -> bool:
    """Whether `url` (or the environment's, when None) is a database server's (PostgreSQL), not a SQLite file."""
    return _scheme(url or os.environ.get(ENV_URL) or "") in _SERVER_SCHEMES


def database_for(url: str | None, create: bool = False) -> LedgerSqliteDatabase | LedgerPostgresqlDatabase:
    """A Peewee database for `url` (or the environment, or the default file), not yet connected.

    A SQLite file that does not exist is created only with `create` (init,
    demo, synthetic) or when it is the default ledger in the data directory;
    otherwise DatabaseError says there is none: a typo never makes an empty ledger.
    """
    url = url or os.environ.get(ENV_URL) or ""
    if not url:
        return _sqlite(default_path(), create=True)
    scheme = _scheme(url)
    if scheme in _SERVER_SCHEMES:
        return _postgres(url)
    if scheme == "sqlite":
        path = re.sub(r"^sqlite:///", "", url, flags=re.I)
        if not path or path == url:
            raise DatabaseError(_("Write a SQLite URL as sqlite:///path/to/ledger.sqlite3, not {url}").format(url=url))
        return _sqlite(Path(path), create)
    if scheme:
        raise DatabaseError(
            _("Unknown database URL {url}: use a file path, sqlite:///path or postgresql://…").format(
                url=mask_password(url)
            )
        )
    return _sqlite(Path(url), create)


def open_database(
    url: str | None = None,
    migrate_schema: bool = True,
    create: bool = True,
    notice: Callable[[list[str]], object] | None = None,
):
    """Bind the models to the database at `url`, connect, and apply pending migrations.

    Raises DatabaseError with one readable line (and no password) when the
    database cannot be opened, is not a database, or is newer than this program.
    `create`: a new ledger may be made here — a SQLite file that does not exist yet, and the schema of a database
    that holds no ledger. Without it (every command but init, demo, synthetic and restore, and the TUI) a database
    with no ledger is refused in one line and left as it was; the default file in the user's data directory is
    always made. A ledger with migrations pending is upgraded either way. `notice`: see migrate.upgrade.
    """
    named = url or os.environ.get(ENV_URL) or ""
    create = create or not named  # the officer's own ledger file: no typo can point there
    db = database_for(url, create)
    shown = mask_password(named) if named else describe(db)
    _connect(db, shown, named)
    if migrate_schema and not create:
        _guarded(db, shown, named, lambda: migrate.refuse_no_ledger(db, shown))  # before WAL writes the file's header
    if isinstance(db, SqliteDatabase):
        tables = db.get_tables()
        if not tables or migrate.HISTORY_TABLE in tables:
            db.execute_sql("PRAGMA journal_mode=wal")  # persistent: readers and writers no longer block each other
    database.initialize(db)
    if migrate_schema:
        _guarded(db, shown, named, lambda: migrate.upgrade(db, notice))
    return db


def _connect(db, shown: str, url: str | None) -> None:
    """Connect `db`; one line naming `shown` (and what to do, where the error is a known one) if it cannot."""
    try:
        db.connect(reuse_if_open=True)
        if isinstance(db, SqliteDatabase):
            # A file that is not SQLite only fails on the first real read.
            db.execute_sql("SELECT count(*) FROM sqlite_master").fetchone()
    except Exception as exc:  # noqa: BLE001 — any driver error becomes one line
        db.close()
        if isinstance(exc, DatabaseError) and not getattr(exc, "orig", None):
            raise
        raise DatabaseError(
            _("Cannot open the database {url}: {reason}").format(url=shown, reason=_reason(db, exc, url))
        ) from None


def _guarded(db, shown: str, url: str | None, step: Callable[[], object]) -> None:
    """Run `step` on the open `db`; on any failure close it, and raise a driver's error as one line."""
    try:
        step()
    except DatabaseError:
        db.close()
        raise
    except peewee.DatabaseError as exc:
        db.close()
        raise DatabaseError(
            _("Cannot open the database {url}: {reason}").format(url=shown, reason=_reason(db, exc, url))
        ) from None


def _reason(db, exc: Exception, url: str | None, statement: str | None = None) -> str:
    """Why the driver refused, in one line: what to do for an error db.server_errors knows (in English followed
    by the driver's own words, for support), else the driver's first line; never a password."""
    orig = getattr(exc, "orig", None) or exc
    return server_reason(db, _clean(orig, url, db._secrets()), str(orig), statement, url)


def server_reason(db, said: str, full: str | None = None, statement: str | None = None, url: str | None = None) -> str:
    """`said`, a PostgreSQL error line (the driver's, or pg_dump's and pg_restore's) with its passwords masked, as
    an officer reads it: what to do, for the errors db.server_errors knows — in English followed by `said`, for
    support — else `said` itself. `full`: the whole error text, where more than the line tells (libpq's host)."""
    if not isinstance(db, PostgresqlDatabase):
        return said
    explained = explain(full or said, db.connect_params, statement)
    if explained is None:
        return said
    explained = _masked(explained, url, [str(db.connect_params.get("password") or "")])
    return f"{explained} ({said})" if current_language() == "en" else explained


def _clean(exc: Exception, url: str | None, secrets: list[str] | tuple[()] = ()) -> str:
    """The first line of a driver error, with any password in it masked."""
    return _masked((str(exc).strip().splitlines() or [type(exc).__name__])[0], url, secrets)


def _masked(text: str, url: str | None, secrets: list[str] | tuple[()] = ()) -> str:
    """`text` with every password of `url` and `secrets` (and any long piece of one) replaced by ***."""
    hidden = [s for s in secrets if s]
    for secret in url_secrets(url):
        hidden += [secret, unquote(secret)]
    # Pieces too: a driver may quote part of a password that split the URL in the wrong place.
    hidden += [piece for secret in list(hidden) for piece in re.split(r"[/?#@:]", secret) if len(piece) >= 4]
    for secret in sorted(set(hidden), key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def close_database(db=None) -> None:
    """Checkpoint (SQLite: the -wal file folded into the ledger) and close the open database; never raises."""
    db = db or database.obj
    if db is None:
        return
    with contextlib.suppress(Exception):
        db.checkpoint()
    with contextlib.suppress(Exception):
        db.close()


def interrupt(connection) -> None:
    """Stop the statement a driver connection is running (called from another thread); a no-op when idle."""
    if isinstance(connection, sqlite3.Connection):
        connection.interrupt()
    else:
        # a server that went away has nothing left to cancel (the statement fails with ConnectionLost)
        with contextlib.suppress(*_DRIVER_ERRORS):
            cancel_statement(connection)  # not connection.cancel(): it holds the GIL while a frozen server is silent


def was_interrupted(exc: BaseException) -> bool:
    """True when `exc` is a statement stopped by interrupt()."""
    orig = getattr(exc, "orig", exc)
    if isinstance(orig, sqlite3.OperationalError):
        return "interrupted" in str(orig)
    return getattr(orig, "pgcode", None) == "57014"  # query_canceled


def as_ledger_error(exc: Exception) -> Exception:
    """`exc`, raised by the driver outside the database's own calls, as the one-line error those raise."""
    db = database.obj
    return db._translate(exc) if isinstance(db, _OneLineErrors) else exc


def is_postgres(db=None) -> bool:
    """True when the models are bound to PostgreSQL."""
    return isinstance(db or database.obj, PostgresqlDatabase)


#: The name every write transaction on PostgreSQL holds first: shared by all, alone by `writing(alone=True)`.
WRITERS = "ledger writers"


@contextlib.contextmanager
def writing(alone: bool = False):
    """A write transaction that takes the write lock up front.

    On SQLite a deferred transaction that reads and then writes can fail with
    "database is locked" without waiting; BEGIN IMMEDIATE waits its turn under
    the busy timeout instead. PostgreSQL rows are locked with SELECT … FOR
    UPDATE by the callers that need it (see lock_for_update); every write
    transaction first holds WRITERS shared, and `alone` holds it alone: the
    writes running finish first and the later ones wait until this one ends,
    as on SQLite (an import and its revert, which know their rows by ids).
    Taken before any other lock, it closes no cycle: a writer never holds a
    row or a name the one alone needs while it waits for it.
    """
    db = database.obj
    if isinstance(db, SqliteDatabase) and not db.in_transaction():
        with db.atomic("IMMEDIATE") as txn:
            yield txn
        return
    opening = not db.in_transaction()
    with db.atomic() as txn:
        if opening or alone:
            hold_name(WRITERS, shared=not alone)
        yield txn


def hold_name(name: str, shared: bool = False) -> None:
    """Hold a lock on `name` until the transaction ends, where the backend needs one (PostgreSQL).

    For work that reads and then writes what no row lock covers, e.g. handing
    out the next deal code of a year: a second writer waits for the first to
    commit, then reads what it wrote, instead of taking the same code and
    failing at the unique index. `shared`: holders of the shared lock do not
    wait for one another, only for (and then hold up) the one holding it alone.
    SQLite already holds the database's write lock.
    """
    db = database.obj
    if is_postgres(db) and db.in_transaction():
        how = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
        db.execute_sql(f"SELECT {how}(hashtext(%s))", (name,))


def hold_tables(models) -> None:
    """Keep the others from writing to the tables of `models` until this transaction ends; reads go on.

    For work that knows the rows it added by their ids (an import, reverted by the ids between the marks
    it took before and after): no one else's row may take an id in between, and no one may change a row it
    read and means to keep as read. PostgreSQL: LOCK TABLE … IN EXCLUSIVE MODE, which waits for the writes
    already running and holds up the later ones (a SELECT never), a write outside `writing()` too. SQLite
    already holds the database's write lock. Take it first in a `writing(alone=True)` transaction: the writes
    in `writing()` have ended by then, and a table lock taken after other locks is a deadlock waiting to happen.
    """
    db = database.obj
    if is_postgres(db) and db.in_transaction():
        db.execute_sql(f"LOCK TABLE {', '.join(quoted(m._meta.table_name) for m in models)} IN EXCLUSIVE MODE")


def lock_for_update(query):
    """Lock the selected rows until the transaction ends, where the backend has row locks.

    PostgreSQL: FOR NO KEY UPDATE — a second editor of the same row waits for
    the first to commit (then sees its version), while appends that merely
    reference the row (a stage change, funds, a blocker on the deal) are not
    held up: ids never change. SQLite already holds the database's write lock.
    """
    return query.for_update("FOR NO KEY UPDATE") if is_postgres() else query
