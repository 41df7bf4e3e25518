"""Upkeep of the totals the database keeps in step with the deals (migrations 0002, 0005–0007).

SQLite keeps one row per key, updated by triggers; PostgreSQL appends rows of
differences (no row lock another writer waits for) and folds them now and
then. What crm/ reads of them is in crm.listing.kept_totals and crm.reporting.kpi;
this module holds what rebuilds, checks and folds them, and the statements
that fill them from the deals (the migrations use these same statements).
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterator
from weakref import WeakKeyDictionary

from peewee import Database

from db import sqlite_schema, stage_days
from db.dialects import dialect_of
from db.kept_later import OWN_IDS
from db.models import database

#: A year, region and stage of a deal on PostgreSQL (the key of the per-cohort differences).
_PG_KEY = "coalesce(extract(year FROM {row}.signed_on)::int, 0), {row}.region, {row}.stage"

SQLITE_COHORT_FILL = (
    "INSERT INTO deal_cohort_totals SELECT coalesce(CAST(substr(signed_on, 1, 4) AS INTEGER), 0), region, stage, "
    "currency, count(*), sum(amount), coalesce(sum(amount_cny), 0), count(amount_cny), "
    "sum(CASE WHEN amount_approximate THEN 1 ELSE 0 END) FROM deal GROUP BY 1, region, stage, currency"
)
POSTGRES_COHORT_FILL = (
    "INSERT INTO deal_cohort_totals_delta (year, region, stage, currency, deals, amount, amount_cny, converted, "
    "approximate) SELECT coalesce(extract(year FROM signed_on)::int, 0), region, stage, currency, count(*), "
    "sum(amount), coalesce(sum(amount_cny), 0), count(amount_cny), count(*) FILTER (WHERE amount_approximate) "
    "FROM deal GROUP BY 1, region, stage, currency"
)
POSTGRES_FUNDS_FILL = (
    "INSERT INTO funds_totals_delta (year, region, stage, arrivals, amount_cny, converted) "
    f"SELECT {_PG_KEY.format(row='d')}, count(*), coalesce(sum(f.amount_cny), 0), count(f.amount_cny) "
    "FROM funds_arrived f JOIN deal d ON d.id = f.deal_id GROUP BY 1, 2, 3"
)


def _blockers_and_deals(voids: bool) -> str:
    """The blockers `b` counted, each with its deal `d`: with `voids` (migration 0023) a voided one counts nowhere;
    without, every one (before 0023). The condition is the join's, so that a fill narrowed by a WHERE
    (_over_own_deals, SQLITE_FILLS_BETWEEN) keeps it."""
    return "blocker b JOIN deal d ON d.id = b.deal_id" + (f" AND b.{stage_days.COUNTED_BLOCKER}" if voids else "")


def postgres_blockers_fill(voids: bool = True) -> str:
    """PostgreSQL: the INSERT filling blocker_totals_delta from the blockers (`voids`: as _blockers_and_deals;
    False: as migration 0007 filled it)."""
    blockers = _blockers_and_deals(voids)
    return (
        "INSERT INTO blocker_totals_delta (year, region, stage, raised, open) "
        f"SELECT {_PG_KEY.format(row='d')}, count(*), count(*) FILTER (WHERE b.resolved_on IS NULL) "
        f"FROM {blockers} GROUP BY 1, 2, 3"
    )


POSTGRES_BLOCKERS_FILL = postgres_blockers_fill()
_PG_DEALS_FILL = (
    "INSERT INTO deal_totals_delta (stage, currency, deals, amount, amount_cny, converted, approximate) "
    "SELECT stage, currency, count(*), sum(amount), coalesce(sum(amount_cny), 0), count(amount_cny), "
    "count(*) FILTER (WHERE amount_approximate) FROM deal GROUP BY stage, currency"
)


def own_deals_fills() -> list[str]:
    """PostgreSQL: the INSERTs adding to the totals by stage and cohort what the new deals whose ids are in the
    array %(ids)s, and their blockers, contribute (their insert triggers stood aside: db/kept_later.py): a
    rebuild's fills over those deals alone."""
    return [
        _over_own_deals(_PG_DEALS_FILL, "id"),
        _over_own_deals(POSTGRES_COHORT_FILL, "id"),
        _over_own_deals(POSTGRES_BLOCKERS_FILL, "b.deal_id"),
    ]


def own_deals_funds_fill() -> str:
    """PostgreSQL: as own_deals_fills, for the funds of those deals."""
    return _over_own_deals(POSTGRES_FUNDS_FILL, "f.deal_id")


def _over_own_deals(fill: str, deal: str) -> str:
    """A rebuild's `fill` (one SELECT … GROUP BY) over the rows whose `deal` column is an id of %(ids)s."""
    return fill.replace(" GROUP BY", f" WHERE {deal} {OWN_IDS} GROUP BY")


_SQLITE_DEALS = (
    "SELECT stage, currency, count(*), sum(amount), coalesce(sum(amount_cny), 0), count(amount_cny), "
    "sum(CASE WHEN amount_approximate THEN 1 ELSE 0 END) FROM deal GROUP BY stage, currency"
)
_SQLITE_FUNDS = (
    "SELECT d.stage, count(*), coalesce(sum(f.amount_cny), 0), count(f.amount_cny) "
    "FROM funds_arrived f JOIN deal d ON d.id = f.deal_id GROUP BY d.stage"
)


def _sqlite_blockers(voids: bool = True) -> str:
    """SQLite: the blockers per stage of their deal (raised, open); `voids`: as _blockers_and_deals."""
    blockers = _blockers_and_deals(voids)
    return (
        "SELECT d.stage, count(*), sum(CASE WHEN b.resolved_on IS NULL THEN 1 ELSE 0 END) "
        f"FROM {blockers} GROUP BY d.stage"
    )


_SQLITE_BLOCKERS = _sqlite_blockers()

#: SQLite: the row triggers that add a new deal or blocker to deal_totals, deal_cohort_totals and blocker_totals.
SQLITE_INSERT_TRIGGERS = {
    "deal_totals_insert": "deal_totals",
    "deal_cohort_totals_insert": "deal_cohort_totals",
    "blocker_totals_insert": "blocker_totals",
}


def _adding(table: str, keys: str, sums: tuple) -> str:
    return f" HAVING true ON CONFLICT ({keys}) DO UPDATE SET " + ", ".join(
        f"{c} = {table}.{c} + excluded.{c}" for c in sums
    )


#: SQLite: per kept table of SQLITE_INSERT_TRIGGERS, the statement adding the deals with ids :lo to :hi (and
#: their blockers), as those triggers add each one as it is inserted.
SQLITE_FILLS_BETWEEN = {
    "deal_totals": f"INSERT INTO deal_totals {_SQLITE_DEALS.replace(' GROUP BY', ' WHERE id BETWEEN :lo AND :hi GROUP BY')}"
    + _adding("deal_totals", "stage, currency", ("deals", "amount", "amount_cny", "converted", "approximate")),
    "deal_cohort_totals": SQLITE_COHORT_FILL.replace(" GROUP BY", " WHERE id BETWEEN :lo AND :hi GROUP BY")
    + _adding(
        "deal_cohort_totals",
        "year, region, stage, currency",
        ("deals", "amount", "amount_cny", "converted", "approximate"),
    ),
    "blocker_totals": f"INSERT INTO blocker_totals {_SQLITE_BLOCKERS.replace(' GROUP BY', ' WHERE b.deal_id BETWEEN :lo AND :hi GROUP BY')}"
    + _adding("blocker_totals", "stage", ("raised", "open")),
}

_FOLD = (
    "WITH folding AS (SELECT pg_try_advisory_xact_lock({lock}) AS mine), "
    "moved AS (DELETE FROM {table} WHERE (SELECT mine FROM folding) RETURNING {columns}) "
    "INSERT INTO {table} ({columns}) SELECT {keys}{sums} FROM moved {group}"
)
_COMPACT_LOCK = 0x7A68_7474  # an advisory lock: one folding at a time
_FOLDED = (
    ("deal_totals_delta", ("stage", "currency"), ("deals", "amount", "amount_cny", "converted", "approximate")),
    ("funds_totals_delta", ("year", "region", "stage"), ("arrivals", "amount_cny", "converted")),
    ("blocker_totals_delta", ("year", "region", "stage"), ("raised", "open")),
    (
        "deal_cohort_totals_delta",
        ("year", "region", "stage", "currency"),
        ("deals", "amount", "amount_cny", "converted", "approximate"),
    ),
    (stage_days.TABLE, stage_days.KEYS, stage_days.SUMS),
    (stage_days.EVENTS_TABLE, stage_days.EVENT_KEYS, stage_days.EVENT_SUMS),
    (stage_days.PLAN_TABLE, stage_days.PLAN_KEYS, stage_days.PLAN_SUMS),
)

_in_step: WeakKeyDictionary[Database, bool] = WeakKeyDictionary()


def _select_part(fill: str) -> str:
    return fill[fill.index("SELECT") :]


def in_step(db: Database | None = None) -> bool:
    """False when the database is known not to keep deal, funds and blocker totals (before migrations 0002/0005).

    Asked once per database object, through a bare cursor (it is not a query
    of the ledger, and must not make the first KPI cost one query more).
    """
    db = db or database.obj
    known = _in_step.get(db)
    if known is None:
        dialect = dialect_of(db)
        known = _in_step[db] = dialect.table_exists(db, dialect.kept_deal_totals)
    return known


_stage_days_kept: WeakKeyDictionary[Database, bool] = WeakKeyDictionary()


def stage_days_kept(db: Database | None = None) -> bool:
    """True when the database keeps the effective-dated stage totals of migration 0012 (asked once per database)."""
    db = db or database.obj
    known = _stage_days_kept.get(db)
    if known is None:
        known = _stage_days_kept[db] = dialect_of(db).table_exists(db, stage_days.TABLE)
    return known


_plan_days_kept: WeakKeyDictionary[Database, bool] = WeakKeyDictionary()


def plan_days_kept(db: Database | None = None) -> bool:
    """True when the database keeps the effective-dated plan totals of migration 0013 (asked once per database)."""
    db = db or database.obj
    known = _plan_days_kept.get(db)
    if known is None:
        known = _plan_days_kept[db] = dialect_of(db).table_exists(db, stage_days.PLAN_TABLE)
    return known


_voids_marked: WeakKeyDictionary[Database, bool] = WeakKeyDictionary()


def voids_marked(db: Database | None = None) -> bool:
    """True when blockers carry void marks (migration 0023), which every count of them leaves out (asked once per
    database): a ledger stepped down before 0023 counts every blocker."""
    db = db or database.obj
    known = _voids_marked.get(db)
    if known is None:
        known = _voids_marked[db] = dialect_of(db).column_exists(db, "blocker", "voided_at")
    return known


def forget(db: Database | None = None) -> None:
    """Forget what `in_step`, `stage_days_kept`, `plan_days_kept` and `voids_marked` learnt of `db` (its schema
    changed)."""
    for known in (_in_step, _stage_days_kept, _plan_days_kept, _voids_marked):
        known.pop(db or database.obj, None)


def compact(db: Database | None = None) -> None:
    """Fold the rows of differences of the kept totals into one row per key (PostgreSQL; nothing on SQLite).

    One statement per table: the rows it deletes are exactly the rows it sums,
    so the totals never change, and writers appending meanwhile are not held up.
    """
    db = db or database.obj
    if not dialect_of(db).totals_as_differences:
        return
    for table, keys, values in _FOLDED:
        columns = ", ".join(keys + values)
        sums = ", ".join(f"sum({v})" for v in values)
        db.execute_sql(
            _FOLD.format(
                lock=_COMPACT_LOCK,
                table=table,
                columns=columns,
                keys="".join(f"{k}, " for k in keys),
                sums=sums,
                group=f"GROUP BY {', '.join(keys)} HAVING count(*) > 0",
            )
        )


#: PostgreSQL's statistics of the tables the as-of fills read (see fresh_statistics).
ANALYSE_WRITTEN = ["ANALYZE deal, stage_change, funds_arrived, blocker"]


def fresh_statistics(db: Database, postgres: bool) -> list[str]:
    """ANALYZE of the tables the as-of fills read, when they hold rows.

    Without statistics (a ledger just loaded in bulk) both planners join the stage
    steps to the funds and blockers as nested scans, quadratic in the deals. An empty
    ledger gets none: SQLite statistics would keep a first bulk import from setting
    its indexes aside (crm.importing.bulk.set_indexes_aside).
    """
    if not db.execute_sql("SELECT 1 FROM deal LIMIT 1").fetchone():
        return []
    if postgres:
        return list(ANALYSE_WRITTEN)
    return [f"ANALYZE {table}" for table in ("deal", "stage_change", "funds_arrived", "blocker")]


def rebuild(db: Database | None = None) -> None:
    """Compute the kept totals afresh from the rows (after a bulk load that bypassed the triggers)."""
    db = db or database.obj
    forget(db)
    if not in_step(db):
        return
    voids = voids_marked(db)
    if dialect_of(db).totals_as_differences:
        statements = [
            "DELETE FROM deal_totals_delta",
            "DELETE FROM funds_totals_delta",
            "DELETE FROM blocker_totals_delta",
            "DELETE FROM deal_cohort_totals_delta",
            _PG_DEALS_FILL,
            POSTGRES_FUNDS_FILL,
            postgres_blockers_fill(voids),
            POSTGRES_COHORT_FILL,
        ]
    else:
        statements = [
            "DELETE FROM deal_totals",
            "DELETE FROM funds_totals",
            "DELETE FROM blocker_totals",
            "DELETE FROM deal_cohort_totals",
            f"INSERT INTO deal_totals {_SQLITE_DEALS}",
            f"INSERT INTO funds_totals {_SQLITE_FUNDS}",
            f"INSERT INTO blocker_totals {_sqlite_blockers(voids)}",
            SQLITE_COHORT_FILL,
        ]
    if stage_days_kept(db):
        postgres = dialect_of(db).totals_as_differences
        blockers = stage_days.BLOCKERS if voids else "blocker"
        statements += fresh_statistics(db, postgres)
        statements += [
            f"DELETE FROM {stage_days.TABLE}",
            f"DELETE FROM {stage_days.EVENTS_TABLE}",
            stage_days.FILL_POSTGRES if postgres else stage_days.FILL_SQLITE,
            stage_days.event_insert("deal", "stage_change", "funds_arrived", blockers, "", postgres),
        ]
    if plan_days_kept(db):
        postgres = dialect_of(db).totals_as_differences
        statements += [
            f"DELETE FROM {stage_days.PLAN_TABLE}",
            stage_days.PLAN_FILL_POSTGRES if postgres else stage_days.PLAN_FILL_SQLITE,
        ]
    for sql in statements:
        db.execute_sql(sql)


#: The tables whose SQLite row triggers keep the totals and the as-of totals.
_COUNTED_TABLES = ("deal", "stage_change", "blocker", "funds_arrived")


@contextlib.contextmanager
def rebuilt_after(db: Database | None = None) -> Iterator[None]:
    """SQLite: inside the current transaction, the row triggers keeping the totals and the as-of totals dropped
    while the block runs; then those tables computed afresh from the rows (`rebuild`) and the triggers created
    again (the search index's stay). For a change to most of a ledger's rows (a revert of a first import): the
    triggers remove and re-add a deal's share for each of its rows, the rebuild reads what is left once. A
    failure rolls the dropping back with the rest. PostgreSQL: nothing set aside (a rebuild there would race
    the other sessions' writes: their triggers add to the same tables meanwhile)."""
    db = db or database.obj
    if not dialect_of(db).in_process:
        yield
        return
    found = [
        (name, sql)
        for name, sql in sqlite_schema.made(db, "trigger", tables=_COUNTED_TABLES)
        if not name.lower().startswith("deal_search")
    ]
    sqlite_schema.drop(db, "trigger", [name for name, _sql in found])
    yield
    rebuild(db)
    for _name, sql in found:
        db.execute_sql(sql)


def _checks(postgres: bool, voids: bool) -> tuple[tuple[str, str], ...]:
    """(kept, computed) pairs of queries that must give the same rows; `voids`: voided blockers left out."""
    if postgres:
        return (
            (
                "SELECT stage, currency, sum(deals), sum(amount), sum(amount_cny), sum(converted), sum(approximate) "
                "FROM deal_totals_delta GROUP BY stage, currency HAVING sum(deals) != 0",
                _select_part(_PG_DEALS_FILL),
            ),
            (
                "SELECT year, region, stage, sum(arrivals), sum(amount_cny), sum(converted) FROM funds_totals_delta "
                "GROUP BY year, region, stage HAVING sum(arrivals) != 0",
                _select_part(POSTGRES_FUNDS_FILL),
            ),
            (
                "SELECT year, region, stage, sum(raised), sum(open) FROM blocker_totals_delta "
                "GROUP BY year, region, stage HAVING sum(raised) != 0",
                _select_part(postgres_blockers_fill(voids)),
            ),
            (
                "SELECT year, region, stage, currency, sum(deals), sum(amount), sum(amount_cny), sum(converted), "
                "sum(approximate) FROM deal_cohort_totals_delta GROUP BY year, region, stage, currency "
                "HAVING sum(deals) != 0",
                _select_part(POSTGRES_COHORT_FILL),
            ),
        )
    return (
        (
            "SELECT stage, currency, deals, amount, amount_cny, converted, approximate FROM deal_totals WHERE deals != 0",
            _SQLITE_DEALS,
        ),
        ("SELECT stage, arrivals, amount_cny, converted FROM funds_totals WHERE arrivals != 0", _SQLITE_FUNDS),
        ("SELECT stage, raised, open FROM blocker_totals WHERE raised != 0", _sqlite_blockers(voids)),
        (
            "SELECT year, region, stage, currency, deals, amount, amount_cny, converted, approximate "
            "FROM deal_cohort_totals WHERE deals != 0",
            _select_part(SQLITE_COHORT_FILL),
        ),
    )


def agree(db: Database | None = None) -> bool:
    """True when every kept total equals the total computed from the rows (a check for tests)."""
    return not disagreements(db)


def disagreements(db: Database | None = None) -> list[tuple[str, list, list]]:
    """The kept totals that differ from the totals computed from the rows (a check for tests): for each, the
    start of its query, its rows not computed and the computed rows it lacks (five of each at most)."""
    db = db or database.obj
    if not in_step(db):
        return []

    def normal(rows: list) -> list:
        return sorted(tuple(v if isinstance(v, (str, datetime.date)) else int(v) for v in r) for r in rows)

    postgres, voids = dialect_of(db).totals_as_differences, voids_marked(db)
    checks = list(_checks(postgres, voids))
    if stage_days_kept(db):
        checks.append((stage_days.kept_query(postgres), stage_days.computed_query(postgres)))
        checks.append((stage_days.events_kept_query(), stage_days.events_computed_query(postgres, voids)))
    if plan_days_kept(db):
        checks.append((stage_days.plan_kept_query(), stage_days.plan_computed_query(postgres)))
    found = []
    for kept, direct in checks:
        have, want = (normal(db.execute_sql(sql).fetchall()) for sql in (kept, direct))
        if have != want:
            found.append((kept[:60], [r for r in have if r not in want][:5], [r for r in want if r not in have][:5]))
    return found
