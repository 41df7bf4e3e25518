"""PostgreSQL: the as-of totals of payments and blockers (deal_event_days, migration 0012) counted once however
many officers write to the same deal at once.

Two races, both found by storms of officers writing to a handful of deals, each drifting deal_event_days by a
payment (`kpi --as-of` and the reports by period read it):

- A statement trigger took its deals' contributions as they were and added them as they are by two INSERTs
  (the plan figures' triggers of 0013 too, whose deals and ledgers are only written under the deal's lock:
  made the same way so that no trigger depends on that).
  Under READ COMMITTED each statement reads its own snapshot: a payment another officer committed for the
  same deal between the two was added without being taken away, a second time. Now the two sides are the
  halves of one INSERT … UNION ALL per kept table: a row committed meanwhile is in both halves or in neither.
- A payment recorded while a colleague archived its deal (or changed the day its stage began) was counted by
  the deal as it was before: neither waited for the other, as only a change of the deal's signing year,
  region or stage locked it (FOR UPDATE, migration 0018). Such a change now locks the deal the same way
  (trigger deal_holds_children), and the payments' and blockers' triggers lock their deals FOR KEY SHARE
  before they read them: whichever comes second waits for the first and reads what it wrote.

SQLite: one writer at a time.
"""

import importlib

from peewee import PostgresqlDatabase

_DAYS = importlib.import_module("db.migrations.0012_stage_days")
_PLAN = importlib.import_module("db.migrations.0013_plan_days")

_HOLD = [
    "CREATE FUNCTION crm_deal_holds_children() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "PERFORM 1 FROM deal WHERE id = OLD.id FOR UPDATE; RETURN NULL; END $$",
    "CREATE TRIGGER deal_holds_children AFTER UPDATE OF stage_since, archived_on ON deal FOR EACH ROW "
    "WHEN (OLD.stage_since IS DISTINCT FROM NEW.stage_since OR OLD.archived_on IS DISTINCT FROM NEW.archived_on) "
    "EXECUTE FUNCTION crm_deal_holds_children()",
]
_UNHOLD = [
    "DROP TRIGGER IF EXISTS deal_holds_children ON deal",
    "DROP FUNCTION IF EXISTS crm_deal_holds_children()",
]


def _functions(one_snapshot: bool) -> list[str]:
    functions = [
        (f"crm_days_{table}_{event.lower()}", _DAYS._pg_child_body(table, event, one_snapshot))
        for table in _DAYS._CHILDREN
        for event in _DAYS._REFERENCING
    ]
    functions.append(("crm_days_deal_update", _DAYS._pg_deal_bodies(one_snapshot)["UPDATE"]))
    functions += [
        (f"crm_plan_stage_change_{event.lower()}", _PLAN._pg_entries_body(event, one_snapshot))
        for event in _PLAN._REFERENCING
    ]
    functions.append(("crm_plan_deal_update", _PLAN._pg_deal_bodies(one_snapshot)["UPDATE"]))
    return [
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} RETURN NULL; END $$"
        for name, body in functions
    ]


def up(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        for sql in [*_functions(True), *_HOLD]:
            migrator.migrate(migrator.sql(sql))


def down(migrator, db):
    """Back to 0012's two statements, and no lock for a change of the stage's day or of the archiving."""
    if isinstance(db, PostgresqlDatabase):
        for sql in [*_UNHOLD, *_functions(False)]:
            migrator.migrate(migrator.sql(sql))
