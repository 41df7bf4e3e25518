"""Indexes for the weekly table (crm/reporting/weekly_queries.py) at a million deals (issue 16).

1. deal_weekly_rows: every column the listed rows' SELECT reads (`_listed_rows`), led by its order (signing
   date, code). The SELECT reads the deals in that order through the index alone, instead of reaching from
   deal_signed_on into the deal table's wide rows (notes, search text) one deal at a time and sorting the codes
   of each day. PostgreSQL: the order's columns as the key, the others INCLUDEd (an index-only scan).
2. blocker_raised_on: the week's blockers raised or resolved (`_week_blockers`) are then two index ranges
   (with blocker_resolved_on) instead of a pass over every blocker.
3. funds_arrived_arrived_on: the week's funds (`_week_progress`) without a pass over every arrival.

BENCHMARKS.md ("tenth session") has what they gain and cost.
"""

from peewee import PostgresqlDatabase

#: The listed rows' columns other than the index's key (signed_on, code); SQLite appends the rowid (the id).
LISTED = (
    "stage_since",
    "stage",
    "name",
    "investor",
    "region",
    "industry",
    "sub_industry",
    "amount",
    "currency",
    "amount_approximate",
    "amount_cny",
    "fx_rate_id",
    "event_id",
    "lead_unit_id",
    "liaison_id",
    "archived_on",
)

#: name → (table, columns)
DAYS = {
    "blocker_raised_on": ("blocker", "raised_on"),
    "funds_arrived_arrived_on": ("funds_arrived", "arrived_on"),
}


def weekly_rows(postgres: bool, listed=LISTED) -> str:
    """CREATE INDEX deal_weekly_rows, its columns after the key `listed` (migration 0022 adds one)."""
    if postgres:
        return f"CREATE INDEX deal_weekly_rows ON deal (signed_on, code) INCLUDE (id, {', '.join(listed)})"
    return f"CREATE INDEX deal_weekly_rows ON deal (signed_on, code, {', '.join(listed)})"


def _statements(postgres: bool) -> list[str]:
    return [
        weekly_rows(postgres),
        *(f"CREATE INDEX {name} ON {table} ({column})" for name, (table, column) in DAYS.items()),
    ]


def up(migrator, db):
    for sql in _statements(isinstance(db, PostgresqlDatabase)):
        migrator.migrate(migrator.sql(sql))


def down(migrator, db):
    for name in ("deal_weekly_rows", *DAYS):
        migrator.migrate(migrator.sql(f"DROP INDEX IF EXISTS {name}"))
