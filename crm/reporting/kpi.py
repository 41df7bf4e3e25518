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
from collections import namedtuple
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from peewee import Case, fn

from crm.deals.stages import STAGES, at_or_beyond
from crm.listing import kept_totals as cohort_totals
from crm.listing import search
from crm.listing.filters import DealFilter
from crm.reference import fx
from db import kept_totals as upkeep
from db.dialects import dialect_of, unindexed
from db.models import Blocker, Deal, FundsArrived, FxRate, database


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
    fx_used: list = field(default_factory=list)  # fx.RateUsed

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


def signed_deals(cohort: DealFilter):
    """A select of the ids of the cohort's signed deals."""
    return cohort.apply(Deal.select(Deal.id).where(Deal.stage != "negotiating"))


def _deal_rows(cohort: DealFilter, in_cohort, everyone: bool):
    """Signed deals per stage and currency: from the kept totals where they answer, else one aggregate query."""
    rows = _kept_deal_rows() if everyone else None
    if rows is None:
        rows = _kept_cohort_rows(cohort)
    if rows is None:
        rows = _kept_less_archived(cohort)
    if rows is not None:
        return rows
    return (
        Deal.select(
            Deal.stage,
            Deal.currency,
            fn.COUNT(Deal.id).alias("n"),
            fn.SUM(Deal.amount).alias("amount"),
            fn.SUM(Deal.amount_cny).alias("cny"),
            fn.COUNT(Deal.amount_cny).alias("converted"),
            fn.MAX(Case(None, [(Deal.amount_approximate, 1)], 0)).alias("approx"),
        )
        .where(in_cohort)
        # currency first: grouped by stage first, SQLite leads with the stage index for a year too
        .group_by(Deal.currency, Deal.stage)
        .order_by(Deal.stage, Deal.currency)
        .namedtuples()
    )


def _count_deals(k: "Kpis", rows, in_cohort) -> None:
    """Add `rows` (per stage and currency) to `k`'s counts and totals; MissingRate for an unconverted deal."""
    amount_field, cny_field = Deal.amount, Deal.amount_cny
    for r in rows:
        if r.converted < r.n:
            _raise_missing(in_cohort)
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


def compute(cohort: DealFilter | None = None, today: datetime.date | None = None) -> Kpis:
    """The KPIs of `cohort` (all deals when None). Raises MissingRate if a deal cannot be converted.

    Each figure is one aggregate query whose condition is the cohort's own
    (not `id IN (the cohort's ids)`, which would first collect a million
    ids), so that covering indexes answer it. All deals, or a cohort of
    signing year, region or stage, take their totals from those kept in step
    with the ledger (crm.listing.kept_totals; funds and blockers per stage on
    SQLite, per year, region and stage on PostgreSQL).
    """
    cohort = cohort or DealFilter()
    today = today or datetime.date.today()
    signed = Deal.stage != "negotiating"
    negotiating = Deal.stage == "negotiating"  # not ~signed: NOT (stage != x) cannot use an index
    with search.counting():
        condition = cohort.condition()
    # On SQLite `+stage` keeps the planner from leading with the stage index (a skip-scan over every stage, then a
    # table lookup per deal): the cohort's own condition picks the index, e.g. a signing year the
    # covering index deal_signed_on_totals of migration 0003.
    in_cohort = signed if condition is None else (unindexed(Deal.stage) != "negotiating") & condition
    everyone = condition is None
    k = Kpis()

    _count_deals(k, _deal_rows(cohort, in_cohort, everyone), in_cohort)

    def funds_of(where):
        query = FundsArrived.select(
            fn.SUM(FundsArrived.amount_cny).alias("cny"),
            fn.COUNT(FundsArrived.id).alias("n"),
            fn.COUNT(FundsArrived.amount_cny).alias("converted"),
        )
        if where is not None:
            query = query.join(Deal, on=(FundsArrived.deal == Deal.id)).where(where)
        r = query.namedtuples().get()
        return [r.cny or 0, r.n or 0, r.converted or 0]

    kept = cohort_totals.funds_and_blockers(cohort) if _kept_in_step() else None
    if kept is None and _kept_in_step():
        kept = _funds_and_blockers_less_archived(cohort)
    if kept is not None:
        funds = kept[0]
    elif everyone:
        funds = [a - b for a, b in zip(funds_of(None), funds_of(negotiating))]
    else:
        funds = funds_of(in_cohort)
    funds_cny, funds_n, funds_converted = funds
    if funds_converted < funds_n:
        missing = (
            FundsArrived.select(FundsArrived)
            .join(Deal, on=(FundsArrived.deal == Deal.id))
            .where(in_cohort & FundsArrived.amount_cny.is_null())
            .first()
        )
        raise fx.missing(missing.currency, missing.arrived_on)
    k.funds_cny = FundsArrived.amount_cny.python_value(funds_cny) or Decimal(0)

    open_ = Blocker.resolved_on.is_null(True)
    counted = Blocker.voided_at.is_null(True)  # a voided blocker counts nowhere, as if deleted

    def blockers_of(where):
        query = Blocker.select(
            fn.COUNT(Blocker.id).alias("raised"),
            fn.SUM(Case(None, [(open_, 1)], 0)).alias("open"),
            fn.SUM(Case(None, [(open_ & (Blocker.due_on < today), 1)], 0)).alias("overdue"),
        ).where(counted)
        if where is not None:
            query = query.join(Deal, on=(Blocker.deal == Deal.id)).where(where)
        r = query.namedtuples().get()
        return [r.raised or 0, int(r.open or 0), int(r.overdue or 0)]

    if kept is not None:
        raised_open = kept[1]
        # overdue = open − open ones not yet due (a few: recent) − open ones with no due date
        not_overdue = (
            Blocker.select(fn.COUNT(Blocker.id))
            .join(Deal, on=(Blocker.deal == Deal.id))
            .where(open_ & counted & (Blocker.due_on.is_null(True) | (Blocker.due_on >= today)) & in_cohort)
            .scalar()
        ) or 0
        b = [*raised_open, raised_open[1] - not_overdue]
    elif everyone:
        b = [a - c for a, c in zip(blockers_of(None), blockers_of(negotiating))]
    else:
        b = blockers_of(in_cohort)
    k.blockers_raised, k.blockers_open, k.blockers_overdue = b
    k.blockers_resolved = k.blockers_raised - k.blockers_open

    if everyone:
        # Few rates, many deals: ask of each rate whether a signed deal (or its funds) used it.
        used = fn.EXISTS(Deal.select(Deal.id).where((Deal.fx_rate == FxRate.id) & signed))
        used_funds = fn.EXISTS(
            FundsArrived.select(FundsArrived.id)
            .join(Deal, on=(FundsArrived.deal == Deal.id))
            .where((FundsArrived.fx_rate == FxRate.id) & signed)
        )
        where = used | used_funds
    else:
        used = Deal.select(Deal.fx_rate).where(in_cohort & Deal.fx_rate.is_null(False))
        used_funds = (
            FundsArrived.select(FundsArrived.fx_rate)
            .join(Deal, on=(FundsArrived.deal == Deal.id))
            .where(in_cohort & FundsArrived.fx_rate.is_null(False))
        )
        where = FxRate.id.in_(used) | FxRate.id.in_(used_funds)
    k.fx_used = fx.rates_used(where)
    return k


#: Rows of differences (PostgreSQL) beyond which reading the totals first folds them into one row per key.
COMPACT_AFTER = 2_000


def _kept_in_step() -> bool:
    """False when the database is known not to keep deal, funds and blocker totals in step (migrations 0002/0005)."""
    return upkeep.in_step()


def _kept_cohort_rows(cohort: DealFilter):
    """Signed deals of a cohort of signing year, region or stage per stage and currency, from the kept
    totals of migration 0006 (None for any other cohort)."""
    kept = cohort_totals.grouped(cohort, ("stage", "currency"), signed_only=True)
    if kept is None:
        return None
    return [_KeptRow(s.key[0], s.key[1], s.deals, s.amount, s.amount_cny, s.converted, s.approximate, 1) for s in kept]


def _archived_only(cohort: DealFilter):
    """The cohort's signed archived deals, through the index on archived_on (few), when the kept totals answer
    the cohort with archived deals counted; else None."""
    if cohort.archived or not cohort_totals.answerable(cohort):
        return None
    return _and_all([Deal.archived_on.is_null(False), Deal.stage != "negotiating", *cohort.named_parts()])


def _and_all(parts):
    condition = parts[0]
    for part in parts[1:]:
        condition &= part
    return condition


def _kept_less_archived(cohort: DealFilter):
    """_kept_cohort_rows while some deal is archived: the kept totals (which count archived deals) less the
    archived deals' own sums, so that archived deals do not make the whole ledger a scan (issue #14)."""
    archived = _archived_only(cohort)
    if archived is None:
        return None
    kept = _kept_cohort_rows(replace(cohort, archived=True))
    if kept is None:
        return None
    sums = {(r.stage, r.currency): list(r[2:7]) for r in kept}
    query = Deal.select(
        Deal.stage,
        Deal.currency,
        fn.COUNT(Deal.id),
        fn.SUM(Deal.amount),
        fn.COALESCE(fn.SUM(Deal.amount_cny), 0),
        fn.COUNT(Deal.amount_cny),
        fn.SUM(Case(None, [(Deal.amount_approximate, 1)], 0)),
    ).where(archived)
    for stage, currency, *values in database.execute(query.group_by(Deal.stage, Deal.currency)).fetchall():
        row = sums.setdefault((stage, currency), [0, 0, 0, 0, 0])
        for i, value in enumerate(values):
            row[i] -= int(value or 0)
    return [_KeptRow(stage, currency, *values, 1) for (stage, currency), values in sorted(sums.items()) if values[0]]


def _funds_and_blockers_less_archived(cohort: DealFilter):
    """cohort_totals.funds_and_blockers while some deal is archived: the kept totals less the archived deals'
    funds and blockers (few); None where the kept totals do not answer."""
    archived = _archived_only(cohort)
    if archived is None:
        return None
    kept = cohort_totals.funds_and_blockers(replace(cohort, archived=True))
    if kept is None:
        return None
    funds, blockers = kept
    row = (
        FundsArrived.select(
            fn.COALESCE(fn.SUM(FundsArrived.amount_cny), 0),
            fn.COUNT(FundsArrived.id),
            fn.COUNT(FundsArrived.amount_cny),
        )
        .join(Deal, on=(FundsArrived.deal == Deal.id))
        .where(archived)
        .tuples()
        .get()
    )
    funds = [a - int(b or 0) for a, b in zip(funds, row)]
    row = (
        Blocker.select(fn.COUNT(Blocker.id), fn.SUM(Case(None, [(Blocker.resolved_on.is_null(True), 1)], 0)))
        .join(Deal, on=(Blocker.deal == Deal.id))
        .where(archived & Blocker.voided_at.is_null(True))
        .tuples()
        .get()
    )
    return funds, [a - int(b or 0) for a, b in zip(blockers, row)]


_KeptRow = namedtuple("_KeptRow", ("stage", "currency", "n", "amount", "cny", "converted", "approx", "rows"))


def _kept_deal_rows():
    """Signed deals per stage and currency from the kept totals, or None where there are none."""
    if not _kept_in_step():
        return None
    names = ("stage", "currency", "n", "amount", "cny", "converted", "approx", "rows")
    if dialect_of().totals_as_differences:
        rows = _kept_rows(
            "SELECT stage, currency, sum(deals), sum(amount), sum(amount_cny), sum(converted), sum(approximate), "
            "count(*) FROM deal_totals_delta WHERE stage != 'negotiating' GROUP BY stage, currency "
            "ORDER BY stage, currency",
            names,
        )
        if sum(r.rows for r in rows) > COMPACT_AFTER:
            upkeep.compact()
        return [
            r._replace(
                n=int(r.n), amount=int(r.amount), cny=int(r.cny), converted=int(r.converted), approx=int(r.approx)
            )
            for r in rows
            if r.n
        ]
    return _kept_rows(
        "SELECT stage, currency, deals, amount, amount_cny, converted, approximate, 1 FROM deal_totals "
        "WHERE stage != 'negotiating' AND deals != 0 ORDER BY stage, currency",
        names,
    )


def _kept_rows(sql, names):
    Row = namedtuple("Row", names)
    return [Row(*r) for r in database.obj.execute_sql(sql).fetchall()]


def _raise_missing(in_cohort):
    deal = Deal.select().where(in_cohort & Deal.amount_cny.is_null()).first()
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
