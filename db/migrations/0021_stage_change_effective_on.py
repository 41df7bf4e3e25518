"""An index on the stage ledger's days (issue 16): the weekly table reads the week's stage entries
(crm/reporting/weekly.py `_week_progress`) as one range of it, where it looked up each deal whose stage began
since Monday in the ledger by deal (some 40,000 look-ups at a million deals: the longest query on the way to the
table's first row). BENCHMARKS.md ("twenty-fourth session") has what it gains and costs.
"""

NAME = "stage_change_effective_on"


def up(migrator, db):
    migrator.migrate(migrator.sql(f"CREATE INDEX {NAME} ON stage_change (effective_on)"))


def down(migrator, db):
    migrator.migrate(migrator.sql(f"DROP INDEX IF EXISTS {NAME}"))
