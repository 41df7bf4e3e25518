"""The cohorts the bureau reports on: all deals, a signing year, one event.

A cohort is a DealFilter, so crm.reporting.kpi.compute takes any of them. An event
cohort names the event exactly (by id): a fair held every year has one
Event per edition, and a substring of its name would take in every edition.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, fields

from crm.listing import kept_totals
from crm.listing.filters import DealFilter
from crm.listing.pages import ListFilter
from db.dialects import dialect_of
from db.models import Deal, Event


def event_cohort(event: Event | int) -> ListFilter:
    """The deals signed at exactly this event."""
    return ListFilter(event_id=event if isinstance(event, int) else event.id)


@dataclass(frozen=True)
class EventsCohort(DealFilter):
    """The deals signed at any of the events `event_ids` (by id)."""

    event_ids: tuple[int, ...] = ()

    def condition(self):
        base = super().condition()
        exact = Deal.event.in_(self.event_ids)
        return exact if base is None else base & exact


def event_reads(first: list[int], rest: list[int]) -> list[list[int] | None]:
    """The reads that give the figures of the events `first`, then of `rest`, soonest: `first` alone, then `rest`
    in reads of at most the dialect's keys_per_grouped_read ids, or (None) one read of every event where one
    grouped scan is faster (PostgreSQL). Each read is what event_kpis takes as `ids`."""
    per_read = dialect_of().keys_per_grouped_read
    reads: list[list[int] | None] = [first] if first else []
    if per_read is None:
        return reads + ([None] if rest else [])
    return reads + [rest[at : at + per_read] for at in range(0, len(rest), per_read)]


def event_kpis(today: datetime.date, ids: Iterable[int] | None = None) -> dict:
    """{event id: Kpis} of the deals of the events `ids` (None: every event) as they stand on `today`, an event
    with no deal absent: the figures kpi.compute(event_cohort(id), today) gives one event at a time, in grouped
    reads (event_reads). Raises CrmError as kpi.compute does for any of them (a rate missing)."""
    from crm.reporting import asof

    per_read = dialect_of().keys_per_grouped_read
    reads: list[list[int] | None] = [None]  # every event in one grouped read
    if ids is not None or per_read is not None:
        wanted = [e.id for e in Event.select(Event.id).order_by(Event.id)] if ids is None else list(ids)
        step = per_read or len(wanted) or 1
        reads = [wanted[at : at + step] for at in range(0, len(wanted), step)]
    found: dict = {}
    for read in reads:
        cohort = DealFilter() if read is None else EventsCohort(event_ids=tuple(read))
        grouped = asof.compute_grouped(cohort, today, Deal.event)
        found.update((ident, result.kpis) for ident, result in grouped.items() if ident is not None)
    return found


def year_cohort(year: int) -> ListFilter:
    """The deals signed in `year`."""
    return ListFilter(year=year)


def signing_years() -> list[int]:
    """The years from the first signing to the last, newest first.

    Read from the totals kept per signing year (a few thousand rows), not the
    deals: MIN and MAX of signed_on in one query scan every deal on SQLite.
    """
    years = [sums.key[0] for sums in kept_totals.grouped(DealFilter(), by=("year",)) or [] if sums.key[0]]
    if not years:
        return []
    return list(range(max(years), min(years) - 1, -1))


def as_deal_filter(flt: ListFilter) -> DealFilter:
    """`flt` as a plain DealFilter, the event named by its name (for reports that describe their scope in words)."""
    values = {f.name: getattr(flt, f.name) for f in fields(DealFilter)}
    if flt.event_id is not None:
        values["event"] = Event.get_by_id(flt.event_id).name
    return DealFilter(**values)
