"""How long each deal of a page has been quiet: the stale rule of crm.listing.stale (no progress entry, stage
entry, arrival of funds, or blocker raised or resolved in the last DAYS days), for the rows the deal list shows.
Apart from crm.listing.stale, whose reports the list does not need before its first page.

A stage change an undo reversed, and the undo, are no events (crm.deals.reversals): a mistake put right is not
news of the deal.
"""

import datetime

from crm.deals.reversals import reversed_entries
from db.models import Blocker, FundsArrived, Progress, StageChange, database

FINISHED = ("operating", "terminated")
# What counts as something happening to a deal: (table, its date column, the column marking a row that counts
# nowhere when set, or None): a blocker voided as entered by mistake never happened.
EVENTS = (
    (Progress, Progress.on, None),
    (StageChange, StageChange.effective_on, None),
    (FundsArrived, FundsArrived.arrived_on, None),
    (Blocker, Blocker.raised_on, Blocker.voided_at),
    (Blocker, Blocker.resolved_on, Blocker.voided_at),
)


def day_of(value) -> datetime.date | None:
    """A date column's value as a date (SQLite gives text)."""
    if value is None or type(value) is datetime.date:
        return value
    return datetime.date.fromisoformat(str(value)[:10])


def quiet_days(deals: list[tuple[int, str]], days: int, day: datetime.date) -> dict[int, int]:
    """{deal id: days since its last event} of those of `deals` ((id, stage) pairs) that are stale on `day`.

    The same rule as stale_deals, for a page of the deal list: deals at 投产 or 终止 and
    deals with no event by `day` are never stale. Five grouped queries over the ids given.
    """
    ids = [deal_id for deal_id, stage in deals if stage not in FINISHED]
    if not ids:
        return {}
    # The five newest-event queries of crm.listing.stale._latest as one UNION ALL statement, written out: a page asks this on every
    # scroll, and building it through Peewee (500 bound values) took longer than running it.
    marks = ", ".join([database.param] * len(ids))
    undone = sorted(reversed_entries(ids))
    parts, params = [], []
    for model, column, voided in EVENTS:
        deal = model.deal.column_name
        counted = f' AND "{voided.column_name}" IS NULL' if voided is not None else ""
        left_out = undone if model is StageChange else []
        if left_out:
            counted += f' AND "id" NOT IN ({", ".join([database.param] * len(left_out))})'
        parts.append(
            f'SELECT "{deal}", MAX("{column.column_name}") FROM "{model._meta.table_name}" '
            f'WHERE "{deal}" IN ({marks}) AND "{column.column_name}" <= {database.param}{counted} GROUP BY "{deal}"'
        )
        params += [*ids, column.db_value(day), *left_out]
    latest: dict[int, datetime.date] = {}
    for deal_id, on in database.execute_sql(" UNION ALL ".join(parts), params).fetchall():
        on = day_of(on)
        if on is not None and (deal_id not in latest or on > latest[deal_id]):
            latest[deal_id] = on
    return {deal_id: (day - last).days for deal_id, last in latest.items() if (day - last).days > days}
