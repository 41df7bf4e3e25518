"""The cohorts the bureau reports on: all deals, a signing year, one event.

A cohort is a DealFilter, so crm.reporting.kpi.compute takes any of them. An event
cohort names the event exactly (by id): a fair held every year has one
Event per edition, and a substring of its name would take in every edition.
"""

from __future__ import annotations

import datetime
from dataclasses import fields

from crm.listing import kept_totals
from crm.listing.filters import DealFilter
from crm.listing.pages import ListFilter
from db.models import Deal, Event


def event_cohort(event: Event | int) -> ListFilter:
    """The deals signed at exactly this event."""
    return ListFilter(event_id=event if isinstance(event, int) else event.id)


def event_kpis(today: datetime.date) -> dict:
    """{event id: Kpis} of every event's deals as they stand on `today`, in one grouped read (an event with no
    deal is absent): for today, the figures kpi.compute(event_cohort(id), today) gives one event at a time."""
    from crm.reporting import asof

    grouped = asof.compute_grouped(DealFilter(), today, Deal.event)
    return {ident: result.kpis for ident, result in grouped.items() if ident is not None}


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
