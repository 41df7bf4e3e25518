"""The error for a save based on a stale version (optimistic locking)."""

from crm.foundation.errors import Conflict
from crm.foundation.i18n import _


def stale(what: str, current, expected: int) -> Conflict:
    """A Conflict saying who changed `current` and when; `.current` holds the row as it is now."""
    err = Conflict(
        _("{what} was changed by {who} at {when} (now version {now}, you had version {had}); nothing was saved").format(
            what=what, who=current.updated_by or "?", when=current.updated_at, now=current.version, had=expected
        )
    )
    err.current = current
    return err
