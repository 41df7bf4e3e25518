"""The sums under the weekly table (crm.reporting.weekly): KPIs at the week's end, row totals, the summary."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from decimal import Decimal
from itertools import compress

from crm.deals.stages import STAGES, at_or_beyond
from crm.listing.filters import DealFilter
from crm.reference import fx
from crm.reporting import asof, kpi
from crm.reporting.weekly_model import Summary, Week, WeekActivity, _cents
from crm.reporting.weekly_queries import _due_on_sunday, _signed_rates
from db.models import FxRate


def _week_end_kpis(groups: list[tuple], funds: list[tuple], blockers: tuple) -> kpi.Kpis:
    """The cohort KPIs as they stood at the end of the week, with crm.reporting.kpi's definitions, from the
    aggregates of crm.reporting.weekly_queries (_signed_groups, _signed_funds, _signed_blockers), whose
    amounts are whole cents (ints, or Decimals on PostgreSQL) and all converted (the caller checked)."""
    k = kpi.Kpis()
    by_stage: dict[str, int] = {}
    cny_by_stage: dict[str, int] = {}  # cents
    by_currency: dict[str, int] = {}  # cents
    total = 0
    rate_ids: set[int] = set()
    for stage, currency, approximate, rate_id, n, cents, cny, _converted in groups:
        cny = int(cny or 0)
        by_stage[stage] = by_stage.get(stage, 0) + n
        cny_by_stage[stage] = cny_by_stage.get(stage, 0) + cny
        by_currency[currency] = by_currency.get(currency, 0) + int(cents)
        total += cny
        k.deals += n
        if approximate:
            k.approximate = True
        if rate_id is not None:
            rate_ids.add(rate_id)
    for rate_id, summed, _n, _converted, _currency, _first_on in funds:
        k.funds_cny += _cents(summed) or Decimal(0)
        if rate_id is not None:
            rate_ids.add(rate_id)
    raised, open_, overdue = blockers
    k.blockers_raised += raised or 0
    k.blockers_open += int(open_ or 0)
    k.blockers_overdue += int(overdue or 0)
    if k.deals:
        k.total_cny = _cents(total)
    k.cny_by_stage = {stage: _cents(cents) for stage, cents in cny_by_stage.items()}
    k.by_currency = {currency: _cents(cents) for currency, cents in by_currency.items()}
    k.fulfilled = sum(by_stage.get(s, 0) for s in at_or_beyond("registered"))
    k.started = sum(by_stage.get(s, 0) for s in at_or_beyond("construction"))
    k.operating = by_stage.get("operating", 0)
    k.by_stage = {s.key: by_stage[s.key] for s in STAGES if s.key in by_stage}
    k.blockers_resolved = k.blockers_raised - k.blockers_open
    k.fx_used = fx.rates_used(FxRate.id.in_(sorted(rate_ids))) if rate_ids else []
    return k


def _kept_week_end_kpis(cohort: DealFilter, week: Week) -> kpi.Kpis:
    """What _week_end_kpis gives, from crm.reporting.asof at the week's Sunday (the kept per-day totals where
    they answer the cohort, its own scan otherwise) instead of aggregating the deal table.

    asof counts a blocker overdue on a day when it was due before that day; the table, when it was due before
    Monday: those due on the Sunday itself are added. Raises MissingRate when asof does (the caller then
    names the deal as the table does, with _week_end_kpis' aggregates).
    """
    sunday = week.sunday
    found = asof.compute_grouped(cohort, sunday).get(None)
    k = found.kpis if found is not None else kpi.Kpis()
    k.blockers_overdue += _due_on_sunday(cohort, sunday)
    k.fx_used = _signed_rates(cohort, sunday)
    return k


class _RowSums:
    """What the summary needs of the listed rows, added up as they are produced (amounts in whole cents)."""

    def __init__(self) -> None:
        self.rows = 0
        self.by_stage: dict[str, list] = {}
        self.by_currency: dict[str, int] = {}
        self.total = 0
        self.approximate: set[str] = set()  # currencies of rows whose amount was approximate
        self.approximate_stages: set[str] = set()  # stages of rows whose amount was approximate
        self.rate_ids: set[int] = set()

    def add(self, stage: str, cny: int, currency: str, cents: int, approximate, fx_rate: int | None) -> None:
        """Count one listed row: its stage at the end of the week and its amounts in whole cents."""
        self.rows += 1
        entry = self.by_stage.get(stage)
        if entry is None:
            entry = self.by_stage[stage] = [0, 0]
        entry[0] += 1
        entry[1] += cny
        self.total += cny
        self.by_currency[currency] = self.by_currency.get(currency, 0) + cents
        if approximate:
            self.approximate.add(currency)
            self.approximate_stages.add(stage)
        if fx_rate is not None:
            self.rate_ids.add(fx_rate)

    def add_batch(self, stages, cnys, currencies, cents, approximates, fx_rates) -> None:
        """Count a batch of listed rows given column by column (as add() takes one row): one loop adding each
        row's amounts to its stage's and its currency's sums, the counts and sets made in C."""
        self.rows += len(stages)
        by_stage: defaultdict[str, int] = defaultdict(int)
        by_currency: defaultdict[str, int] = defaultdict(int)
        # one pass over the rows rather than one in C per distinct stage and currency (BENCHMARKS.md, tenth session)
        for stage, cny, currency, amount in zip(stages, cnys, currencies, cents):
            by_stage[stage] += cny
            by_currency[currency] += amount
        for stage, n in Counter(stages).items():
            entry = self.by_stage.get(stage)
            if entry is None:
                entry = self.by_stage[stage] = [0, 0]
            entry[0] += n
            entry[1] += by_stage[stage]
        self.total += sum(by_stage.values())
        for currency, amount in by_currency.items():
            self.by_currency[currency] = self.by_currency.get(currency, 0) + amount
        if any(approximates):
            flagged = list(compress(range(len(stages)), approximates))
            self.approximate.update(map(currencies.__getitem__, flagged))
            self.approximate_stages.update(map(stages.__getitem__, flagged))
        self.rate_ids.update(fx_rates)
        self.rate_ids.discard(None)

    def merge(self, other: _RowSums) -> None:
        """Count the rows `other` counted too (the rows a second process read)."""
        self.rows += other.rows
        for stage, (n, cny) in other.by_stage.items():
            entry = self.by_stage.get(stage)
            if entry is None:
                entry = self.by_stage[stage] = [0, 0]
            entry[0] += n
            entry[1] += cny
        self.total += other.total
        for currency, amount in other.by_currency.items():
            self.by_currency[currency] = self.by_currency.get(currency, 0) + amount
        self.approximate |= other.approximate
        self.approximate_stages |= other.approximate_stages
        self.rate_ids |= other.rate_ids


def _summary(
    sums: _RowSums, activity: WeekActivity, week_end: kpi.Kpis, now: kpi.Kpis, today: datetime.date
) -> Summary:
    rates = {rate.id: rate for rate in week_end.fx_used + now.fx_used}
    missing = sums.rate_ids - rates.keys()
    if missing:
        rates.update({rate.id: rate for rate in fx.rates_used(FxRate.id.in_(sorted(missing)))})
    return Summary(
        rows=sums.rows,
        total_cny=_cents(sums.total) if sums.rows else Decimal(0),
        by_currency={c: _cents(v) for c, v in sorted(sums.by_currency.items(), key=lambda kv: (kv[0] != "CNY", kv[0]))},
        approximate=bool(sums.approximate),
        approximate_currencies=frozenset(sums.approximate),
        approximate_stages=frozenset(sums.approximate_stages),
        by_stage={
            s.key: (sums.by_stage[s.key][0], _cents(sums.by_stage[s.key][1])) for s in STAGES if s.key in sums.by_stage
        },
        week=activity,
        kpis_week_end=week_end,
        kpis_now=now,
        now=today,
        fx_used=sorted(rates.values(), key=lambda rate: (rate.currency, rate.on)),
        rows_fx_used=sorted((rates[i] for i in sums.rate_ids if i in rates), key=lambda rate: (rate.currency, rate.on)),
    )
