"""Effective-dated kept totals for the as-of KPIs (issues #13, #14 and #16): deal_stage_days, deal_event_days.

What the rows mean and the invariant the triggers keep are in db/stage_days.py.
SQLite: one row per key (upserts), row triggers before and after each change of
a deal, a ledger entry, a funds entry or a blocker. PostgreSQL: rows of
differences (folded now and then by db.kept_totals.compact), statement
triggers with transition tables (a multi-row insert counts each deal once),
and a row trigger before a deal's delete (its rows still there).
"""

from peewee import PostgresqlDatabase

from db import kept_totals
from db import stage_days as sd

_DEAL_COLUMNS = ("id", "stage_since", "stage", "region", "currency", "amount", "amount_cny", "amount_approximate")
_CHILDREN = {"stage_change": "entries", "funds_arrived": "funds", "blocker": "blockers"}


def _row(record: str) -> str:
    """A one-row relation of the deal values of trigger record `record` (NEW or OLD)."""
    columns = ", ".join(f"{record}.{c} AS {c}" for c in (*_DEAL_COLUMNS, "archived_on"))
    return f"(SELECT {columns})"


def _of(table: str, ids: str, voids: bool = False) -> str:
    """The rows of `table` of the deals `ids`; `voids` (migration 0023): the blockers not voided only."""
    column = "id" if table == "deal" else "deal_id"
    counted = f" AND {sd.COUNTED_BLOCKER}" if voids and table == "blocker" else ""
    return f"(SELECT * FROM {table} WHERE {column} IN ({ids}){counted})"


def _both(deals: str, rel: dict, sign: str, postgres: bool, stages: bool = True) -> str:
    """The statements adding (sign '') or removing ('-') the contributions of `deals` to both kept tables."""
    sql = sd.event_insert(deals, rel["entries"], rel["funds"], rel["blockers"], sign, postgres) + ";"
    if stages:
        sql = sd.insert(deals, rel["entries"], sign, postgres) + "; " + sql
    return sql


def _current(ids: str, voids: bool = False) -> dict:
    return {name: _of(table, ids, voids) for table, name in _CHILDREN.items()}


def _sqlite_tables() -> list[str]:
    keys = ", ".join(sd.KEYS)
    return [
        "CREATE TABLE deal_stage_days (grain INTEGER NOT NULL, day DATE NOT NULL, region VARCHAR(100) NOT NULL, "
        "stage VARCHAR(20) NOT NULL, currency VARCHAR(3) NOT NULL, deals INTEGER NOT NULL, amount INTEGER NOT NULL, "
        f"amount_cny INTEGER NOT NULL, converted INTEGER NOT NULL, approximate INTEGER NOT NULL, PRIMARY KEY ({keys})) "
        "WITHOUT ROWID",
        "CREATE TABLE deal_event_days (grain INTEGER NOT NULL, day DATE NOT NULL, region VARCHAR(100) NOT NULL, "
        "funds_n INTEGER NOT NULL, funds_cny INTEGER NOT NULL, funds_converted INTEGER NOT NULL, "
        "raised INTEGER NOT NULL, open INTEGER NOT NULL, overdue INTEGER NOT NULL, PRIMARY KEY (grain, day, region)) "
        "WITHOUT ROWID",
    ]


def _sqlite() -> list[str]:
    statements = _sqlite_tables()

    def changed(columns):
        return " OR ".join(f"old.{c} IS NOT new.{c}" for c in columns)

    new, old = _current("new.id"), _current("old.id")
    statements += [
        f"CREATE TRIGGER deal_stage_days_insert AFTER INSERT ON deal BEGIN {_both(_row('new'), new, '', False)} END",
        f"CREATE TRIGGER deal_stage_days_update AFTER UPDATE OF {', '.join(sd.COUNTED)} ON deal "
        f"WHEN {changed(sd.COUNTED)} BEGIN {sd.insert(_row('old'), old['entries'], '-', False)}; "
        f"{sd.insert(_row('new'), new['entries'], '', False)}; END",
        f"CREATE TRIGGER deal_event_days_update AFTER UPDATE OF {', '.join(sd.EVENT_COUNTED)} ON deal "
        f"WHEN {changed(sd.EVENT_COUNTED)} BEGIN {_both(_row('old'), old, '-', False, stages=False)} "
        f"{_both(_row('new'), new, '', False, stages=False)} END",
        f"CREATE TRIGGER deal_stage_days_delete BEFORE DELETE ON deal BEGIN {_both(_row('old'), old, '-', False)} END",
    ]
    for table in _CHILDREN:
        for event, records in (("INSERT", ("new",)), ("UPDATE", ("old", "new")), ("DELETE", ("old",))):
            ids = ", ".join(f"{r}.deal_id" for r in records)
            deals, rel = _of("deal", ids), _current(ids)
            for when, sign in (("before", "-"), ("after", "")):
                body = _both(deals, rel, sign, False, stages=table == "stage_change")
                statements.append(
                    f"CREATE TRIGGER {table}_days_{event.lower()}_{when} {when.upper()} {event} ON {table} "
                    f"BEGIN {body} END"
                )
    return [*statements, sd.FILL_SQLITE, _events_fill(False)]


_REFERENCING = {
    "INSERT": "REFERENCING NEW TABLE AS new_rows",
    "DELETE": "REFERENCING OLD TABLE AS old_rows",
    "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
}


def _pg_child_body(table: str, event: str, one_snapshot: bool = False, voids: bool = False) -> str:
    """A statement trigger's body for `event` on `table`: each affected deal's contributions as they were
    (the table's rows before the statement: now, less the new rows, plus the old) removed, as they are added;
    `one_snapshot` (migration 0020): both read by one statement per kept table, after a payment's or blocker's
    deals are locked FOR KEY SHARE (so that a deal's change of what they count by has ended, or waits);
    `voids` (migration 0023): a voided blocker counts nowhere, before or after."""
    rows = {"INSERT": ("new_rows",), "DELETE": ("old_rows",), "UPDATE": ("old_rows", "new_rows")}[event]
    ids = " UNION ".join(f"SELECT deal_id FROM {r}" for r in rows)
    now = _current(ids, voids)
    before = dict(now)
    changed = f"(SELECT * FROM {table} WHERE deal_id IN ({ids})"
    if "new_rows" in rows:
        changed += " AND id NOT IN (SELECT id FROM new_rows)"
    if "old_rows" in rows:
        changed += " UNION ALL SELECT * FROM old_rows"
    changed += ")"
    if voids and table == "blocker":
        changed = f"(SELECT * FROM {changed} AS was WHERE {sd.COUNTED_BLOCKER})"
    before[_CHILDREN[table]] = changed
    deals = _of("deal", ids)
    stages = table == "stage_change"
    if one_snapshot:
        lock = "" if stages else f"PERFORM 1 FROM deal WHERE id IN ({ids}) FOR KEY SHARE; "
        return lock + sd.pg_difference((deals, deals), (before, now), stages=stages)
    return _both(deals, before, "-", True, stages) + " " + _both(deals, now, "", True, stages)


def _pg_changed(columns) -> str:
    return " OR ".join(f"o.{c} IS DISTINCT FROM n.{c}" for c in columns)


def _pg_deal_bodies(one_snapshot: bool = False, voids: bool = False) -> dict:
    """The deal's statement triggers' bodies by event; `one_snapshot` (migration 0020): an update's removal and
    addition read by one statement per kept table; `voids` (migration 0023): voided blockers left out."""
    now = _current("SELECT id FROM new_deals", voids)

    def changed(side, columns):
        return f"(SELECT {side}.* FROM old_deals o JOIN new_deals n ON n.id = o.id WHERE {_pg_changed(columns)})"

    if one_snapshot:
        update = sd.pg_difference((changed("o", sd.COUNTED), changed("n", sd.COUNTED)), (now, now), events=False)
        update += sd.pg_difference(
            (changed("o", sd.EVENT_COUNTED), changed("n", sd.EVENT_COUNTED)), (now, now), stages=False
        )
        return {"INSERT": _both("new_deals", now, "", True), "UPDATE": update}

    update = (
        sd.insert(changed("o", sd.COUNTED), now["entries"], "-", True)
        + "; "
        + sd.insert(changed("n", sd.COUNTED), now["entries"], "", True)
        + "; "
        + _both(changed("o", sd.EVENT_COUNTED), now, "-", True, stages=False)
        + " "
        + _both(changed("n", sd.EVENT_COUNTED), now, "", True, stages=False)
    )
    return {"INSERT": _both("new_deals", now, "", True), "UPDATE": update}


def _postgres() -> list[str]:
    statements = [
        "CREATE TABLE deal_stage_days (grain SMALLINT NOT NULL, day DATE NOT NULL, region VARCHAR(100) NOT NULL, "
        "stage VARCHAR(20) NOT NULL, currency VARCHAR(3) NOT NULL, deals BIGINT NOT NULL, amount BIGINT NOT NULL, "
        "amount_cny BIGINT NOT NULL, converted BIGINT NOT NULL, approximate BIGINT NOT NULL)",
        "CREATE TABLE deal_event_days (grain SMALLINT NOT NULL, day DATE NOT NULL, region VARCHAR(100) NOT NULL, "
        "funds_n BIGINT NOT NULL, funds_cny BIGINT NOT NULL, funds_converted BIGINT NOT NULL, raised BIGINT NOT NULL, "
        "open BIGINT NOT NULL, overdue BIGINT NOT NULL)",
    ]
    for table in _CHILDREN:
        for event in _REFERENCING:
            name = f"crm_days_{table}_{event.lower()}"
            statements += [
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"{_pg_child_body(table, event)} RETURN NULL; END $$",
                f"CREATE TRIGGER {name} AFTER {event} ON {table} {_REFERENCING[event]} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
            ]
    for event, body in _pg_deal_bodies().items():
        name = f"crm_days_deal_{event.lower()}"
        refs = _REFERENCING[event].replace("new_rows", "new_deals").replace("old_rows", "old_deals")
        statements += [
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} RETURN NULL; END $$",
            f"CREATE TRIGGER {name} AFTER {event} ON deal {refs} FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
        ]
    delete_body = _pg_deal_delete_body()
    return [
        *statements,
        f"CREATE FUNCTION crm_days_deal_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {delete_body} "
        "RETURN OLD; END $$",
        "CREATE TRIGGER crm_days_deal_delete BEFORE DELETE ON deal FOR EACH ROW EXECUTE FUNCTION crm_days_deal_delete()",
        sd.FILL_POSTGRES,
        _events_fill(True),
        "CREATE INDEX deal_stage_days_day ON deal_stage_days (grain, day)",
        "CREATE INDEX deal_event_days_day ON deal_event_days (grain, day)",
    ]


def _pg_deal_delete_body(voids: bool = False) -> str:
    """The body of the row trigger before a deal's delete: its contributions taken away (`voids`: as _of)."""
    return _both(_row("OLD"), _current("OLD.id", voids), "-", True)


def _events_fill(postgres: bool) -> str:
    """The fill of deal_event_days from every blocker: blockers had no void marks before migration 0023."""
    return sd.event_insert("deal", "stage_change", "funds_arrived", "blocker", "", postgres)


#: The as-of plan figures read the deals planned to start, or to complete, in a year (crm.reporting.asof).
_PLAN_INDEXES = (
    ("deal_planned_start_asof", "planned_start, planned_completion"),
    ("deal_planned_completion_asof", "planned_completion, planned_start"),
)


def up(migrator, db):
    postgres = isinstance(db, PostgresqlDatabase)
    for sql in kept_totals.fresh_statistics(db, postgres) + (_postgres() if postgres else _sqlite()):
        migrator.migrate(migrator.sql(sql))
    for name, columns in _PLAN_INDEXES:
        migrator.migrate(
            migrator.sql(f"CREATE INDEX {name} ON deal ({columns}, stage_since, stage, region, archived_on)")
        )


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        names = [(f"crm_days_{t}_{e.lower()}", t) for t in _CHILDREN for e in _REFERENCING]
        names += [(f"crm_days_deal_{e}", "deal") for e in ("insert", "update", "delete")]
        statements = [f"DROP TRIGGER IF EXISTS {n} ON {t}" for n, t in names]
        statements += [f"DROP FUNCTION IF EXISTS {n}()" for n, _t in names]
    else:
        triggers = [
            "deal_stage_days_insert",
            "deal_stage_days_update",
            "deal_event_days_update",
            "deal_stage_days_delete",
        ]
        triggers += [
            f"{t}_days_{e}_{w}" for t in _CHILDREN for e in ("insert", "update", "delete") for w in ("before", "after")
        ]
        statements = [f"DROP TRIGGER IF EXISTS {n}" for n in triggers]
    statements += [f"DROP INDEX IF EXISTS {name}" for name, _columns in _PLAN_INDEXES]
    for sql in [*statements, "DROP TABLE IF EXISTS deal_event_days", "DROP TABLE IF EXISTS deal_stage_days"]:
        migrator.migrate(migrator.sql(sql))
