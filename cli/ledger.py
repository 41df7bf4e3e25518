"""The ledger a command names (--db, else the environment or the user's data file), opened for it."""

from cli.notices import upgrading
from db.connection import open_database


def open_ledger(args, create: bool = False):
    """Open (and migrate, saying so first: cli.notices.upgrading) the database the command names. `create`: a new
    ledger may be made there — the SQLite file and the schema (demo, synthetic); every other command refuses a
    database that holds no ledger in one line (db.migrate.refuse_no_ledger), creating nothing."""
    return open_database(getattr(args, "db", None), create=create, notice=upgrading)
