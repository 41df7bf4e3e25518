"""Whether a deal's signing date names its month only (deal.signed_on_month) in deal_weekly_rows: the weekly table
prints such a date as its month (2025-12), and reads the flag with the listed rows' other columns from the index
alone (crm/reporting/weekly_queries.py `_listed_rows`), as migrations 0015 and 0022 made it to be read.
"""

import importlib

from peewee import PostgresqlDatabase

from db import sqlite_schema
from db import supporting_ids as supporting

_WEEKLY = importlib.import_module("db.migrations.0015_weekly_indexes")
#: The index's columns after its key before this migration (0022's) and after it.
BEFORE = (*_WEEKLY.LISTED, supporting.COLUMN)
AFTER = (*BEFORE, "signed_on_month")


def _rebuild(migrator, db, listed) -> None:
    postgres = isinstance(db, PostgresqlDatabase)
    statements = ["DROP INDEX IF EXISTS deal_weekly_rows", _WEEKLY.weekly_rows(postgres, listed)]
    if not postgres and sqlite_schema.has_statistics(db):
        statements.append("ANALYZE deal_weekly_rows")  # the planner's row of the index went with the index dropped
    for sql in statements:
        migrator.migrate(migrator.sql(sql))


def up(migrator, db):
    _rebuild(migrator, db, AFTER)


def down(migrator, db):
    _rebuild(migrator, db, BEFORE)
