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
from collections.abc import Iterator
from dataclasses import replace

from crm.deals.stages import parse_stage
from crm.listing.filters import DealFilter
from crm.reporting import kpi
from crm.reporting.weekly_model import (  # noqa: F401
    FINISHED,
    Problem,
    Progress,
    Row,
    Summary,
    Week,
    WeekActivity,
    WeeklyTable,
    _cents,
    resolve_week,
    week_containing,
)
from crm.reporting.weekly_queries import _among, _day, _Deal, _deal_rows, _fetch, _in_cohort, _stages_at, _where
from crm.reporting.weekly_sums import _KpiSums, _RowSums, _summary
from crm.values.money import Money
from db.models import Blocker, Deal, DealDepartment, Department, FundsArrived, StageChange
from db.models import Progress as ProgressLog
from db.streaming import batches

#: Stages that leave the table unless something happened that week.
BATCH = 2000  # deals read, and looked up in the other tables, at a time


def build(week: Week, scope: DealFilter | None = None, today: datetime.date | None = None) -> WeeklyTable:
    """The weekly table of `week` for the deals `scope` selects, its rows in a list.

    Raises MissingRate (as crm.reporting.kpi does) when a deal's amount has no exchange
    rate to convert it: a total that silently left it out would be wrong.
    """
    table = stream(week, scope, today)
    table.rows = list(table.rows)
    return table


def stream(week: Week, scope: DealFilter | None = None, today: datetime.date | None = None) -> WeeklyTable:
    """The weekly table of `week` whose rows are an iterator, read from the ledger as they are consumed.

    Memory is that of a batch of deals, whatever the ledger's size: the rows
    can be iterated once, and `summary` is there once they have all been read
    (reading it earlier raises RuntimeError). `expected_rows` is an upper bound
    for progress reports. Raises MissingRate like build().
    """
    builder = _Builder(week, scope or DealFilter(), today or datetime.date.today())
    return WeeklyTable(
        week=week,
        scope=builder.scope,
        rows=builder.rows(),
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
        for deal_id, src, dst, on, note, entry_id in _fetch(
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
        ):
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
            stage, since = at
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
                since,
                d.lead_name,
                supporting.get(d.id, []),
                d.liaison_name,
                events,
                problems.get(d.id, []),
            )
            self.sums.add(row, d)
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
