"""Dated exchange rates: look-up, conversion, and re-conversion when a rate is set."""

import datetime
import json
from decimal import Decimal

import pytest

from crm.deals import funds
from crm.deals import records as deals
from crm.foundation.errors import InvalidInput, MissingRate
from crm.reference import fx
from db.models import Deal, FundsArrived, FxRate

D = datetime.date


# ---- no database ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text, rate",
    [
        ("7.1030", "7.1030"),
        (" 6.5 ", "6.5"),
        ("0.894", "0.894"),
        ("7.103456", "7.103456"),
        ("1000", "1000"),
        (Decimal("7.1"), "7.1"),
    ],
)
def test_parse_rate(text, rate):
    assert fx.parse_rate(text) == Decimal(rate)


@pytest.mark.parametrize("text", ["", "abc", "0", "-7.1", "7,1030", "7.1234567", "NaN", "Infinity", "1000.01", "7.1元"])
def test_bad_rate_is_refused_quoting_it(text):
    with pytest.raises(InvalidInput) as err:
        fx.parse_rate(text)
    assert repr(text) in str(err.value) or text == ""


@pytest.mark.parametrize("code, iso", [("usd", "USD"), (" EUR ", "EUR"), ("hkd", "HKD"), ("CNY", "CNY")])
def test_check_currency(code, iso):
    assert fx.check_currency(code) == iso


@pytest.mark.parametrize("code", ["", "US", "XYZ", "美元", "usd1"])
def test_unknown_currency_is_refused(code):
    with pytest.raises(InvalidInput) as err:
        fx.check_currency(code)
    assert "USD" in str(err.value)  # says which codes exist


def test_to_cny_rounds_half_up_to_the_fen():
    rate = FxRate(currency="USD", on=D(2020, 5, 18), rate=Decimal("0.01"))
    assert fx.to_cny(Decimal("0.50"), rate) == Decimal("0.01")  # 0.005 → 0.01 (half even would give 0.00)
    rate.rate = Decimal("7.103")
    assert fx.to_cny(Decimal("180000000.00"), rate) == Decimal("1278540000.00")
    assert fx.to_cny(Decimal("25.00"), None) == Decimal("25.00")  # CNY: no rate


def test_rate_text_and_description():
    assert fx.rate_text(Decimal("7.103")) == "7.1030"
    assert fx.rate_text(Decimal("7.103456")) == "7.103456"
    assert fx.rate_text(Decimal("7")) == "7.0000"
    rate = FxRate(currency="USD", on=D(2020, 5, 18), rate=Decimal("7.103"), source="人民银行中间价")
    assert fx.describe_rate(rate) == "USD 2020-05-18 7.1030 (人民银行中间价)"
    rate.source = ""
    assert fx.describe_rate(rate) == "USD 2020-05-18 7.1030"


# ---- look-up -------------------------------------------------------------------


@pytest.fixture
def usd_rates(ledger):
    fx.set_rate("USD", D(2020, 1, 2), "6.9614")
    fx.set_rate("USD", D(2020, 5, 18), "7.1030")
    fx.set_rate("EUR", D(2020, 6, 1), "7.9000")
    return ledger


def test_latest_rate_on_or_before(usd_rates):
    found = {
        day: fx.rate_on("USD", D.fromisoformat(day)).on.isoformat()
        for day in ("2020-01-02", "2020-05-17", "2020-05-18", "2024-01-01")
    }
    assert found == {
        "2020-01-02": "2020-01-02",  # on the day
        "2020-05-17": "2020-01-02",  # the latest before
        "2020-05-18": "2020-05-18",
        "2024-01-01": "2020-05-18",
    }  # still the latest


def test_no_rate_before_the_first_one(usd_rates):
    with pytest.raises(MissingRate) as err:
        fx.rate_on("USD", D(2019, 12, 31))
    message = str(err.value)
    assert "USD" in message and "2019-12-31" in message and "crm fx set USD 2019-12-31" in message
    assert "\n" not in message
    with pytest.raises(MissingRate, match="HKD"):
        fx.rate_on("HKD", D(2020, 6, 1))  # other currencies' rates do not count
    assert fx.convert(Decimal("100.00"), "USD", D(2019, 12, 31)) == (None, None)  # never 0 or 1


def test_largest_amount_at_the_largest_rate_is_stored(ledger):
    fx.set_rate("JPY", D(2020, 1, 2), str(fx.MAX_RATE))
    code = deals.create_deal({"name": "巨额项目", "amount": "10万亿日元", "signed_on": "2020-02-01"}).code
    assert _cny(code) == (Decimal(10) ** 16, D(2020, 1, 2))  # no overflow of the 64-bit fen column


def test_cny_needs_no_rate(ledger):
    assert fx.rate_on("CNY", D(1990, 1, 1)) is None
    assert fx.convert(Decimal("25.00"), "CNY", D(1990, 1, 1)) == (Decimal("25.00"), None)


def test_setting_the_same_day_replaces_the_rate(usd_rates):
    fx.set_rate("USD", D(2020, 5, 18), "7.1", source="人民银行中间价")
    fx.set_rate("USD", D(2020, 5, 18), "7.2")  # a correction keeps the source
    rows = [(r.on, r.rate, r.source) for r in fx.list_rates("usd")]
    assert rows == [(D(2020, 1, 2), Decimal("6.9614"), ""), (D(2020, 5, 18), Decimal("7.2"), "人民银行中间价")]


def test_every_rate_set_replaced_or_voided_is_in_the_rates_trail(usd_rates, db_url, run_cli):
    fx.set_rate("USD", D(2020, 5, 18), "7.2")  # typed over the 7.1030 of that day
    fx.set_rate("USD", D(2021, 1, 4), "6.5")
    fx.void_rate("USD", D(2021, 1, 4), note="日期录错")
    code, out, err = run_cli("--db", db_url, "--lang", "zh", "log", "--rates", "--format", "json")
    assert code == 0, err
    trail = [(e["field"], e["old"], e["new"]) for e in json.loads(out)]
    assert trail[-3:] == [
        ("rate", "USD 2020-05-18 7.1030", "USD 2020-05-18 7.2000"),
        ("rate", None, "USD 2021-01-04 6.5000"),
        ("voided", None, "USD 2021-01-04 6.5000: 日期录错"),
    ]
    code, out, err = run_cli("--db", db_url, "--lang", "zh", "log", "--rates")
    assert code == 0 and "汇率" in out and "日期录错" in out, out
    code, out, err = run_cli("--db", db_url, "log")  # neither a deal nor --rates: one line, exit 2
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and "--rates" in err, err


def test_list_rates_by_currency_then_date(usd_rates):
    assert [(r.currency, r.on.isoformat()) for r in fx.list_rates()] == [
        ("EUR", "2020-06-01"),
        ("USD", "2020-01-02"),
        ("USD", "2020-05-18"),
    ]
    with pytest.raises(InvalidInput):
        fx.list_rates("XYZ")


def test_set_rate_refuses(ledger):
    for currency, rate in [("CNY", "1"), ("XYZ", "7.1"), ("USD", "-1"), ("USD", "seven")]:
        with pytest.raises(InvalidInput):
            fx.set_rate(currency, D(2020, 5, 18), rate)
    assert FxRate.select().count() == 0


# ---- re-conversion ---------------------------------------------------------------


def _cny(code):
    deal = Deal.get(Deal.code == code)
    return deal.amount_cny, deal.fx_rate.on if deal.fx_rate else None


def _funds_cny():
    return {
        f.arrived_on: (f.amount_cny, f.fx_rate.on if f.fx_rate else None)
        for f in FundsArrived.select().order_by(FundsArrived.arrived_on)
    }


def test_setting_a_rate_converts_what_it_covers_and_only_that(ledger):
    fx.set_rate("USD", D(2020, 9, 1), "6.8000")
    # Deals are refused without a rate (issue 14): a first, wrong rate covers them; correcting it re-converts.
    fx.set_rate("USD", D(2020, 1, 2), "6.9000")
    fx.set_rate("EUR", D(2020, 1, 2), "7.8000")
    early = deals.create_deal({"name": "光伏组件智能制造项目", "amount": "1亿美元", "signed_on": "2020-03-01"}).code
    late = deals.create_deal({"name": "5G智能终端产业园项目", "amount": "2亿美元", "signed_on": "2020-06-01"}).code
    after = deals.create_deal({"name": "半导体封装测试项目", "amount": "1000万美元", "signed_on": "2020-10-01"}).code
    euro = deals.create_deal({"name": "汽车零部件智能制造项目", "amount": "8000万欧元", "signed_on": "2020-06-01"}).code
    yuan = deals.create_deal({"name": "冷链物流园项目", "amount": "7亿元", "signed_on": "2020-06-01"}).code
    funds.record_funds(after, "300万美元", on=D(2020, 9, 2))
    assert _cny(early) == (Decimal("690000000.00"), D(2020, 1, 2))
    assert _cny(late) == (Decimal("1380000000.00"), D(2020, 1, 2))
    assert _cny(after) == (Decimal("68000000.00"), D(2020, 9, 1))

    fx.set_rate("USD", D(2020, 1, 2), "7.0000")
    funds.record_funds(early, "100万美元", on=D(2020, 4, 1))
    funds.record_funds(late, "200万美元", on=D(2020, 7, 1))
    assert _cny(early) == (Decimal("700000000.00"), D(2020, 1, 2))
    assert _cny(late) == (Decimal("1400000000.00"), D(2020, 1, 2))
    assert _cny(after) == (Decimal("68000000.00"), D(2020, 9, 1))  # a later rate still governs
    assert _funds_cny() == {
        D(2020, 4, 1): (Decimal("7000000.00"), D(2020, 1, 2)),
        D(2020, 7, 1): (Decimal("14000000.00"), D(2020, 1, 2)),
        D(2020, 9, 2): (Decimal("20400000.00"), D(2020, 9, 1)),
    }

    fx.set_rate("USD", D(2020, 5, 1), "7.1000")  # between two rates: only 2020-05-01 … 08-31 moves
    assert _cny(early) == (Decimal("700000000.00"), D(2020, 1, 2))
    assert _cny(late) == (Decimal("1420000000.00"), D(2020, 5, 1))
    assert _cny(after) == (Decimal("68000000.00"), D(2020, 9, 1))
    assert _funds_cny()[D(2020, 4, 1)] == (Decimal("7000000.00"), D(2020, 1, 2))
    assert _funds_cny()[D(2020, 7, 1)] == (Decimal("14200000.00"), D(2020, 5, 1))
    assert _funds_cny()[D(2020, 9, 2)] == (Decimal("20400000.00"), D(2020, 9, 1))

    fx.set_rate("USD", D(2020, 5, 1), "7.2000")  # correcting a rate re-converts the same window
    assert _cny(late) == (Decimal("1440000000.00"), D(2020, 5, 1))
    assert _cny(early)[0] == Decimal("700000000.00")

    assert _cny(euro) == (Decimal("624000000.00"), D(2020, 1, 2))  # other currencies untouched
    assert _cny(yuan) == (Decimal("700000000.00"), None)


def test_unsigned_deal_converts_at_its_entry_date(ledger):
    fx.set_rate("USD", D(2021, 1, 4), "6.5408")
    code = deals.create_deal({"name": "京津冀大数据中心项目", "amount": "1000万美元"}).code
    assert _cny(code) == (Decimal("65408000.00"), D(2021, 1, 4))
    fx.set_rate("USD", datetime.date.today(), "7.0000")
    assert _cny(code) == (Decimal("70000000.00"), datetime.date.today())


def test_editing_the_amount_or_date_reconverts(ledger):
    fx.set_rate("USD", D(2020, 1, 2), "7.0000")
    fx.set_rate("USD", D(2020, 5, 18), "7.1000")
    code = deals.create_deal({"name": "光伏组件智能制造项目", "amount": "1亿美元", "signed_on": "2020-03-01"}).code
    deals.edit_deal(code, {"signed_on": "2020-05-18"})
    assert _cny(code) == (Decimal("710000000.00"), D(2020, 5, 18))
    deals.edit_deal(code, {"amount": "2亿美元"})
    assert _cny(code) == (Decimal("1420000000.00"), D(2020, 5, 18))
    deals.edit_deal(code, {"amount": "2亿元"})
    assert _cny(code) == (Decimal("200000000.00"), None)
    with pytest.raises(MissingRate, match="crm fx set USD 2019-01-01"):  # refused, with the command that adds it
        deals.edit_deal(code, {"amount": "1亿美元", "signed_on": "2019-01-01"})
    assert _cny(code) == (Decimal("200000000.00"), None)  # nothing changed


def test_a_later_rate_reconverts_year_plans_and_completed_investment(ledger):
    """Plans are converted on 1 January of their year, completed investment at its month's end: a rate set
    later converts those it now covers (none before, or an older one), and leaves the others as they were."""
    from crm.deals.investment import record_invest, set_plan
    from crm.deals.records import create_deal
    from db.models import InvestmentDone, InvestmentPlan

    fx.set_rate("USD", D(2019, 12, 1), "7.0")
    code = create_deal({"name": "美元项目", "amount": "1亿美元", "signed_on": "2020-05-18"}).code
    set_plan(code, 2020, "2亿美元")  # 1 January 2020: 7.0
    set_plan(code, 2021, "3亿美元")  # 1 January 2021: 7.0 for now
    record_invest(code, "1000万美元", D(2020, 4, 1))  # 30 April: 7.0 for now
    record_invest(code, "2000万美元", D(2020, 6, 1))  # 30 June: 7.0 for now

    def cny():
        return (
            {p.year: p.amount_cny for p in InvestmentPlan.select()},
            {d.month: d.amount_cny for d in InvestmentDone.select()},
        )

    assert cny() == (
        {2020: Decimal("1400000000.00"), 2021: Decimal("2100000000.00")},
        {D(2020, 4, 1): Decimal("70000000.00"), D(2020, 6, 1): Decimal("140000000.00")},
    )
    fx.set_rate("USD", D(2020, 4, 30), "7.1")  # covers 30 April and 30 June, and 1 January 2021
    plans, done = cny()
    assert plans == {2020: Decimal("1400000000.00"), 2021: Decimal("2130000000.00")}
    assert done == {D(2020, 4, 1): Decimal("71000000.00"), D(2020, 6, 1): Decimal("142000000.00")}
    fx.set_rate("USD", D(2020, 5, 1), "7.2")  # from 1 May: 30 June and 2021, not 30 April
    plans, done = cny()
    assert plans[2021] == Decimal("2160000000.00") and plans[2020] == Decimal("1400000000.00")
    assert done == {D(2020, 4, 1): Decimal("71000000.00"), D(2020, 6, 1): Decimal("144000000.00")}
    used = {d.month: d.fx_rate.rate for d in InvestmentDone.select()}
    assert used == {D(2020, 4, 1): Decimal("7.1"), D(2020, 6, 1): Decimal("7.2")}


def test_investment_without_a_rate_is_converted_when_one_is_set(ledger):
    from crm.deals.investment import record_invest, set_plan
    from crm.deals.records import create_deal
    from db.models import InvestmentDone, InvestmentPlan

    fx.set_rate("EUR", D(2020, 5, 18), "7.9")  # the deal needs one; the plan (1 January) and March do not have one
    code = create_deal({"name": "欧元项目", "amount": "5000万欧元", "signed_on": "2020-05-18"}).code
    set_plan(code, 2020, "1亿欧元")
    record_invest(code, "500万欧元", D(2020, 3, 1))
    assert InvestmentPlan.get().amount_cny is None and InvestmentDone.get().amount_cny is None
    fx.set_rate("EUR", D(2019, 12, 31), "7.8")
    assert InvestmentPlan.get().amount_cny == Decimal("780000000.00")
    assert InvestmentDone.get().amount_cny == Decimal("39000000.00")
