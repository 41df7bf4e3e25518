"""The kept plan counts (migration 0013, deal_plan_days) give the as-of plan figures and the lights of the whole
ledger and per region figure for figure as the scan, on days before, on and after planned starts, after every
kind of change: a stage change and its undo, a plan edited, archive and restore, an import and its revert."""

import datetime
import subprocess
import sys
from pathlib import Path

import pytest

from crm.deals.corrections import archive_deal, unarchive_deal, undo_stage
from crm.deals.investment import record_invest, set_plan
from crm.deals.records import create_deal, edit_deal
from crm.deals.stages import change_stage
from crm.listing.filters import DealFilter
from crm.reporting import asof, kept_plans, lights
from db import kept_totals
from db.models import Deal
from tests.ledger.test_import import messy_xlsx, run_import

D = datetime.date
TODAY = datetime.date.today()
# the demo's planned starts fall on 2019-09-14, 2020-01-04, 2020-03-10/11, 2020-08-26, 2020-09-15, 2021-01-06
DAYS = [
    D(2019, 9, 13),
    D(2019, 9, 14),
    D(2020, 1, 4),
    D(2020, 3, 10),
    D(2020, 3, 31),
    D(2020, 6, 30),
    D(2020, 7, 1),
    D(2020, 12, 31),
    D(2021, 5, 6),
    D(2021, 8, 31),
    TODAY,
]
COHORTS = [DealFilter(), DealFilter(region="涿州")]


def _no_scan(*_args, **_kwargs):
    raise AssertionError("the late starts were scanned although the kept plan counts answer")


def _light_scan(cohort, day, key, monkeypatch) -> dict:
    with monkeypatch.context() as m:
        m.setattr(lights, "_counted", lambda *_a, **_k: None)
        return lights.counts(cohort, day, key)


def _agree_with_scan(monkeypatch) -> None:
    """Kept rows equal the rows computed afresh; every plan figure and light equals the scan's."""
    assert kept_totals.agree()
    for cohort in COHORTS:
        assert kept_plans.answers(cohort)
        for key in (None, Deal.region):
            for day in DAYS:
                monkeypatch.setattr(asof, "FAST", False)
                slow = asof.compute_grouped(cohort, day, key)
                monkeypatch.setattr(asof, "FAST", True)
                fast = asof.compute_grouped(cohort, day, key)
                assert {g: r.plan for g, r in fast.items()} == {g: r.plan for g, r in slow.items()}, (cohort, day)
                assert fast == slow, (cohort, day, key)
                scanned = _light_scan(cohort, day, key, monkeypatch)
                with monkeypatch.context() as m:
                    m.setattr(lights, "_late_scanned", _no_scan)
                    assert lights.counts(cohort, day, key) == scanned, (cohort, day, key)


def test_the_kept_plan_counts_equal_the_scan_on_the_demo(demo_ledger, monkeypatch):
    _agree_with_scan(monkeypatch)


def test_a_plan_month_a_start_its_undo_and_plan_edits_keep_them_equal(demo_ledger, monkeypatch):
    """A deal planned to start on 2020-03-20 counts as planned (not started) in March, overdue after the 20th,
    started on plan once it starts; its planned start moved to 2021 leaves 2020's plan; undone, it is not
    started again."""
    march, after = D(2020, 3, 15), D(2020, 3, 25)
    before = asof.compute(DealFilter(), march).plan
    overdue_after, started_after = (lambda p: (p.overdue_starts, p.started_on_plan))(
        asof.compute(DealFilter(), after).plan
    )
    late_before = lights.counts(DealFilter(), D(2020, 8, 1))[None]
    code = create_deal(
        {
            "name": "三月计划开工的项目",
            "amount": "3亿元",
            "signed_on": "2020-01-10",
            "region": "涿州市",
            "planned_start": "2020-03-20",
            "planned_completion": "2020-11-30",
        }
    ).code
    in_march = asof.compute(DealFilter(), march).plan
    assert (in_march.planned_starts, in_march.started_on_plan) == (before.planned_starts + 1, before.started_on_plan)
    assert in_march.overdue_starts == before.overdue_starts
    assert asof.compute(DealFilter(), after).plan.overdue_starts == overdue_after + 1
    assert lights.counts(DealFilter(), D(2020, 8, 1))[None].red == late_before.red + 1  # 5 months late
    _agree_with_scan(monkeypatch)
    change_stage(code, "开工", on=D(2020, 3, 22))
    on_plan = asof.compute(DealFilter(), after).plan
    assert (on_plan.started_on_plan, on_plan.overdue_starts) == (started_after + 1, overdue_after)
    assert asof.compute(DealFilter(), march).plan.started_on_plan == in_march.started_on_plan
    assert lights.counts(DealFilter(), D(2020, 8, 1))[None].red == late_before.red
    _agree_with_scan(monkeypatch)
    edit_deal(code, {"planned_start": "2021-02-01", "planned_completion": "2021-12-31"})
    assert asof.compute(DealFilter(), after).plan.planned_starts == before.planned_starts
    _agree_with_scan(monkeypatch)
    undo_stage(code, "开工日期录错了")
    change_stage(code, "投产", on=D(2020, 10, 8))
    _agree_with_scan(monkeypatch)
    kept_totals.compact()  # PostgreSQL folds the rows of differences into one per key: the sums stay
    _agree_with_scan(monkeypatch)


def test_deals_with_a_plan_are_lit_once(demo_ledger, monkeypatch):
    """A late deal with an investment plan is counted by its plan's lag and its months late, not twice."""
    code = create_deal(
        {"name": "有年度计划的项目", "amount": "2亿元", "signed_on": "2020-01-10", "planned_start": "2020-02-05"}
    ).code
    set_plan(code, 2020, "1亿元")
    record_invest(code, "5000万元", D(2020, 5, 1))
    day = D(2020, 7, 15)
    light = lights.deal_lights([code], day)[code]
    assert (light.light, light.months_late) == (lights.RED, 5)
    _agree_with_scan(monkeypatch)


def test_archive_and_restore_keep_them_equal(demo_ledger, monkeypatch):
    deal = Deal.select().where(Deal.planned_start.is_null(False), Deal.stage == "signed").order_by(Deal.id).first()
    day = D(deal.planned_start.year, 12, 31)
    before = asof.compute(DealFilter(), day).plan
    archive_deal(deal.code, "重复录入")
    assert asof.compute(DealFilter(), day).plan.planned_starts == before.planned_starts - 1
    _agree_with_scan(monkeypatch)
    unarchive_deal(deal.code)
    assert asof.compute(DealFilter(), day).plan == before
    _agree_with_scan(monkeypatch)


def test_an_import_and_its_revert_keep_them_equal(ledger, db_url, run_cli, tmp_path, monkeypatch):
    for currency in ("USD", "EUR", "HKD", "JPY"):
        assert run_cli("--db", db_url, "fx", "set", currency, "2019-01-01", "7")[0] == 0
    code, _report, err = run_import(run_cli, db_url, messy_xlsx(tmp_path / "台账.xlsx"))
    assert code == 0, err
    _agree_with_scan(monkeypatch)
    code, _out, err = run_cli("--db", db_url, "import", "revert", "1")
    assert code == 0, err
    assert asof.compute(DealFilter(), TODAY).plan.planned_starts == 0
    _agree_with_scan(monkeypatch)


@pytest.mark.parametrize("cohort", [DealFilter(stage="开工"), DealFilter(year=2020), DealFilter(archived=True)])
def test_cohorts_the_kept_plan_counts_cannot_answer_are_scanned(demo_ledger, cohort):
    assert not kept_plans.answers(cohort)
    assert asof._dated_deal_groups(cohort, cohort.condition(), TODAY, None) is None


def test_another_officers_change_is_seen_at_once(demo_ledger, demo_url):
    """The stage totals a report reads twice are read once while the ledger is unchanged (SQLite), and a stage
    change committed by another process in between is in the next figures."""
    deal = Deal.select().where(Deal.stage == "signed").order_by(Deal.id).first()
    before = asof.compute(DealFilter(), TODAY)
    assert lights.counts(DealFilter(), TODAY)[None].green + lights.counts(DealFilter(), TODAY)[None].yellow > 0
    done = subprocess.run(
        [sys.executable, "-m", "app", "--db", demo_url, "stage", deal.code, "开工", "--on", TODAY.isoformat()],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    after = asof.compute(DealFilter(), TODAY)
    assert after.kpis.started == before.kpis.started + 1
    assert after.kpis.by_stage["signed"] == before.kpis.by_stage["signed"] - 1
