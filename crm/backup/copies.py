"""Backups of the ledger, and restoring one.

`backup(path)` makes a consistent copy while others keep writing:

- SQLite: the online backup API copies every page in one step inside a read
  transaction, so the copy is the ledger as of one moment (WAL lets writers
  go on meanwhile). The copy is a plain single-file SQLite database.
- PostgreSQL: `pg_dump --format=custom`, which reads one snapshot. pg_dump
  comes from PATH or /usr/lib/postgresql/*/bin; the password goes to it in
  the PGPASSWORD environment variable, never on its command line.

Either way the file is created readable by its owner only (0600), written
under a temporary name and renamed into place when complete, so a backup
that was interrupted never looks like a good one.

`restore(path)` refuses a database that already holds any row unless
`force`; it checks first that the file is a ledger backup whose schema this
program knows, restores in one transaction, then applies pending
migrations (a backup made by an older version is upgraded). A SQLite backup
can also be restored into PostgreSQL (rows are copied table by table in one
transaction): that is how a single officer's ledger becomes the bureau's.
"""

import datetime
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from crm.foundation.files import check_output, output_file, regular_input
from crm.foundation.errors import DatabaseError, InvalidInput
from crm.foundation.i18n import _
from db import migrate
from db.connection import describe, is_postgres, writing
from db.models import MODELS, database

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"
COPY_BATCH = 500
HISTORY_TABLE = "schema_migration"


@dataclass
class Result:
    """What a backup or restore did: the file, its size, and the rows per table."""

    path: Path
    kind: str  # "sqlite" | "pg_dump"
    size: int = 0
    rows: dict = field(default_factory=dict)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


# ---- shared -----------------------------------------------------------------

def ledger_counts(db=None) -> dict:
    """Rows per ledger table of the open database (tables that do not exist yet count 0)."""
    db = db or database.obj
    counts = {}
    for model in MODELS:
        table = model._meta.table_name
        if db.table_exists(table):
            counts[table] = db.execute_sql(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
        else:
            counts[table] = 0
    return counts


def backup_kind(path: Path) -> str:
    """'sqlite' or 'pg_dump' from the file's first bytes; InvalidInput for anything else."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        raise InvalidInput(_("There is no backup file {path}").format(path=path)) from None
    except IsADirectoryError:
        raise InvalidInput(_("{path} is a directory, not a backup file").format(path=path)) from None
    except OSError as exc:
        raise InvalidInput(_("Cannot read the backup {path}: {reason}").format(path=path, reason=exc.strerror)) from None
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "pg_dump"
    raise InvalidInput(
        _("{path} is not a backup made by `crm backup` (neither a SQLite database nor a pg_dump archive)").format(
            path=path)
    )


def _target_path(path, force: bool) -> Path:
    target = Path(path).expanduser()
    if target.is_dir():
        target = target / default_backup_name()
    if not target.parent.is_dir():
        raise InvalidInput(_("The folder {path} does not exist").format(path=target.parent))
    return check_output(target, force)


# ---- backup -----------------------------------------------------------------

def backup(path, force: bool = False) -> Result:
    """Write a consistent copy of the open ledger to `path` (mode 0600); never over a database or, without `force`, a file."""
    target = _target_path(path, force)
    with output_file(target, force=force, private=True) as temp:
        if is_postgres():
            _pg_dump(temp)
            kind = "pg_dump"
        else:
            _sqlite_backup(temp)
            kind = "sqlite"
    # Rows as of the snapshot (SQLite: read back from the copy; pg_dump's are not counted).
    rows = _sqlite_counts(target) if kind == "sqlite" else {}
    return Result(target, kind, target.stat().st_size, rows)


def _sqlite_counts(path: Path) -> dict:
    conn = sqlite3.connect(f"file:{_uri_path(path)}?mode=ro", uri=True)
    try:
        return {m._meta.table_name: conn.execute(f'SELECT COUNT(*) FROM "{m._meta.table_name}"').fetchone()[0]
                for m in MODELS}
    finally:
        conn.close()


def _sqlite_backup(temp: Path) -> None:
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


# ---- restore ----------------------------------------------------------------

def restore(path, force: bool = False) -> Result:
    """Replace the open (empty, or with `force` any) ledger by the backup at `path`."""
    source = regular_input(path)
    kind = backup_kind(source)
    db = database.obj
    if kind == "sqlite":
        _check_sqlite_backup(source)
    else:
        if not is_postgres():
            raise InvalidInput(
                _("{path} is a PostgreSQL backup (pg_dump): restore it into a PostgreSQL database (--db postgresql://…)").format(
                    path=source)
            )
        _check_pg_backup(source)
    _refuse_non_empty(db, force)
    if kind == "pg_dump":
        _pg_restore(source)
    elif is_postgres():
        _copy_from_sqlite(source, force)
    else:
        _sqlite_restore(source)
    migrate.upgrade(db)
    return Result(source, kind, source.stat().st_size, ledger_counts())


def _refuse_non_empty(db, force: bool) -> None:
    counts = ledger_counts(db)
    if not is_postgres(db):
        # A file that is not a ledger but holds another program's tables counts as
        # content too: restoring replaces the whole file. (A ledger's own derived
        # tables — totals, search index — follow its rows.)
        tables = db.get_tables()
        if tables and HISTORY_TABLE not in tables:
            counts.update({table: 1 for table in tables})
    if force or not any(counts.values()):
        return
    held = ", ".join(f"{table} {n}" for table, n in counts.items() if n)
    raise InvalidInput(
        _("The database {db} is not empty ({rows}); restoring would replace it: add --force to do so").format(
            db=describe(db), rows=held)
    )


def _check_sqlite_backup(source: Path) -> None:
    try:
        conn = sqlite3.connect(f"file:{_uri_path(source)}?mode=ro", uri=True)
        try:
            check = conn.execute("PRAGMA quick_check").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            names = ([r[0] for r in conn.execute(f'SELECT name FROM "{HISTORY_TABLE}"')]
                     if HISTORY_TABLE in tables else None)
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


def _sqlite_restore(source: Path) -> None:
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


def _copy_from_sqlite(source: Path, force: bool) -> None:
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
                        model.insert_many(rows[start:start + COPY_BATCH], fields=fields).execute()
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
            tool=name)
    )


def _run_tool(argv: list[str], what: str, stdout=None, text_out: bool = False) -> str:
    db = database.obj
    env = pg_environment(db)
    try:
        proc = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL,
                              stdout=stdout if stdout is not None else subprocess.PIPE,
                              stderr=subprocess.PIPE)
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
    return text


def _pg_dump(temp: Path) -> None:
    with open(temp, "wb") as out:
        _run_tool([pg_tool("pg_dump"), "--format=custom", "--no-password"], "pg_dump", stdout=out)


def _check_pg_backup(source: Path) -> None:
    tool = pg_tool("pg_restore")
    try:
        _run_tool([tool, "--list", str(source)], "pg_restore")
    except DatabaseError:
        raise InvalidInput(_("{path} is not a readable pg_dump archive").format(path=source)) from None
    script = _run_tool([tool, "--data-only", f"--table={HISTORY_TABLE}", "--file=-", str(source)], "pg_restore",
                       text_out=True)
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


def _pg_restore(source: Path) -> None:
    db = database.obj
    db.close()  # pg_restore drops and recreates the tables: hold no locks on them
    _run_tool(
        [pg_tool("pg_restore"), "--no-password", "--single-transaction", "--exit-on-error", "--clean", "--if-exists",
         "--no-owner", f"--dbname={db.database}", str(source)],
        "pg_restore",
    )
    db.connect(reuse_if_open=True)


def default_backup_name(now: datetime.datetime | None = None) -> str:
    """A file name for a backup made now: ledger-2020-05-18-0930.backup."""
    now = now or datetime.datetime.now()
    return f"ledger-{now:%Y-%m-%d-%H%M%S}.backup"
