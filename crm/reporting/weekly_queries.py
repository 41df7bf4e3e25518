"""The queries the weekly table is read with (crm.reporting.weekly), each over the whole cohort at once:
the listed deals in one SELECT (their supporting departments kept on their rows: db/supporting_ids.py), their
open problems in one more (merged by deal id: as correlated subqueries of the SELECT they cost SQLite a sort per
deal), the names they point to, the week's events, and the week-end KPIs as aggregates computed by the database."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from peewee import SQL, Case, fn

from crm.deals.reversals import reversed_entries
from crm.listing.filters import DealFilter
from crm.reference import fx
from crm.reporting.weekly_model import FINISHED
from db import supporting_ids
from db.dialects import day_text, unindexed
from db.json_lists import among_ids
from db.models import (
    Blocker,
    Deal,
    Department,
    Event,
    FundsArrived,
    FxRate,
    Person,
    StageChange,
    database,
)
from db.streaming import batches


class Kept(dict):
    """Each distinct value's `make(value)`, made once (dates, amounts repeat from deal to deal); memory stays
    bounded whatever the table (emptied past `most` values)."""

    def __init__(self, make, most: int = 100_000) -> None:
        super().__init__()
        self.make, self.most = make, most

    def __missing__(self, value):
        if len(self) > self.most:
            self.clear()
        made = self[value] = self.make(value)
        return made


def _as_day(value) -> datetime.date | None:
    if value is None or type(value) is datetime.date:
        return value
    if type(value) is str:
        return datetime.date.fromisoformat(value[:10])
    if isinstance(value, datetime.datetime):
        return value.date()
    return datetime.date.fromisoformat(str(value)[:10])


#: DATE columns' values already converted: a table of 100,000 deals holds a few thousand distinct days.
_DAYS = Kept(_as_day)


def _day(value) -> datetime.date | None:
    """A DATE column's value as a date: SQLite hands back text, PostgreSQL a date."""
    return _DAYS[value]


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


def _entry_on(day: datetime.date, column):
    """SQL: `column` of the deal's last stage entry dated on or before `day` (NULL when none)."""
    entry = StageChange.alias("entry_on")
    return (
        entry.select(getattr(entry, column))
        .where((entry.deal == Deal.id) & (entry.effective_on <= day))
        .order_by(entry.id.desc())
        .limit(1)
    )


def _stage_at(day: datetime.date):
    """SQL: the deal's stage at the end of `day`; NULL when it was not in the ledger yet.

    A deal's ledger is in date order (crm.deals.stages refuses an entry dated before the current
    stage), so a deal whose current stage began on or before `day` was at it then; only the others
    read their ledger.
    """
    return Case(None, [(Deal.stage_since <= day, Deal.stage)], _entry_on(day, "to_stage"))


def _department_names() -> dict[int, str]:
    """Every department's name by id (a few hundred rows, whatever the number of deals), in the database's
    order of their names (its collation, which orders the names of a row's supporting departments)."""
    return dict(_fetch(Department.select(Department.id, Department.name).order_by(Department.name)))


def _events() -> dict[int, tuple]:
    """Every event's (name, day it was held) by id."""
    return {e_id: (name, held_on) for e_id, name, held_on in _fetch(Event.select(Event.id, Event.name, Event.held_on))}


def _person_names() -> dict[int, str]:
    """Every person's name by id."""
    return dict(_fetch(Person.select(Person.id, Person.name)))


def _last_deal_id() -> int:
    return _fetch(Deal.select(fn.MAX(Deal.id)))[0][0] or 0


#: Deal ids up to which _unresolved_deals keeps a byte per deal id (a set of the ids beyond: a ledger with gaps).
FLAGGED_IDS = 20_000_000


def _counted():
    """A blocker not voided: one voided as entered by mistake counts nowhere, as if it were deleted."""
    return Blocker.voided_at.is_null(True)


def _unresolved_deals(sunday: datetime.date) -> Callable[[int], object]:
    """A test of a deal id, true for the deals with a blocker not resolved by `sunday` (raised then or later):
    those whose open problems _open_blockers looks for, read from the index on (resolved_on, due_on, deal_id)
    alone. Kept as a byte per deal id (a megabyte at a million deals), whatever the number of blockers."""
    unresolved = Blocker.resolved_on.is_null(True) | (Blocker.resolved_on > sunday)
    query = Blocker.select(Blocker.deal).where(unresolved & _counted())
    size = _last_deal_id() + 1
    if size > FLAGGED_IDS:
        return {deal_id for found in batches(query) for (deal_id,) in found}.__contains__
    flags = bytearray(size)
    for found in batches(query):
        for (deal_id,) in found:
            flags[deal_id] = 1
    return flags.__getitem__


def _open_blockers(deal_ids: list[int], sunday: datetime.date):
    """The blockers of the deals `deal_ids` raised by `sunday` and not resolved by then, in the order they were
    raised: (deal id, id, text, department id, raised_on, due_on)."""
    query = _where(
        Blocker.select(
            Blocker.deal,
            Blocker.id,
            Blocker.text,
            Blocker.department,
            day_text(Blocker.raised_on),
            day_text(Blocker.due_on),
        ),
        among_ids(Blocker.deal, deal_ids),
        Blocker.raised_on <= sunday,
        Blocker.resolved_on.is_null(True) | (Blocker.resolved_on > sunday),
        _counted(),
    )
    return query.order_by(Blocker.raised_on, Blocker.id)


def _week_stages(ids, monday: datetime.date, sunday: datetime.date):
    """The stage entries of the cohort's deals (`ids`, None for every deal) dated from `monday` to `sunday`:
    (deal id, from_stage, to_stage, effective_on, note, id); one range of stage_change_effective_on (migration
    0021), the cohort tested per entry (on SQLite its deals' look-ups in the ledger by deal would be led by it)."""
    return _where(
        StageChange.select(
            StageChange.deal,
            StageChange.from_stage,
            StageChange.to_stage,
            StageChange.effective_on,
            StageChange.note,
            StageChange.id,
        ),
        _in_cohort(unindexed(StageChange.deal), ids),
        StageChange.effective_on.between(monday, sunday),
    )


def _counted_week_stages(ids, monday: datetime.date, sunday: datetime.date) -> list[tuple]:
    """_week_stages' rows but for the entries an undo reversed and the undos themselves (crm.deals.reversals, the
    rule the Detail timeline marks them by): a change and its undo are in no week's progress nor count, as if
    neither happened. The audit trail is asked only about the deals changed in the week."""
    rows = _fetch(_week_stages(ids, monday, sunday))
    undone = reversed_entries(sorted({row[0] for row in rows if row[1] is not None}))
    return [row for row in rows if row[5] not in undone] if undone else rows


def _week_funds(ids, monday: datetime.date, sunday: datetime.date):
    """The funds of the cohort's deals (`ids`, None for every deal) arrived from `monday` to `sunday`:
    (deal id, arrived_on, amount, currency, amount_cny, id); through funds_arrived_arrived_on (migration 0015)."""
    return _where(
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


def _week_blockers(ids, monday: datetime.date, sunday: datetime.date):
    """The blockers of the cohort's deals (`ids`, None for every deal) raised by `sunday` and raised or resolved
    from `monday` to `sunday`: (id, deal id, text, department name, raised_on, resolved_on, resolution); two
    index ranges (blocker_raised_on of migration 0015, blocker_resolved_on)."""
    return _where(
        Blocker.select(
            Blocker.id,
            Blocker.deal,
            Blocker.text,
            Department.name,
            Blocker.raised_on,
            Blocker.resolved_on,
            Blocker.resolution,
        ).join(Department, on=(Blocker.department == Department.id)),
        _in_cohort(Blocker.deal, ids),
        Blocker.raised_on <= sunday,
        Blocker.raised_on.between(monday, sunday) | Blocker.resolved_on.between(monday, sunday),
        _counted(),
    )


def _listed_rows(cohort: DealFilter, sunday: datetime.date, only_stage: str | None, changed: list[int]):
    """The deals the table lists, in its order, with everything a row shows (crm.reporting.weekly._rows) but
    the names of its event, lead unit and liaison and of its supporting departments (their ids instead) and its
    problems: the columns of the index deal_weekly_rows (migrations 0015, 0022, 0026), which the SELECT reads alone;
    last, whether the signing date names its month only.

    Listed: in the ledger by `sunday` and at `only_stage` then, or (without it) not finished then or
    among `changed`, the deals something happened to that week.
    """
    stage = _stage_at(sunday)
    if only_stage:
        listed = stage == only_stage
    else:
        listed = stage.not_in(FINISHED)
        if changed:
            listed = listed | among_ids(Deal.id, changed)
    query = Deal.select(
        Deal.id,
        Deal.code,
        Deal.name,
        Deal.investor,
        Deal.region,
        Deal.industry,
        Deal.sub_industry,
        day_text(Deal.signed_on),
        Deal.amount,
        Deal.currency,
        Deal.amount_approximate,
        Deal.amount_cny,
        Deal.fx_rate,
        stage.alias("stage_then"),
        Deal.event,
        Deal.lead_unit,
        Deal.liaison,
        supporting_ids.READ,
        Deal.signed_on_month,
    )
    query = cohort.apply(query).where(stage.is_null(False) & listed)
    return query.order_by(Deal.signed_on.asc(nulls="LAST"), Deal.code)


def _listed_estimate(cohort: DealFilter, only_stage: str | None, cohort_size: int) -> int:
    """About how many deals _listed_rows lists, from the deals' stages now (an index look-up) rather than each
    one's stage on Sunday (a scan of the whole cohort): what a split table balances its two ranges by, which are
    exact whatever it says."""
    deals = cohort.apply(Deal.select(Deal.id))
    if only_stage:
        return deals.where(Deal.stage == only_stage).count()
    return cohort_size - deals.where(Deal.stage.in_(FINISHED)).count()


def _created_on(deal_id: int) -> datetime.date:
    """The day the deal `deal_id` was entered (the day its amount is converted on when it has no signing date)."""
    return _day(_fetch(Deal.select(Deal.created_at).where(Deal.id == deal_id))[0][0])


def _existing(cohort: DealFilter, sunday: datetime.date, ids) -> set[int]:
    """Which of the deals `ids` were in the ledger by `sunday` (their week's events count only then)."""
    if not ids:
        return set()
    query = cohort.apply(Deal.select(Deal.id)).where(among_ids(Deal.id, ids) & _stage_at(sunday).is_null(False))
    return {deal_id for (deal_id,) in _fetch(query)}


def _first_unconverted(cohort: DealFilter, sunday: datetime.date, only_stage: str | None, changed: list[int]):
    """The MissingRate error of the first deal in the table's order whose amount has no CNY value and
    which the table lists or the week-end KPIs count; None when there is none."""
    stage = _stage_at(sunday)
    wanted = _listed_rows(cohort, sunday, only_stage, changed)
    counted = cohort.apply(Deal.select(Deal.id)).where(stage.is_null(False) & (stage != "negotiating"))
    query = (
        cohort.apply(Deal.select(Deal.currency, Deal.signed_on, Deal.created_at))
        .where(Deal.amount_cny.is_null(True) & (Deal.id.in_(wanted.select(Deal.id).order_by()) | Deal.id.in_(counted)))
        .order_by(Deal.signed_on.asc(nulls="LAST"), Deal.code)
        .limit(1)
    )
    for currency, signed_on, created_at in _fetch(query):
        return fx.missing(currency, _day(signed_on) or _day(created_at))
    return None


def _signed_groups(cohort: DealFilter, sunday: datetime.date) -> list[tuple]:
    """The cohort's deals signed by `sunday` (stage then not 谈判中), grouped: (stage then, currency,
    approximate, fx_rate, deals, sum of amounts, sum of CNY amounts, CNY amounts present)."""
    stage = _stage_at(sunday)
    query = cohort.apply(
        Deal.select(
            stage,
            Deal.currency,
            Deal.amount_approximate,
            Deal.fx_rate,
            fn.COUNT(Deal.id),
            fn.SUM(Deal.amount),
            fn.SUM(Deal.amount_cny),
            fn.COUNT(Deal.amount_cny),
        )
    ).where(stage.is_null(False) & (stage != "negotiating"))
    return _fetch(query.group_by(SQL("1"), SQL("2"), SQL("3"), SQL("4")))


def _signed_funds(cohort: DealFilter, sunday: datetime.date) -> list[tuple]:
    """Funds arrived by `sunday` to deals signed by then, per exchange rate: (fx_rate, CNY sum, arrivals,
    CNY amounts present, a currency, the first day)."""
    stage = _stage_at(sunday)
    query = (
        FundsArrived.select(
            FundsArrived.fx_rate,
            fn.SUM(FundsArrived.amount_cny),
            fn.COUNT(FundsArrived.id),
            fn.COUNT(FundsArrived.amount_cny),
            fn.MIN(FundsArrived.currency),
            fn.MIN(FundsArrived.arrived_on),
        )
        .join(Deal, on=(FundsArrived.deal == Deal.id))
        .where(FundsArrived.arrived_on <= sunday, stage.is_null(False), stage != "negotiating")
    )
    return _fetch(cohort.apply(query).group_by(FundsArrived.fx_rate))


def _signed_blockers(cohort: DealFilter, sunday: datetime.date, morning_after: datetime.date) -> tuple:
    """Blockers raised by `sunday` on deals signed by then: (raised, open then, overdue then)."""
    stage = _stage_at(sunday)
    is_open = Blocker.resolved_on.is_null(True) | (Blocker.resolved_on > sunday)
    query = (
        Blocker.select(
            fn.COUNT(Blocker.id),
            fn.SUM(_case(is_open)),
            fn.SUM(_case(is_open & (Blocker.due_on < morning_after))),
        )
        .join(Deal, on=(Blocker.deal == Deal.id))
        .where(Blocker.raised_on <= sunday, _counted(), stage.is_null(False), stage != "negotiating")
    )
    return _fetch(cohort.apply(query))[0]


def _case(condition):
    return Case(None, [(condition, 1)], 0)


def _due_on_sunday(cohort: DealFilter, sunday: datetime.date) -> int:
    """Blockers raised by `sunday`, open at its end and due that very day, on deals signed by then: overdue by
    the week's count (due before Monday), not yet by crm.reporting.asof's on `sunday` (due before the day)."""
    stage = _stage_at(sunday)
    query = (
        Blocker.select(fn.COUNT(Blocker.id))
        .join(Deal, on=(Blocker.deal == Deal.id))
        .where(
            Blocker.due_on == sunday,
            Blocker.raised_on <= sunday,
            Blocker.resolved_on.is_null(True) | (Blocker.resolved_on > sunday),
            _counted(),
            stage != "negotiating",
        )
    )
    return _fetch(cohort.apply(query))[0][0] or 0


def _signed_rates(cohort: DealFilter, sunday: datetime.date) -> list:
    """The exchange rates (fx.RateUsed) of the cohort's deals signed by `sunday` and of the funds they had
    received by then: those _signed_groups and _signed_funds count."""
    stage = _stage_at(sunday)
    deals = cohort.apply(Deal.select(Deal.id)).where((Deal.fx_rate == FxRate.id) & (stage != "negotiating"))
    funds = cohort.apply(FundsArrived.select(FundsArrived.id).join(Deal, on=(FundsArrived.deal == Deal.id))).where(
        (FundsArrived.fx_rate == FxRate.id) & (FundsArrived.arrived_on <= sunday) & (stage != "negotiating")
    )
    return fx.rates_used(fn.EXISTS(deals) | fn.EXISTS(funds))
