"""PostgreSQL: funds, blockers and the deal that moves them take turns by the deal's row lock, not an advisory lock.

Migration 0007 kept a deal's funds and blockers under the deal's key (year, region, stage) and ordered a
payment or blocker being counted against the deal being moved to another key (or deleted) by an advisory lock
per deal, held to the transaction's end. Advisory locks live in the server's shared lock table (about 6,400
by default): a transaction that deleted, moved or recorded for more deals than that, such as `crm import
revert` of a 100,000-row import, failed with "out of shared memory" and wrote nothing.

Row locks are kept in the rows themselves, so their number is unbounded. The funds' and blockers' triggers
now read their deal's key FOR KEY SHARE (what the foreign key's check already holds); a deal's move locks its
row FOR UPDATE, and its delete holds that lock already. Those two modes conflict, so whichever comes second
waits and sees what the first wrote, as before; an edit that changes no key holds FOR NO KEY UPDATE, which
conflicts with neither: payments and blockers still go in while an officer edits the deal. SQLite: nothing
(one writer at a time).
"""

import importlib

from peewee import PostgresqlDatabase

_PER_COHORT = importlib.import_module("db.migrations.0007_postgres_funds_blockers_per_cohort")


def replace(db, row_locks: bool, migrator, reread: bool = False) -> None:
    """Put the funds', blockers' and deal's trigger functions of 0007 in place as `functions(row_locks, reread)`
    writes them (PostgreSQL; nothing on SQLite)."""
    if isinstance(db, PostgresqlDatabase):
        for sql in _PER_COHORT.functions(row_locks, reread):
            migrator.migrate(migrator.sql(sql.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)))


def up(migrator, db):
    replace(db, True, migrator)


def down(migrator, db):
    """Back to 0007's advisory locks."""
    replace(db, False, migrator)
