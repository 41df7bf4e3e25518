"""The as-of plan figures and late starts from the effective-dated kept counts of migration 0013 (deal_plan_days).

deal_plan_days holds, per plan year and region, the differences of each plan figure (planned, started, operating,
overdue, early) and of the late starts (late, very late) on the days they change for a deal: its stage changes,
its planned start, the day after, and the months after it (db/stage_days.py, plan_contribution). Summed up to a
day, they give the figures of that day without looking up any deal's stage.
"""

from __future__ import annotations

import contextlib
import datetime
import threading
from collections.abc import Iterator

from peewee import Table, fn

from crm.listing.filters import DealFilter, region_condition
from db import kept_totals as upkeep
from db import stage_days
from db.models import database

_TABLE = Table(stage_days.PLAN_TABLE, stage_days.PLAN_KEYS + stage_days.PLAN_SUMS)
#: (first day, last day, {(region, kind, year): what _read_span read}) of the read_once() block running here.
_READ = threading.local()


def up_to(table, day: datetime.date):
    """The rows of an effective-dated kept `table` that sum to the end of `day`: months before, days of its month."""
    month = day.replace(day=1)
    return ((table.grain == 0) & (table.day < month)) | ((table.grain == 1) & (table.day >= month) & (table.day <= day))


def answers(cohort: DealFilter) -> bool:
    """Whether the kept counts answer `cohort`: all deals or a region, archived ones left out, 0013 applied."""
    if cohort.archived or any(name != "region" for name, _value in cohort.describe()):
        return False
    return upkeep.plan_days_kept()


@contextlib.contextmanager
def read_once(days: list[datetime.date]) -> Iterator[None]:
    """Within the block, the ungrouped figures of a cohort, kind and year on days from the first to the last of
    `days` come from one read of its rows over that span, summed up to each day asked (a series' period ends)."""
    previous = getattr(_READ, "span", None)
    _READ.span = (min(days), max(days), {}) if days and previous is None else previous
    try:
        yield
    finally:
        _READ.span = previous


def _read_span(region: str | None, kind: int, year: int, first: datetime.date, last: datetime.date) -> tuple:
    """(the sums of PLAN_SUMS before `first`'s month, [(grain, day, sums)] of the rows from that month to `last`)."""
    month = first.replace(day=1)
    sums = [fn.SUM(getattr(_TABLE, n)) for n in stage_days.PLAN_SUMS]
    where = (_TABLE.kind == kind) & (_TABLE.year == year)
    if region:
        where &= region_condition(_TABLE.region, region.strip())
    before = database.execute(_TABLE.select(*sums).where(where & (_TABLE.grain == 0) & (_TABLE.day < month)))
    span = _TABLE.select(_TABLE.grain, _TABLE.day, *sums).where(where & _TABLE.day.between(month, last))
    rows = database.execute(span.group_by(_TABLE.grain, _TABLE.day)).fetchall()
    return [int(v or 0) for v in before.fetchone()], [(g, str(d)[:10], [int(v or 0) for v in s]) for g, d, *s in rows]


def _summed(read: tuple, day: datetime.date, names: tuple) -> dict:
    """_sums' answer from what _read_span read: the months before `day`'s, then the days of it up to `day`."""
    before, rows = read
    month, end = day.replace(day=1).isoformat(), day.isoformat()
    totals = list(before)
    for grain, when, values in rows:
        if (grain == 0 and when < month) or (grain == 1 and month <= when <= end):
            totals = [a + b for a, b in zip(totals, values, strict=True)]
    sums = [totals[stage_days.PLAN_SUMS.index(name)] for name in names]
    return {None: sums} if any(sums) else {}


def _sums(cohort: DealFilter, day: datetime.date, by_region: bool, kind: int, year: int, names: tuple) -> dict:
    """{region or None: [sum of each of `names`]} of the rows of `kind` and `year` up to the end of `day`."""
    span = getattr(_READ, "span", None)
    if span is not None and not by_region and span[0] <= day <= span[1]:
        first, last, read = span
        key = (cohort.region, kind, year)
        if key not in read:
            read[key] = _read_span(cohort.region, kind, year, first, last)
        return _summed(read[key], day, names)
    month = day.replace(day=1)
    chosen = [_TABLE.region] if by_region else []
    out: dict = {}
    # the months before and the days of `day`'s month apart: each a range of the key (the OR of both is not)
    for grain, dated in ((0, _TABLE.day < month), (1, _TABLE.day.between(month, day))):
        query = _TABLE.select(*chosen, *(fn.SUM(getattr(_TABLE, name)) for name in names)).where(
            (_TABLE.kind == kind) & (_TABLE.year == year) & (_TABLE.grain == grain) & dated
        )
        if cohort.region:
            query = query.where(region_condition(_TABLE.region, cohort.region.strip()))
        if by_region:
            query = query.group_by(_TABLE.region)
        for row in database.execute(query).fetchall():
            sums = out.setdefault(row[0] if by_region else None, [0] * len(names))
            for i, value in enumerate(row[-len(names) :]):
                sums[i] += int(value or 0)
    return {group: sums for group, sums in out.items() if any(sums)}


def plan_figures(cohort: DealFilter, day: datetime.date, by_region: bool) -> dict:
    """{region or None: {figure: n}} of crm.reporting.asof.PlanFigures' deal counts for `day`'s year on `day`:
    planned_starts, started_on_plan, overdue_starts, started_early, planned_operations, operating_on_plan."""
    out: dict = {}
    starts = ("deals", "started", "overdue", "early")
    for group, (n, started, overdue, early) in _sums(
        cohort, day, by_region, stage_days.START, day.year, starts
    ).items():
        out.setdefault(group, {}).update(
            planned_starts=n, started_on_plan=started, overdue_starts=overdue, started_early=early
        )
    completions = ("deals", "operating")
    for group, (n, operating) in _sums(cohort, day, by_region, stage_days.COMPLETION, day.year, completions).items():
        out.setdefault(group, {}).update(planned_operations=n, operating_on_plan=operating)
    return out


def late_starts(cohort: DealFilter, day: datetime.date, by_region: bool) -> dict:
    """{region or None: (red, yellow)}: deals signed and not started on `day` whose planned start month is more
    than crm.reporting.lights.RED_MONTHS (red) or 1 to RED_MONTHS months (yellow) before `day`'s, every such
    deal counted (those with an investment plan too)."""
    rows = _sums(cohort, day, by_region, stage_days.LATE, 0, ("very_late", "late"))
    return {group: (red, yellow) for group, (red, yellow) in rows.items()}
