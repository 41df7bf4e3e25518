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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from crm.foundation.errors import InvalidInput
from crm.foundation.files import check_output, output_file, regular_input
from crm.foundation.i18n import N_, _, list_sep
from db import dumps, migrate
from db.connection import describe
from db.models import MODELS, database

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


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

#: What the rows of each ledger table are, as a backup's or a restore's summary names them.
TABLE_LABELS = {
    "department": N_("departments"),
    "person": N_("people"),
    "event": N_("events"),
    "fx_rate": N_("exchange rates"),
    "deal": N_("deals"),
    "deal_department": N_("supporting departments"),
    "stage_change": N_("stage changes"),
    "blocker": N_("blockers"),
    "funds_arrived": N_("funds arrivals"),
    "progress": N_("progress entries"),
    "investment_plan": N_("investment plans"),
    "investment_done": N_("completed investments"),
    "tag": N_("tags"),
    "deal_tag": N_("deal tags"),
    "audit_entry": N_("audit entries"),
    "import_record": N_("imports"),
    "import_mapping": N_("import column mappings"),
}


def rows_summary(rows: dict) -> str:
    """The tables that hold rows, each with its count, in the reader's language: 部门 12、人员 5 (departments 12,
    people 5); "" when none does. A table the ledger does not know (another program's) keeps its own name."""
    named = ((_(TABLE_LABELS[table]) if table in TABLE_LABELS else table, n) for table, n in rows.items() if n)
    return list_sep().join(f"{label} {n}" for label, n in named)


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
        raise InvalidInput(
            _("Cannot read the backup {path}: {reason}").format(path=path, reason=exc.strerror)
        ) from None
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "pg_dump"
    raise InvalidInput(
        _("{path} is not a backup made by `crm backup` (neither a SQLite database nor a pg_dump archive)").format(
            path=path
        )
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
        kind = dumps.dump(temp)
    # Rows as of the snapshot (SQLite: read back from the copy; pg_dump's are not counted).
    rows = dumps.sqlite_counts(target) if kind == "sqlite" else {}
    return Result(target, kind, target.stat().st_size, rows)


# ---- restore ----------------------------------------------------------------


def restore(path, force: bool = False, notice: Callable[[list[str]], object] | None = None) -> Result:
    """Replace the open (empty, or with `force` any) ledger by the backup at `path`; a backup of an earlier version
    is then upgraded (`notice`: see db.migrate.upgrade)."""
    source = regular_input(path)
    kind = backup_kind(source)
    db = database.obj
    dumps.check(source, kind)
    _refuse_non_empty(db, force)
    dumps.restore(source, kind, force)
    migrate.upgrade(db, notice)
    return Result(source, kind, source.stat().st_size, ledger_counts())


def _refuse_non_empty(db, force: bool) -> None:
    counts = {**ledger_counts(db), **dumps.foreign_tables(db)}
    if force or not any(counts.values()):
        return
    held = rows_summary(counts)
    raise InvalidInput(
        _("The database {db} is not empty ({rows}); restoring would replace it: add --force to do so").format(
            db=describe(db), rows=held
        )
    )


def default_backup_name(now: datetime.datetime | None = None) -> str:
    """A file name for a backup made now: ledger-2020-05-18-0930.backup."""
    now = now or datetime.datetime.now()
    return f"ledger-{now:%Y-%m-%d-%H%M%S}.backup"
