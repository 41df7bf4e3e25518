"""The queries the weekly table is read with (crm.reporting.weekly): deals, stages on a day, batches."""

from __future__ import annotations

import datetime

from peewee import JOIN, SQL

from crm.listing.filters import DealFilter
from crm.reference import fx
from db.models import Deal, Department, Event, Person, StageChange, database

#: Stages that leave the table unless something happened that week.


#: SQLite's texts of dates already converted: a table of 100,000 deals holds a few thousand distinct days.
_DAYS: dict[str, datetime.date] = {}


def _day(value) -> datetime.date | None:
    """A DATE column's value as a date: SQLite hands back text, PostgreSQL a date."""
    if value is None or type(value) is datetime.date:
        return value
    if type(value) is str:
        day = _DAYS.get(value)
        if day is None:
            if len(_DAYS) > 100_000:  # never more than a few years of days and times, whatever the ledger
                _DAYS.clear()
            day = _DAYS[value] = datetime.date.fromisoformat(value[:10])
        return day
    if isinstance(value, datetime.datetime):
        return value.date()
    return datetime.date.fromisoformat(str(value)[:10])


def _fetch(query) -> list[tuple]:
    """The rows of a Peewee query as the driver returns them."""
    return database.execute(query).fetchall()


def _in_cohort(column, ids):
    """`column IN ids`, or None for the whole ledger (no subquery to run)."""
    return None if ids is None else column.in_(ids)


def _among(column, ids: list[int]):
    """`column IN (ids)` with the ids written into the SQL: Peewee binding 2,000 parameters one by one
    cost more than the query. They are integers read from the ledger, never text from a user."""
    return column.in_(SQL("({})".format(",".join([str(int(i)) for i in ids]))))


def _where(query, *conditions):
    """`query` narrowed by the conditions that are not None."""
    kept = [c for c in conditions if c is not None]
    return query.where(*kept) if kept else query


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
