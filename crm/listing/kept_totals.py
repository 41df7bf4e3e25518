"""Counts and totals of deals from the totals kept per signing year, region,
stage and currency (db/migrations/0006), for filters that only name those.

A filter by stage, region or signing year (or none) is answered by summing a
few thousand kept rows instead of scanning the deals; any other filter (a
search, an event, a department, an industry) gets None and the caller asks
the deals themselves. Both ways give the same figures: tests compare them.
"""

from __future__ import annotations

from collections import namedtuple

from peewee import SQL, Table, fn

from crm.deals.stages import parse_stage
from crm.listing.filters import DealFilter, any_archived, region_condition
from db import kept_totals as upkeep
from db.dialects import dialect_of
from db.models import DealCohortTotals, DealCohortTotalsDelta, database

#: The filter fields the kept totals have keys for.
KEPT_FIELDS = ("stage", "region", "year")
#: Rows of differences (PostgreSQL) beyond one per key after which reading first folds them.
FOLD_AFTER = 2_000

#: `amount` and `amount_cny` in integer fen, as stored (Deal.amount_cny.python_value makes them Decimal).
Sums = namedtuple("Sums", "key deals amount amount_cny converted approximate")


def answerable(flt: DealFilter) -> bool:
    """True when `flt` names nothing but stage, region and signing year (and perhaps archived deals).

    The kept totals count every deal, archived or not: while some deal is
    archived, grouped() and funds_and_blockers() answer None to a filter that
    leaves archived deals out (they ask on the way, in the same query).
    """
    return all(
        getattr(flt, name) in (None, "")
        for name in flt.__dataclass_fields__
        if name not in KEPT_FIELDS and name != "archived"
    )


def grouped(flt: DealFilter, by: tuple[str, ...] = (), signed_only: bool = False) -> list[Sums] | None:
    """Count and sums of the deals of `flt`, one `Sums` per distinct value of the columns `by`.

    `by` names columns of the kept totals (year, region, stage, currency);
    `signed_only` leaves out deals still 在谈. None when `flt` names more than
    the kept totals have keys for.
    """
    if not answerable(flt):
        return None
    flt.named_parts()  # refuses a bad stage or year exactly as a query of the deals would
    table = DealCohortTotalsDelta if dialect_of().totals_as_differences else DealCohortTotals
    columns = [getattr(table, name) for name in by]
    query = table.select(
        *columns,
        fn.SUM(table.deals).alias("deals"),
        fn.SUM(table.amount).alias("amount"),
        fn.SUM(table.amount_cny).alias("amount_cny"),
        fn.SUM(table.converted).alias("converted"),
        fn.SUM(table.approximate).alias("approximate"),
    )
    if not flt.archived:
        query = query.select_extend(any_archived().alias("archived"))
    if table is DealCohortTotalsDelta:
        # rows of differences beyond one per key: how much folding would save
        query = query.select_extend(
            (fn.COUNT(table.year) - fn.COUNT(SQL("DISTINCT (year, region, stage, currency)"))).alias("excess")
        )
    query = _within(query, table, flt, signed_only)
    if columns:
        query = query.group_by(*columns)
    rows = list(query.tuples())
    width = len(columns)
    if not flt.archived and any(r[width + 5] for r in rows):
        return None  # some deal is archived: the kept totals, which count it, cannot leave it out
    if table is DealCohortTotalsDelta:
        _fold_when_many(sum(int(r[-1] or 0) for r in rows))
    return [
        Sums(tuple(r[:width]), *(int(v) for v in r[width : width + 5]))
        for r in rows
        if r[width] is not None and int(r[width]) != 0
    ]


def _within(query, table, flt: DealFilter, signed_only: bool):
    """`query` of a kept-totals `table` narrowed to the keys of `flt` (and to signed deals)."""
    if flt.stage:
        query = query.where(table.stage == parse_stage(flt.stage).key)
    if signed_only:
        query = query.where(table.stage != "negotiating")
    if flt.year:
        query = query.where(table.year == int(flt.year))
    if flt.region:
        query = query.where(region_condition(table.region, flt.region.strip()))
    return query


# Funds [amount_cny in fen, arrivals, converted] and blockers [raised, open] kept in step with the ledger:
# per stage of their deal on SQLite (migration 0002), per signing year, region and stage on PostgreSQL (0007).
_FUNDS_SUMS, _BLOCKER_SUMS = ("amount_cny", "arrivals", "converted"), ("raised", "open")
_KEPT_PER_STAGE = (Table("funds_totals", ("stage", *_FUNDS_SUMS)), Table("blocker_totals", ("stage", *_BLOCKER_SUMS)))
_KEPT_PER_COHORT = (
    Table("funds_totals_delta", ("year", "region", "stage", *_FUNDS_SUMS)),
    Table("blocker_totals_delta", ("year", "region", "stage", *_BLOCKER_SUMS)),
)


def funds_and_blockers(flt: DealFilter) -> tuple[list[int], list[int]] | None:
    """Funds [amount_cny in fen, arrivals, converted] and blockers [raised, open] of the signed deals of `flt`.

    From the totals kept in step with the ledger; None when `flt` names more
    than their keys (SQLite keeps them per stage only).
    """
    postgres = dialect_of().totals_as_differences
    if not answerable(flt) or (not postgres and (flt.year or flt.region)):
        return None
    flt.named_parts()  # refuses a bad stage or year exactly as a query of the deals would
    db = database.obj
    found, excess = [], 0
    for table, sums in zip(_KEPT_PER_COHORT if postgres else _KEPT_PER_STAGE, (_FUNDS_SUMS, _BLOCKER_SUMS)):
        query = table.select(*(fn.COALESCE(fn.SUM(getattr(table, name)), 0) for name in sums))
        if not flt.archived and not found:  # asked on the way: is some deal archived?
            query = query.select_extend(any_archived())
        if postgres:  # rows of differences beyond one per key: how much folding would save
            query = query.select_extend(fn.COUNT(SQL("*")) - fn.COUNT(SQL("DISTINCT (year, region, stage)")))
        row = _within(query, table, flt, True).bind(db).tuples().get()
        if not flt.archived and not found and row[len(sums)]:
            return None  # the kept totals count archived deals' funds and blockers: they cannot leave them out
        found.append([int(v) for v in row[: len(sums)]])
        excess += int(row[-1] or 0) if postgres else 0
    _fold_when_many(excess)
    return found[0], found[1]


def _fold_when_many(excess: int) -> None:
    """Fold the rows of differences (PostgreSQL) once reading them costs more than folding would."""
    if excess > FOLD_AFTER:
        upkeep.compact()
