"""Deals nobody has reported on, and deals missing part of 五个一.

A deal is stale on DATE when nothing happened to it for more than DAYS days:
no progress entry, stage entry, arrival of funds, or blocker raised or resolved
dated in (DATE − DAYS, DATE] — a stage change an undo reversed, and the undo, are
none (crm.deals.reversals). Deals at 投产 or 终止 have nothing left to report
and are not listed; deals not in the ledger by DATE are not either.
"""

import datetime
from dataclasses import dataclass

from peewee import fn

from crm.deals.reversals import reversed_entries
from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import _
from crm.listing.filters import DealFilter
from crm.listing.quiet import EVENTS, FINISHED, day_of
from db.models import Deal, DealDepartment, StageChange, database


@dataclass(frozen=True)
class StaleDeal:
    """A deal with no recorded event since `last_event` (None: nothing at all by the date)."""

    code: str
    name: str
    region: str
    stage: str
    last_event: datetime.date | None
    quiet_days: int | None


def _latest(ids, day: datetime.date) -> dict[int, datetime.date]:
    """The newest event date on or before `day` of each deal in the subquery `ids`."""
    latest: dict[int, datetime.date] = {}
    undone = reversed_entries(ids)
    for model, column, voided in EVENTS:
        condition = model.deal.in_(ids) & (column <= day)
        if voided is not None:
            condition &= voided.is_null(True)
        if model is StageChange and undone:
            condition &= model.id.not_in(sorted(undone))
        query = model.select(model.deal, fn.MAX(column)).where(condition).group_by(model.deal)
        for deal_id, on in database.execute(query).fetchall():
            on = day_of(on)
            if on is not None and (deal_id not in latest or on > latest[deal_id]):
                latest[deal_id] = on
    return latest


def stale_deals(days: int, cohort: DealFilter | None = None, day: datetime.date | None = None) -> list[StaleDeal]:
    """The cohort's deals with no event in the `days` days up to `day` (default today), quietest first."""
    if days < 1:
        raise InvalidInput(_("--stale takes a number of days of at least 1, not {days}").format(days=days))
    cohort = cohort or DealFilter()
    day = day or datetime.date.today()
    ids = cohort.apply(Deal.select(Deal.id).where(Deal.stage.not_in(FINISHED)))
    latest = _latest(ids, day)
    found = []
    for deal in cohort.apply(
        Deal.select(Deal.id, Deal.code, Deal.name, Deal.region, Deal.stage).where(Deal.stage.not_in(FINISHED))
    ):
        last = latest.get(deal.id)
        if last is None:
            continue  # no ledger entry by `day`: not in the ledger yet
        quiet = (day - last).days
        if quiet > days:
            found.append(StaleDeal(deal.code, deal.name, deal.region, deal.stage, last, quiet))
    found.sort(key=lambda s: (-(s.quiet_days or 0), s.code))
    return found


@dataclass(frozen=True)
class FiveOnesGap:
    """A deal missing parts of 五个一: `missing` names them (liaison, lead_unit, timetable, plan)."""

    code: str
    name: str
    missing: tuple[str, ...]


def five_ones(cohort: DealFilter | None = None) -> tuple[list[FiveOnesGap], int]:
    """(deals missing any of 包联领导, 责任单位, 建设时间表, 责任方案; number of deals checked).

    Signed deals not yet at 投产 or 终止 are checked; 责任单位 is the lead unit or a
    supporting department; 建设时间表 needs both a planned start and a planned completion.
    """
    cohort = cohort or DealFilter()
    units = DealDepartment.select(DealDepartment.deal).distinct()
    query = cohort.apply(
        Deal.select(
            Deal.id,
            Deal.code,
            Deal.name,
            Deal.liaison,
            Deal.lead_unit,
            Deal.planned_start,
            Deal.planned_completion,
            Deal.responsibility_plan,
            Deal.id.in_(units).alias("has_unit"),
        ).where(Deal.stage.not_in(("negotiating",) + FINISHED))
    ).order_by(Deal.code)
    gaps, checked = [], 0
    for d in query:
        checked += 1
        missing = tuple(
            name
            for name, ok in (
                ("liaison", d.liaison_id is not None),
                ("lead_unit", d.lead_unit_id is not None or bool(d.has_unit)),
                ("timetable", d.planned_start is not None and d.planned_completion is not None),
                ("plan", bool((d.responsibility_plan or "").strip())),
            )
            if not ok
        )
        if missing:
            gaps.append(FiveOnesGap(d.code, d.name, missing))
    return gaps, checked
