"""Opening the ledger's database from a URL, and the transactions that write it.

`--db URL` or `CRM_DATABASE_URL` choose the database: a plain path or
`sqlite:///path` for SQLite, `postgresql://user:pass@host/db` for PostgreSQL.
With neither, the ledger is one SQLite file in the user's data directory.
"""

import contextlib
import os
import re
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import platformdirs
from peewee import OperationalError, PostgresqlDatabase, SqliteDatabase
from playhouse.db_url import parse as parse_url

from crm.errors import DatabaseError
from crm.i18n import _
from db import migrate
from db.models import database

APP_NAME = "zhaoshang-taizhang"
ENV_URL = "CRM_DATABASE_URL"
BUSY_TIMEOUT_MS = 30_000


def default_path() -> Path:
    """Where the single-user ledger lives when no URL is given."""
    return Path(platformdirs.user_data_dir(APP_NAME)) / "ledger.sqlite3"


def mask_password(url: str) -> str:
    """The URL with any password replaced by ***, fit for errors and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = netloc[0].split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[1]}"))


def _sqlite(path: Path) -> SqliteDatabase:
    path = path.expanduser()
    if path.is_dir():
        raise DatabaseError(_("{path} is a directory, not a database file").format(path=path))
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # Create the file ourselves so that it is never readable by others,
        # not even for the moment before a chmod.
        fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
        os.close(fd)
    return SqliteDatabase(
        str(path),
        timeout=BUSY_TIMEOUT_MS / 1000,
        pragmas={
            "journal_mode": "wal",
            "foreign_keys": 1,
            "busy_timeout": BUSY_TIMEOUT_MS,
            "synchronous": "normal",
        },
    )


def _postgres(url: str) -> PostgresqlDatabase:
    params = parse_url(url, unquote_password=True, unquote_user=True)
    name = params.pop("database", None)
    if not name:
        raise DatabaseError(_("The database URL {url} names no database").format(url=mask_password(url)))
    params.setdefault("connect_timeout", 10)
    return PostgresqlDatabase(name, **params)


def database_for(url: str | None) -> SqliteDatabase | PostgresqlDatabase:
    """A Peewee database for `url` (or the environment, or the default file), not yet connected."""
    url = url or os.environ.get(ENV_URL) or ""
    if not url:
        return _sqlite(default_path())
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme in ("postgres", "postgresql"):
        return _postgres(url)
    if scheme == "sqlite":
        path = re.sub(r"^sqlite:///", "", url, flags=re.I)
        if not path or path == url:
            raise DatabaseError(_("Write a SQLite URL as sqlite:///path/to/ledger.sqlite3, not {url}").format(url=url))
        return _sqlite(Path(path))
    if scheme:
        raise DatabaseError(
            _("Unknown database URL {url}: use a file path, sqlite:///path or postgresql://…").format(
                url=mask_password(url)
            )
        )
    return _sqlite(Path(url))


def describe(db) -> str:
    """A human name for the open database, never showing a password."""
    if isinstance(db, PostgresqlDatabase):
        host = db.connect_params.get("host", "localhost")
        port = db.connect_params.get("port", 5432)
        return f"postgresql://{host}:{port}/{db.database}"
    return str(db.database)


def open_database(url: str | None = None, migrate_schema: bool = True):
    """Bind the models to the database at `url`, connect, and apply pending migrations.

    Raises DatabaseError with one readable line (and no password) when the
    database cannot be opened, is not a database, or is newer than this program.
    """
    db = database_for(url)
    shown = mask_password(url) if url else describe(db)
    try:
        db.connect(reuse_if_open=True)
        if isinstance(db, SqliteDatabase):
            # A file that is not SQLite only fails on the first real read.
            db.execute_sql("SELECT count(*) FROM sqlite_master").fetchone()
    except Exception as exc:  # noqa: BLE001 — any driver error becomes one line
        db.close()
        raise DatabaseError(
            _("Cannot open the database {url}: {reason}").format(url=shown, reason=_clean(exc, url))
        ) from None
    database.initialize(db)
    if migrate_schema:
        try:
            migrate.upgrade(db)
        except DatabaseError:
            db.close()
            raise
        except OperationalError as exc:
            db.close()
            raise DatabaseError(
                _("Cannot open the database {url}: {reason}").format(url=shown, reason=_clean(exc, url))
            ) from None
    return db


def _clean(exc: Exception, url: str | None) -> str:
    """The first line of a driver error, with any password in it masked."""
    text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    if url:
        password = urlsplit(url).password if "://" in url else None
        if password:
            text = text.replace(password, "***")
    return text


def is_postgres(db=None) -> bool:
    """True when the models are bound to PostgreSQL."""
    return isinstance(db or database.obj, PostgresqlDatabase)


@contextlib.contextmanager
def writing():
    """A write transaction that takes the write lock up front.

    On SQLite a deferred transaction that reads and then writes can fail with
    "database is locked" without waiting; BEGIN IMMEDIATE waits its turn under
    the busy timeout instead. PostgreSQL rows are locked with SELECT … FOR
    UPDATE by the callers that need it (see lock_for_update).
    """
    db = database.obj
    if isinstance(db, SqliteDatabase) and not db.in_transaction():
        with db.atomic("IMMEDIATE") as txn:
            yield txn
    else:
        with db.atomic() as txn:
            yield txn


def lock_for_update(query):
    """Add FOR UPDATE where the backend has row locks (SQLite already holds the write lock)."""
    return query.for_update() if is_postgres() else query
