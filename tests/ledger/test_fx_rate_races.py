"""A rate set while an officer enters an amount in that currency (PostgreSQL; SQLite has one writer): one waits
for the other (crm.reference.fx.hold_rates), so the amount is converted at the rate that stands once both have
committed. Before, a rate set while a colleague's edit of a deal's amount was open re-converted the amount as
it was before the edit, and a payment recorded meanwhile kept the CNY amount of the rate replaced."""

import datetime
from decimal import Decimal

from crm.deals.funds import record_funds
from crm.deals.records import create_deal, edit_deal
from crm.reference import fx
from db.models import Deal, FundsArrived
from tests.ledger_checks import while_open

DAY = datetime.date(2020, 5, 18)


def _usd_deal() -> str:
    fx.set_rate("USD", DAY, "7.1")
    return create_deal(
        {"name": "外资项目", "region": "涿州市", "signed_on": DAY.isoformat(), "amount": "3000万美元"}
    ).code


def test_a_rate_set_while_a_colleague_edits_the_amount_converts_the_amount_edited(ledger):
    code = _usd_deal()
    while_open(lambda: edit_deal(code, {"amount": "5000万美元"}), lambda: fx.set_rate("USD", DAY, "7.5"))
    deal = Deal.get(Deal.code == code)
    assert (deal.amount, deal.amount_cny) == (Decimal("50000000.00"), Decimal("375000000.00"))


def test_an_amount_edited_while_a_colleague_sets_the_rate_is_converted_at_the_new_rate(ledger):
    code = _usd_deal()
    while_open(lambda: fx.set_rate("USD", DAY, "7.5"), lambda: edit_deal(code, {"amount": "5000万美元"}))
    assert Deal.get(Deal.code == code).amount_cny == Decimal("375000000.00")


def test_a_payment_recorded_while_a_colleague_sets_the_rate_is_converted_at_the_new_rate(ledger):
    code = _usd_deal()
    while_open(lambda: record_funds(code, "100万美元", on=DAY), lambda: fx.set_rate("USD", DAY, "7.5"))
    assert [f.amount_cny for f in FundsArrived.select()] == [Decimal("7500000.00")]
