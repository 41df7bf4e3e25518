"""The as-of KPIs from the kept totals (crm.reporting.asof._fast_deal_groups) equal those of the full scan
of the deals, figure for figure, before and after stage changes, per region and for filtered cohorts."""

import datetime

import pytest

from crm.listing.filters import DealFilter
from crm.reporting import asof
from db.models import Deal

D = datetime.date
DAYS = [D(2019, 5, 16), D(2019, 12, 31), D(2020, 5, 20), D(2020, 5, 31), D(2021, 6, 30), datetime.date.today()]
COHORTS = [DealFilter(), DealFilter(region="涿州"), DealFilter(stage="开工"), DealFilter(year="2020")]


def _both(monkeypatch, cohort, day, key):
    monkeypatch.setattr(asof, "FAST", False)
    slow = asof.compute_grouped(cohort, day, key)
    monkeypatch.setattr(asof, "FAST", True)
    fast = asof.compute_grouped(cohort, day, key)
    return fast, slow


@pytest.mark.parametrize("key", [None, "region"])
def test_fast_figures_equal_the_full_scan(demo_ledger, monkeypatch, key):
    key = Deal.region if key else None
    monkeypatch.setattr(asof, "LATER_SHARE", 0)  # the fast path however many deals changed after the day
    taken = 0
    for cohort in COHORTS:
        for day in DAYS:
            taken += asof._fast_deal_groups(cohort, cohort.condition(), day, key) is not None
            fast, slow = _both(monkeypatch, cohort, day, key)
            assert fast == slow, (cohort, day)
    assert taken == len(COHORTS) * len(DAYS)


def test_the_fast_path_counts_stage_changes_after_the_day(demo_ledger, monkeypatch):
    """A deal whose stage changed after the day is counted at its stage on the day; one not yet in the
    ledger is not counted at all."""
    from crm.deals.records import create_deal
    from crm.deals.stages import change_stage

    monkeypatch.setattr(asof, "LATER_SHARE", 0)
    june, july = D(2020, 6, 30), D(2020, 7, 1)
    before = asof.compute(DealFilter(), june).kpis
    code = create_deal({"name": "六月签约七月开工的项目", "amount": "3亿元", "signed_on": "2020-06-01"}).code
    create_deal({"name": "七月才签约的项目", "amount": "5亿元", "signed_on": "2020-07-01"})
    change_stage(code, "开工", on=july)
    on_june = asof.compute(DealFilter(), june).kpis
    assert (on_june.deals, on_june.started) == (before.deals + 1, before.started)
    assert on_june.total_cny == before.total_cny + 300_000_000
    on_july = asof.compute(DealFilter(), july).kpis
    assert (on_july.deals, on_july.started) == (before.deals + 2, before.started + 1)
    for day in (june, july):
        fast, slow = _both(monkeypatch, DealFilter(), day, None)
        assert fast == slow


def test_other_filters_and_groupings_take_the_full_scan(demo_ledger):
    assert (
        asof._fast_deal_groups(DealFilter(event="廊坊"), DealFilter(event="廊坊").condition(), D(2020, 5, 31), None)
        is None
    )
    assert asof._fast_deal_groups(DealFilter(), None, D(2020, 5, 31), Deal.industry) is None
