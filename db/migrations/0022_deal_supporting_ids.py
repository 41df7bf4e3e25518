"""Each deal's supporting departments kept on its row (issue 16): deal.supporting_ids, filled from deal_department
and kept by triggers (db/supporting_ids.py), and read by the weekly table with the deal's other columns through
deal_weekly_rows, made again with it. Before, the table read deal_department for the whole cohort before its
first row. BENCHMARKS.md ("twenty-fifth session") has what it gains and costs.
"""

import importlib

from peewee import PostgresqlDatabase

from db import sqlite_schema
from db import supporting_ids as supporting
from db.kept_later import KEPT_LATER

_WEEKLY = importlib.import_module("db.migrations.0015_weekly_indexes")


def up(migrator, db):
    postgres = isinstance(db, PostgresqlDatabase)
    statements = [f"ALTER TABLE deal ADD COLUMN {supporting.COLUMN} TEXT NOT NULL DEFAULT ''"]
    # the fill changes no column a kept total counts: the totals' UPDATE triggers stand aside for it
    fill = [f"SET LOCAL {KEPT_LATER} = 'on'", supporting.fill(True), f"SET LOCAL {KEPT_LATER} = 'off'"]
    statements += fill if postgres else [supporting.fill(False)]
    statements += [
        "DROP INDEX IF EXISTS deal_weekly_rows",
        _WEEKLY.weekly_rows(postgres, [*_WEEKLY.LISTED, supporting.COLUMN]),
        *supporting.triggers(postgres),
    ]
    if not postgres and sqlite_schema.has_statistics(db):
        statements.append("ANALYZE deal_weekly_rows")  # the planner's row of the index went with the index dropped
    for sql in statements:
        migrator.migrate(migrator.sql(sql))


def down(migrator, db):
    postgres = isinstance(db, PostgresqlDatabase)
    statements = [
        *supporting.drop_triggers(postgres),
        "DROP INDEX IF EXISTS deal_weekly_rows",
        _WEEKLY.weekly_rows(postgres),
        f"ALTER TABLE deal DROP COLUMN {supporting.COLUMN}",
    ]
    for sql in statements:
        migrator.migrate(migrator.sql(sql))
