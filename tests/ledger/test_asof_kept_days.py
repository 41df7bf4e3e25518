"""The effective-dated kept totals (migration 0012, db/stage_days.py) give the as-of KPIs of the whole ledger
and per region figure for figure as the full scan, on any day, after every kind of change: a stage change,
an undone one, an edit, archive and restore, an import and its revert; and they keep answering while
some deal is archived."""

import datetime

import pytest

from crm.deals.blockers import add_blocker, resolve_blocker
from crm.deals.corrections import archive_deal, reopen_blocker, unarchive_deal, undo_stage, void_funds
from crm.deals.funds import record_funds
from crm.deals.records import create_deal, edit_deal
from crm.deals.stages import change_stage
from crm.listing.filters import DealFilter
from crm.reporting import asof
from db import kept_totals
from db.models import Deal
from tests.ledger.test_import import messy_xlsx, run_import

D = datetime.date
TODAY = datetime.date.today()
DAYS = [D(2019, 5, 16), D(2020, 5, 18), D(2020, 5, 31), D(2020, 6, 30), D(2020, 7, 1), D(2021, 6, 30), TODAY]
COHORTS = [DealFilter(), DealFilter(region="涿州")]


def _agree_with_scan(monkeypatch) -> None:
    """Kept rows equal the rows computed afresh, and every figure equals the scan's, as a user reads them."""
    assert kept_totals.agree()
    for cohort in COHORTS:
        for day in DAYS:
            assert asof._kept_funds_and_blockers({}, cohort, day, None, asof._same)
        for key in (None, Deal.region):
            for day in DAYS:
                assert asof._dated_deal_groups(cohort, cohort.condition(), day, key) is not None
                monkeypatch.setattr(asof, "FAST", False)
                slow = asof.compute_grouped(cohort, day, key)
                monkeypatch.setattr(asof, "FAST", True)
                fast = asof.compute_grouped(cohort, day, key)
                assert fast == slow, (cohort, day, key)


def test_the_kept_days_equal_the_scan_on_the_demo(demo_ledger, monkeypatch):
    _agree_with_scan(monkeypatch)


def test_stage_changes_undo_and_edits_keep_them_equal(demo_ledger, monkeypatch):
    june, july = D(2020, 6, 30), D(2020, 7, 1)
    before = asof.compute(DealFilter(), june).kpis
    code = create_deal({"name": "六月签约七月开工的项目", "amount": "3亿元", "signed_on": "2020-06-01"}).code
    create_deal({"name": "七月才签约的项目", "amount": "5亿元", "signed_on": "2020-07-01", "region": "涿州市"})
    change_stage(code, "开工", on=july)
    on_june = asof.compute(DealFilter(), june).kpis
    assert (on_june.deals, on_june.started) == (before.deals + 1, before.started)
    assert on_june.total_cny == before.total_cny + 300_000_000
    on_july = asof.compute(DealFilter(), july).kpis
    assert (on_july.deals, on_july.started) == (before.deals + 2, before.started + 1)
    _agree_with_scan(monkeypatch)
    undo_stage(code, "开工日期录错了")
    assert asof.compute(DealFilter(), july).kpis.started == before.started
    _agree_with_scan(monkeypatch)
    edit_deal(code, {"amount": "4亿元", "region": "涿州"})
    assert asof.compute(DealFilter(region="涿州市"), june).kpis.total_cny >= 400_000_000
    _agree_with_scan(monkeypatch)


def test_an_archived_deal_leaves_the_kept_days_without_a_scan(demo_ledger, monkeypatch):
    deal = Deal.select().where(Deal.stage != "negotiating").order_by(Deal.id).first()
    before = asof.compute(DealFilter(), TODAY).kpis
    archive_deal(deal.code, "重复录入")
    after = asof.compute(DealFilter(), TODAY).kpis
    assert after.deals == before.deals - 1
    _agree_with_scan(monkeypatch)  # the kept days answer although a deal is archived
    unarchive_deal(deal.code)
    assert asof.compute(DealFilter(), TODAY).kpis == before
    _agree_with_scan(monkeypatch)


def test_an_import_and_its_revert_keep_them_equal(ledger, db_url, run_cli, tmp_path, monkeypatch):
    for currency in ("USD", "EUR", "HKD", "JPY"):
        assert run_cli("--db", db_url, "fx", "set", currency, "2019-01-01", "7")[0] == 0
    code, report, err = run_import(run_cli, db_url, messy_xlsx(tmp_path / "台账.xlsx"))
    assert code == 0, err
    assert asof.compute(DealFilter(), TODAY).kpis.deals > 0
    _agree_with_scan(monkeypatch)
    code, _out, err = run_cli("--db", db_url, "import", "revert", "1")
    assert code == 0, err
    assert asof.compute(DealFilter(), TODAY).kpis.deals == 0
    _agree_with_scan(monkeypatch)


def test_funds_and_blockers_keep_them_equal(demo_ledger, monkeypatch):
    """Funds recorded and voided, blockers raised, resolved and reopened, a deal whose signing is undone: the
    funds, blockers open and overdue of every day stay the scan's."""
    june = D(2020, 6, 30)
    before = asof.compute(DealFilter(), june).kpis
    code = create_deal({"name": "资金项目", "amount": "3亿元", "signed_on": "2020-06-01", "region": "涿州"}).code
    funds = record_funds(code, "5000万元", on=D(2020, 6, 10))
    blocker = add_blocker(code, "用地指标未落实", "商务局", due=D(2020, 6, 20), raised=D(2020, 6, 5))
    on_june = asof.compute(DealFilter(), june).kpis
    assert on_june.funds_cny == before.funds_cny + 50_000_000
    assert (on_june.blockers_open, on_june.blockers_overdue) == (before.blockers_open + 1, before.blockers_overdue + 1)
    _agree_with_scan(monkeypatch)
    resolve_blocker(blocker.id, "已协调", on=D(2020, 6, 25))
    assert asof.compute(DealFilter(), june).kpis.blockers_open == before.blockers_open
    reopen_blocker(blocker.id, "问题反复")
    void_funds(funds.id, "重复录入")
    assert asof.compute(DealFilter(), june).kpis.funds_cny == before.funds_cny
    _agree_with_scan(monkeypatch)
    record_funds(code, "1000万元", on=D(2020, 6, 12))
    change_stage(code, "开工", on=D(2020, 6, 15))
    undo_stage(code, "误操作")
    _agree_with_scan(monkeypatch)


@pytest.mark.parametrize("cohort", [DealFilter(stage="开工"), DealFilter(year=2020), DealFilter(archived=True)])
def test_cohorts_the_kept_days_cannot_answer_take_another_path(demo_ledger, cohort):
    assert asof._dated_deal_groups(cohort, cohort.condition(), TODAY, None) is None
