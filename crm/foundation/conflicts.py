"""The error for a save based on a stale version (optimistic locking)."""

from types import SimpleNamespace

from crm.foundation.errors import Conflict
from crm.foundation.i18n import _


def stale(what: str, current, expected: int) -> Conflict:
    """A Conflict saying who changed `current` and when; `.current` holds the row's values as they are now."""
    err = Conflict(
        _("{what} was changed by {who} at {when} (now version {now}, you had version {had}); nothing was saved").format(
            what=what, who=current.updated_by or "?", when=current.updated_at, now=current.version, had=expected
        )
    )
    # The row as plain values (column name → value): what a screen may show, with no lazy look-ups behind it.
    err.current = SimpleNamespace(**getattr(current, "__data__", {}))
    return err
