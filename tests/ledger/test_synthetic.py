"""The synthetic ledger generator: deterministic for a seed, and every row keeps the app's invariants."""

import datetime
import re
import sqlite3
from collections import Counter, defaultdict

import pytest

from crm.deals import stages
from crm.deals.records import create_deal, next_code
from crm.foundation.errors import InvalidInput
from crm.listing import search
from crm.listing.filters import DealFilter
from crm.reference import fx
from crm.reporting import kpi
from crm.samples import synthetic
from db.models import Blocker, Deal, DealDepartment, FundsArrived, FxRate, StageChange

AS_OF = datetime.date(2026, 6, 30)
SPEC = synthetic.Spec(deals=1500, seed=7, heavy_every=700, as_of=AS_OF, batch=400)


def _dump(path):
    con = sqlite3.connect(path)
    tables = [
        r[0]
        for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite%' "
            "AND name NOT LIKE 'schema_migration%' ORDER BY name"
        )
    ]
    out = {}
    for table in tables:
        cols = [r[1] for r in con.execute(f'PRAGMA table_info("{table}")')]
        if "id" in cols:
            out[table] = con.execute(f'SELECT * FROM "{table}" ORDER BY id').fetchall()
    con.close()
    return out


def _generate(path, spec):
    from db.connection import open_database
    from db.models import database

    db = open_database(str(path))
    try:
        synthetic.generate(spec)
    finally:
        db.close()
        database.initialize(None)


def test_same_seed_same_ledger_other_seed_other_ledger(tmp_path):
    small = synthetic.Spec(deals=400, seed=3, heavy_every=0, as_of=AS_OF, batch=150)
    _generate(tmp_path / "a.sqlite3", small)
    _generate(tmp_path / "b.sqlite3", small)
    _generate(tmp_path / "c.sqlite3", synthetic.Spec(deals=400, seed=4, heavy_every=0, as_of=AS_OF))
    a, b, c = (_dump(tmp_path / f"{x}.sqlite3") for x in "abc")
    assert a["deal"] and a["stage_change"]
    assert a == b
    assert a["deal"] != c["deal"]


def test_refuses_a_database_that_holds_a_ledger(demo_ledger):
    with pytest.raises(InvalidInput):
        synthetic.generate(synthetic.Spec(deals=10, as_of=AS_OF))


def _check_ledgers(deals) -> dict:
    """The stage ledger of every deal (returned), checked: starts from nothing, chains, never repeats, in date order, notes where needed."""
    ledger = defaultdict(list)
    for e in StageChange.select().order_by(StageChange.id):
        ledger[e.deal_id].append(e)
    assert set(ledger) == set(deals)
    for deal_id, entries in ledger.items():
        deal = deals[deal_id]
        assert entries[0].from_stage is None
        assert entries[0].effective_on == deal.created_at.date()
        for prev, e in zip(entries, entries[1:]):
            assert e.from_stage == prev.to_stage != e.to_stage
            assert e.effective_on >= prev.effective_on
            if stages.needs_note(e.from_stage, e.to_stage):
                assert e.note
        assert deal.stage == entries[-1].to_stage
        assert deal.stage_since == entries[-1].effective_on <= AS_OF
        assert (deal.signed_on is None) == (deal.stage == "negotiating" and len(entries) == 1)
        if deal.signed_on:
            assert any(e.to_stage == "signed" and e.effective_on == deal.signed_on for e in entries)
        assert deal.updated_at >= deal.created_at
    return ledger


def test_invariants(ledger, backend):
    stats = synthetic.generate(SPEC)
    assert stats.counts["Deal"] == SPEC.deals == Deal.select().count()
    if backend == "sqlite":  # the bulk load runs without foreign-key checks: every reference must hold
        from db.models import database

        assert database.obj.execute_sql("PRAGMA foreign_key_check").fetchall() == []
    deals = {d.id: d for d in Deal.select()}

    # codes: unique, ZS<entry year>-NNNN numbered in id order within the year, and next_code continues them
    assert len({d.code for d in deals.values()}) == len(deals)
    last_seq = {}
    for d in sorted(deals.values(), key=lambda d: d.id):
        year, seq = re.fullmatch(r"ZS(\d{4})-(\d{4,})", d.code).groups()
        assert int(year) == d.created_at.year
        assert seq == f"{last_seq.get(year, 0) + 1:04d}"
        last_seq[year] = int(seq)
    for year, seq in last_seq.items():
        assert next_code(int(year)) == f"ZS{year}-{seq + 1:04d}"

    stage_ledger = _check_ledgers(deals)

    # money: amount_cny and fx_rate are what crm.reference.fx gives at the conversion day
    for deal in deals.values():
        cny, rate = fx.convert(deal.amount, deal.currency, fx.conversion_day(deal))
        assert (deal.amount_cny, deal.fx_rate_id) == (cny, rate.id if rate else None), deal.code
        assert deal.amount > 0
    for f in FundsArrived.select():
        cny, rate = fx.convert(f.amount, f.currency, f.arrived_on)
        assert (f.amount_cny, f.fx_rate_id) == (cny, rate.id if rate else None)
        assert f.arrived_on <= AS_OF and f.currency == deals[f.deal_id].currency
    assert FxRate.select().where(FxRate.on > AS_OF).count() == 0

    # search columns
    for deal in deals.values():
        assert {"search_text": deal.search_text, "pinyin_initials": deal.pinyin_initials} == search.index_terms(
            deal.code, deal.name, deal.investor
        )

    # blockers
    for b in Blocker.select():
        entered = deals[b.deal_id].created_at.date()
        assert entered <= b.raised_on <= AS_OF
        assert b.due_on >= b.raised_on
        if b.resolved_on is not None:
            assert b.raised_on <= b.resolved_on <= AS_OF and b.resolution
    for s in DealDepartment.select():
        assert s.department_id != deals[s.deal_id].lead_unit_id

    # heavy deals: 200 ledger entries and 50 blockers
    heavy = synthetic.heavy_deal_ids(SPEC)
    assert heavy == [700, 1400]
    for deal_id in heavy:
        assert len(stage_ledger[deal_id]) == synthetic.HEAVY_LEDGER
        assert Blocker.select().where(Blocker.deal == deal_id).count() == synthetic.HEAVY_BLOCKERS

    # a realistic spread
    by_stage = Counter(d.stage for d in deals.values())
    assert set(by_stage) == set(stages.BY_KEY)
    assert by_stage["operating"] > by_stage["terminated"] > 0
    by_currency = Counter(d.currency for d in deals.values())
    assert by_currency["CNY"] > 0.8 * len(deals) and {"USD", "EUR", "HKD"} <= set(by_currency)
    assert len({d.region for d in deals.values()}) > 30
    years = Counter(d.signed_on.year for d in deals.values() if d.signed_on)
    assert min(years) == 2015 and max(years) == 2026
    assert sum(1 for d in deals.values() if d.event_id) > 0.5 * len(deals)

    # the app works on it: KPIs, search, a new deal after the synthetic ones, a stage change
    k = kpi.compute(DealFilter())
    assert k.deals == sum(1 for d in deals.values() if d.stage != "negotiating")
    signed = {d.id for d in deals.values() if d.stage != "negotiating"}
    assert k.blockers_raised == sum(1 for b in Blocker.select() if b.deal_id in signed)
    some = next(d for d in deals.values() if d.stage == "signed")
    found = Deal.select().where(DealFilter(search=some.name[-6:]).condition())
    assert some.id in {d.id for d in found}
    expected = next_code(2026)
    new = create_deal({"name": "合成数据之后的新项目", "amount": "1亿元", "signed_on": "2026-07-01"})
    assert (new.id, new.code) == (SPEC.deals + 1, expected)
    stages.change_stage(some.code, "registered", on=max(some.stage_since, datetime.date(2026, 7, 1)))


def test_ledger_and_blocker_means(ledger):
    spec = synthetic.Spec(deals=3000, seed=11, heavy_every=0, as_of=AS_OF, ledger_per_deal=5, blockers_per_deal=0.5)
    stats = synthetic.generate(spec)
    assert 4.6 <= stats.counts["StageChange"] / spec.deals <= 5.4
    assert 0.42 <= stats.counts["Blocker"] / spec.deals <= 0.58


def test_cli(run_cli, tmp_path):
    path = tmp_path / "s.sqlite3"
    code, out, err = run_cli("--db", path, "synthetic", "200", "--seed", "5", "--as-of", "2026-06-30")
    assert code == 0, err
    assert "Deal 200" in out
    code, out, err = run_cli("--db", path, "synthetic", "200")
    assert code == 2 and err.startswith("crm: ")
