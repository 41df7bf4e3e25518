"""A foreign-currency deal's completion of its year's plan is counted in its own currency: the plan is converted at
1 January's rate and each month at its month-end's, so in CNY a rate's move between them changed how much of its
plan the deal completed (800万 of a 5000万欧元 plan read 16.44%, not 16.00%). A year whose plan or months are in
different currencies, and every cohort's rate, stay in CNY."""

import datetime
from decimal import Decimal

from crm.deals.investment import investment_of, record_invest, set_plan
from crm.deals.records import create_deal
from crm.reference import fx


def _eur_deal() -> object:
    fx.set_rate("EUR", datetime.date(2019, 9, 2), "7.7733")
    fx.set_rate("EUR", datetime.date(2020, 9, 7), "7.9880")
    return create_deal(
        {"name": "德资精密轴承项目", "region": "高碑店市", "signed_on": "2020-09-08", "amount": "1.2亿欧元"}
    )


def test_a_euro_plan_is_completed_in_euros(ledger, run_cli, db_url):
    deal = _eur_deal()
    set_plan(deal.code, 2020, "5000万欧元")
    record_invest(deal.code, "800万欧元", datetime.date(2020, 10, 1))
    (year,) = investment_of(deal.id)
    assert (year.rate, year.rate_currency) == (Decimal("0.1600"), "EUR")
    assert year.done_cny / year.plan_cny > Decimal("0.164")  # in CNY the rates' move showed more
    code, out, err = run_cli("--db", db_url, "show", deal.code)
    assert code == 0, err
    assert "16.00%（按欧元）" in out


def test_a_year_in_two_currencies_is_completed_in_yuan(ledger):
    deal = _eur_deal()
    set_plan(deal.code, 2020, "5000万欧元")
    record_invest(deal.code, "800万欧元", datetime.date(2020, 10, 1))
    record_invest(deal.code, "1000万元", datetime.date(2020, 11, 1))
    (year,) = investment_of(deal.id)
    assert year.rate_currency == "CNY"
    assert year.rate == (year.done_cny / year.plan_cny).quantize(Decimal("0.0001"))
