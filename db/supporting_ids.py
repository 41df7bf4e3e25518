"""Each deal's supporting departments kept on its own row (deal.supporting_ids, migration 0022).

The weekly table shows every listed deal's supporting departments (配合单位). Read from deal_department for a
million deals, they were the longest reading before the table's first row; kept as a column of deal, they come
with the deal's other columns through the index deal_weekly_rows. The invariant: supporting_ids holds the ids of
the deal's deal_department rows, ascending, joined by commas ("3,12,40"; "" for none). Triggers on
deal_department keep it. A writer that gives a new deal its list with its row (the import, the sample ledgers:
`ids_text`) spares them the work: the triggers skip a department the list already holds. No field of db.models
declares the column: no save() of a deal read before its departments changed can put the old list back, and the
program runs on a ledger before this migration as far as it goes (migration tests step down and write).

SQLite: row triggers (one writer at a time). PostgreSQL: statement triggers, which lock the deals they rewrite
(in id order, as migration 0020's triggers lock theirs) before reading their departments: two officers changing
one deal's departments at once take turns, and the second reads what the first committed.

A first import, which gives each of its deals its list, sets the insert trigger aside as it does the kept totals'
(crm.importing.aside): SQLite drops it inside the import's transaction, PostgreSQL's is gated (db/kept_later.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from peewee import Column, TextField

from db.kept_later import WHEN as NOT_LATER
from db.models import Deal

COLUMN = "supporting_ids"
#: The column in a query of deals.
READ = Column(Deal, COLUMN)
#: The column as a field of no model, for a new deal's writer to give it beside the model's fields (crm.importing).
FIELD = TextField(column_name=COLUMN, default="")
INSERT_TRIGGER = "deal_supporting_insert"
_TRIGGERS = (INSERT_TRIGGER, "deal_supporting_delete", "deal_supporting_update")
_PG_FUNCTIONS = ("crm_supporting_insert", "crm_supporting_delete", "crm_supporting_update")


def ids_text(department_ids: Iterable[int]) -> str:
    """The supporting_ids value of a deal whose supporting departments have the ids `department_ids`."""
    return ",".join(map(str, sorted(set(department_ids))))


def _listed(deal: str, postgres: bool) -> str:
    """SQL: the supporting_ids value of the deal whose id is the expression `deal`, from its departments' rows."""
    if postgres:
        return (
            "COALESCE((SELECT string_agg(department_id::text, ',' ORDER BY department_id) "
            f"FROM deal_department WHERE deal_id = {deal}), '')"
        )
    # SQLite before 3.44 has no ORDER BY inside an aggregate: group_concat takes the rows in the subquery's order
    return (
        "COALESCE((SELECT group_concat(department_id, ',') FROM (SELECT department_id FROM deal_department "
        f"WHERE deal_id = {deal} ORDER BY department_id)), '')"
    )


def _holds(department: str, postgres: bool) -> str:
    """SQL: true when the deal row `d` lists the department whose id is the expression `department`."""
    needle, haystack = f"',' || {department} || ','", f"',' || d.{COLUMN} || ','"
    return f"position({needle} IN {haystack}) > 0" if postgres else f"instr({haystack}, {needle}) > 0"


def fill(postgres: bool) -> str:
    """The statement that sets every deal's supporting_ids from deal_department (a migration's)."""
    if postgres:
        return (
            f"UPDATE deal SET {COLUMN} = s.listed FROM (SELECT deal_id, string_agg(department_id::text, "
            "',' ORDER BY department_id) AS listed FROM deal_department GROUP BY deal_id) s "
            f"WHERE deal.id = s.deal_id AND deal.{COLUMN} IS DISTINCT FROM s.listed"
        )
    return (
        f"UPDATE deal SET {COLUMN} = {_listed('deal.id', False)} "
        f"WHERE id IN (SELECT deal_id FROM deal_department) OR {COLUMN} <> ''"
    )


def triggers(postgres: bool) -> list[str]:
    """The statements that create the triggers keeping supporting_ids."""
    return _pg_triggers() if postgres else _sqlite_triggers()


def drop_triggers(postgres: bool) -> list[str]:
    """The statements that drop them."""
    if postgres:
        return [f"DROP TRIGGER IF EXISTS {t} ON deal_department" for t in _TRIGGERS] + [
            f"DROP FUNCTION IF EXISTS {f}()" for f in _PG_FUNCTIONS
        ]
    return [f"DROP TRIGGER IF EXISTS {t}" for t in _TRIGGERS]


def _sqlite_triggers() -> list[str]:
    def rewrite(record: str) -> str:
        return f"UPDATE deal SET {COLUMN} = {_listed(f'{record}.deal_id', False)} WHERE id = {record}.deal_id;"

    lists_it = (
        f"(SELECT {_holds('new.department_id', False)} FROM deal d WHERE d.id = new.deal_id)"  # NULL: no such deal
    )
    return [
        f"CREATE TRIGGER {_TRIGGERS[0]} AFTER INSERT ON deal_department WHEN {lists_it} IS NOT 1 "
        f"BEGIN {rewrite('new')} END",
        f"CREATE TRIGGER {_TRIGGERS[1]} AFTER DELETE ON deal_department BEGIN {rewrite('old')} END",
        f"CREATE TRIGGER {_TRIGGERS[2]} AFTER UPDATE OF deal_id, department_id ON deal_department "
        f"BEGIN {rewrite('old')} {rewrite('new')} END",
    ]


def _pg_rewrite(stale: str) -> str:
    """PL/pgSQL: lock the deals whose ids the query `stale` selects, in id order, then rewrite their lists (a new
    statement: under READ COMMITTED it reads what a colleague committed while this waited for the lock)."""
    return (
        f"PERFORM 1 FROM deal WHERE id IN ({stale}) ORDER BY id FOR NO KEY UPDATE; "
        f"UPDATE deal SET {COLUMN} = {_listed('deal.id', True)} WHERE id IN ({stale});"
    )


def _pg_triggers() -> list[str]:
    # a new department a deal's row already lists (the import's, the sample ledgers') needs nothing
    added = f"SELECT a.deal_id FROM added a JOIN deal d ON d.id = a.deal_id WHERE NOT {_holds('a.department_id', True)}"
    removed = "SELECT deal_id FROM removed"
    bodies = {
        "insert": ("REFERENCING NEW TABLE AS added", "INSERT", _pg_rewrite(added), NOT_LATER),
        "delete": ("REFERENCING OLD TABLE AS removed", "DELETE", _pg_rewrite(removed), ""),
        "update": (
            "REFERENCING OLD TABLE AS removed NEW TABLE AS added",
            "UPDATE",
            _pg_rewrite(f"{removed} UNION SELECT deal_id FROM added"),
            "",
        ),
    }
    statements = []
    for (kind, (referencing, event, body, gate)), trigger in zip(bodies.items(), _TRIGGERS):
        function = f"crm_supporting_{kind}"
        statements += [
            f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} RETURN NULL; END $$",
            f"CREATE TRIGGER {trigger} AFTER {event} ON deal_department {referencing} FOR EACH STATEMENT "
            f"{gate}EXECUTE FUNCTION {function}()",
        ]
    return statements
