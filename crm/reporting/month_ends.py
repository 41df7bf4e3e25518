"""One read of the kept stage totals for a whole monthly series (crm.reporting.series).

A sum of the effective-dated totals up to a month's last day is every month
row (grain 0) up to that month: the day rows of its month add up to its month
row (db/stage_days.py). So the month rows of the whole span, read once and
summed in order, give each month end's rows as `asof.dated_stage_rows` would
read them one month at a time.
"""

from __future__ import annotations

import contextlib
import datetime
import threading
from collections.abc import Iterator

from peewee import Table, fn

from crm.listing.filters import DealFilter, region_condition
from crm.values.dates import month_end
from db import stage_days
from db.models import database

#: {(region, day): rows} given for the month ends of the series running in this thread.
_GIVEN = threading.local()


def given(region: str | None, day: datetime.date) -> list | None:
    """The rows read for `day` (all deals or one region, ungrouped) by the series running here; None otherwise."""
    rows = getattr(_GIVEN, "rows", None)
    return None if not rows else rows.get((region, day))


@contextlib.contextmanager
def read_once(cohort: DealFilter, days: list[datetime.date], answerable: bool) -> Iterator[None]:
    """Within the block, the stage rows of `cohort` (all deals or a region) on each month end of `days` come
    from one read. `answerable`: the kept totals answer this cohort (asof.dated_stage_rows' probe)."""
    ends = sorted(day for day in days if day == month_end(day))
    previous = getattr(_GIVEN, "rows", None)
    if previous and all((cohort.region, end) in previous for end in ends):
        yield  # an enclosing block read them already
        return
    rows = _month_end_rows(cohort.region, ends) if answerable and len(ends) > 1 else {}
    _GIVEN.rows = rows
    try:
        yield
    finally:
        _GIVEN.rows = previous


def _month_end_rows(region: str | None, ends: list[datetime.date]) -> dict:
    table = Table(stage_days.TABLE, stage_days.KEYS + stage_days.SUMS)
    query = table.select(
        table.day, table.stage, table.currency, *(fn.SUM(getattr(table, name)) for name in stage_days.SUMS)
    ).where((table.grain == 0) & (table.day <= ends[-1].replace(day=1)))
    if region:
        query = query.where(region_condition(table.region, region.strip()))
    read = sorted(
        (str(day)[:10], stage, currency, [int(v or 0) for v in sums])
        for day, stage, currency, *sums in database.execute(
            query.group_by(table.day, table.stage, table.currency)
        ).fetchall()
    )
    running: dict[tuple, list[int]] = {}
    out, at = {}, 0
    for end in ends:
        month = end.replace(day=1).isoformat()
        while at < len(read) and read[at][0] <= month:
            _day, stage, currency, sums = read[at]
            totals = running.setdefault((stage, currency), [0] * len(sums))
            for i, value in enumerate(sums):
                totals[i] += value
            at += 1
        out[(region, end)] = [
            (None, stage, currency, 0, 0, n, amount, cny, converted, approx, 0)
            for (stage, currency), (n, amount, cny, converted, approx) in running.items()
            if n
        ]
    return out
