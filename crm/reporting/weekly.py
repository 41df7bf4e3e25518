"""The weekly deal table (周报): which deals it lists, what happened to each that
week, what is still open, and the summary under it. exports/ renders it.

The table describes the ledger as it stood at the end of the week (Sunday
night), so the table for 2020-W21 shows the stage each deal had on 24 May 2020
whenever it is exported, and deals signed later are not in it:

- rows: every deal that existed by Sunday whose stage then was not 投产 or
  终止, plus every deal that changed that week (a stage entry effective that
  week, including the deal's first, a blocker raised or resolved, funds
  arrived). With a stage filter, the deals at that stage instead;
- 本周进展 (progress): those changes and the progress log's entries dated
  that week (crm.deals.progress), oldest first;
- 存在问题 (problems): blockers raised by Sunday and not resolved by then,
  overdue when their due date was before Monday;
- the summary: rows per stage, their total, what happened that week, the
  cohort KPIs of crm.reporting.kpi both at the end of the week (same definitions,
  computed here from the ledger) and now (crm.reporting.kpi.compute itself, which is
  what `crm kpi` prints), and every exchange rate used.

A stage filter narrows the rows only; KPIs are for the cohort the other
filters select. Everything is fetched with a fixed number of queries,
whatever the number of deals.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal

from peewee import JOIN, Case, fn

from crm.reference import fx
from crm.reporting import kpi
from crm.values.dates import last_complete_week, parse_week, week_of
from crm.listing.filters import DealFilter
from crm.values.money import Money
from crm.deals.stages import STAGES, at_or_beyond, parse_stage
from db.models import Progress as ProgressLog
from db.models import (Blocker, Deal, DealDepartment, Department, Event, FundsArrived, FxRate, Person, StageChange,
                       database)

#: Stages that leave the table unless something happened that week.
FINISHED = ("operating", "terminated")


@dataclass(frozen=True)
class Week:
    """An ISO week, Monday to Sunday."""

    monday: datetime.date
    sunday: datetime.date

    @property
    def year(self) -> int:
        return self.monday.isocalendar()[0]

    @property
    def number(self) -> int:
        return self.monday.isocalendar()[1]

    @property
    def key(self) -> str:
        """2020-W21."""
        return f"{self.year}-W{self.number:02d}"

    @property
    def next_monday(self) -> datetime.date:
        return self.sunday + datetime.timedelta(days=1)

    def __contains__(self, day: datetime.date) -> bool:
        return self.monday <= day <= self.sunday


def resolve_week(text: str | None = None, today: datetime.date | None = None) -> Week:
    """The week named by `text` (2020-W21, 2020年第21周 or any date in it); the last complete week when None."""
    if text is None or not str(text).strip():
        return Week(*last_complete_week(today))
    return Week(*parse_week(str(text), today))


def week_containing(day: datetime.date) -> Week:
    return Week(*week_of(day))


@dataclass
class Progress:
    """One thing that happened to a deal during the week.

    kind: "new" (the deal's first ledger entry), "stage", "blocker_raised",
    "blocker_resolved", "funds" or "log" (an entry of the progress log: `text`, by `note`).
    """

    on: datetime.date
    kind: str
    stage_from: str | None = None
    stage_to: str | None = None
    note: str = ""
    text: str = ""
    department: str = ""
    money: Money | None = None
    amount_cny: Decimal | None = None
    order: tuple = ()


@dataclass
class Problem:
    """A blocker open at the end of the week."""

    id: int
    text: str
    department: str
    raised_on: datetime.date
    due_on: datetime.date | None
    overdue: bool


@dataclass
class Row:
    seq: int
    id: int
    code: str
    name: str
    investor: str
    region: str
    industry: str
    sub_industry: str
    event: str | None
    event_on: datetime.date | None
    signed_on: datetime.date | None
    amount: Money
    amount_cny: Decimal | None
    fx_rate_id: int | None
    stage: str  # the stage key at the end of the week
    stage_since: datetime.date
    lead_unit: str | None
    supporting: list[str]
    liaison: str | None
    progress: list[Progress] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.progress)


@dataclass
class WeekActivity:
    """What happened to the cohort's deals during the week."""

    new_deals: int = 0
    stage_changes: int = 0
    blockers_raised: int = 0
    blockers_resolved: int = 0
    funds_arrivals: int = 0
    funds_cny: Decimal = Decimal(0)


@dataclass
class Summary:
    rows: int
    total_cny: Decimal
    by_currency: dict  # currency -> amount in that currency, over the rows
    approximate: bool  # some row's amount was written as 117亿余元
    by_stage: dict  # stage key -> (rows, CNY total), in stage order
    week: WeekActivity
    kpis_week_end: kpi.Kpis
    kpis_now: kpi.Kpis
    now: datetime.date
    fx_used: list  # fx.RateUsed: the rates used by the rows and by both sets of KPIs


@dataclass
class WeeklyTable:
    week: Week
    scope: DealFilter
    rows: list[Row]
    summary: Summary
    generated_on: datetime.date

    @property
    def as_of(self) -> datetime.date:
        """The day the table describes the end of."""
        return self.week.sunday


# ---- building -------------------------------------------------------------


# Rows are read straight from the cursor and only the columns that need it are converted: Peewee's
# per-column conversion of every fetched value cost more than the queries themselves on a ledger of
# 15,000 deals.
_cents = Deal.amount.python_value


def _day(value) -> datetime.date | None:
    """A DATE column's value as a date: SQLite hands back text, PostgreSQL a date."""
    if value is None or type(value) is datetime.date:
        return value
    if isinstance(value, datetime.datetime):
        return value.date()
    return datetime.date.fromisoformat(str(value)[:10])


def _fetch(query) -> list[tuple]:
    """The rows of a Peewee query as the driver returns them."""
    return database.execute(query).fetchall()


def _in_cohort(column, ids):
    """`column IN ids`, or None for the whole ledger (no subquery to run)."""
    return None if ids is None else column.in_(ids)


def _where(query, *conditions):
    """`query` narrowed by the conditions that are not None."""
    kept = [c for c in conditions if c is not None]
    return query.where(*kept) if kept else query


def _deal_rows(cohort: DealFilter):
    """Every deal of the cohort with the names a row shows, in the table's order."""
    lead = Department.alias()
    query = (
        Deal.select(
            Deal.id, Deal.code, Deal.name, Deal.investor, Deal.region, Deal.industry, Deal.sub_industry,
            Deal.signed_on, Deal.amount, Deal.currency, Deal.amount_approximate, Deal.amount_cny, Deal.fx_rate,
            Deal.stage, Deal.stage_since, Deal.created_at,
            Event.name.alias("event_name"), Event.held_on.alias("event_on"),
            lead.name.alias("lead_name"), Person.name.alias("liaison_name"),
        )
        .join(Event, JOIN.LEFT_OUTER, on=(Deal.event == Event.id))
        .switch(Deal)
        .join(lead, JOIN.LEFT_OUTER, on=(Deal.lead_unit == lead.id))
        .switch(Deal)
        .join(Person, JOIN.LEFT_OUTER, on=(Deal.liaison == Person.id))
    )
    return cohort.apply(query).order_by(Deal.signed_on.asc(nulls="LAST"), Deal.code)


class _Deal:
    """One deal of the cohort: the _deal_rows columns as fetched, but for the date its stage began.

    Amounts stay whole cents (ints) so that sums over the ledger are integer
    additions; the other dates are converted for the deals the table lists.
    """

    __slots__ = ("id", "code", "name", "investor", "region", "industry", "sub_industry", "signed_on", "cents",
                 "currency", "approximate", "cny_cents", "fx_rate", "stage", "stage_since", "created_at",
                 "event_name", "event_on", "lead_name", "liaison_name")

    def __init__(self, r: tuple):
        (self.id, self.code, self.name, self.investor, self.region, self.industry, self.sub_industry, self.signed_on,
         self.cents, self.currency, self.approximate, self.cny_cents, self.fx_rate, self.stage, stage_since,
         self.created_at, self.event_name, self.event_on, self.lead_name, self.liaison_name) = r
        self.stage_since = _day(stage_since)

    def missing_rate(self):
        """The MissingRate error for this deal's unconverted amount."""
        return fx.missing(self.currency, _day(self.signed_on) or _day(self.created_at))


def _stages_at(ids, day: datetime.date) -> dict[int, tuple[str, datetime.date]]:
    """(stage, since) on `day` of the cohort's deals whose current stage began after it.

    A deal's ledger is in date order (crm.deals.stages refuses an entry dated before
    the current stage), so a deal whose current stage began on or before
    `day` was at it then; only the others need their ledger. A deal missing
    from the answer did not exist yet on `day`.
    """
    # Driven by the deals (few, for a recent week) through the stage_since index, not by a join that
    # walks every deal's ledger.
    later = _where(Deal.select(Deal.id), _in_cohort(Deal.id, ids), Deal.stage_since > day)
    query = (
        StageChange.select(StageChange.deal, StageChange.to_stage, StageChange.effective_on)
        .where(StageChange.deal.in_(later) & (StageChange.effective_on <= day))
        .order_by(StageChange.deal, StageChange.id)
    )
    return {deal_id: (stage, _day(on)) for deal_id, stage, on in _fetch(query)}


def build(week: Week, scope: DealFilter | None = None, today: datetime.date | None = None) -> WeeklyTable:
    """The weekly table of `week` for the deals `scope` selects.

    Raises MissingRate (as crm.reporting.kpi does) when a deal's amount has no exchange
    rate to convert it: a total that silently left it out would be wrong.
    """
    scope = scope or DealFilter()
    today = today or datetime.date.today()
    only_stage = parse_stage(scope.stage).key if scope.stage else None
    cohort = replace(scope, stage=None)
    # The cohort as a subquery for the other tables' rows; None when it is every deal.
    ids = None if cohort.condition() is None else cohort.apply(Deal.select(Deal.id))
    monday, sunday = week.monday, week.sunday
    morning_after = week.next_monday

    deals = [_Deal(r) for r in _fetch(_deal_rows(cohort))]
    earlier = _stages_at(ids, sunday)
    stage_at: dict[int, tuple[str, datetime.date]] = {}
    for d in deals:
        if d.stage_since <= sunday:
            stage_at[d.id] = (d.stage, d.stage_since)
        elif d.id in earlier:
            stage_at[d.id] = earlier[d.id]

    progress: dict[int, list[Progress]] = defaultdict(list)
    activity = WeekActivity()
    for deal_id, src, dst, on, note, entry_id in _fetch(_where(
        StageChange.select(StageChange.deal, StageChange.from_stage, StageChange.to_stage, StageChange.effective_on,
                           StageChange.note, StageChange.id),
        _in_cohort(StageChange.deal, ids), StageChange.effective_on.between(monday, sunday),
    )):
        on = _day(on)
        kind = "new" if src is None else "stage"
        progress[deal_id].append(Progress(on=on, kind=kind, stage_from=src, stage_to=dst, note=note, order=(on, 0, entry_id)))

    problems: dict[int, list[Problem]] = defaultdict(list)
    for b_id, deal_id, text, dept, raised, due, resolved, resolution in _fetch(_where(
        Blocker.select(Blocker.id, Blocker.deal, Blocker.text, Department.name, Blocker.raised_on, Blocker.due_on,
                       Blocker.resolved_on, Blocker.resolution)
        .join(Department, on=(Blocker.department == Department.id))
        .order_by(Blocker.raised_on, Blocker.id),
        _in_cohort(Blocker.deal, ids), Blocker.raised_on <= sunday,
        Blocker.resolved_on.is_null(True) | (Blocker.resolved_on >= monday),
    )):
        raised, due, resolved = _day(raised), _day(due), _day(resolved)
        if raised >= monday:
            progress[deal_id].append(Progress(on=raised, kind="blocker_raised", text=text, department=dept,
                                              order=(raised, 1, b_id)))
        if resolved is not None and resolved <= sunday:
            progress[deal_id].append(Progress(on=resolved, kind="blocker_resolved", text=text, department=dept,
                                              note=resolution, order=(resolved, 2, b_id)))
        else:
            problems[deal_id].append(Problem(id=b_id, text=text, department=dept, raised_on=raised, due_on=due,
                                             overdue=due is not None and due < morning_after))

    for deal_id, on, amount, currency, cny, f_id in _fetch(_where(
        FundsArrived.select(FundsArrived.deal, FundsArrived.arrived_on, FundsArrived.amount, FundsArrived.currency,
                            FundsArrived.amount_cny, FundsArrived.id),
        _in_cohort(FundsArrived.deal, ids), FundsArrived.arrived_on.between(monday, sunday),
    )):
        on = _day(on)
        progress[deal_id].append(Progress(on=on, kind="funds", money=Money(_cents(amount), currency),
                                          amount_cny=_cents(cny), order=(on, 3, f_id)))

    for deal_id, on, text, author, p_id in _fetch(_where(
        ProgressLog.select(ProgressLog.deal, ProgressLog.on, ProgressLog.text, ProgressLog.author, ProgressLog.id),
        _in_cohort(ProgressLog.deal, ids), ProgressLog.on.between(monday, sunday),
    )):
        on = _day(on)
        # the officer's own line first on its day: it usually explains the stage change beside it
        progress[deal_id].append(Progress(on=on, kind="log", text=text, note=author, order=(on, -1, p_id)))

    supporting: dict[int, list[str]] = defaultdict(list)
    for deal_id, name in _fetch(_where(
        DealDepartment.select(DealDepartment.deal, Department.name)
        .join(Department, on=(DealDepartment.department == Department.id))
        .order_by(Department.name),
        _in_cohort(DealDepartment.deal, ids),
    )):
        supporting[deal_id].append(name)

    rows: list[Row] = []
    existing = []
    for d in deals:
        at = stage_at.get(d.id)
        if at is None:
            continue  # signed or entered after the week
        existing.append(d)
        stage, since = at
        events = progress.get(d.id)
        if events:
            events.sort(key=lambda p: p.order)
            for p in events:
                activity.new_deals += p.kind == "new"
                activity.stage_changes += p.kind == "stage"
                activity.blockers_raised += p.kind == "blocker_raised"
                activity.blockers_resolved += p.kind == "blocker_resolved"
                if p.kind == "funds":
                    activity.funds_arrivals += 1
                    activity.funds_cny += p.amount_cny or 0
        else:
            events = []
        listed = stage == only_stage if only_stage else (stage not in FINISHED or bool(events))
        if not listed:
            continue
        if d.cny_cents is None:
            raise d.missing_rate()
        rows.append(Row(
            seq=len(rows) + 1, id=d.id, code=d.code, name=d.name, investor=d.investor,
            region=d.region, industry=d.industry, sub_industry=d.sub_industry, event=d.event_name,
            event_on=_day(d.event_on), signed_on=_day(d.signed_on),
            amount=Money(_cents(d.cents), d.currency, bool(d.approximate)), amount_cny=_cents(d.cny_cents),
            fx_rate_id=d.fx_rate, stage=stage, stage_since=since, lead_unit=d.lead_name,
            supporting=supporting.get(d.id, []), liaison=d.liaison_name, progress=events,
            problems=problems.get(d.id, []),
        ))

    week_end = _kpis_at(existing, stage_at, ids, sunday, morning_after)
    now = kpi.compute(cohort, today=today)
    summary = _summary(rows, activity, week_end, now, today)
    return WeeklyTable(week=week, scope=scope, rows=rows, summary=summary, generated_on=today)


def _kpis_at(deals: list[_Deal], stage_at: dict, ids, day: datetime.date, morning_after: datetime.date) -> kpi.Kpis:
    """The cohort KPIs as they stood at the end of `day`, with crm.reporting.kpi's definitions."""
    k = kpi.Kpis()
    signed = set()
    rate_ids = set()
    by_stage: dict[str, int] = {}
    cny_by_stage: dict[str, int] = {}  # cents
    by_currency: dict[str, int] = {}  # cents
    total = 0
    for d in deals:
        stage = stage_at[d.id][0]
        if stage == "negotiating":
            continue
        cny = d.cny_cents
        if cny is None:
            raise d.missing_rate()
        signed.add(d.id)
        by_stage[stage] = by_stage.get(stage, 0) + 1
        cny_by_stage[stage] = cny_by_stage.get(stage, 0) + cny
        by_currency[d.currency] = by_currency.get(d.currency, 0) + d.cents
        total += cny
        if d.approximate:
            k.approximate = True
        if d.fx_rate is not None:
            rate_ids.add(d.fx_rate)
    k.deals = len(signed)
    if signed:
        k.total_cny = _cents(total)
    k.cny_by_stage = {stage: _cents(cents) for stage, cents in cny_by_stage.items()}
    k.by_currency = {currency: _cents(cents) for currency, cents in by_currency.items()}
    k.fulfilled = sum(by_stage.get(s, 0) for s in at_or_beyond("registered"))
    k.started = sum(by_stage.get(s, 0) for s in at_or_beyond("construction"))
    k.operating = by_stage.get("operating", 0)
    k.by_stage = {s.key: by_stage[s.key] for s in STAGES if s.key in by_stage}

    for deal_id, rate_id, summed, n, converted, currency, first_on in _fetch(_where(
        FundsArrived.select(FundsArrived.deal, FundsArrived.fx_rate, fn.SUM(FundsArrived.amount_cny),
                            fn.COUNT(FundsArrived.id), fn.COUNT(FundsArrived.amount_cny),
                            fn.MIN(FundsArrived.currency), fn.MIN(FundsArrived.arrived_on))
        .group_by(FundsArrived.deal, FundsArrived.fx_rate),
        _in_cohort(FundsArrived.deal, ids), FundsArrived.arrived_on <= day,
    )):
        if deal_id not in signed:
            continue
        if converted < n:
            raise fx.missing(currency, _day(first_on))
        k.funds_cny += _cents(summed) or Decimal(0)
        if rate_id is not None:
            rate_ids.add(rate_id)

    is_open = Blocker.resolved_on.is_null(True) | (Blocker.resolved_on > day)
    for deal_id, raised, open_, overdue in _fetch(_where(
        Blocker.select(Blocker.deal, fn.COUNT(Blocker.id),
                       fn.SUM(_case(is_open)),
                       fn.SUM(_case(is_open & (Blocker.due_on < morning_after))))
        .group_by(Blocker.deal),
        _in_cohort(Blocker.deal, ids), Blocker.raised_on <= day,
    )):
        if deal_id not in signed:
            continue
        k.blockers_raised += raised
        k.blockers_open += int(open_ or 0)
        k.blockers_overdue += int(overdue or 0)
    k.blockers_resolved = k.blockers_raised - k.blockers_open
    k.fx_used = fx.rates_used(FxRate.id.in_(sorted(rate_ids))) if rate_ids else []
    return k


def _case(condition):
    return Case(None, [(condition, 1)], 0)


def _summary(rows: list[Row], activity: WeekActivity, week_end: kpi.Kpis, now: kpi.Kpis,
             today: datetime.date) -> Summary:
    by_stage: dict[str, list] = {}
    by_currency: dict[str, Decimal] = {}
    total = Decimal(0)
    for r in rows:
        entry = by_stage.setdefault(r.stage, [0, Decimal(0)])
        entry[0] += 1
        entry[1] += r.amount_cny
        total += r.amount_cny
        by_currency[r.amount.currency] = by_currency.get(r.amount.currency, Decimal(0)) + r.amount.amount
    rate_ids = {r.fx_rate_id for r in rows if r.fx_rate_id is not None}
    rates = {rate.id: rate for rate in week_end.fx_used + now.fx_used}
    missing = rate_ids - rates.keys()
    if missing:
        rates.update({rate.id: rate for rate in FxRate.select().where(FxRate.id.in_(sorted(missing)))})
    return Summary(
        rows=len(rows),
        total_cny=total,
        by_currency=dict(sorted(by_currency.items(), key=lambda kv: (kv[0] != "CNY", kv[0]))),
        approximate=any(r.amount.approximate for r in rows),
        by_stage={s.key: tuple(by_stage[s.key]) for s in STAGES if s.key in by_stage},
        week=activity,
        kpis_week_end=week_end,
        kpis_now=now,
        now=today,
        fx_used=sorted(rates.values(), key=lambda rate: (rate.currency, rate.on)),
    )
