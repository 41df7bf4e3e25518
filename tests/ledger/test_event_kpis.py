"""The Events screen reads every event's figures at once (crm.reporting.cohorts.event_kpis): the figures each
event's own cohort gives (kpi.compute), which the screen asked for one event at a time — a query round per
event, seconds on a ledger of hundreds of events."""

import datetime

from crm.reference.views import event_infos
from crm.reporting import kpi
from crm.reporting.cohorts import event_cohort, event_kpis

TODAY = datetime.date.today()  # the screen shows the ledger now


def _shown(k: kpi.Kpis) -> tuple:
    """What the Events screen shows of an event."""
    return (k.deals, k.total_cny, k.fulfilment_rate, k.start_rate, k.funds_rate, k.resolution_rate, k.blockers_open)


def test_every_events_figures_read_at_once_are_its_own_cohorts(demo_ledger):
    every = event_kpis(TODAY)
    events = event_infos()
    assert len(events) > 3 and any(every.get(e.id) for e in events)
    for event in events:
        alone = kpi.compute(event_cohort(event.id), TODAY)
        assert _shown(every.get(event.id, kpi.Kpis())) == _shown(alone), event.name
