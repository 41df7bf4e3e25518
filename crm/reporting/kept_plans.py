"""The as-of plan figures and late starts from the effective-dated kept counts of migration 0013 (deal_plan_days).

deal_plan_days holds, per planned start (or completion) month, region and class of stage (db/stage_days.py
STATES), how many deals were in that class from each day on. Summed up to a day it gives, without looking up
any deal's stage, how many deals planned for each month were negotiating, waiting to start, started or
operating on that day. Months are exact for every plan figure but those of the day's own month, whose deals
the caller classes one by one (a few thousand at a million deals).
"""

from __future__ import annotations

import datetime

from peewee import Case, Table, fn

from crm.listing.filters import DealFilter, region_condition
from db import kept_totals as upkeep
from db import stage_days
from db.models import database

#: A stage standing for each kept class, as crm.reporting.asof counts stages (started, operating or neither).
STAGE_OF = {"n": "negotiating", "w": "signed", "s": "construction", "o": "operating"}
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


def _query(cohort: DealFilter, by_region: bool, *columns):
    chosen = [_TABLE.region] if by_region else []
    query = _TABLE.select(*chosen, *columns)
    if cohort.region:
        query = query.where(region_condition(_TABLE.region, cohort.region.strip()))
    return query


def plan_rows(cohort: DealFilter, day: datetime.date, by_region: bool) -> list[tuple]:
    """(region or None, stage, start class, completes, deals) of the deals planned to start or complete in
    `day`'s year, their planned start outside `day`'s month (start class 1 before it, 3 after it; 0 for the
    completion rows), by the class of their stage on `day`, in crm.reporting.asof._count_plan's terms."""
    first, last, month = datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31), day.replace(day=1)
    start_class = Case(None, [(_TABLE.kind == stage_days.COMPLETION, 0), (_TABLE.planned < month, 1)], 3)
    query = (
        _query(cohort, by_region, _TABLE.kind, start_class, _TABLE.state, fn.SUM(_TABLE.deals))
        .where(
            up_to(_TABLE, day)
            & _TABLE.planned.between(first, last)
            & ((_TABLE.kind == stage_days.COMPLETION) | (_TABLE.planned != month))
        )
        .group_by(*([_TABLE.region] if by_region else []), _TABLE.kind, start_class, _TABLE.state)
    )
    out = []
    for row in database.execute(query).fetchall():
        group = row[0] if by_region else None
        kind, klass, state, n = row[-4:]
        if int(n or 0):
            out.append((group, STAGE_OF[state], int(klass), int(kind == stage_days.COMPLETION), int(n)))
    return out


def late_starts(cohort: DealFilter, day: datetime.date, red_before: datetime.date, by_region: bool) -> dict:
    """{region or None: (red, yellow)}: deals signed and not started on `day` (STATES 'w') whose planned start
    month is before `day`'s month, red when before `red_before` (a first of a month), every such deal counted."""
    month = day.replace(day=1)
    red = fn.SUM(Case(None, [(_TABLE.planned < red_before, _TABLE.deals)], 0))
    yellow = fn.SUM(Case(None, [(_TABLE.planned >= red_before, _TABLE.deals)], 0))
    query = _query(cohort, by_region, red, yellow).where(
        (_TABLE.kind == stage_days.START) & (_TABLE.planned < month) & (_TABLE.state == "w") & up_to(_TABLE, day)
    )
    if by_region:
        query = query.group_by(_TABLE.region)
    out = {}
    for row in database.execute(query).fetchall():
        group = row[0] if by_region else None
        out[group] = (int(row[-2] or 0), int(row[-1] or 0))
    return out
