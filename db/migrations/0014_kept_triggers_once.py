"""The SQLite row triggers of 0012 and 0013 hand their deal to one view, whose triggers hold the statements once.

Every SQLite connection parses the whole schema when it first reads it; the 31 row triggers of 0012 and 0013
held about 300 KB of SQL. What they keep and when is unchanged (db/kept_triggers.py, db/stage_days.py), so the
kept tables are not refilled. PostgreSQL: nothing changes (its statement triggers are compiled when they fire).
"""

from peewee import PostgresqlDatabase

from db import kept_totals, kept_triggers

#: The row triggers 0012 and 0013 created.
_FORMER = [
    "deal_stage_days_insert",
    "deal_stage_days_update",
    "deal_event_days_update",
    "deal_stage_days_delete",
    "deal_plan_days_insert",
    "deal_plan_days_update",
    "deal_plan_days_delete",
    *(
        f"{t}_days_{e}_{w}"
        for t in ("stage_change", "funds_arrived", "blocker")
        for e in ("insert", "update", "delete")
        for w in ("before", "after")
    ),
    *(f"stage_change_plan_{e}_{w}" for e in ("insert", "update", "delete") for w in ("before", "after")),
]


def up(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        return
    statements = [f"DROP TRIGGER IF EXISTS {name}" for name in (*_FORMER, *kept_triggers.names())]
    statements += kept_triggers.view_statements(voids=False) + kept_triggers.row_triggers()
    for sql in statements:
        migrator.migrate(migrator.sql(sql))
    kept_totals.forget(db)


def down(migrator, db):
    """The same triggers with the statements inside each, as 0012 and 0013 had them."""
    if isinstance(db, PostgresqlDatabase):
        return
    statements = [f"DROP TRIGGER IF EXISTS {name}" for name in kept_triggers.names()]
    statements += [f"DROP VIEW IF EXISTS {kept_triggers.VIEW}", *kept_triggers.row_triggers(inline=True, voids=False)]
    for sql in statements:
        migrator.migrate(migrator.sql(sql))
    kept_totals.forget(db)
