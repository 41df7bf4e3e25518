"""PostgreSQL: index-only counts and totals, and the deals with no value in a nullable sort column.

1. Covering indexes that also hold the id. The counts and totals count ids
   (COUNT(id)); SQLite's indexes all end with the rowid, PostgreSQL's do not,
   so without the id a "covering" index still visited every row of the table.
   The covering indexes of 0002 and 0003 are re-created on PostgreSQL with
   INCLUDE (id), and the search columns get one too (counting the deals a
   common search word matches reads the index, not the table).
2. The list shows deals with no signing date (or no exchange rate) after the
   others, as a segment ordered by id (crm/listing/pages.py). SQLite's index on
   the column serves `column IS NULL ORDER BY id` directly; PostgreSQL does not
   treat IS NULL as an equality when ordering and walked the whole primary key
   (a third of a second for "jump to end" at a million deals): partial indexes.

SQLite needs none of this.
"""

from peewee import PostgresqlDatabase

# name → (table, columns, included); replaces the same-named index of 0002/0003
COVERING = {
    "deal_stage_currency_amount_amount_cny_amount_approximate_fx_rate_id": (
        "deal",
        "stage, currency, amount, amount_cny, amount_approximate, fx_rate_id",
        "id",
    ),
    "deal_region_stage_amount_cny_amount_approximate": ("deal", "region, stage, amount_cny, amount_approximate", "id"),
    "deal_signed_on_totals": (
        "deal",
        "signed_on, stage, currency, amount, amount_cny, amount_approximate, fx_rate_id, region",
        "id",
    ),
    "blocker_resolved_on_due_on_deal_id": ("blocker", "resolved_on, due_on, deal_id", "id"),
    "blocker_deal_id_resolved_on_due_on": ("blocker", "deal_id, resolved_on, due_on", "id"),
    "funds_arrived_deal_id_amount_cny_fx_rate_id": ("funds_arrived", "deal_id, amount_cny, fx_rate_id", "id"),
}
NEW = {
    "deal_search_totals": "CREATE INDEX deal_search_totals ON deal (search_text) INCLUDE (pinyin_initials, amount_cny, amount_approximate, id)",
    "deal_unsigned": "CREATE INDEX deal_unsigned ON deal (id) WHERE signed_on IS NULL",
    "deal_unconverted": "CREATE INDEX deal_unconverted ON deal (id) WHERE amount_cny IS NULL",
}


def up(migrator, db):
    if not isinstance(db, PostgresqlDatabase):
        return
    for name, (table, columns, included) in COVERING.items():
        migrator.migrate(migrator.sql(f"DROP INDEX IF EXISTS {name}"))
        migrator.migrate(migrator.sql(f"CREATE INDEX {name} ON {table} ({columns}) INCLUDE ({included})"))
    for sql in NEW.values():
        migrator.migrate(migrator.sql(sql))


def down(migrator, db):
    if not isinstance(db, PostgresqlDatabase):
        return
    for name in NEW:
        migrator.migrate(migrator.sql(f"DROP INDEX IF EXISTS {name}"))
    for name, (table, columns, _included) in COVERING.items():
        migrator.migrate(migrator.sql(f"DROP INDEX IF EXISTS {name}"))
        migrator.migrate(migrator.sql(f"CREATE INDEX {name} ON {table} ({columns})"))
