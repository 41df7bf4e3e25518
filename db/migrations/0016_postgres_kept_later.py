"""PostgreSQL: the triggers keeping the as-of totals (0012, 0013) stand aside in a transaction that says it fills them.

A bureau's first import into a PostgreSQL ledger spent a third of the server's time in these statement
triggers: each batch of new deals, and then their ledger entries, removed and re-added each deal's share.
SQLite's import drops its row triggers inside the import's transaction and fills the kept tables from the rows
instead (crm.importing.aside); on PostgreSQL dropping or disabling a trigger would lock the tables against
every other user until the import ends. Each trigger now fires only when its transaction has not set
`crm.kept_later` (db.stage_days.KEPT_LATER) to 'on': the import sets it with SET LOCAL, fills the kept tables
for its own deals, and sets it back, all in its transaction (other sessions never see it). SQLite: nothing
changes.
"""

from peewee import PostgresqlDatabase

from db.stage_days import KEPT_LATER

#: The WHEN clause each trigger gets (pg_get_triggerdef writes it back as it is given, parenthesised twice).
_WHEN = f"WHEN (current_setting('{KEPT_LATER}', true) IS DISTINCT FROM 'on') "
_TRIGGERS = (
    "SELECT t.tgname, c.relname, pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
    "WHERE NOT t.tgisinternal AND t.tgname ~ '^crm_(days|plan)_' ORDER BY t.oid"
)


def _redefined(db, change) -> list[str]:
    """DROP and CREATE of each kept-totals trigger, its definition changed by `change`."""
    statements = []
    for name, table, definition in db.execute_sql(_TRIGGERS).fetchall():
        statements += [f'DROP TRIGGER "{name}" ON "{table}"', change(definition)]
    return statements


def _gated(definition: str) -> str:
    head, _sep, tail = definition.partition(" EXECUTE FUNCTION ")
    return f"{head} {_WHEN}EXECUTE FUNCTION {tail}"


def _ungated(definition: str) -> str:
    head, _sep, tail = definition.partition(" WHEN (")
    return f"{head} EXECUTE FUNCTION {tail.partition(' EXECUTE FUNCTION ')[2]}"


def up(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        for sql in _redefined(db, _gated):
            migrator.migrate(migrator.sql(sql))


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        for sql in _redefined(db, _ungated):
            migrator.migrate(migrator.sql(sql))
