"""The weekly table's rows and week-end KPIs as crm.reporting.weekly built them before they were read set-based
(main at b4e267f): deals a batch of 2,000 at a time, each batch's supporting departments, blockers, earlier
stages and KPI sums looked up by id. Not used by the program: tests/ledger/test_weekly_rows.py compares the
program's rows and summary with these on ledgers built to exercise each edge the set-based queries changed."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal

from peewee import JOIN, SQL, Case, fn

from crm.deals.reversals import reversed_entries
from crm.deals.stages import STAGES, at_or_beyond, parse_stage
from crm.listing.filters import DealFilter
from crm.reference import fx
from crm.reporting import kpi
from crm.reporting.weekly_model import (
    FINISHED,
    Problem,
    Progress,
    Row,
    Summary,
    Week,
    WeekActivity,
    WeeklyTable,
    _cents,
)
from crm.reporting.weekly_queries import _day, _fetch, _in_cohort, _where
from crm.reporting.weekly_sums import _RowSums, _summary  # the row sums did not change: the program's
from crm.values.money import Money
from db.models import Blocker, Deal, DealDepartment, Department, Event, FundsArrived, FxRate, Person, StageChange
from db.models import Progress as ProgressLog
from db.streaming import batches

BATCH = 2000


def _among(column, ids: list[int]):
    """`column IN (ids)` with the ids written into the SQL: Peewee binding 2,000 parameters one by one
    cost more than the query. They are integers read from the ledger, never text from a user."""
    return column.in_(SQL("({})".format(",".join([str(int(i)) for i in ids]))))


def _deal_rows(cohort: DealFilter):
    """Every deal of the cohort with the names a row shows, in the table's order."""
    lead = Department.alias()
    query = (
        Deal.select(
            Deal.id,
            Deal.code,
            Deal.name,
            Deal.investor,
            Deal.region,
            Deal.industry,
            Deal.sub_industry,
            Deal.signed_on,
            Deal.amount,
            Deal.currency,
            Deal.amount_approximate,
            Deal.amount_cny,
            Deal.fx_rate,
            Deal.stage,
            Deal.stage_since,
            Deal.created_at,
            Event.name.alias("event_name"),
            Event.held_on.alias("event_on"),
            lead.name.alias("lead_name"),
            Person.name.alias("liaison_name"),
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

    __slots__ = (
        "id",
        "code",
        "name",
        "investor",
        "region",
        "industry",
        "sub_industry",
        "signed_on",
        "cents",
        "currency",
        "approximate",
        "cny_cents",
        "fx_rate",
        "stage",
        "stage_since",
        "created_at",
        "event_name",
        "event_on",
        "lead_name",
        "liaison_name",
    )

    def __init__(self, r: tuple):
        (
            self.id,
            self.code,
            self.name,
            self.investor,
            self.region,
            self.industry,
            self.sub_industry,
            self.signed_on,
            self.cents,
            self.currency,
            self.approximate,
            self.cny_cents,
            self.fx_rate,
            self.stage,
            stage_since,
            self.created_at,
            self.event_name,
            self.event_on,
            self.lead_name,
            self.liaison_name,
        ) = r
        self.stage_since = _day(stage_since)

    def missing_rate(self):
        """The MissingRate error for this deal's unconverted amount."""
        return fx.missing(self.currency, _day(self.signed_on) or _day(self.created_at))


def _stages_at(ids: list[int], day: datetime.date) -> dict[int, tuple[str, datetime.date]]:
    """(stage, since) on `day` of the deals `ids`, whose current stage began after it.

    A deal's ledger is in date order (crm.deals.stages refuses an entry dated before
    the current stage), so a deal whose current stage began on or before
    `day` was at it then; only the others need their ledger. A deal missing
    from the answer did not exist yet on `day`.
    """
    if not ids:
        return {}
    query = (
        StageChange.select(StageChange.deal, StageChange.to_stage, StageChange.effective_on)
        .where(_among(StageChange.deal, ids) & (StageChange.effective_on <= day))
        .order_by(StageChange.deal, StageChange.id)
    )
    return {deal_id: (stage, _day(on)) for deal_id, stage, on in _fetch(query)}


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


def _case(condition):
    return Case(None, [(condition, 1)], 0)


def build(week: Week, scope: DealFilter | None = None, today: datetime.date | None = None) -> WeeklyTable:
    """The weekly table as the program built it at b4e267f, its rows in a list."""
    builder = _Builder(week, scope or DealFilter(), today or datetime.date.today())
    rows = list(builder.rows())
    return WeeklyTable(
        week=week,
        scope=builder.scope,
        rows=rows,
        generated_on=builder.today,
        summary_of=builder.summary,
        expected_rows=builder.expected_rows,
    )


class _Builder:
    """The weekly table of one week and scope, built while its rows are read (see stream())."""

    def __init__(self, week: Week, scope: DealFilter, today: datetime.date) -> None:
        self.week, self.scope, self.today = week, scope, today
        self.only_stage = parse_stage(scope.stage).key if scope.stage else None
        self.cohort = replace(scope, stage=None)
        # The cohort as a subquery for the other tables' rows; None when it is every deal.
        self.ids = None if self.cohort.condition() is None else self.cohort.apply(Deal.select(Deal.id))
        self.activity = WeekActivity()
        self.week_end = _KpiSums()
        self.sums = _RowSums()
        self._summary: Summary | None = None
        self.expected_rows = self.cohort.apply(Deal.select(Deal.id)).count()

    def summary(self) -> Summary:
        if self._summary is None:
            raise RuntimeError("the weekly table's summary is known once every row has been read")
        return self._summary

    def rows(self) -> Iterator[Row]:
        progress = self._week_progress()
        seq = 0
        for rows in batches(_deal_rows(self.cohort), BATCH):
            for row in self._batch_rows([_Deal(r) for r in rows], progress, seq):
                seq += 1
                yield row
        week_end = self.week_end.kpis(self.week.next_monday)
        now = kpi.compute(self.cohort, today=self.today)
        self._summary = _summary(self.sums, self.activity, week_end, now, self.today)

    def _week_progress(self) -> dict[int, list[Progress]]:
        """Stage entries, funds and progress entries of the week, per deal: as many as the week saw."""
        monday, sunday, ids = self.week.monday, self.week.sunday, self.ids
        progress: dict[int, list[Progress]] = defaultdict(list)
        entries = _fetch(
            _where(
                StageChange.select(
                    StageChange.deal,
                    StageChange.from_stage,
                    StageChange.to_stage,
                    StageChange.effective_on,
                    StageChange.note,
                    StageChange.id,
                ),
                _in_cohort(StageChange.deal, ids),
                StageChange.effective_on.between(monday, sunday),
            )
        )
        # a change an undo reversed, and the undo, are in no week (the rule of crm.deals.reversals)
        undone = reversed_entries(sorted({entry[0] for entry in entries}))
        for deal_id, src, dst, on, note, entry_id in entries:
            if entry_id in undone:
                continue
            on = _day(on)
            kind = "new" if src is None else "stage"
            progress[deal_id].append(
                Progress(on=on, kind=kind, stage_from=src, stage_to=dst, note=note, order=(on, 0, entry_id))
            )
        for deal_id, on, amount, currency, cny, f_id in _fetch(
            _where(
                FundsArrived.select(
                    FundsArrived.deal,
                    FundsArrived.arrived_on,
                    FundsArrived.amount,
                    FundsArrived.currency,
                    FundsArrived.amount_cny,
                    FundsArrived.id,
                ),
                _in_cohort(FundsArrived.deal, ids),
                FundsArrived.arrived_on.between(monday, sunday),
            )
        ):
            on = _day(on)
            progress[deal_id].append(
                Progress(
                    on=on,
                    kind="funds",
                    money=Money(_cents(amount), currency),
                    amount_cny=_cents(cny),
                    order=(on, 3, f_id),
                )
            )
        for deal_id, on, text, author, p_id in _fetch(
            _where(
                ProgressLog.select(
                    ProgressLog.deal, ProgressLog.on, ProgressLog.text, ProgressLog.author, ProgressLog.id
                ),
                _in_cohort(ProgressLog.deal, ids),
                ProgressLog.on.between(monday, sunday),
            )
        ):
            on = _day(on)
            # the officer's own line first on its day: it usually explains the stage change beside it
            progress[deal_id].append(Progress(on=on, kind="log", text=text, note=author, order=(on, -1, p_id)))
        return progress

    def _batch_rows(self, deals: list[_Deal], progress: dict, seq: int) -> Iterator[Row]:
        """The rows of one batch of deals, with what the other tables hold for them."""
        if not deals:
            return
        sunday, morning_after = self.week.sunday, self.week.next_monday
        ids = [d.id for d in deals]
        earlier = _stages_at([d.id for d in deals if d.stage_since > sunday], sunday)
        problems = self._blockers(ids, progress)
        supporting: dict[int, list[str]] = defaultdict(list)
        for deal_id, name in _fetch(
            DealDepartment.select(DealDepartment.deal, Department.name)
            .join(Department, on=(DealDepartment.department == Department.id))
            .where(_among(DealDepartment.deal, ids))
            .order_by(Department.name)
        ):
            supporting[deal_id].append(name)

        existing = []
        stage_at: dict[int, tuple[str, datetime.date]] = {}
        for d in deals:
            at = (d.stage, d.stage_since) if d.stage_since <= sunday else earlier.get(d.id)
            if at is None:
                continue  # signed or entered after the week
            stage_at[d.id] = at
            existing.append(d)
            stage = at[0]
            events = progress.pop(d.id, None)
            if events:
                events.sort(key=lambda p: p.order)
                self._count(events)
            else:
                events = []
            listed = stage == self.only_stage if self.only_stage else (stage not in FINISHED or bool(events))
            if not listed:
                continue
            if d.cny_cents is None:
                raise d.missing_rate()
            seq += 1
            row = Row(
                seq,
                d.id,
                d.code,
                d.name,
                d.investor,
                d.region,
                d.industry,
                d.sub_industry,
                d.event_name,
                _day(d.event_on),
                _day(d.signed_on),
                Money(_cents(d.cents), d.currency, bool(d.approximate)),
                _cents(d.cny_cents),
                d.fx_rate,
                stage,
                d.lead_name,
                supporting.get(d.id, []),
                d.liaison_name,
                events,
                problems.get(d.id, []),
            )
            self.sums.add(row.stage, d.cny_cents, d.currency, d.cents, d.approximate, d.fx_rate)
            yield row
        self.week_end.add(existing, stage_at, sunday, morning_after)

    def _count(self, events: list[Progress]) -> None:
        activity = self.activity
        for p in events:
            activity.new_deals += p.kind == "new"
            activity.stage_changes += p.kind == "stage"
            activity.blockers_raised += p.kind == "blocker_raised"
            activity.blockers_resolved += p.kind == "blocker_resolved"
            if p.kind == "funds":
                activity.funds_arrivals += 1
                activity.funds_cny += p.amount_cny or 0

    def _blockers(self, ids: list[int], progress: dict) -> dict[int, list[Problem]]:
        """The batch's blockers open at the end of the week (its problems); those raised or resolved in it go to `progress`."""
        monday, sunday, morning_after = self.week.monday, self.week.sunday, self.week.next_monday
        problems: dict[int, list[Problem]] = defaultdict(list)
        for b_id, deal_id, text, dept, raised, due, resolved, resolution in _fetch(
            Blocker.select(
                Blocker.id,
                Blocker.deal,
                Blocker.text,
                Department.name,
                Blocker.raised_on,
                Blocker.due_on,
                Blocker.resolved_on,
                Blocker.resolution,
            )
            .join(Department, on=(Blocker.department == Department.id))
            .where(
                _among(Blocker.deal, ids),
                Blocker.raised_on <= sunday,
                Blocker.resolved_on.is_null(True) | (Blocker.resolved_on >= monday),
            )
            .order_by(Blocker.raised_on, Blocker.id)
        ):
            raised, due, resolved = _day(raised), _day(due), _day(resolved)
            if raised >= monday:
                progress[deal_id].append(
                    Progress(on=raised, kind="blocker_raised", text=text, department=dept, order=(raised, 1, b_id))
                )
            if resolved is not None and resolved <= sunday:
                progress[deal_id].append(
                    Progress(
                        on=resolved,
                        kind="blocker_resolved",
                        text=text,
                        department=dept,
                        note=resolution,
                        order=(resolved, 2, b_id),
                    )
                )
            else:
                problems[deal_id].append(
                    Problem(
                        id=b_id,
                        text=text,
                        department=dept,
                        raised_on=raised,
                        due_on=due,
                        overdue=due is not None and due < morning_after,
                    )
                )
        return problems
