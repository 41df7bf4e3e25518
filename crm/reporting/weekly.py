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
  from crm.reporting.asof's kept per-day totals, `crm kpi --as-of`) and now
  (crm.reporting.kpi.compute itself, which is what `crm kpi` prints), and every
  exchange rate used.

A stage filter narrows the rows only; KPIs are for the cohort the other
filters select. Everything is fetched with a fixed number of queries,
whatever the number of deals.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import replace

from crm import listing
from crm.deals.stages import parse_stage
from crm.foundation.errors import MissingRate
from crm.listing.filters import DealFilter
from crm.reference import fx
from crm.reporting import kpi, weekly_split
from crm.reporting.weekly_model import (  # noqa: F401
    FINISHED,
    Problem,
    Progress,
    Row,
    RowBatch,
    Summary,
    Week,
    WeekActivity,
    WeeklyTable,
    _cents,
    batches_of_rows,
    resolve_week,
    week_containing,
)
from crm.reporting.weekly_queries import (
    _DAYS,
    Kept,
    _counted_week_stages,
    _created_on,
    _day,
    _department_names,
    _events,
    _existing,
    _fetch,
    _first_unconverted,
    _in_cohort,
    _listed_estimate,
    _listed_rows,
    _open_blockers,
    _person_names,
    _signed_blockers,
    _signed_funds,
    _signed_groups,
    _unresolved_deals,
    _week_blockers,
    _week_funds,
    _where,
)
from crm.reporting.weekly_split import Part, Write
from crm.reporting.weekly_sums import _kept_week_end_kpis, _RowSums, _summary, _week_end_kpis
from crm.values.money import Money
from db.forking import SharedSnapshot
from db.models import Deal
from db.models import Progress as ProgressLog
from db.reading import batches_ahead, one_snapshot

BATCH = 2000  # rows fetched from the cursor at a time
STAGE_KINDS = ("new", "stage")  # the kinds of Progress made of a stage entry (_week_progress)
#: Distinct amounts made into Money and CNY Decimals once each: as many as a million deals hold (BENCHMARKS.md,
#: tenth session), as rows in date order meet amounts in no order and a smaller cache made them again and again.
AMOUNTS_KEPT = 120_000


def build(week: Week, scope: DealFilter | None = None, today: datetime.date | None = None) -> WeeklyTable:
    """The weekly table of `week` for the deals `scope` selects, its rows in a list.

    Raises MissingRate (as crm.reporting.kpi does) when a deal's amount has no exchange
    rate to convert it: a total that silently left it out would be wrong.
    """
    table = stream(week, scope, today)
    table.rows = list(table.rows)
    table.batches = None  # read: the rows are the list now
    return table


def stream(week: Week, scope: DealFilter | None = None, today: datetime.date | None = None) -> WeeklyTable:
    """The weekly table of `week` whose rows are an iterator, read from the ledger as they are consumed.

    Memory is that of a batch of rows, whatever the ledger's size: the rows
    can be iterated once, and `summary` is there once they have all been read
    (reading it earlier raises RuntimeError). `expected_rows` is an upper bound
    for progress reports. Raises MissingRate like build(), naming the first deal
    in the table's order that the table lists or the week-end KPIs count.
    """
    builder = _Builder(week, scope or DealFilter(), today or datetime.date.today())
    return WeeklyTable(
        week=week,
        scope=builder.scope,
        rows=builder.rows(),
        generated_on=builder.today,
        summary_of=builder.summary,
        expected_rows=builder.expected_rows,
        batches=builder.batches,
        split=builder.split,
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
        self.sums = _RowSums()
        self._summary: Summary | None = None
        self.expected_rows = listing.count(self.cohort)  # from the kept totals where they answer the cohort
        self.part: Part | None = None
        self.batches = self.row_batches()  # one reading of the ledger, whether as rows or as batches

    def split(self, write: Write, waiting: Callable[[int], None] | None = None) -> Part | None:
        """Have a child process write the second range of the rows with `write` (crm.reporting.weekly_split)
        when weekly_split.may_split() (a large cohort, a process that may fork); the Part to append the child's
        text from, or None (one process). Asked before the rows are read; the Part's rows stay 0 when the reading
        finds no idle core (weekly_split.wanted()) and reads alone after all."""
        if not weekly_split.may_split(self.expected_rows):
            return None
        self.part = Part(write, waiting)
        return self.part

    def summary(self) -> Summary:
        if self._summary is None:
            raise RuntimeError("the weekly table's summary is known once every row has been read")
        return self._summary

    def rows(self) -> Iterator[Row]:
        """The listed rows as Row objects, read from batches()."""
        for batch in self.batches:
            yield from batch.rows()

    def row_batches(self) -> Iterator[RowBatch]:
        """The listed rows in RowBatches, in the table's order; the summary is known once they have all been read.

        Everything the table reads (rows, events, names, KPIs) is read in one snapshot of the ledger: a write
        committed meanwhile is in none of it (in a child process too, when the table is split)."""
        if self.part is None:
            with one_snapshot():
                progress, changed = self._changed()
                yield from self._read(progress, changed, lambda: self._week_end(changed))
            return
        with SharedSnapshot() as shared:
            load = weekly_split.Load(shared.helpers)
            # the longest readings before the rows, each on a side thread beside this one's
            week_end = shared.side(self._week_end)
            unresolved = shared.side(lambda: _unresolved_deals(self.week.sunday))
            progress, changed = self._changed()
            if shared.can_fork and weekly_split.wanted(load):
                yield from self._read_split(shared, progress, changed, week_end, unresolved)
            else:
                shared.alone()
                self.part = None
                yield from self._read(progress, changed, week_end, unresolved)

    def _read(
        self,
        progress: dict[int, list[Progress]],
        changed: list[int],
        week_end: Callable[[], kpi.Kpis],
        unresolved: Callable[[], Callable[[int], object]] | None = None,
    ) -> Iterator[RowBatch]:
        """row_batches() in one process, inside its snapshot, from the week's events (_changed()); `week_end()` and
        `unresolved()` give what _week_end() and _unresolved_deals() read."""
        self._count_events(progress, changed)
        kpis = week_end()  # a missing rate raised before any row
        yield from self._batches(progress, changed, self._names(unresolved))
        self._finish(kpis)

    def _read_split(
        self,
        shared: SharedSnapshot,
        progress: dict[int, list[Progress]],
        changed: list[int],
        week_end: Callable[[], kpi.Kpis],
        unresolved: Callable[[], Callable[[int], object]],
    ) -> Iterator[RowBatch]:
        """row_batches() in two processes: the names read here (the week-end KPIs and the deals with unresolved
        blockers by side threads, a missing rate raised before any row, as _read() does),
        then a child forked with all that writes the rows after about PARENT_SHARE of them, while this process
        yields those."""
        part = self.part
        assert part is not None
        names = self._names(unresolved)
        first = int(_listed_estimate(self.cohort, self.only_stage, self.expected_rows) * weekly_split.PARENT_SHARE)
        kpis = week_end()
        part.open()
        try:
            pid = shared.fork()
            if pid == 0:
                rows = self._batches(progress, changed, names, first=first)
                part.run_child(rows, lambda: self.sums, then=self._kpis_now)
                return  # the child process ends as it leaves the SharedSnapshot
            part.started(pid)
            self._count_events(progress, changed)
            yield from self._batches(progress, changed, names, limit=first)
            # today's KPIs: the child's when it has finished, else worked out here while it writes on
            now = None if part.ready() else self._kpis_now()
            self.sums.merge(part.result())
        finally:
            part.stop()
        self._finish(kpis, part.extra if now is None else now)

    def _kpis_now(self) -> kpi.Kpis:
        return kpi.compute(self.cohort, today=self.today)

    def _finish(self, week_end: kpi.Kpis, now: kpi.Kpis | None = None) -> None:
        now = self._kpis_now() if now is None else now
        self._summary = _summary(self.sums, self.activity, week_end, now, self.today)

    def _count_events(self, progress: dict[int, list[Progress]], changed: list[int]) -> None:
        for deal_id in changed:
            self._count(progress[deal_id])

    def _changed(self) -> tuple[dict[int, list[Progress]], list[int]]:
        """The week's events per deal, each deal's in order, and the ids of the deals they are of that were in
        the ledger by Sunday."""
        progress = self._week_progress()
        # a stage entry dated in the week puts its deal in the ledger by Sunday: only the others are asked
        staged = {deal_id for deal_id, events in progress.items() if any(p.kind in STAGE_KINDS for p in events)}
        others = [deal_id for deal_id in progress if deal_id not in staged]
        changed = sorted(staged | _existing(self.cohort, self.week.sunday, others))
        for deal_id in changed:
            progress[deal_id].sort(key=lambda p: p.order)
        return progress, changed

    def _names(self, unresolved: Callable[[], Callable[[int], object]] | None = None) -> _Names:
        """The names the rows are looked up in; `unresolved()` gives the deals with a blocker unresolved by Sunday
        (read on a side thread meanwhile, or now)."""
        departments, events, persons = _department_names(), _events(), _person_names()
        # asked only for the deals that may have some: a look-up per deal is most of the problems' query
        flagged = _unresolved_deals(self.week.sunday) if unresolved is None else unresolved()
        return _Names(departments, events, persons, flagged)

    def _batches(
        self,
        progress: dict[int, list[Progress]],
        changed: list[int],
        names: _Names,
        first: int = 0,
        limit: int | None = None,
    ) -> Iterator[RowBatch]:
        """The listed rows, in the table's order, a batch of weekly_queries._listed_rows at a time, their names,
        supporting departments and open problems looked up by id in `names`; raises MissingRate at the first
        row whose amount has no CNY value, after the rows before it. `first`, `limit`: only the rows from the
        `first` (0 the table's first), at most `limit` of them."""
        days = _DAYS
        seq = first + 1
        query = _listed_rows(self.cohort, self.week.sunday, self.only_stage, changed)
        sunday = self.week.sunday
        unresolved = names.unresolved
        if first:
            query = query.offset(first)
        if limit is not None:
            query = query.limit(limit)
        # each batch with its open problems; on PostgreSQL the next fetched by a reader thread while this one is made
        # (in a split table's processes only where cores are left for the threads: weekly_split.reader_threads)
        threaded = None if self.part is None else weekly_split.reader_threads()
        for batch, blocked in batches_ahead(
            query,
            BATCH,
            follow=lambda rows: _open_blockers(list(filter(unresolved, [r[0] for r in rows])), sunday),
            threaded=threaded,
        ):
            columns = list(zip(*batch))
            cnys = columns[11]
            cut = cnys.index(None) if None in cnys else None
            if cut is not None:
                columns = list(zip(*batch[:cut])) if cut else []
            if columns:
                yield self._batch(seq, columns, names, progress, blocked)
                seq += len(columns[0])
            if cut is not None:
                deal_id, currency, signed_on = batch[cut][0], batch[cut][9], batch[cut][7]
                raise fx.missing(currency, days[signed_on] or _created_on(deal_id))

    def _batch(
        self, seq: int, columns: list[tuple], names: _Names, progress: dict[int, list[Progress]], blocked: list[tuple]
    ) -> RowBatch:
        """A RowBatch of the listed rows whose columns (as _listed_rows selects them) are `columns`, their open
        blockers' rows (_open_blockers) `blocked`; counts them."""
        days = _DAYS
        (ids, codes, deal_names, investors, regions, industries, subs, signed, amounts, currencies, approximate, cnys,
         rates, stages, event_ids, leads, liaisons, supporting, months) = columns  # fmt: skip
        self.sums.add_batch(stages, cnys, currencies, amounts, approximate, rates)
        day = days.__getitem__
        problems = {
            deal_id: self._problems(found) for deal_id, found in self._open_problems(names.departments, blocked).items()
        }
        return RowBatch(
            range(seq, seq + len(ids)),
            ids,
            codes,
            deal_names,
            investors,
            regions,
            industries,
            subs,
            list(map(names.event_names.get, event_ids)),
            list(map(names.event_days.get, event_ids)),
            list(map(day, signed)),
            list(map(names.money_of.__getitem__, zip(amounts, currencies, approximate))),
            list(map(names.cny_of.__getitem__, cnys)),
            rates,
            stages,
            list(map(names.departments.get, leads)),
            list(map(names.supporting_of.__getitem__, supporting)),
            list(map(names.persons.get, liaisons)),
            list(map(progress.get, ids)),
            list(map(problems.get, ids)),
            months if any(months) else None,  # a month-only signing date is rare: writers test the batch once
        )

    def _open_problems(self, departments: dict[int, str], blocked: list[tuple]) -> dict[int, list[tuple]]:
        """The open blockers of a batch of listed rows, as _open_blockers' rows `blocked`, per deal in the order
        they were raised: (id, text, department, raised_on, due_on). Asked a batch at a time, so that memory does
        not grow with the deals that have some."""
        by_deal: dict[int, list[tuple]] = {}
        days = _DAYS
        for deal_id, b_id, text, department, raised, due in blocked:
            entry = (b_id, text, departments[department], days[raised], days[due])
            found = by_deal.get(deal_id)
            if found is None:
                by_deal[deal_id] = [entry]
            else:
                found.append(entry)
        return by_deal

    def _problems(self, rows: list[tuple]) -> list[Problem]:
        """A row's open blockers from their rows (_open_problems)."""
        morning_after = self.week.next_monday
        problems = []
        for b_id, body, department, raised, due in rows:
            problems.append(
                Problem(
                    id=b_id,
                    text=body,
                    department=department,
                    raised_on=raised,
                    due_on=due,
                    overdue=due is not None and due < morning_after,
                )
            )
        return problems

    def _week_end(self, changed: list[int] | None = None) -> kpi.Kpis:
        """The cohort KPIs at the end of the week; raises MissingRate first when an amount they or the rows
        need has no CNY value (a total that silently left it out would be wrong). `changed`: _changed()'s ids,
        read here when not given and needed."""
        try:
            return _kept_week_end_kpis(self.cohort, self.week)
        except MissingRate:
            changed = self._changed()[1] if changed is None else changed
            return self._scanned_week_end(changed)  # raises the error naming the deal in the table's order

    def _scanned_week_end(self, changed: list[int]) -> kpi.Kpis:
        """_week_end from aggregates over the cohort's deals, funds and blockers at the end of the week."""
        cohort, sunday = self.cohort, self.week.sunday
        groups = _signed_groups(cohort, sunday)
        funds = _signed_funds(cohort, sunday)
        unconverted_deals = any(n != converted for *_g, n, _a, _c, converted in groups)
        unconverted_funds = [(currency, on) for _r, _s, n, converted, currency, on in funds if converted < n]
        if unconverted_deals or unconverted_funds:
            error = _first_unconverted(cohort, sunday, self.only_stage, changed)
            if error is None:
                currency, on = unconverted_funds[0]
                error = fx.missing(currency, _day(on))
            raise error
        return _week_end_kpis(groups, funds, _signed_blockers(cohort, sunday, self.week.next_monday))

    def _week_progress(self) -> dict[int, list[Progress]]:
        """Stage entries, funds, progress entries and blockers raised or resolved in the week, per deal of the
        cohort (those not in the ledger by Sunday included: rows() leaves them out)."""
        monday, sunday, ids = self.week.monday, self.week.sunday, self.ids
        progress: dict[int, list[Progress]] = defaultdict(list)
        for deal_id, src, dst, on, note, entry_id in _counted_week_stages(ids, monday, sunday):
            on = _day(on)
            kind = "new" if src is None else "stage"
            progress[deal_id].append(
                Progress(on=on, kind=kind, stage_from=src, stage_to=dst, note=note, order=(on, 0, entry_id))
            )
        for deal_id, on, amount, currency, cny, f_id in _fetch(_week_funds(ids, monday, sunday)):
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
        self._week_blockers(progress)
        return progress

    def _week_blockers(self, progress: dict[int, list[Progress]]) -> None:
        """Add the blockers raised or resolved in the week to `progress`."""
        monday, sunday = self.week.monday, self.week.sunday
        for b_id, deal_id, text, dept, raised, resolved, resolution in _fetch(_week_blockers(self.ids, monday, sunday)):
            raised, resolved = _day(raised), _day(resolved)
            if raised >= monday:
                progress[deal_id].append(
                    Progress(on=raised, kind="blocker_raised", text=text, department=dept, order=(raised, 1, b_id))
                )
            if resolved is not None and monday <= resolved <= sunday:
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


class _Names:
    """What a listed row's ids and raw values are looked up in: the names of departments, events and people,
    each distinct list of supporting departments (deal.supporting_ids) made into names in name order, and each
    distinct amount made into a Money and a CNY Decimal, once."""

    def __init__(
        self,
        departments: dict[int, str],
        events: dict[int, tuple],
        persons: dict[int, str],
        unresolved: Callable[[int], object],
    ) -> None:
        """`departments` in the database's order of their names (its collation, which orders a row's list)."""
        self.departments, self.persons = departments, persons
        self.event_names = {e_id: name for e_id, (name, _on) in events.items()}
        self.event_days = {e_id: _DAYS[on] for e_id, (_name, on) in events.items()}
        rank = {d_id: n for n, d_id in enumerate(departments)}

        def shown(listed: str) -> tuple[str, ...]:
            ids = sorted(map(int, listed.split(",")), key=rank.__getitem__) if listed else ()
            return tuple(departments[i] for i in ids)

        self.supporting_of = Kept(shown, most=AMOUNTS_KEPT)
        self.unresolved = unresolved  # which deals may have open blockers (weekly_queries._unresolved_deals)
        self.cny_of = Kept(_cents, most=AMOUNTS_KEPT)
        self.money_of = Kept(lambda key: Money(_cents(key[0]), key[1], bool(key[2])), most=AMOUNTS_KEPT)
