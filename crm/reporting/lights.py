"""Traffic lights (issue #13): which signed deals lag their year's plan, as the ledger stood on a day.

A deal (signed, not 终止, on the day) is
- red when its completed investment lags the 序时进度 by more than RED_LAG points, or its planned start
  month passed more than RED_MONTHS months ago without 开工;
- yellow when it lags by more than YELLOW_LAG points, or its planned start month has passed without 开工;
- green otherwise.

The lag is (序时进度 − completion) in percentage points, both rounded to 4 decimals as crm kpi prints
them, where completion = the deal's investment completed in the day's year up to the day's month ÷ its
plan for that year (no lag without a plan). "Months late" counts whole calendar months from the planned
start's month to the day's month: planned in March, not started, is 1 month late in April, 4 in July.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from peewee import SQL, Case, fn

from crm.deals.stages import STAGES
from crm.listing.filters import DealFilter
from crm.reporting import asof, kept_plans
from db.models import Deal, InvestmentDone, InvestmentPlan, database

GREEN, YELLOW, RED = "green", "yellow", "red"
YELLOW_LAG, RED_LAG = Decimal(10), Decimal(30)  # percentage points behind the 序时进度
RED_MONTHS = 3  # months past the planned start month without 开工
_NO_LIGHT = {"negotiating", "terminated"}
CHUNK = 900


@dataclass(frozen=True)
class DealLight:
    """One deal's light on `day`: lag_points None without a plan for the year; months_late 0 when started
    or not yet due."""

    code: str
    light: str
    lag_points: Decimal | None
    months_late: int


@dataclass
class LightCounts:
    """How many deals of a cohort (or a group of it) are green, yellow and red."""

    green: int = 0
    yellow: int = 0
    red: int = 0

    def as_json(self) -> dict:
        return {GREEN: self.green, YELLOW: self.yellow, RED: self.red}


def classify(lag_points: Decimal | None, months_late: int) -> str:
    """The light for a lag in points (None: no plan) and a number of months past the planned start."""
    if (lag_points is not None and lag_points > RED_LAG) or months_late > RED_MONTHS:
        return RED
    if (lag_points is not None and lag_points > YELLOW_LAG) or months_late >= 1:
        return YELLOW
    return GREEN


def months_late(planned_start: datetime.date | None, started: bool, day: datetime.date) -> int:
    """Whole months from the planned start's month to `day`'s month, for a deal not started; else 0."""
    if started or planned_start is None:
        return 0
    return max(0, (day.year * 12 + day.month) - (planned_start.year * 12 + planned_start.month))


def lag_points(done_cny: Decimal, plan_cny: Decimal | None, day: datetime.date) -> Decimal | None:
    """Points the completion lags the 序时进度 of `day` (negative when ahead); None without a plan."""
    if not plan_cny:
        return None
    schedule = Decimal(day.month) / Decimal(12)
    return (_round(schedule) - _round(done_cny / plan_cny)) * 100


def _round(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def _investment(day: datetime.date, condition) -> tuple[dict, dict]:
    """({deal id: plan for the year in CNY}, {deal id: completed in the year up to `day` in CNY}) of the deals
    of `condition` (an expression on Deal, or None)."""
    plan = (
        InvestmentPlan.select(InvestmentPlan.deal, InvestmentPlan.amount_cny)
        .join(Deal, on=(InvestmentPlan.deal == Deal.id))
        .where(asof._and(InvestmentPlan.year == day.year, condition))
    )
    plans = {d: InvestmentPlan.amount_cny.python_value(v) for d, v in database.execute(plan).fetchall()}
    done_q = (
        InvestmentDone.select(InvestmentDone.deal, fn.SUM(InvestmentDone.amount_cny))
        .join(Deal, on=(InvestmentDone.deal == Deal.id))
        .where(asof._and(InvestmentDone.month.between(datetime.date(day.year, 1, 1), day), condition))
        .group_by(InvestmentDone.deal)
    )
    done = {d: InvestmentDone.amount_cny.python_value(v) or Decimal(0) for d, v in database.execute(done_q).fetchall()}
    return plans, done


def _lit(rows, condition, day: datetime.date) -> list[tuple]:
    """(group, DealLight) for rows of (id, code, stage on day, planned start, group) of `condition`."""
    rows = [r for r in rows if r[2] is not None and r[2] not in _NO_LIGHT]
    plans, done = _investment(day, condition) if rows else ({}, {})
    out = []
    for deal_id, code, stage, planned_start, group in rows:
        lag = lag_points(done.get(deal_id, Decimal(0)), plans.get(deal_id), day)
        late = months_late(Deal.planned_start.python_value(planned_start), stage in asof._STARTED, day)
        out.append((group, DealLight(code, classify(lag, late), lag, late)))
    return out


def _query(condition, day: datetime.date, key=None):
    query = Deal.select(Deal.id, Deal.code, asof.stage_on(day), Deal.planned_start, asof._key(key))
    return query.where(condition) if condition is not None else query


def deal_lights(codes: list[str], day: datetime.date | None = None) -> dict[str, DealLight]:
    """{code: DealLight} on `day` (default today) for the deals of `codes` that have a light."""
    day = day or datetime.date.today()
    if not codes:
        return {}
    codes = list(codes)
    out = {}
    for at in range(0, len(codes), CHUNK):  # a bounded number of bound parameters per query
        condition = Deal.code.in_(codes[at : at + CHUNK])
        rows = database.execute(_query(condition, day)).fetchall()
        out.update((light.code, light) for _group, light in _lit(rows, condition, day))
    return out


def counts(cohort: DealFilter | None, day: datetime.date, key=None) -> dict:
    """{value of `key` (an expression on Deal; None: one group, None): LightCounts} of the cohort on `day`."""
    cohort = cohort or DealFilter()
    condition = cohort.condition()
    counted = _counted(cohort, condition, day, key)
    if counted is not None:
        return counted
    out: dict = {}
    for group, light in _lit(database.execute(_query(condition, day, key)).fetchall(), condition, day):
        c = out.setdefault(group, LightCounts())
        setattr(c, light.light, getattr(c, light.light) + 1)
    return out


def _month_start(day: datetime.date, back: int = 0) -> datetime.date:
    months = day.year * 12 + day.month - 1 - back
    return datetime.date(months // 12, months % 12 + 1, 1)


def _counted(cohort: DealFilter, condition, day: datetime.date, key=None) -> dict | None:
    """counts() without a row per deal, for the cohorts the effective-dated kept totals answer (else None).

    Lit deals per group come from the kept totals; a deal with a plan for the year is classified one by one;
    one without is yellow or red only by its months late, counted by its planned start's month (red: before
    the month RED_MONTHS before `day`'s) from the kept plan counts (crm.reporting.kept_plans), which count
    every late deal, those with a plan too (moved back before they are classified), or else in SQL; the rest
    are green.
    """
    stage_rows = asof.dated_stage_rows(cohort, day, key)
    if stage_rows is None:
        return None
    out: dict = {}
    for group, stage, *_rest, n, _amount, _cny, _converted, _approx, _plan_n in stage_rows:
        if stage not in _NO_LIGHT:
            out.setdefault(group, LightCounts()).green += n
    planned = InvestmentPlan.select(InvestmentPlan.deal).where(InvestmentPlan.year == day.year)
    kept = kept_plans.answers(cohort)
    red_before = _month_start(day, RED_MONTHS)
    if kept:
        late = kept_plans.late_starts(cohort, day, key is not None)
    else:
        late = _late_scanned(condition, day, key, planned, red_before)
    for group, (red, yellow) in late.items():
        c = out.setdefault(group, LightCounts())
        c.green, c.red, c.yellow = c.green - red - yellow, c.red + red, c.yellow + yellow
    with_plan = asof._and(condition, Deal.id.in_(planned))
    for group, light in _lit(database.execute(_query(with_plan, day, key)).fetchall(), with_plan, day):
        c = out.setdefault(group, LightCounts())
        counted = classify(None, light.months_late)  # the light the kept late counts gave it
        if kept and counted != GREEN:
            setattr(c, counted, getattr(c, counted) - 1)
            c.green += 1
        _move(c, light.light)
    return {group: c for group, c in out.items() if c.green or c.yellow or c.red}


def _late_scanned(condition, day: datetime.date, key, planned, red_before: datetime.date) -> dict:
    """{group: (red, yellow)} of the late deals without a plan, each deal's stage on `day` looked up."""
    not_started = [s.key for s in STAGES if s.key not in asof._STARTED and s.key not in _NO_LIGHT]
    late = (
        Deal.select(
            asof._key(key),
            fn.SUM(Case(None, [(Deal.planned_start < red_before, 1)], 0)),
            fn.SUM(Case(None, [(Deal.planned_start >= red_before, 1)], 0)),
        )
        .where(
            asof._and(
                condition,
                Deal.planned_start < _month_start(day),
                Deal.id.not_in(planned),
                asof.stage_on(day).in_(not_started),
            )
        )
        .group_by(SQL("1"))
    )
    return {group: (int(red or 0), int(yellow or 0)) for group, red, yellow in database.execute(late).fetchall()}


def _move(c: LightCounts, light: str) -> None:
    """One deal counted green moves to `light`."""
    c.green -= 1
    setattr(c, light, getattr(c, light) + 1)
