"""The ledger a command names (--db, else the environment or the user's data file), opened for it."""

from cli.notices import upgrading
from db.connection import open_database


def open_ledger(args, create: bool = False):
    """Open (and migrate, saying so first: cli.notices.upgrading) the database the command names. `create`: a
    SQLite file that does not exist yet is made (demo, synthetic); every other command refuses a missing file."""
    return open_database(getattr(args, "db", None), create=create, notice=upgrading)
