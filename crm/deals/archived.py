"""Whether any deal is archived, as every list's condition asks (crm.listing.filters): remembered a few seconds.

Apart from corrections (where deals are archived and restored) so that the first page of the deal list
imports neither corrections nor what they write with.
"""

from __future__ import annotations

import time
from weakref import WeakKeyDictionary

from db.models import Deal, database

#: How long (s) the answer of archived_exist() is taken as known: every page and count builds a condition.
ARCHIVED_RECHECK_SECONDS = 10.0
_archived_known: WeakKeyDictionary = WeakKeyDictionary()


def archived_exist() -> bool:
    """True when at least one deal is archived; False with no ledger open.

    One look-up in the index on archived_on, remembered ARCHIVED_RECHECK_SECONDS per
    database (forget_archived() after an archive in this process): a deal another
    officer archives leaves this officer's lists within that time.
    """
    db = database.obj
    if db is None:
        return False
    now = time.monotonic()
    known = _archived_known.get(db)
    if known is None or now - known[0] > ARCHIVED_RECHECK_SECONDS:
        known = _archived_known[db] = (now, Deal.select(Deal.id).where(Deal.archived_on.is_null(False)).exists())
    return known[1]


def forget_archived() -> None:
    """Ask archived_exist() afresh next time (a deal was archived or restored)."""
    if database.obj is not None:
        _archived_known.pop(database.obj, None)
