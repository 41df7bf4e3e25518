"""Mistakes corrected, never erased (issue #14): each correction brings the figures back exactly,
keeps the rows it corrects and leaves an audit entry in `crm log`. On SQLite and PostgreSQL.

The ledger is tests.ledger.test_kpi's hand-built one (d1: 1亿美元 signed 2020-05-18 at 7.10, funds 2000万美元 on
2020-09-01 at 6.80; d3: 5亿元 signed, blocker b2 resolved).
"""

import datetime
import json
from decimal import Decimal

import pytest

from crm.deals import corrections, funds, investment, stages
from crm.deals.trail import deal_trail
from crm.foundation.errors import InvalidInput, NotFound
from crm.listing import kept_totals, views
from crm.listing.filters import DealFilter
from crm.reference import fx
from crm.reporting import asof, kpi
from db import kept_totals as upkeep
from db.models import Blocker, Deal, FundsArrived, FxRate, InvestmentDone, StageChange
from tests.conftest import filled_ledger
from tests.ledger.test_kpi import build_small_ledger

D = datetime.date


@filled_ledger()
def small():
    """tests.ledger.test_kpi's ledger, written into a fresh database of the current backend; {label: code}."""
    return build_small_ledger()


def figures(cohort: DealFilter | None = None) -> dict:
    out = kpi.as_json(kpi.compute(cohort))
    out.pop("as_of", None)
    return out


def all_figures() -> dict:
    """KPIs now (whole ledger, a kept-totals cohort, a scanned cohort) and as of a past day."""
    return {
        "all": figures(),
        "region": figures(DealFilter(region="涿州")),
        "event": figures(DealFilter(event="廊坊")),
        "asof": kpi.as_json(asof.compute(day=D(2020, 12, 31)).kpis),
    }


def trail_fields(code: str) -> list[tuple[str, str]]:
    return [(e["table"], e["field"]) for e in deal_trail(code)]


def test_archive_leaves_lists_and_kpis_and_restore_brings_them_back(small, run_cli, db_url):
    before = all_figures()
    codes_before = {d["code"] for d in views.list_deals(DealFilter())}
    corrections.archive_deal(small["d1"], note="录重了")
    after = all_figures()
    assert after["all"]["deals"] == before["all"]["deals"] - 1
    assert Decimal(after["all"]["total_cny"]) == Decimal(before["all"]["total_cny"]) - Decimal("710000000.00")
    assert Decimal(after["all"]["funds_cny"]) == Decimal(before["all"]["funds_cny"]) - Decimal("136000000.00")
    assert after["region"]["deals"] == before["region"]["deals"] - 1
    assert after["asof"]["deals"] == before["asof"]["deals"] - 1
    assert {d["code"] for d in views.list_deals(DealFilter())} == codes_before - {small["d1"]}
    assert small["d1"] not in {d["code"] for d in views.list_deals(DealFilter(search="供应链"))}
    # asked for, the archived deal is there, and the kept totals (which count it) still answer
    assert figures(DealFilter(archived=True)) == before["all"]
    assert kept_totals.grouped(DealFilter(archived=True)) is not None and kept_totals.grouped(DealFilter()) is None
    assert kept_totals.funds_and_blockers(DealFilter()) is None
    assert {d["code"] for d in views.list_deals(DealFilter(archived=True))} == codes_before
    shown = views.detail(small["d1"])
    assert shown["archived"]["note"] == "录重了"
    assert Deal.select().where(Deal.code == small["d1"]).exists()  # nothing erased

    corrections.unarchive_deal(small["d1"])
    assert all_figures() == before
    assert ("deal", "archived_on") in trail_fields(small["d1"]) and ("deal", "restored") in trail_fields(small["d1"])
    assert upkeep.agree()

    # the command line: one line, exit 0; the trail in `crm log`
    code, out, err = run_cli("--db", db_url, "archive", small["d2"], "--note", "重复")
    assert code == 0, err
    code, out, err = run_cli("--db", db_url, "deals", "--format", "json")
    assert small["d2"] not in out
    code, out, err = run_cli("--db", db_url, "deals", "--archived", "--format", "json")
    assert small["d2"] in out
    code, out, err = run_cli("--db", db_url, "kpi", "--archived", "--format", "json")
    assert json.loads(out)["deals"] == before["all"]["deals"]
    code, out, err = run_cli("--db", db_url, "log", small["d2"], "--format", "json")
    assert any(e["field"] == "archive_note" and e["new"] == "重复" for e in json.loads(out))


def test_archive_needs_a_note_and_refuses_twice(small):
    with pytest.raises(InvalidInput):
        corrections.archive_deal(small["d1"], note="")
    corrections.archive_deal(small["d1"], note="x")
    with pytest.raises(InvalidInput):
        corrections.archive_deal(small["d1"], note="x")
    corrections.unarchive_deal(small["d1"])
    with pytest.raises(InvalidInput):
        corrections.unarchive_deal(small["d1"])


def test_void_funds_leaves_every_sum_and_stays_marked(small, run_cli, db_url):
    before = all_figures()
    row = funds.record_funds(small["d2"], "1亿元", on=D(2020, 9, 30))
    assert Decimal(figures()["funds_cny"]) == Decimal(before["all"]["funds_cny"]) + Decimal("100000000.00")
    code, out, err = run_cli("--db", db_url, "funds", "void", row.id, "--note", "录错金额")
    assert code == 0, err
    assert all_figures() == before
    kept = FundsArrived.get_by_id(row.id)
    assert kept.voided_at is not None and kept.voided_amount == Decimal("100000000.00") and kept.void_note == "录错金额"
    shown = [f for f in views.detail(small["d2"])["funds"] if f["id"] == row.id]
    assert shown[0]["voided"]["note"] == "录错金额" and shown[0]["amount"] == Decimal("100000000.00")
    assert ("funds_arrived", "voided") in trail_fields(small["d2"])
    assert upkeep.agree()
    code, out, err = run_cli("--db", db_url, "funds", "void", row.id, "--note", "again")
    assert code == 2 and len(err.strip().splitlines()) == 1
    code, out, err = run_cli("--db", db_url, "funds", "void", 999999, "--note", "x")
    assert code == 2


def test_void_completed_investment(small, run_cli, db_url):
    investment.set_plan(small["d2"], 2020, "10亿元")
    investment.record_invest(small["d2"], "2亿元", D(2020, 6, 1))
    before = views.detail(small["d2"])["investment"]
    investment.record_invest(small["d2"], "3亿元", D(2020, 7, 1))
    code, out, err = run_cli("--db", db_url, "invest", "void", small["d2"], "--month", "2020-07", "--note", "月份录错")
    assert code == 0, err
    shown = views.detail(small["d2"])
    assert shown["investment"] == before
    assert shown["investment_voided"][0]["month"] == "2020-07"
    assert shown["investment_voided"][0]["amount"] == Decimal("300000000.00")
    assert InvestmentDone.select().count() == 2  # kept
    assert any(t == "investment_done" for t, _f in trail_fields(small["d2"]))
    # the month set again is a new figure
    investment.record_invest(small["d2"], "1亿元", D(2020, 7, 1))
    assert views.detail(small["d2"])["investment"][0]["done_cny"] == Decimal("300000000.00")
    assert views.detail(small["d2"])["investment_voided"] == []
    with pytest.raises(NotFound):
        corrections.void_invest(small["d2"], D(2020, 8, 1), note="x")


def test_void_rate_reconverts_and_keeps_the_rate(small, run_cli, db_url):
    before = all_figures()
    fx.set_rate("USD", D(2020, 5, 20), "7.5000")  # wrong: covers nothing signed yet, d1 was signed 05-18
    fx.set_rate("USD", D(2020, 5, 18), "7.2000")  # and this one re-converts d1
    changed = figures()
    assert changed["total_cny"] != before["all"]["total_cny"]
    fx.set_rate("USD", D(2020, 5, 18), "7.1000")
    assert all_figures() == before
    # a rate that converts d1's funds, voided: the funds go back to the 6.80 of 2020-09-01
    fx.set_rate("USD", D(2020, 8, 15), "6.5000")
    fx.set_rate("USD", D(2020, 9, 1), "6.0000")
    assert figures()["funds_cny"] != before["all"]["funds_cny"]
    code, out, err = run_cli("--db", db_url, "fx", "void", "USD", "2020-08-15", "--note", "抄错")
    assert code == 0, err
    fx.set_rate("USD", D(2020, 9, 1), "6.8000")
    assert all_figures() == before
    voided = FxRate.get((FxRate.currency == "USD") & (FxRate.on == D(2020, 8, 15)))
    assert voided.voided_at is not None and voided.void_note == "抄错"  # kept, marked
    assert fx.rate_on("USD", D(2020, 8, 20)).on == D(2020, 5, 20)
    code, out, err = run_cli("--db", db_url, "fx", "list", "--currency", "USD")
    assert "抄错" in out


def test_void_rate_refused_when_it_would_leave_a_deal_without_one(small, run_cli, db_url):
    before = all_figures()
    code, out, err = run_cli("--db", db_url, "fx", "void", "USD", "2020-01-02", "--note", "x")
    assert code == 0, err  # covers nothing: d1 is converted at 2020-05-18
    # with 2020-01-02 gone, nothing else covers d1's signing day: refused, one line naming the command
    code, out, err = run_cli("--db", db_url, "fx", "void", "USD", "2020-05-18", "--note", "x")
    assert code == 2 and "crm fx set USD 2020-05-18" in err and len(err.strip().splitlines()) == 1
    assert FxRate.get((FxRate.currency == "USD") & (FxRate.on == D(2020, 5, 18))).voided_at is None
    assert all_figures() == before


def test_stage_undo_appends_and_restores_figures(small, run_cli, db_url):
    before = all_figures()
    entries = StageChange.select().count()
    stages.change_stage(small["d3"], "construction", on=D(2020, 11, 2))
    assert all_figures() != before
    code, out, err = run_cli("--db", db_url, "stage", small["d3"], "--undo", "--note", "点错了")
    assert code == 0, err
    assert all_figures() == before
    assert StageChange.select().count() == entries + 2  # appended, never deleted
    deal = Deal.get(Deal.code == small["d3"])
    assert deal.stage == "signed" and deal.stage_since == D(2020, 5, 18)
    assert ("deal", "undo") in trail_fields(small["d3"])
    assert upkeep.agree()
    code, out, err = run_cli("--db", db_url, "stage", small["d3"], "--undo")
    assert code == 2  # a note is required


def test_stage_undo_of_a_signing_unsigns(small):
    before = all_figures()
    stages.change_stage(small["d6"], "signed")
    assert figures()["deals"] == before["all"]["deals"] + 1
    corrections.undo_stage(small["d6"], note="还没签")
    assert all_figures() == before
    assert Deal.get(Deal.code == small["d6"]).signed_on is None


def test_reopen_blocker(small, run_cli, db_url):
    before = all_figures()
    b = Blocker.get(Blocker.text == "用地指标不足")
    code, out, err = run_cli("--db", db_url, "blocker", "reopen", b.id, "--note", "指标被收回")
    assert code == 0, err
    after = figures()
    assert after["blockers_open"] == before["all"]["blockers_open"] + 1
    assert Blocker.get_by_id(b.id).resolved_on is None
    assert ("blocker", "reopened") in trail_fields(small["d3"])
    code, out, err = run_cli("--db", db_url, "blocker", "reopen", b.id, "--note", "x")
    assert code == 2  # open already
    code, out, err = run_cli("--db", db_url, "blocker", "resolve", b.id, "--note", "指标落实", "--on", "2020-06-10")
    assert code == 0, err
    assert all_figures() == before
    assert upkeep.agree()
