"""PostgreSQL: a payment or blocker reads its deal's key by a statement after the deal's row lock, not with it.

Migration 0018 had the funds' and blockers' triggers read the deal `SELECT … FOR KEY SHARE`. When the deal was
being moved to another key (its stage, region or signing year changed, its row held FOR UPDATE), the lock
waited for the move to commit, then gave back the row as it was when the wait began: the key the deal had
left. A blocker resolved while a colleague moved its deal was taken out of the old key, which the move had
already emptied of it, and the open blockers of both stages drifted by one (a recording is safe: its foreign
key's check waits first, and the trigger's own statement comes after). Now the trigger locks the deal with one
statement and reads its key with the next, whose snapshot sees the move done. SQLite: nothing (one writer).
"""

import importlib

_ROW_LOCKS = importlib.import_module("db.migrations.0018_postgres_totals_row_locks")


def up(migrator, db):
    _ROW_LOCKS.replace(db, True, migrator, reread=True)


def down(migrator, db):
    """Back to 0018's read with the lock."""
    _ROW_LOCKS.replace(db, True, migrator)
