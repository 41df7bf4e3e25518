"""PostgreSQL: each statement trigger of the as-of totals (migration 0012) reads what it takes away and what it
adds in one statement per kept table, so in one snapshot.

A payment's trigger took from deal_event_days its deal's contributions as they were before the statement and
added them as they are, by two INSERTs. Under READ COMMITTED each statement reads its own snapshot: a payment
another officer committed for the same deal between the two was added without being taken away, counted a
second time beside its own trigger's count (four officers recording payments for one deal drifted every
time). The same held for blockers, ledger entries, and a deal's change of its stage's date or its archiving
(which move no key, so take no lock that would order them). Now the two sides are the two halves of one
INSERT … UNION ALL: a row committed meanwhile is in both halves or in neither. SQLite: one writer at a time.
"""

import importlib

from peewee import PostgresqlDatabase

_DAYS = importlib.import_module("db.migrations.0012_stage_days")


def _functions(one_snapshot: bool) -> list[str]:
    functions = [
        (f"crm_days_{table}_{event.lower()}", _DAYS._pg_child_body(table, event, one_snapshot))
        for table in _DAYS._CHILDREN
        for event in _DAYS._REFERENCING
    ]
    bodies = _DAYS._pg_deal_bodies(one_snapshot)
    functions.append(("crm_days_deal_update", bodies["UPDATE"]))
    return [
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} RETURN NULL; END $$"
        for name, body in functions
    ]


def _replace(migrator, db, one_snapshot: bool) -> None:
    if isinstance(db, PostgresqlDatabase):
        for sql in _functions(one_snapshot):
            migrator.migrate(migrator.sql(sql))


def up(migrator, db):
    _replace(migrator, db, True)


def down(migrator, db):
    """Back to 0012's two statements."""
    _replace(migrator, db, False)
