"""Schema migrations with playhouse.migrations: numbered scripts in db/migrations/.

`crm init` and every other command call upgrade(), which applies pending
scripts in order. A database that has applied a script this program does not
have was written by a newer version and is refused rather than guessed at.
To add a migration: `python -m playhouse.migrations <db file> generate NAME
db.models:MODELS -d db/migrations` against an up-to-date database, then read
and adjust the script.
"""

from pathlib import Path

from playhouse.migrations import Runner

from crm.errors import DatabaseError
from crm.i18n import _

DIRECTORY = Path(__file__).parent / "migrations"


def runner(db) -> Runner:
    """The migration runner for `db`."""
    return Runner(db, directory=str(DIRECTORY))


def upgrade(db) -> list[str]:
    """Apply pending migrations; return their names. Refuses a newer schema."""
    run = runner(db)
    status = run.status()
    unknown = [m.name for m in status if m.path is None]
    if unknown:
        raise DatabaseError(
            _("This database has a newer schema ({names}) than this program knows: upgrade the program").format(
                names=", ".join(unknown)
            )
        )
    if all(m.applied for m in status):
        return []
    return run.up()


def pending(db) -> list[str]:
    """Names of migrations not yet applied to `db`."""
    return [m.name for m in runner(db).status() if not m.applied]
