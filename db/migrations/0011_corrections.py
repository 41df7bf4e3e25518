"""Mistakes corrected, never erased (issue #14): archived deals, voided funds, completed investment and rates.

- deal.archived_on / archive_note: an archived deal leaves lists, searches,
  KPIs and reports (crm.listing.filters) but keeps every row; restoring it
  clears the date.
- funds_arrived, investment_done: voided_at / voided_by / void_note mark a
  voided entry; its amounts move to voided_amount / voided_amount_cny and the
  summed columns become 0, so every sum, trigger and kept total leaves it out.
- fx_rate: voided_at / voided_by / void_note; a voided rate converts nothing.

No trigger of 0002/0005–0007 names these columns, so adding them fires nothing.
"""

from peewee import PostgresqlDatabase

# Plain ALTER TABLE … ADD COLUMN: peewee's SQLite migrator adds a NOT NULL column
# by rebuilding the table, which breaks the triggers of 0002 that name it.
_VOID_COLUMNS = (
    ("voided_at", "TIMESTAMP", "DATETIME", "NULL"),
    ("voided_by", "VARCHAR(100)", "VARCHAR(100)", "NOT NULL DEFAULT ''"),
    ("void_note", "TEXT", "TEXT", "NOT NULL DEFAULT ''"),
)
_MOVED_AMOUNTS = (
    ("voided_amount", "BIGINT", "INTEGER", "NULL"),
    ("voided_amount_cny", "BIGINT", "INTEGER", "NULL"),
)


def _columns():
    yield "deal", ("archived_on", "DATE", "DATE", "NULL")
    yield "deal", ("archive_note", "TEXT", "TEXT", "NOT NULL DEFAULT ''")
    for table in ("funds_arrived", "investment_done", "fx_rate"):
        for column in _VOID_COLUMNS:
            yield table, column
    for table in ("funds_arrived", "investment_done"):
        for column in _MOVED_AMOUNTS:
            yield table, column


def up(migrator, db):
    postgres = isinstance(db, PostgresqlDatabase)
    for table, (name, pg_type, sqlite_type, rest) in _columns():
        kind = pg_type if postgres else sqlite_type
        migrator.migrate(migrator.sql(f'ALTER TABLE "{table}" ADD COLUMN "{name}" {kind} {rest}'))
    migrator.migrate(migrator.add_index("deal", ["archived_on"], name="deal_archived_on"))


def down(migrator, db):
    migrator.migrate(migrator.drop_index("deal", "deal_archived_on"))
    for table, (name, *_rest) in reversed(list(_columns())):
        migrator.migrate(migrator.sql(f'ALTER TABLE "{table}" DROP COLUMN "{name}"'))
