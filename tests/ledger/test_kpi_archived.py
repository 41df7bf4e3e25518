"""Archived deals leave `crm kpi` without making it scan the ledger (issue #14): the kept totals, which count
every deal, less the archived deals' own sums, give the figures the scan gives, for the whole ledger and for
cohorts of stage, signing year and region."""

import pytest

from crm.deals.blockers import add_blocker
from crm.deals.corrections import archive_deal, unarchive_deal
from crm.deals.funds import record_funds
from crm.listing.filters import DealFilter
from crm.reporting import kpi
from db.models import Deal

COHORTS = [DealFilter(), DealFilter(stage="签约"), DealFilter(year=2020), DealFilter(region="涿州")]


def _scanned(monkeypatch, cohort):
    with monkeypatch.context() as m:
        m.setattr(kpi, "_kept_less_archived", lambda cohort: None)
        m.setattr(kpi, "_funds_and_blockers_less_archived", lambda cohort: None)
        return kpi.compute(cohort)


@pytest.mark.parametrize("cohort", COHORTS)
def test_archived_deals_leave_the_kept_kpis_equal_to_the_scan(demo_ledger, monkeypatch, cohort):
    deals = list(Deal.select().where(Deal.stage != "negotiating").order_by(Deal.id).limit(3))
    record_funds(deals[0].code, "1000万元")
    add_blocker(deals[0].code, "环评未批复", "商务局")
    before = kpi.compute(cohort)
    for deal in deals[:2]:
        archive_deal(deal.code, "重复录入")
    assert kpi._kept_less_archived(cohort) is not None  # answered from the kept totals, not a scan
    after = kpi.compute(cohort)
    assert after == _scanned(monkeypatch, cohort)
    if cohort == DealFilter():
        assert after.deals == before.deals - 2
        assert after.blockers_raised < before.blockers_raised and after.funds_cny < before.funds_cny
    unarchive_deal(deals[0].code)
    unarchive_deal(deals[1].code)
    assert kpi.compute(cohort) == before


def test_other_cohorts_and_the_archived_asked_for_take_other_paths(demo_ledger):
    archive_deal(Deal.select().order_by(Deal.id).first().code, "重复录入")
    assert kpi._kept_less_archived(DealFilter(event="廊坊")) is None
    assert kpi._kept_less_archived(DealFilter(archived=True)) is None
