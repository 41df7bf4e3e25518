"""PostgreSQL: kept totals whose triggers stand aside in a transaction that fills them itself (migrations 0016, 0017).

A first import writes tens of thousands of deals in one transaction. Kept deal by deal, the as-of totals'
statement triggers cost a third of the server's time, and the funds' and blockers' row triggers each read and
lock their deal (before migration 0018 with an advisory lock per deal: enough of them filled the server's lock
table). A trigger gated here fires only when its transaction has not set KEPT_LATER to 'on'; the import sets
it with SET LOCAL, fills the kept tables for its own deals and sets it back (crm.importing.aside.KeptDaysLater).
No other session sees the setting, and nothing is locked: dropping or disabling a trigger would lock its table
against every other user until the import ends.
"""

from __future__ import annotations

from peewee import Database, PostgresqlDatabase

#: The setting (SET LOCAL … = 'on') under which the gated triggers stand aside.
KEPT_LATER = "crm.kept_later"
#: The ids of an import's own deals in a fill's condition, from the array parameter %(ids)s.
OWN_IDS = "IN (SELECT unnest(%(ids)s::integer[]))"
#: The WHEN clause a gated trigger has (pg_get_triggerdef writes it back as it is given, parenthesised twice).
WHEN = f"WHEN (current_setting('{KEPT_LATER}', true) IS DISTINCT FROM 'on') "
_TRIGGERS = (
    "SELECT t.tgname, c.relname, pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
    "WHERE NOT t.tgisinternal AND t.tgname ~ %s ORDER BY t.oid"
)


def migrate(migrator, db: Database, names: str, gated: bool) -> None:
    """Migrations 0016, 0017 (up: `gated`, down: not): gate or ungate the PostgreSQL triggers whose names match
    the regular expression `names`. SQLite: nothing (its import drops its row triggers inside its transaction)."""
    if isinstance(db, PostgresqlDatabase):
        for sql in regated(db, names, gated):
            migrator.migrate(migrator.sql(sql))


def regated(db: Database, names: str, gated: bool) -> list[str]:
    """DROP and CREATE of each trigger whose name matches the regular expression `names`, with the gate (`gated`)
    or without it, for a migration to run."""
    statements = []
    for name, table, definition in db.execute_sql(_TRIGGERS, (names,)).fetchall():
        statements += [f'DROP TRIGGER "{name}" ON "{table}"', _gated(definition) if gated else _ungated(definition)]
    return statements


def _gated(definition: str) -> str:
    head, _sep, tail = definition.partition(" EXECUTE FUNCTION ")
    return f"{head} {WHEN}EXECUTE FUNCTION {tail}"


def _ungated(definition: str) -> str:
    head, _sep, tail = definition.partition(" WHEN (")
    return f"{head} EXECUTE FUNCTION {tail.partition(' EXECUTE FUNCTION ')[2]}"
