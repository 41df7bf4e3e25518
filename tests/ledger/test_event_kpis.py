"""The Events screen reads events' figures together (crm.reporting.cohorts.event_kpis): the figures each
event's own cohort gives (kpi.compute), which the screen asked for one event at a time — a query round per
event, seconds on a ledger of hundreds of events. The events on screen are read first, the rest in the reads
the backend answers soonest (event_reads)."""

import datetime

from peewee import SQL, fn

from crm.reference.views import event_infos
from crm.reporting import kpi
from crm.reporting.cohorts import event_cohort, event_kpis, event_reads
from db.dialects import dialect_of
from db.models import Deal, database
from tests.many_events import AS_OF
from tests.many_events import many_events as many_events_fixture  # noqa: F401  (the fixture many_events)

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


# ---- many events, read a few dozen at a time ---------------------------------------------------------------------


def test_the_events_on_screen_are_read_first_then_the_rest_in_reads_the_backend_answers_fast(many_events):
    ids = many_events
    assert len(ids) > 100
    first, rest = ids[200:230], ids[:200] + ids[230:]
    reads = event_reads(first, rest)
    assert reads[0] == first
    if dialect_of().keys_per_grouped_read is None:  # PostgreSQL: one grouped scan of every deal
        assert reads[1:] == [None]
    else:  # SQLite: its planner keeps the event index for a few dozen ids
        assert all(len(read) <= 40 for read in reads[1:])
        assert [i for read in reads[1:] for i in read] == rest
    figures = {}
    for read in reads:
        figures.update(event_kpis(TODAY, read))
    assert figures == event_kpis(TODAY)
    with_deals = Deal.select(Deal.event).where(Deal.event.is_null(False) & Deal.archived_on.is_null()).distinct()
    assert set(figures) == {ident for (ident,) in with_deals.tuples()}
    for ident in ids[::37]:  # a sample over the whole list, each against its own cohort
        assert _shown(figures.get(ident, kpi.Kpis())) == _shown(kpi.compute(event_cohort(ident), TODAY)), ident


def test_a_day_after_every_stage_began_reads_the_current_stage_and_counts_as_the_ledger_does(many_events):
    from crm.reporting import asof

    latest = Deal.select(fn.MAX(Deal.stage_since)).scalar()
    assert asof.stage_on(latest) is Deal.stage  # no look-up in the stage ledger
    assert asof.stage_on(latest - datetime.timedelta(days=1)) is not Deal.stage

    def by_stage(expression, day):
        query = Deal.select(expression, fn.COUNT(Deal.id)).group_by(SQL("1"))
        return dict(database.execute(query).fetchall())

    assert by_stage(Deal.stage, latest) == by_stage(asof.stage_by_ledger(latest), latest)
    # and on an earlier day, when some deals were at another stage or not yet in the ledger, as the as-of
    # figures of each event's own cohort
    earlier = AS_OF - datetime.timedelta(days=60)
    assert Deal.select().where(Deal.stage_since > earlier).count() > 50
    reads = event_reads(many_events[:30], many_events[30:])
    figures = {}
    for read in reads:
        figures.update(event_kpis(earlier, read))
    for ident in many_events[::23]:
        alone = asof.compute(event_cohort(ident), earlier).kpis
        assert _shown(figures.get(ident, kpi.Kpis())) == _shown(alone), ident
