"""What the deal list shows beside each row of a page: the newest progress entry and the stale mark.

Both are read for the page's deals only (a hundred ids), by indexed queries,
so a page of a million-deal ledger costs a few more small statements, not a scan.
"""

from __future__ import annotations

import datetime
from dataclasses import replace

from crm.listing.pages import DealRow
from crm.listing.quiet import quiet_days
from db.models import Progress, database

DEFAULT_STALE_DAYS = 30  # a month with nothing recorded: four weekly reports missed


def latest_progress_texts(deal_ids: list[int]) -> dict[int, str]:
    """{deal id: text of its newest progress entry (latest date, then latest recorded)} of the deals that have one."""
    if not deal_ids:
        return {}
    marks = ", ".join([database.param] * len(deal_ids))
    table, deal, on = Progress._meta.table_name, Progress.deal.column_name, Progress.on.column_name
    # The newest entry is the one no other entry of its deal comes after (walks the (deal, on) index). Written
    # out, as crm.listing.stale.quiet_days is: Peewee took longer to build it than the database to run it.
    sql = (
        f'SELECT p."{deal}", p."{Progress.text.column_name}" FROM "{table}" AS p WHERE p."{deal}" IN ({marks}) AND NOT EXISTS '
        f'(SELECT 1 FROM "{table}" AS q WHERE q."{deal}" = p."{deal}" '
        f'AND (q."{on}" > p."{on}" OR (q."{on}" = p."{on}" AND q."id" > p."id")))'
    )
    return dict(database.execute_sql(sql, list(deal_ids)).fetchall())


def with_marks(
    rows: list[DealRow], day: datetime.date, stale_days: int = DEFAULT_STALE_DAYS, lights: dict[str, str] | None = None
) -> list[DealRow]:
    """`rows` with their newest progress text, for the stale ones the days since their last event on `day`,
    and the light `lights` gives their code (crm.reporting.lights, which this room cannot ask)."""
    if not rows:
        return rows
    texts = latest_progress_texts([r.id for r in rows])
    quiet = quiet_days([(r.id, r.stage) for r in rows], stale_days, day)
    lights = lights or {}
    return [
        replace(r, progress=texts.get(r.id), quiet_days=quiet.get(r.id), light=lights.get(r.code))
        if r.id in texts or r.id in quiet or r.code in lights
        else r
        for r in rows
    ]
