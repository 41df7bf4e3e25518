"""The as-of plan figures and late starts from the effective-dated kept counts of migration 0013 (deal_plan_days).

deal_plan_days holds, per plan year and region, the differences of each plan figure (planned, started, operating,
overdue, early) and of the late starts (late, very late) on the days they change for a deal: its stage changes,
its planned start, the day after, and the months after it (db/stage_days.py, plan_contribution). Summed up to a
day, they give the figures of that day without looking up any deal's stage.
"""

from __future__ import annotations

import datetime

from peewee import Table, fn

from crm.listing.filters import DealFilter, region_condition
from db import kept_totals as upkeep
from db import stage_days
from db.models import database

_TABLE = Table(stage_days.PLAN_TABLE, stage_days.PLAN_KEYS + stage_days.PLAN_SUMS)


def up_to(table, day: datetime.date):
    """The rows of an effective-dated kept `table` that sum to the end of `day`: months before, days of its month."""
    month = day.replace(day=1)
    return ((table.grain == 0) & (table.day < month)) | ((table.grain == 1) & (table.day >= month) & (table.day <= day))


def answers(cohort: DealFilter) -> bool:
    """Whether the kept counts answer `cohort`: all deals or a region, archived ones left out, 0013 applied."""
    if cohort.archived or any(name != "region" for name, _value in cohort.describe()):
        return False
    return upkeep.plan_days_kept()


def _sums(cohort: DealFilter, day: datetime.date, by_region: bool, kind: int, year: int, names: tuple) -> dict:
    """{region or None: [sum of each of `names`]} of the rows of `kind` and `year` up to the end of `day`."""
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
