"""Cohort KPIs: how a set of signed deals is doing.

A cohort is any DealFilter (an event, a signing year, a region, a
department, or all). Only signed deals count — a deal still 在谈 has not
been signed. Definitions:

- total_cny: each deal's amount in CNY at the rate of its signing date;
- 履约率 fulfilment_rate: share of deals at 注册 or beyond;
- 开工率 start_rate: at 开工 or beyond; 投产率 operating_rate: at 投产;
- 资金到位率 funds_rate: funds arrived (each at its arrival-date rate) ÷ total_cny;
- blockers raised / open / resolved / overdue, and 办结率 resolution_rate = resolved ÷ raised.

Every figure is computed by the database; `fx_used` names each rate used.
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from peewee import Case, fn

from crm import fx
from crm.deal_query import DealFilter
from crm.stages import STAGES, at_or_beyond
from db.models import Blocker, Deal, FundsArrived, FxRate


@dataclass
class Kpis:
    deals: int = 0
    total_cny: Decimal = Decimal(0)
    by_currency: dict = field(default_factory=dict)  # currency -> amount in that currency
    by_stage: dict = field(default_factory=dict)  # stage key -> number of deals
    cny_by_stage: dict = field(default_factory=dict)  # stage key -> CNY total
    approximate: bool = False  # some amount was written as 117亿余元
    fulfilled: int = 0
    started: int = 0
    operating: int = 0
    funds_cny: Decimal = Decimal(0)
    blockers_raised: int = 0
    blockers_open: int = 0
    blockers_resolved: int = 0
    blockers_overdue: int = 0
    fx_used: list = field(default_factory=list)  # FxRate rows

    @staticmethod
    def _ratio(part, whole):
        return None if not whole else Decimal(part) / Decimal(whole)

    @property
    def fulfilment_rate(self):
        return self._ratio(self.fulfilled, self.deals)

    @property
    def start_rate(self):
        return self._ratio(self.started, self.deals)

    @property
    def operating_rate(self):
        return self._ratio(self.operating, self.deals)

    @property
    def funds_rate(self):
        return self._ratio(self.funds_cny, self.total_cny)

    @property
    def resolution_rate(self):
        return self._ratio(self.blockers_resolved, self.blockers_raised)


def rate_text(value: Decimal | None, places: int = 4) -> str | None:
    """A ratio as a decimal string rounded half up (0.8224), or None when undefined."""
    if value is None:
        return None
    return str(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def percent_text(value: Decimal | None) -> str:
    """A ratio as a percentage with two decimals (82.24%), or — when undefined."""
    if value is None:
        return "—"
    return f"{(value * 100).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"


def signed_deals(cohort: DealFilter):
    """A select of the ids of the cohort's signed deals."""
    return cohort.apply(Deal.select(Deal.id).where(Deal.stage != "negotiating"))


def compute(cohort: DealFilter | None = None, today: datetime.date | None = None) -> Kpis:
    """The KPIs of `cohort` (all deals when None). Raises MissingRate if a deal cannot be converted."""
    cohort = cohort or DealFilter()
    today = today or datetime.date.today()
    ids = signed_deals(cohort)
    k = Kpis()

    rows = (
        Deal.select(
            Deal.stage, Deal.currency, fn.COUNT(Deal.id).alias("n"), fn.SUM(Deal.amount).alias("amount"),
            fn.SUM(Deal.amount_cny).alias("cny"), fn.COUNT(Deal.amount_cny).alias("converted"),
            fn.MAX(Case(None, [(Deal.amount_approximate, 1)], 0)).alias("approx"),
        )
        .where(Deal.id.in_(ids))
        .group_by(Deal.stage, Deal.currency)
        .namedtuples()
    )
    amount_field, cny_field = Deal.amount, Deal.amount_cny
    for r in rows:
        if r.converted < r.n:
            _raise_missing(ids)
        k.deals += r.n
        k.by_stage[r.stage] = k.by_stage.get(r.stage, 0) + r.n
        cny = cny_field.python_value(r.cny) or Decimal(0)
        k.cny_by_stage[r.stage] = k.cny_by_stage.get(r.stage, Decimal(0)) + cny
        k.total_cny += cny
        k.by_currency[r.currency] = k.by_currency.get(r.currency, Decimal(0)) + amount_field.python_value(r.amount)
        k.approximate |= bool(r.approx)
    k.fulfilled = sum(k.by_stage.get(s, 0) for s in at_or_beyond("registered"))
    k.started = sum(k.by_stage.get(s, 0) for s in at_or_beyond("construction"))
    k.operating = k.by_stage.get("operating", 0)
    k.by_stage = {s.key: k.by_stage[s.key] for s in STAGES if s.key in k.by_stage}

    funds = (
        FundsArrived.select(fn.SUM(FundsArrived.amount_cny).alias("cny"), fn.COUNT(FundsArrived.id).alias("n"),
                            fn.COUNT(FundsArrived.amount_cny).alias("converted"))
        .where(FundsArrived.deal.in_(ids))
        .namedtuples()
        .get()
    )
    if funds.converted < funds.n:
        missing = FundsArrived.select().where(FundsArrived.deal.in_(ids) & FundsArrived.amount_cny.is_null()).first()
        raise fx.missing(missing.currency, missing.arrived_on)
    k.funds_cny = FundsArrived.amount_cny.python_value(funds.cny) or Decimal(0)

    open_ = Blocker.resolved_on.is_null(True)
    b = (
        Blocker.select(
            fn.COUNT(Blocker.id).alias("raised"),
            fn.SUM(Case(None, [(open_, 1)], 0)).alias("open"),
            fn.SUM(Case(None, [(open_ & (Blocker.due_on < today), 1)], 0)).alias("overdue"),
        )
        .where(Blocker.deal.in_(ids))
        .namedtuples()
        .get()
    )
    k.blockers_raised = b.raised or 0
    k.blockers_open = int(b.open or 0)
    k.blockers_overdue = int(b.overdue or 0)
    k.blockers_resolved = k.blockers_raised - k.blockers_open

    used = Deal.select(Deal.fx_rate).where(Deal.id.in_(ids) & Deal.fx_rate.is_null(False))
    used_funds = FundsArrived.select(FundsArrived.fx_rate).where(
        FundsArrived.deal.in_(ids) & FundsArrived.fx_rate.is_null(False)
    )
    k.fx_used = list(
        FxRate.select().where(FxRate.id.in_(used) | FxRate.id.in_(used_funds)).order_by(FxRate.currency, FxRate.on)
    )
    return k


def _raise_missing(ids):
    deal = Deal.select().where(Deal.id.in_(ids) & Deal.amount_cny.is_null()).first()
    raise fx.missing(deal.currency, fx.conversion_day(deal))


def as_json(k: Kpis) -> dict:
    """The KPIs with stable English keys; amounts and ratios as decimal strings."""
    return {
        "deals": k.deals,
        "total_cny": str(k.total_cny),
        "approximate": k.approximate,
        "by_currency": {cur: str(v) for cur, v in sorted(k.by_currency.items())},
        "by_stage": k.by_stage,
        "fulfilment_rate": rate_text(k.fulfilment_rate),
        "start_rate": rate_text(k.start_rate),
        "operating_rate": rate_text(k.operating_rate),
        "funds_cny": str(k.funds_cny),
        "funds_rate": rate_text(k.funds_rate),
        "blockers_raised": k.blockers_raised,
        "blockers_open": k.blockers_open,
        "blockers_resolved": k.blockers_resolved,
        "blockers_overdue": k.blockers_overdue,
        "resolution_rate": rate_text(k.resolution_rate),
        "fx_used": [
            {"currency": r.currency, "on": r.on.isoformat(), "rate": fx.rate_text(r.rate), "source": r.source}
            for r in k.fx_used
        ],
    }
