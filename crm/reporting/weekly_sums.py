"""The sums under the weekly table (crm.reporting.weekly): KPIs at the week's end, row totals, the summary."""

from __future__ import annotations

import datetime
from decimal import Decimal

from peewee import Case, fn

from crm.deals.stages import STAGES, at_or_beyond
from crm.reference import fx
from crm.reporting import kpi
from crm.reporting.weekly_model import Row, Summary, WeekActivity, _cents
from crm.reporting.weekly_queries import _among, _day, _Deal, _fetch
from db.models import Blocker, FundsArrived, FxRate

#: Stages that leave the table unless something happened that week.


class _KpiSums:
    """The cohort KPIs as they stood at the end of the week, with crm.reporting.kpi's definitions, summed batch by batch."""

    def __init__(self) -> None:
        self.k = kpi.Kpis()
        self.rate_ids: set[int] = set()
        self.by_stage: dict[str, int] = {}
        self.cny_by_stage: dict[str, int] = {}  # cents
        self.by_currency: dict[str, int] = {}  # cents
        self.total = 0  # cents

    def add(self, deals: list[_Deal], stage_at: dict, day: datetime.date, morning_after: datetime.date) -> None:
        """Count the batch's `deals` that existed on `day` (`stage_at`: their stage then)."""
        k = self.k
        signed = []
        for d in deals:
            stage = stage_at[d.id][0]
            if stage == "negotiating":
                continue
            cny = d.cny_cents
            if cny is None:
                raise d.missing_rate()
            signed.append(d.id)
            self.by_stage[stage] = self.by_stage.get(stage, 0) + 1
            self.cny_by_stage[stage] = self.cny_by_stage.get(stage, 0) + cny
            self.by_currency[d.currency] = self.by_currency.get(d.currency, 0) + d.cents
            self.total += cny
            if d.approximate:
                k.approximate = True
            if d.fx_rate is not None:
                self.rate_ids.add(d.fx_rate)
        if not signed:
            return
        k.deals += len(signed)
        for rate_id, summed, n, converted, currency, first_on in _fetch(
            FundsArrived.select(
                FundsArrived.fx_rate,
                fn.SUM(FundsArrived.amount_cny),
                fn.COUNT(FundsArrived.id),
                fn.COUNT(FundsArrived.amount_cny),
                fn.MIN(FundsArrived.currency),
                fn.MIN(FundsArrived.arrived_on),
            )
            .where(_among(FundsArrived.deal, signed), FundsArrived.arrived_on <= day)
            .group_by(FundsArrived.fx_rate)
        ):
            if converted < n:
                raise fx.missing(currency, _day(first_on))
            k.funds_cny += _cents(summed) or Decimal(0)
            if rate_id is not None:
                self.rate_ids.add(rate_id)
        is_open = Blocker.resolved_on.is_null(True) | (Blocker.resolved_on > day)
        for raised, open_, overdue in _fetch(
            Blocker.select(
                fn.COUNT(Blocker.id), fn.SUM(_case(is_open)), fn.SUM(_case(is_open & (Blocker.due_on < morning_after)))
            ).where(_among(Blocker.deal, signed), Blocker.raised_on <= day)
        ):
            k.blockers_raised += raised
            k.blockers_open += int(open_ or 0)
            k.blockers_overdue += int(overdue or 0)

    def kpis(self, morning_after: datetime.date) -> kpi.Kpis:
        k, by_stage = self.k, self.by_stage
        if k.deals:
            k.total_cny = _cents(self.total)
        k.cny_by_stage = {stage: _cents(cents) for stage, cents in self.cny_by_stage.items()}
        k.by_currency = {currency: _cents(cents) for currency, cents in self.by_currency.items()}
        k.fulfilled = sum(by_stage.get(s, 0) for s in at_or_beyond("registered"))
        k.started = sum(by_stage.get(s, 0) for s in at_or_beyond("construction"))
        k.operating = by_stage.get("operating", 0)
        k.by_stage = {s.key: by_stage[s.key] for s in STAGES if s.key in by_stage}
        k.blockers_resolved = k.blockers_raised - k.blockers_open
        rate_ids = self.rate_ids
        k.fx_used = fx.rates_used(FxRate.id.in_(sorted(rate_ids))) if rate_ids else []
        return k


class _RowSums:
    """What the summary needs of the listed rows, added up as they are produced (amounts in whole cents)."""

    def __init__(self) -> None:
        self.rows = 0
        self.by_stage: dict[str, list] = {}
        self.by_currency: dict[str, int] = {}
        self.total = 0
        self.approximate: set[str] = set()  # currencies of rows whose amount was approximate
        self.rate_ids: set[int] = set()

    def add(self, row: Row, deal: _Deal) -> None:
        self.rows += 1
        cny = deal.cny_cents
        entry = self.by_stage.get(row.stage)
        if entry is None:
            entry = self.by_stage[row.stage] = [0, 0]
        entry[0] += 1
        entry[1] += cny
        self.total += cny
        currency = deal.currency
        self.by_currency[currency] = self.by_currency.get(currency, 0) + deal.cents
        if deal.approximate:
            self.approximate.add(currency)
        if deal.fx_rate is not None:
            self.rate_ids.add(deal.fx_rate)


def _case(condition):
    return Case(None, [(condition, 1)], 0)


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
        by_stage={
            s.key: (sums.by_stage[s.key][0], _cents(sums.by_stage[s.key][1])) for s in STAGES if s.key in sums.by_stage
        },
        week=activity,
        kpis_week_end=week_end,
        kpis_now=now,
        now=today,
        fx_used=sorted(rates.values(), key=lambda rate: (rate.currency, rate.on)),
    )
