"""A blocker voided as entered by mistake stays, marked, as voided funds, investment and rates do (migration 0011):
blocker.voided_at / voided_by / void_note.

Before, crm.deals.corrections.void_blocker deleted the row and kept the blocker as JSON in an audit entry on its
deal (field "voided_blocker"), and SQLite could give the deleted blocker's number to a later one.

- Kept totals: a blocker that becomes voided leaves every one exactly as if it were deleted, and one inserted
  voided adds nothing. SQLite: blocker_totals' triggers (0002) watch voided_at too and count only blockers not
  voided, as the deal's triggers that move or give back its blockers do; the events trigger of the view
  kept_days_change (0014) reads only those. PostgreSQL: crm_blocker_totals (0007, 0019) fires on voided_at too and
  counts a voided blocker as nothing, crm_deal_moves_totals moves only those not voided, and the as-of triggers'
  functions (0012, 0020) read only those. The statements are the earlier migrations' with `voids=True`.
- A void mark is never removed or changed: a trigger refuses it on both backends.
- The two covering indexes on blockers (0002, 0004) leave voided ones out (WHERE voided_at IS NULL): every count
  of blockers has that condition, and still reads the index alone.
- Each legacy void (a deal's "voided_blocker" entry) becomes its blocker row again, marked voided with the entry's
  actor, time and note; the entry goes (the row holds all it held). A number a later blocker has taken gets a new
  one, and the voided blocker's own entries (up to its "voided" entry) follow it. A department renamed since is
  found by its renaming entry; one gone since is made again by its name.

down() turns voided blockers back into entries on their deals and deletes their rows, then puts back the
triggers and indexes as they were.
"""

import importlib
import json
from typing import Any

from peewee import PostgresqlDatabase, Table

from db import kept_later, kept_totals, kept_triggers, sqlite_schema
from db import stage_days as sd

_SCALE = importlib.import_module("db.migrations.0002_scale_indexes")
_COVERING = importlib.import_module("db.migrations.0004_postgres_covering")
_PER_COHORT = importlib.import_module("db.migrations.0007_postgres_funds_blockers_per_cohort")
_CORRECTIONS = importlib.import_module("db.migrations.0011_corrections")
_DAYS = importlib.import_module("db.migrations.0012_stage_days")

#: The field of the deal's audit entry that kept a voided blocker as JSON before this migration.
VOIDED_FIELD = "voided_blocker"
_MARKS = ("voided_at", "voided_by", "void_note")
#: The SQLite triggers of 0002 that count blockers in blocker_totals.
_SQLITE_COUNTING = (
    "blocker_totals_insert",
    "blocker_totals_update",
    "blocker_totals_updated",
    "blocker_totals_delete",
    "deal_totals_stage",
    "deal_totals_before_delete",
)
_EVENTS_VIEW_TRIGGER = f"{kept_triggers.VIEW}_events"
#: The covering indexes on blockers (0002; 0004 on PostgreSQL) by name, and their columns.
_INDEXES = {
    "blocker_resolved_on_due_on_deal_id": "resolved_on, due_on, deal_id",
    "blocker_deal_id_resolved_on_due_on": "deal_id, resolved_on, due_on",
}

# Any: peewee makes a Table's columns its attributes when it is built, which a type checker cannot see.
_AUDIT: Any = Table("audit_entry", ("id", "at", "actor", "table", "row_id", "field", "old", "new"))
_BLOCKER: Any = Table(
    "blocker",
    (
        "id",
        "deal_id",
        "text",
        "department_id",
        "raised_on",
        "due_on",
        "resolved_on",
        "resolution",
        "version",
        "updated_at",
        "updated_by",
        *_MARKS,
    ),
)
_DEAL: Any = Table("deal", ("id", "code"))
_DEPARTMENT: Any = Table("department", ("id", "name", "kind"))


# ---- the triggers ---------------------------------------------------------------------------------------------


def _sqlite_counting(voids: bool) -> list[str]:
    """SQLite: 0002's triggers counting blockers in blocker_totals; `voids`: only those not voided, a change of the
    void mark counted as a delete (as 0002 counts a change of deal or resolution: out before, in after)."""
    if not voids:
        return [
            sql
            for name in _SQLITE_COUNTING
            for sql in _SCALE.SQLITE_TOTALS
            if sql.startswith(f"CREATE TRIGGER {name} ")
        ]
    count, funds, changed = _SCALE._count_blockers, _SCALE._count_funds, _SCALE._changed
    only = f" AND b.{sd.COUNTED_BLOCKER}"
    watched = ("deal_id", "resolved_on", "voided_at")
    update = f"UPDATE OF {', '.join(watched)} ON blocker WHEN {changed(*watched)}"
    return [
        f"CREATE TRIGGER blocker_totals_insert AFTER INSERT ON blocker BEGIN {count('', 'b.id = new.id' + only)} END",
        f"CREATE TRIGGER blocker_totals_update BEFORE {update} BEGIN {count('-', 'b.id = old.id' + only)} END",
        f"CREATE TRIGGER blocker_totals_updated AFTER {update} BEGIN {count('', 'b.id = new.id' + only)} END",
        f"CREATE TRIGGER blocker_totals_delete BEFORE DELETE ON blocker BEGIN {count('-', 'b.id = old.id' + only)} END",
        "CREATE TRIGGER deal_totals_stage AFTER UPDATE OF stage ON deal WHEN old.stage IS NOT new.stage BEGIN "
        f"{funds('-', 'f.deal_id = old.id', 'old.stage')} {funds('', 'f.deal_id = new.id', 'new.stage')} "
        f"{count('-', 'b.deal_id = old.id' + only, 'old.stage')} "
        f"{count('', 'b.deal_id = new.id' + only, 'new.stage')} END",
        "CREATE TRIGGER deal_totals_before_delete BEFORE DELETE ON deal BEGIN "
        f"{funds('-', 'f.deal_id = old.id', 'old.stage')} {count('-', 'b.deal_id = old.id' + only, 'old.stage')} END",
    ]


def _sqlite_triggers(voids: bool) -> list[str]:
    """SQLite: the triggers counting blockers made again, counting voided ones (`voids`) nowhere or every one."""
    names = (*_SQLITE_COUNTING, _EVENTS_VIEW_TRIGGER)
    statements = [f"DROP TRIGGER IF EXISTS {name}" for name in names]
    return [*statements, *_sqlite_counting(voids), kept_triggers.view_triggers(voids)[_EVENTS_VIEW_TRIGGER]]


_SQLITE_GUARD = (
    f"CREATE TRIGGER blocker_void_stays BEFORE UPDATE OF {', '.join(_MARKS)} ON blocker "
    f"WHEN old.voided_at IS NOT NULL AND ({' OR '.join(f'new.{c} IS NOT old.{c}' for c in _MARKS)}) "
    "BEGIN SELECT RAISE(ABORT, 'a voided blocker keeps its void mark'); END"
)
_PG_GUARD = [
    "CREATE FUNCTION crm_blocker_void_stays() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "RAISE EXCEPTION 'a voided blocker keeps its void mark'; END $$",
    f"CREATE TRIGGER blocker_void_stays BEFORE UPDATE OF {', '.join(_MARKS)} ON blocker FOR EACH ROW "
    f"WHEN (OLD.voided_at IS NOT NULL AND ({', '.join(f'OLD.{c}' for c in _MARKS)}) IS DISTINCT FROM "
    f"({', '.join(f'NEW.{c}' for c in _MARKS)})) EXECUTE FUNCTION crm_blocker_void_stays()",
]


def _pg_functions(voids: bool) -> list[str]:
    """PostgreSQL: the functions of the triggers that count blockers (0019's and 0020's, `voids` as 0023 has them)."""
    statements = [
        sql.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)
        for sql in _PER_COHORT.functions(row_locks=True, reread=True, voids=voids)
    ]
    bodies = [
        (f"crm_days_{table}_{event.lower()}", _DAYS._pg_child_body(table, event, True, voids), "NULL")
        for table in _DAYS._CHILDREN
        for event in _DAYS._REFERENCING
    ]
    deal = _DAYS._pg_deal_bodies(True, voids)
    bodies += [("crm_days_deal_insert", deal["INSERT"], "NULL"), ("crm_days_deal_update", deal["UPDATE"], "NULL")]
    bodies.append(("crm_days_deal_delete", _DAYS._pg_deal_delete_body(voids), "OLD"))
    statements += [
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} RETURN {back}; END $$"
        for name, body, back in bodies
    ]
    # the row trigger counting blockers watches the void mark too, gated as 0017 left it (db/kept_later.py)
    watched = "resolved_on, deal_id, voided_at" if voids else "resolved_on, deal_id"
    return [
        *statements,
        "DROP TRIGGER IF EXISTS blocker_totals ON blocker",
        f"CREATE TRIGGER blocker_totals AFTER INSERT OR DELETE OR UPDATE OF {watched} ON blocker FOR EACH ROW "
        f"{kept_later.WHEN}EXECUTE FUNCTION crm_blocker_totals()",
    ]


def _indexes(postgres: bool, voids: bool) -> list[str]:
    """The covering indexes on blockers, of blockers not voided (`voids`; SQLite: with voided_at, so that a count's
    condition on it is read from the index) or of all (as 0002 and 0004 made them)."""
    statements = []
    for name, columns in _INDEXES.items():
        if postgres:
            shape = f"({columns}) INCLUDE (id)"
        else:
            shape = f"({columns}, voided_at)" if voids else f"({columns})"
        where = f" WHERE {sd.COUNTED_BLOCKER}" if voids else ""
        statements += [f"DROP INDEX IF EXISTS {name}", f"CREATE INDEX {name} ON blocker {shape}{where}"]
    return statements


# ---- the legacy voids -----------------------------------------------------------------------------------------


def _department(db, name: str) -> int:
    """The id of the department named `name` when the blocker was voided: by that name, by its renaming entry,
    or made again by that name when it is gone."""
    found = _DEPARTMENT.bind(db).select(_DEPARTMENT.id).where(_DEPARTMENT.name == name).scalar()
    if found is not None:
        return found
    renamed = (
        _AUDIT.bind(db)
        .select(_AUDIT.row_id)
        .where((_AUDIT.table == "department") & (_AUDIT.field == "name") & (_AUDIT.old == name))
        .where(_AUDIT.row_id.in_(_DEPARTMENT.select(_DEPARTMENT.id)))
        .order_by(_AUDIT.id.desc())
        .scalar()
    )
    if renamed is not None:
        return renamed
    return _inserted(db, _DEPARTMENT, {"name": name, "kind": "department"})


def _inserted(db, table: Any, values: dict) -> int:
    """Insert `values` into `table`; the new row's id."""
    return db.execute(table.insert(values).returning(table.id)).fetchone()[0]


def _voided_range(db, ident: int, entry: int) -> tuple[int, int] | None:
    """(after, up to): the audit entries of blocker number `ident` that belong to the blocker voided by the deal's
    entry `entry`: those after the "voided" entry on that number before it, up to its own "voided" entry."""
    marks = (
        _AUDIT.bind(db)
        .select(_AUDIT.id)
        .where((_AUDIT.table == "blocker") & (_AUDIT.row_id == ident) & (_AUDIT.field == "voided"))
        .where(_AUDIT.id < entry)
        .order_by(_AUDIT.id.desc())
        .limit(2)
        .tuples()
    )
    found = [mark for (mark,) in marks]
    if not found:
        return None
    return (found[1] if len(found) > 1 else 0), found[0]


def _restore(db, entry: tuple) -> None:
    """The blocker a legacy void kept in audit entry `entry` as a row again, marked voided; the entry goes."""
    entry_id, at, actor, deal_id, old, note = entry
    if not _DEAL.bind(db).select(_DEAL.id).where(_DEAL.id == deal_id).exists():
        return  # its deal is gone, and the deal's entries with it have nothing to show
    kept = json.loads(old)
    ident = kept["id"]
    row = {
        "deal_id": deal_id,
        "text": kept["text"],
        "department_id": _department(db, kept["department"]),
        "raised_on": kept["raised_on"],
        "due_on": kept["due_on"],
        "resolved_on": kept["resolved_on"],
        "resolution": kept["resolution"] or "",
        "version": 1,
        "updated_at": at,
        "updated_by": actor,
        "voided_at": at,
        "voided_by": actor,
        "void_note": note or "",
    }
    taken = _BLOCKER.bind(db).select(_BLOCKER.id).where(_BLOCKER.id == ident).exists()
    if not taken:
        row["id"] = ident
    new_id = _inserted(db, _BLOCKER, row)
    span = _voided_range(db, ident, entry_id) if taken else None
    if span is not None:
        _AUDIT.bind(db).update(row_id=new_id).where(
            (_AUDIT.table == "blocker") & (_AUDIT.row_id == ident) & (_AUDIT.id > span[0]) & (_AUDIT.id <= span[1])
        ).execute()
    _AUDIT.bind(db).delete().where(_AUDIT.id == entry_id).execute()


def _restore_all(db) -> None:
    entries = (
        _AUDIT.bind(db)
        .select(_AUDIT.id, _AUDIT.at, _AUDIT.actor, _AUDIT.row_id, _AUDIT.old, _AUDIT.new)
        .where((_AUDIT.table == "deal") & (_AUDIT.field == VOIDED_FIELD))
        .order_by(_AUDIT.id)
        .tuples()
    )
    for entry in list(entries):
        _restore(db, entry)


def _day(value) -> str | None:
    """A DATE column's value as ISO text (SQLite hands back the text, PostgreSQL a date)."""
    return None if value is None else str(value)[:10]


def _kept_as_before(db) -> None:
    """down(): each voided blocker as a deal's "voided_blocker" entry (as void_blocker wrote it), its row deleted."""
    rows = (
        _BLOCKER.bind(db)
        .select(
            _BLOCKER.id,
            _BLOCKER.deal_id,
            _DEAL.code,
            _BLOCKER.text,
            _DEPARTMENT.name,
            _BLOCKER.raised_on,
            _BLOCKER.due_on,
            _BLOCKER.resolved_on,
            _BLOCKER.resolution,
            *(getattr(_BLOCKER, c) for c in _MARKS),
        )
        .join(_DEAL, on=(_DEAL.id == _BLOCKER.deal_id))
        .join(_DEPARTMENT, on=(_DEPARTMENT.id == _BLOCKER.department_id))
        .where(_BLOCKER.voided_at.is_null(False))
        .order_by(_BLOCKER.voided_at, _BLOCKER.id)
        .tuples()
    )
    for ident, deal_id, code, text, department, raised, due, resolved, resolution, at, by, note in list(rows):
        kept = {
            "id": ident,
            "deal": code,
            "text": text,
            "department": department,
            "raised_on": _day(raised),
            "due_on": _day(due),
            "resolved_on": _day(resolved),
            "resolution": resolution,
        }
        entry = {"at": at, "actor": by, "table": "deal", "row_id": deal_id, "field": VOIDED_FIELD}
        _AUDIT.bind(db).insert({**entry, "old": json.dumps(kept, ensure_ascii=False), "new": note}).execute()
    _BLOCKER.bind(db).delete().where(_BLOCKER.voided_at.is_null(False)).execute()


# ---- up and down ----------------------------------------------------------------------------------------------


def up(migrator, db):
    postgres = isinstance(db, PostgresqlDatabase)
    # Plain ALTER TABLE … ADD COLUMN, as 0011: peewee's SQLite migrator would rebuild the table under its triggers.
    statements = [
        f'ALTER TABLE blocker ADD COLUMN "{name}" {pg_type if postgres else sqlite_type} {rest}'
        for name, pg_type, sqlite_type, rest in _CORRECTIONS._VOID_COLUMNS
    ]
    statements += (_pg_functions(True) + _PG_GUARD) if postgres else (_sqlite_triggers(True) + [_SQLITE_GUARD])
    statements += _indexes(postgres, True)
    if not postgres and sqlite_schema.has_statistics(db):
        statements.append("ANALYZE blocker")  # the planner's rows of the indexes made again
    for sql in statements:
        migrator.migrate(migrator.sql(sql))
    kept_totals.forget(db)
    _restore_all(db)


def down(migrator, db):
    postgres = isinstance(db, PostgresqlDatabase)
    _kept_as_before(db)  # while the triggers count voided blockers nowhere: deleting them changes no total
    if postgres:
        statements = [
            "DROP TRIGGER IF EXISTS blocker_void_stays ON blocker",
            "DROP FUNCTION IF EXISTS crm_blocker_void_stays()",
            *_pg_functions(False),
        ]
    else:
        statements = ["DROP TRIGGER IF EXISTS blocker_void_stays", *_sqlite_triggers(False)]
    statements += _indexes(postgres, False)
    statements += [f'ALTER TABLE blocker DROP COLUMN "{name}"' for name in reversed(_MARKS)]
    for sql in statements:
        migrator.migrate(migrator.sql(sql))
    kept_totals.forget(db)
