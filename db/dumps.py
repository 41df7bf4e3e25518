"""Copies of the ledger's database and restoring one: what differs between SQLite and PostgreSQL.

SQLite copies with the online backup API (every page in one step, one read
transaction) and restores the same way; PostgreSQL runs pg_dump/pg_restore
(the password goes to them as PGPASSWORD, never on a command line), and takes
a SQLite backup row by row in one transaction. crm.backup decides what to
copy where; this module does the copying.
"""

import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from crm.foundation.errors import DatabaseError, InvalidInput
from crm.foundation.i18n import _
from db import migrate
from db.connection import server_reason, writing
from db.dialects import dialect_of
from db.models import MODELS, database

PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"
COPY_BATCH = 500
HISTORY_TABLE = "schema_migration"


def dump(temp: Path) -> str:
    """Write a consistent copy of the open ledger to `temp`; its kind, "sqlite" or "pg_dump"."""
    if dialect_of().whole_file:
        sqlite_backup(temp)
        return "sqlite"
    pg_dump(temp)
    return "pg_dump"


def check(source: Path, kind: str) -> None:
    """Refuse a backup this database cannot take, or whose schema this program does not know."""
    if kind == "sqlite":
        check_sqlite_backup(source)
        return
    if dialect_of().whole_file:
        raise InvalidInput(
            _(
                "{path} is a PostgreSQL backup (pg_dump): restore it into a PostgreSQL database (--db postgresql://…)"
            ).format(path=source)
        )
    check_pg_backup(source)


def restore(source: Path, kind: str, force: bool) -> None:
    """Replace the open ledger by the checked backup `source`, in one transaction."""
    if kind == "pg_dump":
        pg_restore(source)
    elif dialect_of().whole_file:
        sqlite_restore(source)
    else:
        copy_from_sqlite(source, force)


def foreign_tables(db) -> dict:
    """Tables of another program in a database file that is not a ledger: restoring would replace them.

    Only a whole-file database (SQLite) is replaced whole; a ledger's own derived
    tables (totals, search index) follow its rows and do not count.
    """
    if not dialect_of(db).whole_file:
        return {}
    tables = db.get_tables()
    return {table: 1 for table in tables} if tables and HISTORY_TABLE not in tables else {}


def sqlite_counts(path: Path) -> dict:
    conn = sqlite3.connect(f"file:{_uri_path(path)}?mode=ro", uri=True)
    try:
        return {
            m._meta.table_name: conn.execute(f'SELECT COUNT(*) FROM "{m._meta.table_name}"').fetchone()[0]
            for m in MODELS
        }
    finally:
        conn.close()


def sqlite_backup(temp: Path) -> None:
    source = database.obj.connection()
    dest = sqlite3.connect(temp)
    try:
        # pages=-1: every page in one step, under one read transaction, so the
        # copy is one moment of the ledger even while others write.
        source.backup(dest, pages=-1)
        dest.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
        check = dest.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise DatabaseError(_("The copy failed its integrity check: {reason}").format(reason=check))
    except sqlite3.Error as exc:
        raise DatabaseError(_("The backup could not be written: {reason}").format(reason=exc)) from None
    finally:
        dest.close()


def check_sqlite_backup(source: Path) -> None:
    try:
        conn = sqlite3.connect(f"file:{_uri_path(source)}?mode=ro", uri=True)
        try:
            check = conn.execute("PRAGMA quick_check").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            names = (
                [r[0] for r in conn.execute(f'SELECT name FROM "{HISTORY_TABLE}"')] if HISTORY_TABLE in tables else None
            )
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise InvalidInput(_("{path} is not a usable backup: {reason}").format(path=source, reason=exc)) from None
    if check != "ok":
        raise InvalidInput(_("{path} is damaged: {reason}").format(path=source, reason=check))
    if names is None or "deal" not in tables:
        raise InvalidInput(_("{path} is a SQLite database but not a ledger backup").format(path=source))
    migrate.refuse_unknown(names)


def _uri_path(path: Path) -> str:
    from urllib.parse import quote

    return quote(str(path.resolve()))


def sqlite_restore(source: Path) -> None:
    db = database.obj
    src = sqlite3.connect(f"file:{_uri_path(source)}?mode=ro", uri=True)
    try:
        # One write transaction on the destination: all pages or none.
        src.backup(db.connection(), pages=-1)
    except sqlite3.Error as exc:
        raise DatabaseError(_("The restore failed; the database is as it was: {reason}").format(reason=exc)) from None
    finally:
        src.close()
    db.execute_sql("PRAGMA journal_mode=wal")


def copy_from_sqlite(source: Path, force: bool) -> None:
    """Copy every row of a SQLite backup into the open (PostgreSQL) database in one transaction."""
    from peewee import SqliteDatabase

    db = database.obj
    migrate.upgrade(db)  # the tables must exist
    with tempfile.TemporaryDirectory(prefix="crm-restore-") as tmp:
        copy = Path(tmp) / "backup.sqlite3"
        shutil.copyfile(source, copy)
        os.chmod(copy, 0o600)
        src = SqliteDatabase(str(copy))
        try:
            migrate.upgrade(src)  # an older backup is brought up to this schema first
            with writing():
                if force:
                    for model in reversed(MODELS):
                        model.delete().execute()
                for model in MODELS:
                    fields = model._meta.sorted_fields
                    with model.bind_ctx(src):
                        rows = list(model.select(*fields).order_by(model._meta.primary_key).tuples())
                    for start in range(0, len(rows), COPY_BATCH):
                        model.insert_many(rows[start : start + COPY_BATCH], fields=fields).execute()
                for model in MODELS:
                    table = model._meta.table_name
                    db.execute_sql(
                        f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                        f'COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM "{table}"'
                    )
        finally:
            src.close()


# ---- PostgreSQL tools ---------------------------------------------------------

_ENV_FOR_PARAM = {
    "host": "PGHOST",
    "port": "PGPORT",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "application_name": "PGAPPNAME",
}


def pg_environment(db=None) -> dict:
    """The environment for pg_dump/pg_restore: connection settings as PG* variables.

    The password travels as PGPASSWORD so it is never visible in a process
    list or on a command line.
    """
    db = db or database.obj
    env = dict(os.environ)
    for param, value in db.connect_params.items():
        var = _ENV_FOR_PARAM.get(param)
        if var and value is not None:
            env[var] = str(value)
    env["PGDATABASE"] = db.database
    return env


def pg_tool(name: str) -> str:
    """The path of pg_dump or pg_restore: PATH first, then the newest /usr/lib/postgresql/N/bin."""
    found = shutil.which(name)
    if found:
        return found

    def version(p: Path) -> int:
        match = re.search(r"/(\d+)/bin$", str(p))
        return int(match.group(1)) if match else 0

    for bin_dir in sorted(Path("/").glob(PG_BIN_GLOB.lstrip("/")), key=version, reverse=True):
        candidate = bin_dir / name
        if os.access(candidate, os.X_OK):
            return str(candidate)
    raise DatabaseError(
        _("{tool} was not found (on PATH or in /usr/lib/postgresql/*/bin): install the PostgreSQL client tools").format(
            tool=name
        )
    )


def _run_tool(argv: list[str], what: str, stdout=None, text_out: bool = False) -> str:
    db = database.obj
    env = pg_environment(db)
    try:
        proc = subprocess.run(
            argv,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=stdout if stdout is not None else subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    except OSError as exc:
        raise DatabaseError(_("{tool} could not be run: {reason}").format(tool=what, reason=exc.strerror)) from None
    if proc.returncode != 0:
        raise DatabaseError(_("{tool} failed: {reason}").format(tool=what, reason=_tool_error(proc.stderr, db)))
    if stdout is None:
        return proc.stdout.decode("utf-8", "replace") if text_out else ""
    return ""


def _tool_error(stderr: bytes, db) -> str:
    """The most telling line of a PostgreSQL tool's stderr, with the password masked."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    telling = [line for line in lines if "error" in line.lower() or "fatal" in line.lower()] or lines or ["?"]
    text = telling[0]
    text = re.sub(r"^(pg_dump|pg_restore): (error: )?", "", text)
    password = db.connect_params.get("password")
    if password:
        text = text.replace(str(password), "***")
    return server_reason(db, text)  # e.g. an officer's restore: the owner role restores


def pg_dump(temp: Path) -> None:
    with open(temp, "wb") as out:
        _run_tool([pg_tool("pg_dump"), "--format=custom", "--no-password"], "pg_dump", stdout=out)


def check_pg_backup(source: Path) -> None:
    tool = pg_tool("pg_restore")
    try:
        _run_tool([tool, "--list", str(source)], "pg_restore")
    except DatabaseError:
        raise InvalidInput(_("{path} is not a readable pg_dump archive").format(path=source)) from None
    script = _run_tool(
        [tool, "--data-only", f"--table={HISTORY_TABLE}", "--file=-", str(source)], "pg_restore", text_out=True
    )
    names, copying = [], False
    for line in script.splitlines():
        if line.startswith("COPY ") and f"{HISTORY_TABLE} " in line:
            copying = True
        elif copying and line == "\\.":
            break
        elif copying:
            parts = line.split("\t")
            if len(parts) >= 2:
                names.append(parts[1])
    if not names:
        raise InvalidInput(_("{path} is a pg_dump archive but not a ledger backup").format(path=source))
    migrate.refuse_unknown(names)


def pg_restore(source: Path) -> None:
    db = database.obj
    db.close()  # pg_restore drops and recreates the tables: hold no locks on them
    _run_tool(
        [
            pg_tool("pg_restore"),
            "--no-password",
            "--single-transaction",
            "--exit-on-error",
            "--clean",
            "--if-exists",
            "--no-owner",
            f"--dbname={db.database}",
            str(source),
        ],
        "pg_restore",
    )
    db.connect(reuse_if_open=True)
