"""Schema migrations with playhouse.migrations: numbered scripts in db/migrations/.

`crm init` and every other command call upgrade(), which applies pending
scripts in order. A database that has applied a script this program does not
have was written by a newer version and is refused rather than guessed at.
To add a migration: `python -m playhouse.migrations <db file> generate NAME
db.models:MODELS -d db/migrations` against an up-to-date database, then read
and adjust the script.
"""

import time
from collections.abc import Callable
from pathlib import Path

from peewee import DatabaseError as PeeweeDatabaseError
from peewee import PostgresqlDatabase

from crm.foundation.errors import DatabaseError
from crm.foundation.i18n import _
from db.names import describe

DIRECTORY = Path(__file__).parent / "migrations"
# Key of the PostgreSQL advisory lock held while migrating, so that officers
# starting the program at the same moment upgrade the schema once, in turn.
ADVISORY_LOCK_KEY = 0x7A68_7473  # "zhts"
RACE_ATTEMPTS = 5
HISTORY_TABLE = "schema_migration"  # playhouse.migrations' default
INSUFFICIENT_PRIVILEGE = "42501"  # PostgreSQL SQLSTATE: the role may not create or alter


def runner(db):
    """The migration runner for `db` (playhouse.migrations.Runner)."""
    # Imported only when a migration is looked at closely: playhouse.migrate imports every backend's
    # extensions (PostgreSQL's driver among them), which opening an up-to-date ledger does not need.
    from playhouse.migrations import Runner

    return Runner(db, directory=str(DIRECTORY), table_name=HISTORY_TABLE)


def _refuse_newer(status) -> None:
    unknown = [m.name for m in status if m.path is None]
    if unknown:
        raise DatabaseError(
            _("This database has a newer schema ({names}) than this program knows: upgrade the program").format(
                names=", ".join(unknown)
            )
        )


def _refuse_foreign(db) -> None:
    """Refuse to turn another program's database into a ledger.

    A SQLite file with tables but no migration history table belongs to someone
    else; on PostgreSQL (where a database may hold other applications'
    tables) only tables with the ledger's names and no history are refused.
    """
    from db.models import MODELS

    tables = set(db.get_tables())
    if HISTORY_TABLE in tables:
        return  # a ledger (perhaps being created by another process this very moment)
    if isinstance(db, PostgresqlDatabase):
        clash = sorted(tables & {m._meta.table_name for m in MODELS})
    else:
        clash = sorted(tables)
    if clash:
        raise DatabaseError(
            _(
                "{db} already holds tables ({tables}) but no ledger history: it is not a ledger; nothing was changed"
            ).format(db=describe(db), tables=", ".join(clash[:5]))
        )


def upgrade(db, notice: Callable[[list[str]], object] | None = None) -> list[str]:
    """Apply pending migrations; return their names. Refuses a newer schema. `notice(names)` is told the
    migrations about to run when they upgrade a ledger (not when they create one): on a large ledger they can
    take minutes, and the officer is told not to interrupt. On PostgreSQL it is told under the lock, once the
    migrations are still to run: a process that waited while another upgraded says nothing.

    Safe when several processes open a fresh database at once: on PostgreSQL
    they take turns under an advisory lock; on SQLite each migration is one
    transaction, and a process that loses the race (its migration collides
    with the one just committed) re-reads the history and carries on.
    """
    applied = applied_names(db)
    if applied is not None:
        refuse_unknown(applied)
        if set(applied) == set(known()):
            return []  # the common case, in two cheap queries
    run = runner(db)
    status = run.status()
    _refuse_newer(status)
    if all(m.applied for m in status):
        return []
    if not any(m.applied for m in status):
        _refuse_foreign(db)
        notice = None  # a ledger being created: nothing to upgrade
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql("SELECT pg_advisory_lock(%s)", (ADVISORY_LOCK_KEY,))
        try:
            status = run.status()
            _refuse_newer(status)
            if not all(m.applied for m in status) and not _may_upgrade(db):
                raise _not_this_role(db, status)  # before the notice: this role would only say it upgrades
            _tell(notice, status)
            return run.up()
        except PeeweeDatabaseError as exc:
            if getattr(getattr(exc, "orig", None), "pgcode", None) == INSUFFICIENT_PRIVILEGE:
                raise _not_this_role(db, status) from None
            raise
        finally:
            db.execute_sql("SELECT pg_advisory_unlock(%s)", (ADVISORY_LOCK_KEY,))
    _tell(notice, status)
    for attempt in range(RACE_ATTEMPTS):
        try:
            return run.up()
        except PeeweeDatabaseError:
            status = run.status()
            _refuse_newer(status)
            if all(m.applied for m in status):
                return []  # another process applied them first
            if attempt == RACE_ATTEMPTS - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    return []


def _may_upgrade(db) -> bool:
    """PostgreSQL: whether this role is (a member of) the role owning the ledger's migration history, as the
    one who ran `crm init` is: an officer granted only the rows may not alter the tables."""
    (may,) = db.execute_sql(
        "SELECT pg_has_role(c.relowner, 'USAGE') FROM pg_class c WHERE c.oid = to_regclass(%s)", (HISTORY_TABLE,)
    ).fetchone() or (True,)
    return may is not False


def _not_this_role(db, status) -> DatabaseError:
    """The one-line refusal of a schema this role may not create or upgrade: how many steps and the newest, not
    every migration's name."""
    missing = [m.name for m in status if not m.applied]
    if not any(m.applied for m in status):
        return DatabaseError(
            _(
                "Creating the ledger in {db} needs a role that may create tables, such as the ledger's owner "
                "(e.g. zs_owner): this role may not; nothing was changed"
            ).format(db=describe(db))
        )
    return DatabaseError(
        _(
            "{db} needs a schema upgrade ({n} steps, up to {newest}) which this role may not make: "
            "the ledger's owner runs `crm init` with this version of the program"
        ).format(db=describe(db), n=len(missing), newest=missing[-1] if missing else "?")
    )


def refuse_no_ledger(db, shown: str) -> None:
    """Refuse (DatabaseError, one line) a database that holds no ledger at all, before anything is written to it.

    Only `crm init` (and restore, demo, synthetic) make a ledger; every other command and the TUI are told to run
    it, so that a mistyped database is never filled with an empty schema shown as if it were the real ledger. A
    database with another program's tables is refused as not a ledger (_refuse_foreign). `shown`: the database as
    the message names it (its URL with the password hidden). A ledger with migrations pending is left to upgrade().
    """
    if applied_names(db):
        return
    _refuse_foreign(db)
    raise DatabaseError(
        _("There is no ledger in the database {db}: for a new ledger run `crm init` first").format(db=shown)
    )


def _tell(notice: Callable[[list[str]], object] | None, status) -> None:
    """`notice(names)` of the migrations `status` has still to run, if any and if asked."""
    names = [m.name for m in status if not m.applied]
    if notice is not None and names:
        notice(names)


def pending(db) -> list[str]:
    """Names of migrations not yet applied to `db`."""
    return [m.name for m in runner(db).status() if not m.applied]


def known() -> list[str]:
    """Names of the migrations this program has, in order (a glob of db/migrations/, microseconds).

    The files playhouse.migrations.Migration.load_directory finds: NNNN_name.py, numbered in order.
    """
    return sorted(path.stem for path in DIRECTORY.glob("[0-9]*.py"))


def applied_names(db) -> list[str] | None:
    """Names of the migrations applied to `db`; None when it has no history table yet."""
    if isinstance(db, PostgresqlDatabase):
        exists = db.execute_sql("SELECT to_regclass(%s) IS NOT NULL", (HISTORY_TABLE,)).fetchone()[0]
    else:
        exists = (
            db.execute_sql("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (HISTORY_TABLE,)).fetchone()
            is not None
        )
    if not exists:
        return None
    return [row[0] for row in db.execute_sql(f'SELECT name FROM "{HISTORY_TABLE}"')]


def refuse_unknown(names) -> None:
    """Refuse (DatabaseError) a list of applied migrations that includes ones this program lacks."""
    unknown = sorted(set(names) - set(known()))
    if unknown:
        raise DatabaseError(
            _("This database has a newer schema ({names}) than this program knows: upgrade the program").format(
                names=", ".join(unknown)
            )
        )
