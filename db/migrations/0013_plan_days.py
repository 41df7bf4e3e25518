"""Effective-dated kept counts for the as-of plan figures and the lights (issue #13): deal_plan_days.

What the rows mean is in db/stage_days.py (plan_contribution): per plan year and region, the deals counted in
each plan figure and late start from a day on, kept as differences at two grains as deal_stage_days is. The same invariant, kept the same way: every change to a deal or its ledger entries removes the deal's
contribution as it was and adds it as it is. SQLite: one row per key (upserts), row triggers; PostgreSQL: rows
of differences (folded by db.kept_totals.compact), statement triggers with transition tables, and a row
trigger before a deal's delete. Funds, blockers and investment do not change these rows.
"""

from peewee import PostgresqlDatabase

from db import kept_totals
from db import stage_days as sd

_DEAL_COLUMNS = ("id", "stage_since", "stage", "region", "archived_on", "planned_start", "planned_completion")


def _row(record: str) -> str:
    """A one-row relation of the deal values of trigger record `record` (NEW or OLD)."""
    return "(SELECT " + ", ".join(f"{record}.{c} AS {c}" for c in _DEAL_COLUMNS) + ")"


def _entries(ids: str) -> str:
    return f"(SELECT * FROM stage_change WHERE deal_id IN ({ids}))"


def _deals(ids: str) -> str:
    return f"(SELECT * FROM deal WHERE id IN ({ids}))"


def _sums(sql_type: str) -> str:
    return ", ".join(f"{name} {sql_type} NOT NULL" for name in sd.PLAN_SUMS)


def _sqlite() -> list[str]:
    changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in sd.PLAN_COUNTED)
    statements = [
        "CREATE TABLE deal_plan_days (kind INTEGER NOT NULL, year INTEGER NOT NULL, grain INTEGER NOT NULL, "
        f"day DATE NOT NULL, region VARCHAR(100) NOT NULL, {_sums('INTEGER')}, "
        f"PRIMARY KEY ({', '.join(sd.PLAN_KEYS)})) WITHOUT ROWID",
        "CREATE TRIGGER deal_plan_days_insert AFTER INSERT ON deal "
        f"BEGIN {sd.plan_insert(_row('new'), _entries('new.id'), '', False)}; END",
        f"CREATE TRIGGER deal_plan_days_update AFTER UPDATE OF {', '.join(sd.PLAN_COUNTED)} ON deal WHEN {changed} "
        f"BEGIN {sd.plan_insert(_row('old'), _entries('old.id'), '-', False)}; "
        f"{sd.plan_insert(_row('new'), _entries('new.id'), '', False)}; END",
        "CREATE TRIGGER deal_plan_days_delete BEFORE DELETE ON deal "
        f"BEGIN {sd.plan_insert(_row('old'), _entries('old.id'), '-', False)}; END",
    ]
    for event, records in (("INSERT", ("new",)), ("UPDATE", ("old", "new")), ("DELETE", ("old",))):
        ids = ", ".join(f"{r}.deal_id" for r in records)
        for when, sign in (("before", "-"), ("after", "")):
            statements.append(
                f"CREATE TRIGGER stage_change_plan_{event.lower()}_{when} {when.upper()} {event} ON stage_change "
                f"BEGIN {sd.plan_insert(_deals(ids), _entries(ids), sign, False)}; END"
            )
    return [*statements, sd.PLAN_FILL_SQLITE]


_REFERENCING = {
    "INSERT": "REFERENCING NEW TABLE AS new_rows",
    "DELETE": "REFERENCING OLD TABLE AS old_rows",
    "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
}


def _pg_entries_body(event: str, one_snapshot: bool = False) -> str:
    """A statement trigger's body for `event` on stage_change: each affected deal's rows as they were (the
    entries before the statement: now, less the new rows, plus the old) removed, as they are added;
    `one_snapshot` (migration 0020): both by one statement."""
    rows = {"INSERT": ("new_rows",), "DELETE": ("old_rows",), "UPDATE": ("old_rows", "new_rows")}[event]
    ids = " UNION ".join(f"SELECT deal_id FROM {r}" for r in rows)
    before = f"(SELECT * FROM stage_change WHERE deal_id IN ({ids})"
    if "new_rows" in rows:
        before += " AND id NOT IN (SELECT id FROM new_rows)"
    if "old_rows" in rows:
        before += " UNION ALL SELECT * FROM old_rows"
    before += ")"
    if one_snapshot:
        deals = (_deals(ids), _deals(ids))
        return sd.pg_difference(deals, ({"entries": before}, {"entries": _entries(ids)}), False, False, plan=True)
    return f"{sd.plan_insert(_deals(ids), before, '-', True)}; {sd.plan_insert(_deals(ids), _entries(ids), '', True)};"


def _pg_deal_bodies(one_snapshot: bool = False) -> dict:
    """The deal's statement triggers' bodies by event; `one_snapshot` (migration 0020): an update's removal and
    addition by one statement."""
    entries = _entries("SELECT id FROM new_deals")
    changed = " OR ".join(f"o.{c} IS DISTINCT FROM n.{c}" for c in sd.PLAN_COUNTED)

    def side(name):
        return f"(SELECT {name}.* FROM old_deals o JOIN new_deals n ON n.id = o.id WHERE {changed})"

    if one_snapshot:
        now = {"entries": entries}
        update = sd.pg_difference((side("o"), side("n")), (now, now), False, False, plan=True)
        return {"INSERT": f"{sd.plan_insert('new_deals', entries, '', True)};", "UPDATE": update}

    update = f"{sd.plan_insert(side('o'), entries, '-', True)}; {sd.plan_insert(side('n'), entries, '', True)};"
    return {"INSERT": f"{sd.plan_insert('new_deals', entries, '', True)};", "UPDATE": update}


def _postgres() -> list[str]:
    statements = [
        "CREATE TABLE deal_plan_days (kind SMALLINT NOT NULL, year INTEGER NOT NULL, grain SMALLINT NOT NULL, "
        f"day DATE NOT NULL, region VARCHAR(100) NOT NULL, {_sums('BIGINT')})"
    ]
    for event, refs in _REFERENCING.items():
        name = f"crm_plan_stage_change_{event.lower()}"
        statements += [
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {_pg_entries_body(event)} "
            "RETURN NULL; END $$",
            f"CREATE TRIGGER {name} AFTER {event} ON stage_change {refs} FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
        ]
    for event, body in _pg_deal_bodies().items():
        name = f"crm_plan_deal_{event.lower()}"
        refs = _REFERENCING[event].replace("new_rows", "new_deals").replace("old_rows", "old_deals")
        statements += [
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} RETURN NULL; END $$",
            f"CREATE TRIGGER {name} AFTER {event} ON deal {refs} FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
        ]
    delete_body = sd.plan_insert(_row("OLD"), _entries("OLD.id"), "-", True)
    return [
        *statements,
        f"CREATE FUNCTION crm_plan_deal_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {delete_body}; "
        "RETURN OLD; END $$",
        "CREATE TRIGGER crm_plan_deal_delete BEFORE DELETE ON deal FOR EACH ROW EXECUTE FUNCTION crm_plan_deal_delete()",
        sd.PLAN_FILL_POSTGRES,
        f"CREATE INDEX deal_plan_days_key ON deal_plan_days ({', '.join(sd.PLAN_KEYS[:4])})",
    ]


def up(migrator, db):
    postgres = isinstance(db, PostgresqlDatabase)
    for sql in kept_totals.fresh_statistics(db, postgres) + (_postgres() if postgres else _sqlite()):
        migrator.migrate(migrator.sql(sql))
    kept_totals.forget(db)


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        names = [(f"crm_plan_stage_change_{e.lower()}", "stage_change") for e in _REFERENCING]
        names += [(f"crm_plan_deal_{e}", "deal") for e in ("insert", "update", "delete")]
        statements = [f"DROP TRIGGER IF EXISTS {n} ON {t}" for n, t in names]
        statements += [f"DROP FUNCTION IF EXISTS {n}()" for n, _t in names]
    else:
        triggers = ["deal_plan_days_insert", "deal_plan_days_update", "deal_plan_days_delete"]
        triggers += [f"stage_change_plan_{e}_{w}" for e in ("insert", "update", "delete") for w in ("before", "after")]
        statements = [f"DROP TRIGGER IF EXISTS {n}" for n in triggers]
    for sql in [*statements, "DROP TABLE IF EXISTS deal_plan_days"]:
        migrator.migrate(migrator.sql(sql))
    kept_totals.forget(db)
