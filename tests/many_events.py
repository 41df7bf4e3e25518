"""A ledger of hundreds of events, for the Events screen's reads (tests/ledger) and its screen (tests/tui)."""

import datetime

from crm.reference.views import event_infos
from crm.samples import synthetic
from tests.conftest import filled_ledger

AS_OF = datetime.date(2026, 6, 30)


@filled_ledger()
def many_events():
    """A synthetic ledger of 1,500 deals over hundreds of events; its events' ids, in the screen's order."""
    synthetic.generate(synthetic.Spec(deals=1500, seed=7, heavy_every=0, as_of=AS_OF, batch=400))
    return [e.id for e in event_infos()]
