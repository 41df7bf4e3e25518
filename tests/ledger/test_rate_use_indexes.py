"""Migration 0025: which rates a day's figures were converted at is proved from two indexes led by the rate
(deal: its stage and the day it began; funds: the day they arrived), which replace the plain ones on fx_rate_id.
They are made by the upgrade and undone by down() on both backends; on SQLite the rates-used query reads them."""

import datetime

import pytest

from crm.listing.filters import DealFilter
from crm.reporting import asof
from db.migrate import runner
from db.models import FxRate
from tests.ledger.test_weekly_indexes import _indexes, _plan
from tests.ledger_checks import since

MIGRATION = "0025_rate_use_indexes"
NEW = {"deal_fx_rate_id_stage_since", "funds_arrived_fx_rate_id_arrived_on"}
PLAIN = {"deal_fx_rate_id", "fundsarrived_fx_rate_id"}
D = datetime.date


def test_the_rate_indexes_replace_the_plain_ones_and_down_gives_those_back(ledger, backend):
    assert NEW <= _indexes(backend) and not PLAIN & _indexes(backend)
    assert runner(ledger).down(MIGRATION) == since(MIGRATION)[::-1]
    assert PLAIN <= _indexes(backend) and not NEW & _indexes(backend)
    assert runner(ledger).up() == since(MIGRATION)
    assert NEW <= _indexes(backend) and not PLAIN & _indexes(backend)


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_day_s_rates_are_proved_from_the_indexes(demo_ledger):
    condition = asof._used_on(DealFilter().condition(), D(2020, 5, 31))
    plan = _plan(FxRate.select(FxRate.id).where(condition))
    assert "USING INDEX funds_arrived_fx_rate_id_arrived_on (fx_rate_id=? AND arrived_on<?)" in plan, plan
    assert "INDEX deal_fx_rate_id_stage_since (fx_rate_id=?)" in plan, plan


def test_a_rate_first_used_later_is_not_named_for_an_earlier_day(demo_ledger):
    """The demo's rates of later years are in the ledger; a day of 2020 names none of them, and the day after
    their deals were signed names them."""
    early = {r.id for r in asof.rates_used(DealFilter(), [D(2020, 5, 31)])}
    late = {r.id for r in asof.rates_used(DealFilter(), [D(2026, 1, 1)])}
    assert early and late - early
    assert all(r.on <= D(2020, 5, 31) for r in FxRate.select().where(FxRate.id.in_(early)))
