"""The progress log (本周进展): dated lines of what happened on a deal, with their author.

Append-only: an entry is never edited or deleted (a correction is a new
entry), and each is written to the audit trail. The weekly table, the deal's
timeline, the deal list's 最近进展 and the stale-deal check read it.
"""

import dataclasses
import datetime

from crm.audit import log as audit
from crm.foundation.config import current_actor
from crm.foundation.errors import InvalidInput, NotFound
from crm.foundation.i18n import _
from crm.foundation.text import clean_text
from crm.reference.lookup import deal_by_code
from db.connection import writing
from db.models import Deal, Progress

MAX_TEXT = 2000  # a week's progress is a line or a short paragraph; longer text belongs in notes


@dataclasses.dataclass(frozen=True)
class ProgressEntry:
    """One entry of a deal's progress log."""

    on: datetime.date
    by: str
    text: str
    recorded_at: datetime.datetime


def _entry(row: Progress) -> ProgressEntry:
    return ProgressEntry(on=row.on, by=row.author, text=row.text, recorded_at=row.recorded_at)


def check_text(text: str) -> str:
    """The progress text trimmed; InvalidInput when empty, too long or holding control characters."""
    return clean_text(text, _("Progress"), max_length=MAX_TEXT, required=True, multiline=True)


def record_progress(deal_id: int, text: str, on: datetime.date, actor: str) -> ProgressEntry:
    """Append a progress entry dated `on` to deal `deal_id`, written by `actor`, and audit it.

    InvalidInput for empty or over-long text or a date that is not a date;
    NotFound when no deal has that id.
    """
    text = check_text(text)
    if not isinstance(on, datetime.date) or isinstance(on, datetime.datetime):
        raise InvalidInput(_("The progress date must be a date, not {value!r}").format(value=on))
    actor = clean_text(actor, _("Author"), max_length=100) or "unknown"
    with writing():
        if not Deal.select(Deal.id).where(Deal.id == deal_id).exists():
            raise NotFound(_("No deal has the id {id}").format(id=deal_id))
        row = Progress.create(deal=deal_id, on=on, text=text, author=actor)
        audit.record("progress", row.id, {"on": (None, on.isoformat()), "text": (None, text)}, actor)
    return _entry(row)


def progress_of(deal_id: int) -> list[ProgressEntry]:
    """Deal `deal_id`'s progress entries, oldest first (by date, then by when they were recorded)."""
    query = Progress.select().where(Progress.deal == deal_id).order_by(Progress.on, Progress.id)
    return [_entry(row) for row in query]


def latest_progress(deal_ids: list[int]) -> dict[int, ProgressEntry]:
    """The newest entry of each deal in `deal_ids` that has one (for the deal list's 最近进展)."""
    latest: dict[int, ProgressEntry] = {}
    if not deal_ids:
        return latest
    query = (
        Progress.select(Progress.deal_id, Progress.on, Progress.author, Progress.text, Progress.recorded_at)
        .where(Progress.deal.in_(deal_ids))
        .order_by(Progress.on, Progress.id)
    )
    for row in query:
        latest[row.deal_id] = _entry(row)
    return latest


def progress_between(deal_ids: list[int], first: datetime.date, last: datetime.date) -> dict[int, list[ProgressEntry]]:
    """Entries dated `first`..`last` (inclusive) of each deal in `deal_ids`, oldest first."""
    found: dict[int, list[ProgressEntry]] = {}
    if not deal_ids:
        return found
    query = (
        Progress.select()
        .where(Progress.deal.in_(deal_ids) & (Progress.on >= first) & (Progress.on <= last))
        .order_by(Progress.on, Progress.id)
    )
    for row in query:
        found.setdefault(row.deal_id, []).append(_entry(row))
    return found


def add_progress(code: str, text: str, on: datetime.date | None = None, actor: str | None = None) -> ProgressEntry:
    """record_progress for deal `code` (NotFound when no deal has it), dated `on` (default today), by `actor`
    (default crm.foundation.config.current_actor)."""
    deal_id = deal_by_code(code).id
    return record_progress(deal_id, text, on or datetime.date.today(), actor or current_actor())
