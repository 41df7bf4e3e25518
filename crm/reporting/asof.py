"""Every KPI as the ledger stood at the end of a date, and the year's plan against it.

The stage ledger is effective-dated, so a deal's stage on DATE is exact: its
current stage when that began on or before DATE (a ledger never goes back in
time, crm.deals.stages), else its last entry dated on or before DATE; no entry
means the deal was not in the ledger yet. Funds count when arrived by DATE,
blockers when raised by DATE (open unless resolved by DATE, overdue when due
before DATE), as crm.reporting.kpi counts them on its `today`.

The official figures (DESIGN.md, issue #13), for the calendar year of DATE:

- 开工率 start_plan_rate = started_on_plan ÷ planned_starts, where
  planned_starts are the cohort's deals (in the ledger by DATE, not 终止)
  whose planned start falls in the year and started_on_plan those of them at
  开工 or beyond on DATE; overdue_starts: planned start before DATE, not
  started; started_early: started although their planned start is after DATE;
- the same for completion: planned_operations, operating_on_plan (at 投产),
  operating_plan_rate;
- invest_plan_cny: the plans for the year of the cohort's deals in the ledger by
  DATE (a deal signed later is not yet in it, as it is not in the deal counts);
  invest_done_cny: their investment completed in the year's months up to DATE's
  month; invest_plan_rate;
- 序时进度 schedule_rate = DATE's month ÷ 12 (a report dated in April covers
  1–4月, as its 完成投资 does), and schedule_gap = (invest_plan_rate −
  schedule_rate) in percentage points.

One grouped scan of the cohort's deals answers the deal counts of both sets.
"""

import datetime
import operator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import reduce

from peewee import SQL, Case, Table, fn

from crm.deals.stages import STAGES, at_or_beyond
from crm.listing import kept_totals
from crm.listing.filters import DealFilter, region_condition
from crm.reference import fx
from crm.reporting import kept_plans, kpi, month_ends
from crm.reporting.kept_plans import up_to as _up_to
from crm.reporting.remembered_rows import remember_rows, remembered_rows
from db import kept_totals as upkeep
from db import stage_days
from db.dialects import unindexed
from db.models import Blocker, Deal, FundsArrived, FxRate, InvestmentDone, InvestmentPlan, StageChange, database

_STARTED = frozenset(at_or_beyond("construction"))
#: Whether compute_grouped may take _fast_deal_groups (tests turn it off to compare with the full scan).
FAST = True
LATER_SHARE = 10  # _fast_deal_groups is taken while at most 1 deal in LATER_SHARE changed stage after the day
_FULFILLED = frozenset(at_or_beyond("registered"))


@dataclass
class PlanFigures:
    """The year's plan against the ledger on one date (see the module docstring)."""

    year: int
    planned_starts: int = 0
    started_on_plan: int = 0
    overdue_starts: int = 0
    started_early: int = 0
    planned_operations: int = 0
    operating_on_plan: int = 0
    invest_plan_cny: Decimal = Decimal("0.00")
    invest_done_cny: Decimal = Decimal("0.00")
    schedule_rate: Decimal = Decimal(0)

    @property
    def start_plan_rate(self) -> Decimal | None:
        return kpi.Kpis._ratio(self.started_on_plan, self.planned_starts)

    @property
    def operating_plan_rate(self) -> Decimal | None:
        return kpi.Kpis._ratio(self.operating_on_plan, self.planned_operations)

    @property
    def invest_plan_rate(self) -> Decimal | None:
        return kpi.Kpis._ratio(self.invest_done_cny, self.invest_plan_cny)

    @property
    def schedule_gap(self) -> Decimal | None:
        """Percentage points completion is ahead (+) or behind (−) the 序时进度, both rounded as printed."""
        rate = self.invest_plan_rate
        if rate is None:
            return None
        return (_round(rate) - _round(self.schedule_rate)) * 100


def _round(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


@dataclass
class AsOf:
    """The KPIs of a cohort at the end of `day` and the plan figures of `day`'s year."""

    day: datetime.date
    kpis: kpi.Kpis
    plan: PlanFigures


def stage_on(day: datetime.date):
    """SQL: a deal's stage at the end of `day`; NULL when the deal had no ledger entry yet. Where no deal's stage
    began after `day` (today, usually), the current stage: no look-up in the stage ledger for planners to cost."""
    if not Deal.select(Deal.id).where(Deal.stage_since > day).exists():
        return Deal.stage
    return stage_by_ledger(day)


def stage_by_ledger(day: datetime.date):
    """SQL: stage_on's rule for every deal: its stage ledger read where its current stage began after `day`."""
    entry = StageChange.alias("entry_on")
    earlier = (
        entry.select(entry.to_stage)
        .where((entry.deal == Deal.id) & (entry.effective_on <= day))
        .order_by(entry.id.desc())
        .limit(1)
    )
    return Case(None, [(Deal.stage_since <= day, Deal.stage)], earlier)


def _year(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    return datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31)


def _deal_groups(condition, day: datetime.date, key=None):
    """Deals grouped by `key` (an expression on Deal, or None), stage on `day`, currency, where their planned
    start falls and whether their planned completion falls in the year:
    (key, stage, currency, start_class, completes, n, amount, cny, converted, approx).

    start_class: 0 not in the year, 1 before `day`, 2 on `day`, 3 after `day`.
    """
    first, last = _year(day)
    in_year = Deal.planned_start.between(first, last)
    start_class = Case(
        None, [(in_year & (Deal.planned_start < day), 1), (in_year & (Deal.planned_start > day), 3), (in_year, 2)], 0
    )
    completes = Case(None, [(Deal.planned_completion.between(first, last), 1)], 0)
    query = Deal.select(
        _key(key),
        stage_on(day),
        Deal.currency,
        start_class,
        completes,
        fn.COUNT(Deal.id),
        fn.SUM(Deal.amount),
        fn.SUM(Deal.amount_cny),
        fn.COUNT(Deal.amount_cny),
        fn.MAX(Case(None, [(Deal.amount_approximate, 1)], 0)),
    ).group_by(SQL("1"), SQL("2"), SQL("3"), SQL("4"), SQL("5"))
    if condition is not None:
        query = query.where(condition)
    return database.execute(query).fetchall()


def _fast_deal_groups(cohort: DealFilter, condition, day: datetime.date, key=None):
    """_deal_groups' rows, for a cohort the kept totals answer (kept_totals.answerable) and `key` None or
    Deal.region; None otherwise. Exact, without looking up every deal's stage on `day`:

    - the kept totals give every deal's count and sums by current stage and currency, the rows with
      start_class and completes 0;
    - the deals whose current stage began after `day` (few for a recent day) are moved from their current
      stage to their stage on `day` (or out, when they were not in the ledger yet);
    - the plan classes come from a second query of only the deals planned to start or complete in the
      year, in rows with n 0 for the deal counts and their own count in `plan_n` (see _count_deals).
    """
    if key is not None and key is not Deal.region:
        return None
    by = ("region", "stage", "currency") if key is not None else ("stage", "currency")
    sums = kept_totals.grouped(cohort, by)
    if sums is None:
        return None
    # Each later deal costs a look-up in the stage ledger; beyond a tenth of the deals the full scan is faster.
    later_n = Deal.select(fn.COUNT(Deal.id)).where(_and(Deal.stage_since > day, condition)).scalar() or 0
    if later_n * LATER_SHARE > sum(row.deals for row in sums):
        return None
    groups: dict = {}

    def add(k, sign, n, amount, cny, converted, approx):  # amounts in integer fen, as stored
        g = groups.setdefault(k, [0, 0, 0, 0, 0])
        g[0] += sign * n
        g[1] += sign * int(amount or 0)
        g[2] += sign * int(cny or 0)
        g[3] += sign * converted
        g[4] += sign * approx

    for row in sums:
        k = row.key if key is not None else (None, *row.key)
        add(k, 1, row.deals, row.amount, row.amount_cny, row.converted, row.approximate)
    later = (
        Deal.select(
            _key(key),
            Deal.stage,
            stage_on(day),
            Deal.currency,
            fn.COUNT(Deal.id),
            fn.SUM(Deal.amount),
            fn.SUM(Deal.amount_cny),
            fn.COUNT(Deal.amount_cny),
            fn.SUM(Case(None, [(Deal.amount_approximate, 1)], 0)),
        )
        .where(_and(Deal.stage_since > day, condition))
        .group_by(*(SQL(str(i)) for i in range(1, 5)))
    )
    for group, now, then, currency, n, amount, cny, converted, approx in database.execute(later).fetchall():
        add((group, now, currency), -1, n, amount, cny, converted, int(approx or 0))
        if then is not None:
            add((group, then, currency), 1, n, amount, cny, converted, int(approx or 0))
    rows = [
        (group, stage, currency, 0, 0, n, amount, cny, converted, approx, 0)
        for (group, stage, currency), (n, amount, cny, converted, approx) in groups.items()
        if n
    ]
    return rows + _plan_groups(condition, day, key)


def _dated_deal_groups(cohort: DealFilter, condition, day: datetime.date, key=None):
    """_deal_groups' rows from the effective-dated kept totals (db/stage_days.py), for all deals or a region
    (not archived ones) and `key` None or Deal.region; None for any other cohort or key. The plan classes are
    left out when the kept plan counts answer them (_add_kept_plans)."""
    rows = dated_stage_rows(cohort, day, key)
    if rows is None:
        return None
    return rows if kept_plans.answers(cohort) else rows + _plan_groups(condition, day, key)


def _add_kept_plans(results: dict, cohort: DealFilter, day: datetime.date, key, label) -> None:
    """The plan figures' deal counts from the kept plan counts (crm.reporting.kept_plans)."""
    for group, figures in kept_plans.plan_figures(cohort, day, key is not None).items():
        plan = _result(results, label(group), day)[1]
        for name, n in figures.items():
            setattr(plan, name, getattr(plan, name) + n)


def _kept_funds_and_blockers(results: dict, cohort: DealFilter, day: datetime.date, key, label) -> bool:
    """_count_funds_and_blockers from the effective-dated kept totals (db/stage_days.py); False when they cannot
    answer (the cohorts of dated_stage_rows) or some funds entry counted has no CNY amount (the scan names it)."""
    if dated_stage_rows(cohort, day, key, probe=True) is None:
        return False
    table = Table(stage_days.EVENTS_TABLE, stage_days.EVENT_KEYS + stage_days.EVENT_SUMS)
    columns = [table.region] if key is not None else []
    query = table.select(*columns, *(fn.SUM(getattr(table, name)) for name in stage_days.EVENT_SUMS)).where(
        _up_to(table, day)
    )
    if cohort.region:
        query = query.where(region_condition(table.region, cohort.region.strip()))
    rows = [
        (r[0] if key is not None else None, *(int(v or 0) for v in r[-6:]))
        for r in database.execute(query.group_by(*columns)).fetchall()
    ]
    if any(converted < n for _g, n, _cny, converted, *_b in rows):
        return False
    for group, n, cny, _converted, raised, open_, overdue in rows:
        if n:
            _result(results, label(group), day)[0].funds_cny += FundsArrived.amount_cny.python_value(cny)
        if raised:
            k = _result(results, label(group), day)[0]
            k.blockers_raised += raised
            k.blockers_open += open_
            k.blockers_overdue += overdue
            k.blockers_resolved = k.blockers_raised - k.blockers_open
    return True


def dated_stage_rows(cohort: DealFilter, day: datetime.date, key=None, probe: bool = False) -> list | None:
    """The deals of `cohort` per `key` value, stage on `day` and currency, from the effective-dated kept totals:
    rows in _deal_groups' shape (plan classes 0, a plan-only count 0); None when they cannot answer (a cohort
    naming more than a region, archived deals asked for, `key` neither None nor Deal.region). With `probe`, []
    instead of the rows: whether they can answer."""
    if key is not None and key is not Deal.region:
        return None
    if cohort.archived or any(name != "region" for name, _value in cohort.describe()):
        return None
    if not upkeep.stage_days_kept():
        return None
    if probe:
        return []
    if key is None and (read := month_ends.given(cohort.region, day)) is not None:
        return list(read)
    remembered = remembered_rows((cohort.region, day, key is not None))
    if remembered is not None:
        return list(remembered)
    rows = _read_stage_rows(cohort, day, key)
    remember_rows((cohort.region, day, key is not None), rows)
    return list(rows)


def _read_stage_rows(cohort: DealFilter, day: datetime.date, key) -> list:
    table = Table(stage_days.TABLE, stage_days.KEYS + stage_days.SUMS)
    columns = [table.region] if key is not None else []
    query = table.select(
        *columns,
        table.stage,
        table.currency,
        *(fn.SUM(getattr(table, name)) for name in stage_days.SUMS),
    ).where(_up_to(table, day))
    if cohort.region:
        query = query.where(region_condition(table.region, cohort.region.strip()))
    query = query.group_by(*columns, table.stage, table.currency)
    rows = []
    for row in database.execute(query).fetchall():
        group = row[0] if key is not None else None
        stage, currency, n, amount, cny, converted, approx = row[-7:]
        if int(n):
            rows.append((group, stage, currency, 0, 0, int(n), int(amount), int(cny), int(converted), int(approx), 0))
    return rows


def _plan_groups(condition, day: datetime.date, key=None) -> list:
    """Rows of the deals planned to start or complete in `day`'s year, counted for the plan only: one query
    for the starts, one for the completions, each a range of its covering index (migration 0012)."""
    first, last = _year(day)
    start_class = Case(None, [(Deal.planned_start < day, 1), (Deal.planned_start > day, 3)], 2)
    out = []
    for column, klass, completes in (
        (Deal.planned_start, start_class, SQL("0")),
        (Deal.planned_completion, SQL("0"), SQL("1")),
    ):
        query = (
            Deal.select(_key(key), stage_on(day), klass, completes, fn.COUNT(Deal.id))
            .where(_and(column.between(first, last), condition))
            .group_by(*(SQL(str(i)) for i in range(1, 5)))
        )
        out += [
            (group, stage, None, sc, comp, 0, 0, 0, 0, 0, n)
            for group, stage, sc, comp, n in database.execute(query).fetchall()
        ]
    return out


def _key(key):
    """The grouping column; on SQLite written +key, so that the planner ranges over the index the condition
    names (e.g. planned start) rather than walking the key's index to group and looking every deal up."""
    if key is None:
        return SQL("NULL")
    return unindexed(key)


def _count_deals(results: dict, rows, condition, day: datetime.date) -> None:
    """Count rows of _deal_groups, or of _fast_deal_groups (whose rows carry a plan-only count at the end,
    in the same integer fen)."""
    cents = Deal.amount.python_value
    stages: dict = {}
    for group, stage, currency, start_class, completes, n, amount, cny, converted, approx, *plan_n in rows:
        if stage is None:
            continue  # not in the ledger yet on `day`
        k, p = _result(results, group, day)
        by_stage, cny_by_stage = stages.setdefault(group, ({}, {}))
        if stage != "terminated":
            _count_plan(p, stage, start_class, completes, plan_n[0] if plan_n else n)
        if stage == "negotiating" or n == 0:
            continue
        if converted < n:
            _raise_missing(condition, day)
        k.deals += n
        by_stage[stage] = by_stage.get(stage, 0) + n
        value = cents(cny) or Decimal(0)
        cny_by_stage[stage] = cny_by_stage.get(stage, Decimal(0)) + value
        k.total_cny += value
        k.by_currency[currency] = k.by_currency.get(currency, Decimal(0)) + cents(amount)
        k.approximate |= bool(approx)
    for group, (by_stage, cny_by_stage) in stages.items():
        _stage_totals(results[group].kpis, by_stage, cny_by_stage)


def _count_plan(p: PlanFigures, stage: str, start_class: int, completes: int, n: int) -> None:
    started = stage in _STARTED
    if start_class:
        p.planned_starts += n
        p.started_on_plan += n if started else 0
        p.overdue_starts += n if start_class == 1 and not started else 0
        p.started_early += n if start_class == 3 and started else 0
    if completes:
        p.planned_operations += n
        p.operating_on_plan += n if stage == "operating" else 0


def _result(results: dict, group, day: datetime.date) -> tuple[kpi.Kpis, "PlanFigures"]:
    if group not in results:
        results[group] = AsOf(day=day, kpis=kpi.Kpis(), plan=PlanFigures(year=day.year))
    return results[group].kpis, results[group].plan


def _stage_totals(k: kpi.Kpis, by_stage: dict, cny_by_stage: dict) -> None:
    k.fulfilled = sum(n for s, n in by_stage.items() if s in _FULFILLED)
    k.started = sum(n for s, n in by_stage.items() if s in _STARTED)
    k.operating = by_stage.get("operating", 0)
    k.by_stage = {s.key: by_stage[s.key] for s in STAGES if s.key in by_stage}
    k.cny_by_stage = {s.key: cny_by_stage[s.key] for s in STAGES if s.key in cny_by_stage}


def _raise_missing(condition, day: datetime.date):
    signed = stage_on(day) != "negotiating"
    where = signed if condition is None else signed & condition
    deal = Deal.select().where(where & Deal.amount_cny.is_null()).first()
    raise fx.missing(deal.currency, fx.conversion_day(deal))


def _and(*parts):
    kept = [p for p in parts if p is not None]
    result = kept[0]
    for part in kept[1:]:
        result &= part
    return result


def _same(group):
    return group


def _count_funds_and_blockers(results: dict, condition, day: datetime.date, key=None, label=_same) -> None:
    signed = stage_on(day) != "negotiating"
    query = (
        FundsArrived.select(
            _key(key),
            fn.SUM(FundsArrived.amount_cny),
            fn.COUNT(FundsArrived.id),
            fn.COUNT(FundsArrived.amount_cny),
            fn.MIN(FundsArrived.currency),
        )
        .join(Deal, on=(FundsArrived.deal == Deal.id))
        .where(_and(FundsArrived.arrived_on <= day, signed, condition))
        .group_by(SQL("1"))
    )
    for group, cny, n, converted, currency in database.execute(query).fetchall():
        if converted < n:
            raise fx.missing(currency, day)
        _result(results, label(group), day)[0].funds_cny += FundsArrived.amount_cny.python_value(cny) or Decimal(0)
    is_open = Blocker.resolved_on.is_null(True) | (Blocker.resolved_on > day)
    query = (
        Blocker.select(
            _key(key),
            fn.COUNT(Blocker.id),
            fn.SUM(Case(None, [(is_open, 1)], 0)),
            fn.SUM(Case(None, [(is_open & (Blocker.due_on < day), 1)], 0)),
        )
        .join(Deal, on=(Blocker.deal == Deal.id))
        .where(_and(Blocker.raised_on <= day, Blocker.voided_at.is_null(True), signed, condition))
        .group_by(SQL("1"))
    )
    for group, raised, open_, overdue in database.execute(query).fetchall():
        k = _result(results, label(group), day)[0]
        k.blockers_raised += raised or 0
        k.blockers_open += int(open_ or 0)
        k.blockers_overdue += int(overdue or 0)
        k.blockers_resolved = k.blockers_raised - k.blockers_open


def _in_ledger(day: datetime.date):
    """SQL: the deal was in the ledger by the end of `day` (its plans and completed investment count then)."""
    return stage_on(day).is_null(False)


def _sum_investment(results: dict, condition, day: datetime.date, key=None, label=_same) -> None:
    first, _last = _year(day)
    condition = _and(_in_ledger(day), condition)
    for model, where in (
        (InvestmentPlan, InvestmentPlan.year == day.year),
        (InvestmentDone, InvestmentDone.month.between(first, day)),
    ):
        query = (
            model.select(_key(key), fn.SUM(model.amount_cny), fn.COUNT(model.id), fn.COUNT(model.amount_cny))
            .join(Deal, on=(model.deal == Deal.id))
            .where(_and(where, condition))
            .group_by(SQL("1"))
        )
        for group, cny, n, converted in database.execute(query).fetchall():
            if converted < n:
                row = (
                    model.select()
                    .join(Deal, on=(model.deal == Deal.id))
                    .where(_and(where, condition, model.amount_cny.is_null()))
                    .first()
                )
                raise fx.missing(row.currency, getattr(row, "month", None) or datetime.date(day.year, 1, 1))
            total = model.amount_cny.python_value(cny) or Decimal("0.00")
            p = _result(results, label(group), day)[1]
            if model is InvestmentPlan:
                p.invest_plan_cny += total
            else:
                p.invest_done_cny += total


def _used_on(condition, day: datetime.date, deals: bool = True):
    """SQL on FxRate: a row counted on `day` (a deal signed by then, funds arrived, the year's plan and months done
    of the deals in the ledger by then) was converted at this rate; without `deals`, a plan or month done only."""
    first, _last = _year(day)
    signed = stage_on(day) != "negotiating"
    in_ledger = _in_ledger(day)

    def used(model, *where):
        query = model.select(model.id).where(_and(model.fx_rate == FxRate.id, *where))
        if model is not Deal:
            query = query.join(Deal, on=(model.deal == Deal.id))
        return fn.EXISTS(query)

    investment = used(InvestmentPlan, InvestmentPlan.year == day.year, in_ledger, condition) | used(
        InvestmentDone, InvestmentDone.month.between(first, day), in_ledger, condition
    )
    if not deals:
        return investment
    return (
        used(Deal, signed, condition)
        | used(FundsArrived, FundsArrived.arrived_on <= day, signed, condition)
        | investment
    )


def rates_used(cohort: DealFilter, days: list[datetime.date]) -> list:
    """The rates (fx.RateUsed) the figures of `cohort` on any of `days` (one or more) were converted at (a
    series' table names them once). Few rates, each asked of the newest day first, where most are found soonest."""
    condition = cohort.condition()
    return fx.rates_used(reduce(operator.or_, [_used_on(condition, d) for d in sorted(days, reverse=True)]))


def compute(cohort: DealFilter | None = None, day: datetime.date | None = None, *, rates: bool = True) -> AsOf:
    """Every KPI of `cohort` at the end of `day` (default today) and the plan figures of its year.

    `rates`: name the exchange rates used in kpis.fx_used (left empty without; a series table names them once).

    Raises MissingRate when a counted amount has no rate to convert it, as crm.reporting.kpi does.
    """
    cohort = cohort or DealFilter()
    day = day or datetime.date.today()
    result = compute_grouped(cohort, day).get(None) or AsOf(day=day, kpis=kpi.Kpis(), plan=PlanFigures(year=day.year))
    result.plan.schedule_rate = Decimal(day.month) / Decimal(12)
    if rates:
        result.kpis.fx_used = rates_used(cohort, [day])
    return result


def current(cohort: DealFilter | None = None, today: datetime.date | None = None) -> AsOf:
    """The KPIs of `cohort` now, from the totals kept in step (crm.reporting.kpi.compute, fast at any size), and
    the plan figures of this year; fx_used names every rate behind them, the plans' and completed investment's too.
    """
    cohort = cohort or DealFilter()
    today = today or datetime.date.today()
    k = kpi.compute(cohort, today)
    found = compute_grouped(cohort, today).get(None)
    result = AsOf(day=today, kpis=k, plan=found.plan if found else PlanFigures(year=today.year))
    result.plan.schedule_rate = Decimal(today.month) / Decimal(12)
    investment = fx.rates_used(_used_on(cohort.condition(), today, deals=False))
    merged = {rate.id: rate for rate in [*k.fx_used, *investment]}
    k.fx_used = sorted(merged.values(), key=lambda rate: (rate.currency, rate.on))
    return result


def compute_grouped(cohort: DealFilter, day: datetime.date, key=None, label=_same) -> dict:
    """{label(value of `key`) (an expression on Deal; None: one group, None): AsOf} for the cohort on `day`.

    Values `label` maps to the same label are one group (regions written differently for one division).
    Groups with no deal, funds, blocker or investment counted do not appear; fx_used is left empty
    (the whole cohort's rates are compute()'s).
    """
    condition = cohort.condition()
    results: dict = {}
    rows = _dated_deal_groups(cohort, condition, day, key) if FAST else None
    dated = rows is not None
    if FAST and rows is None:
        rows = _fast_deal_groups(cohort, condition, day, key)
    rows = _deal_groups(condition, day, key) if rows is None else rows
    _count_deals(results, [(label(row[0]), *row[1:]) for row in rows], condition, day)
    if dated and kept_plans.answers(cohort):
        _add_kept_plans(results, cohort, day, key, label)
    if not (FAST and _kept_funds_and_blockers(results, cohort, day, key, label)):
        _count_funds_and_blockers(results, condition, day, key, label)
    _sum_investment(results, condition, day, key, label)
    for result in results.values():
        result.plan.schedule_rate = Decimal(day.month) / Decimal(12)
    return results


def plan_json(p: PlanFigures) -> dict:
    """The plan figures under the keys of issue #13; rates as decimal strings, the gap in points."""
    gap = p.schedule_gap
    return {
        "plan_year": p.year,
        "planned_starts": p.planned_starts,
        "started_on_plan": p.started_on_plan,
        "start_plan_rate": kpi.rate_text(p.start_plan_rate),
        "overdue_starts": p.overdue_starts,
        "started_early": p.started_early,
        "planned_operations": p.planned_operations,
        "operating_on_plan": p.operating_on_plan,
        "operating_plan_rate": kpi.rate_text(p.operating_plan_rate),
        "invest_plan_cny": str(p.invest_plan_cny),
        "invest_done_cny": str(p.invest_done_cny),
        "invest_plan_rate": kpi.rate_text(p.invest_plan_rate),
        "schedule_rate": kpi.rate_text(p.schedule_rate),
        "schedule_gap": None if gap is None else str(gap.quantize(Decimal("0.01"))),
    }


def as_json(result: AsOf) -> dict:
    """kpi.as_json's keys, the plan figures' keys and `as_of`."""
    return {"as_of": result.day.isoformat(), **kpi.as_json(result.kpis), **plan_json(result.plan)}
