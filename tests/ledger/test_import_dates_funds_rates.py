"""`crm import` of what a sheet leaves for the ledger to decide: dates written without a year (read against the
day the sheet is as of), dates that name a month alone, a cumulative 到位资金 lower than the ledger's, and amounts
in a currency the ledger has no exchange rate for yet.

Each test checks what lands, on SQLite and PostgreSQL."""

import datetime
from decimal import Decimal

from db.connection import open_database
from db.models import Deal, FundsArrived
from tests.ledger.test_import_cell_words import _deals, _import
from tests.ledger.test_import_county import county_xlsx

D = datetime.date


def _funds(url, name) -> Decimal:
    open_database(url)
    deal = Deal.get(Deal.name == name)
    return sum((f.amount for f in FundsArrived.select().where(FundsArrived.deal == deal.id)), Decimal(0))


def test_a_date_without_its_year_in_a_january_sheet_is_last_december(ledger, db_url, run_cli, tmp_path):
    """截至2021年1月5日: 12月28日 is 2020-12-28 (not a future 2021-12-28), 1月4日 is this January's."""
    path = county_xlsx(
        tmp_path / "安新.xlsx",
        headers=["序号", "项目名称", "投资方", "总投资(万元)", "签约时间", "项目进展"],
        rows=[
            [1, "安新白洋淀文旅项目", "雄安文旅集团", 1200, "12月28日", "已签约"],
            [2, "安新鞋业产业升级项目", "安新制鞋协会", 850, "1月4日", "已签约"],
            [3, "安新芦苇画非遗项目", "安新文化公司", 300, "2021年12月31日", "在谈"],
        ],
        title="安新县重点招商项目推进表（截至2021年1月5日）",
        note="填报日期：2021年1月5日",
    )
    code, report, err = _import(run_cli, db_url, path)
    assert code == 0, err
    signed = {name: d.signed_on for name, d in _deals(db_url).items()}
    assert signed == {
        "安新白洋淀文旅项目": D(2020, 12, 28),
        "安新鞋业产业升级项目": D(2021, 1, 4),
        "安新芦苇画非遗项目": D(2021, 12, 31),  # a year written is kept as written
    }


def test_a_date_without_its_year_in_a_sheet_that_names_only_its_year(ledger, db_url, run_cli, tmp_path):
    """A 2019年度 title and no stated day: the year's dates, up to its 31 December."""
    path = county_xlsx(
        tmp_path / "2019.xlsx",
        headers=["序号", "项目名称", "总投资（万元）", "签约时间"],
        rows=[[1, "年度项目甲", 1000, "12月28日"], [2, "年度项目乙", 1000, "3月2日"]],
        title="2019年度招商引资签约项目台账",
        note=None,
    )
    code, report, err = _import(run_cli, db_url, path)
    assert code == 0, err
    assert {n: d.signed_on for n, d in _deals(db_url).items()} == {
        "年度项目甲": D(2019, 12, 28),
        "年度项目乙": D(2019, 3, 2),
    }


def test_dates_with_a_time_a_full_stop_or_month_dot_day_land_as_that_day(ledger, db_url, run_cli, tmp_path):
    path = county_xlsx(
        tmp_path / "日期.xlsx",
        headers=["序号", "项目名称", "总投资（万元）", "签约时间"],
        rows=[
            [1, "日期项目01", 1000, "2019-09-10T00:00:00"],
            [2, "日期项目02", 1000, "2019.9.10."],
            [3, "日期项目03", 1000, "9.10"],
            [4, "日期项目04", 1000, "9月10日"],
        ],
        title="2019年度招商引资签约项目台账",
        note="填报日期：2020年1月6日",
    )
    code, report, err = _import(run_cli, db_url, path)
    assert code == 0, err
    assert report["problems"] == []
    assert {d.signed_on for d in _deals(db_url).values()} == {D(2019, 9, 10)}


def test_a_date_that_names_a_month_alone_is_kept_as_the_month(ledger, db_url, run_cli, tmp_path):
    """2020年9月, a number 2020.09 (Excel keeps 2020.9) and 二〇二〇年十月 are each kept as their month (shown as
    2020-09), so nothing is lost and nothing is said; 2020年10月上旬 loses its part of the month, and says so."""
    path = county_xlsx(
        tmp_path / "月份.xlsx",
        headers=["序号", "项目名称", "总投资（万元）", "签约时间", "计划开工时间"],
        rows=[
            [1, "月份项目甲", 1000, "2020年9月", "二〇二〇年十月"],
            [2, "月份项目乙", 1000, 2020.09, "2020年10月上旬"],
            [3, "月份项目丙", 1000, "2020年9月8日", "2020-10-12"],
        ],
        note=None,
    )
    code, report, err = _import(run_cli, db_url, path)
    assert code == 0, err
    assert [(w["row"], w["value"], w["code"]) for w in report["warnings"]] == [
        (None, None, "no_region"),  # 保定市…推进表 names a city, not a county
        (4, "2020年10月上旬", "part_of_month"),
    ]
    deals = _deals(db_url)
    assert (deals["月份项目甲"].signed_on, deals["月份项目甲"].signed_on_month) == (D(2020, 9, 1), True)
    assert (deals["月份项目甲"].planned_start, deals["月份项目甲"].planned_start_month) == (D(2020, 10, 1), True)
    assert (deals["月份项目乙"].signed_on, deals["月份项目乙"].signed_on_month) == (D(2020, 9, 1), True)
    assert (deals["月份项目丙"].signed_on, deals["月份项目丙"].signed_on_month) == (D(2020, 9, 8), False)


def _funds_sheet(path, funds, stated):
    return county_xlsx(
        path,
        headers=["序号", "项目名称", "总投资（万元）", "签约时间", "到位资金（万元）"],
        rows=[[1, "资金项目甲", 5000, "2020-09-01", funds], [2, "资金项目乙", 3000, "2020-09-01", 100]],
        note=f"数据截至{stated}",
    )


def test_a_lower_cumulative_funds_figure_is_warned_of_and_the_ledger_keeps_its_own(ledger, db_url, run_cli, tmp_path):
    code, report, err = _import(run_cli, db_url, _funds_sheet(tmp_path / "w1.xlsx", "1,200.5", "2020年9月11日"))
    assert code == 0, err
    code_a = _deals(db_url)["资金项目甲"].code
    for more in (("--dry-run",), ()):
        code, report, err = _import(run_cli, db_url, _funds_sheet(tmp_path / "w2.xlsx", 800, "2020年9月18日"), *more)
        assert code == 0, err
        [warning] = [w for w in report["warnings"] if w["code"] == "funds_lower"]
        assert warning["row"] == 4 and warning["value"] == "800"
        assert code_a in warning["message"] and "1200.5" in warning["message"] and "800" in warning["message"]
        assert "crm funds void" in warning["message"]
        assert report["funds_added"] == []
        assert _funds(db_url, "资金项目甲") == Decimal("12005000.00")
    # The same figures again, and a higher one, say nothing of funds lowered.
    code, report, err = _import(run_cli, db_url, _funds_sheet(tmp_path / "w3.xlsx", 1300, "2020年9月25日"))
    assert code == 0 and not [w for w in report["warnings"] if w["code"] == "funds_lower"]
    assert _funds(db_url, "资金项目甲") == Decimal("13000000.00")


def _usd_sheet(path):
    return county_xlsx(
        path,
        headers=["项目名称", "投资方", "总投资（万美元）", "签约日期"],
        rows=[
            ["外资食品加工项目", "新加坡丰益国际", 1500, "2020年9月10日"],
            ["光伏组件项目", "晶澳太阳能", 1200, "2020/9/12"],
            ["外资物流项目", "某外资公司", 800, None],
        ],
        title="清苑区2020年招商项目台账",
        note=None,
    )


def test_deals_no_exchange_rate_converts_are_warned_of_once_per_currency(ledger, db_url, run_cli, tmp_path):
    path = _usd_sheet(tmp_path / "usd.xlsx")
    code, out, err = run_cli("--db", db_url, "import", path, "--dry-run")
    assert code == 0, err
    assert "crm fx set USD 2020-09-10" in out
    code, report, err = _import(run_cli, db_url, path)
    assert code == 0, err
    [warning] = [w for w in report["warnings"] if w["code"] == "missing_rate"]
    assert "USD" in warning["message"] and "2020-09-10" in warning["message"] and "3 个项目" in warning["message"]
    assert all(d.amount_cny is None for d in _deals(db_url).values())
    # Once a rate covers them, the deals have their CNY amounts, and importing again says nothing of rates.
    assert run_cli("--db", db_url, "fx", "set", "USD", "2020-09-10", "7.1")[0] == 0
    assert all(d.amount_cny is not None for d in _deals(db_url).values())
    code, report, err = _import(run_cli, db_url, path)
    assert code == 0 and not [w for w in report["warnings"] if w["code"] == "missing_rate"]


def test_deals_a_rate_already_converts_are_not_warned_of(ledger, db_url, run_cli, tmp_path):
    assert run_cli("--db", db_url, "fx", "set", "USD", "2020-01-01", "7.1")[0] == 0
    code, report, err = _import(run_cli, db_url, _usd_sheet(tmp_path / "usd.xlsx"))
    assert code == 0, err
    assert not [w for w in report["warnings"] if w["code"] == "missing_rate"]
    assert all(d.amount_cny is not None for d in _deals(db_url).values())


def test_a_due_date_without_its_year_is_in_the_sheets_year(ledger, db_url, run_cli, tmp_path):
    """A 时限 lies ahead of the sheet: 时限:7月15日 in a sheet as of 2020-06-30 is 2020-07-15, not the last 15 July
    before the as-of day."""
    from db.models import Blocker

    path = county_xlsx(
        tmp_path / "安新.xlsx",
        headers=["序号", "项目名称", "总投资(万元)", "签约时间", "存在问题"],
        rows=[
            [
                1,
                "安新白洋淀文旅项目",
                1200,
                "2020年5月8日",
                "用地指标不足【责任单位:保定市自然资源和规划局；时限:7月15日】",
            ]
        ],
        note="数据截至2020年6月30日",
    )
    code, report, err = _import(run_cli, db_url, path)
    assert code == 0, err
    open_database(db_url)
    assert [b.due_on for b in Blocker.select()] == [D(2020, 7, 15)]


def test_a_planned_date_without_its_year_is_in_the_sheets_year(ledger, db_url, run_cli, tmp_path):
    """A plan lies ahead of the sheet: 计划开工 3月1日 in a sheet as of 2021年1月5日 is 2021-03-01, while a signing
    day 12月28日 is last December's."""
    path = county_xlsx(
        tmp_path / "安新.xlsx",
        headers=["序号", "项目名称", "总投资(万元)", "签约时间", "计划开工时间"],
        rows=[[1, "安新白洋淀文旅项目", 1200, "12月28日", "3月1日"]],
        title="安新县重点招商项目推进表（截至2021年1月5日）",
        note=None,
    )
    code, report, err = _import(run_cli, db_url, path)
    assert code == 0, err
    deal = _deals(db_url)["安新白洋淀文旅项目"]
    assert (deal.signed_on, deal.planned_start) == (D(2020, 12, 28), D(2021, 3, 1))


def test_a_new_deal_with_funds_arrived_is_signed(ledger, db_url, run_cli, tmp_path):
    """A funds report names deals with no stage or signing day: funds arrive only under a signed agreement, so a new
    deal with funds is 签约 (it was 在谈, and its funds then counted toward no 资金到位率); one without funds stays 在谈."""
    path = county_xlsx(
        tmp_path / "资金.xlsx",
        headers=["序号", "项目名称", "总投资（万元）", "累计到位资金（万元）"],
        rows=[[1, "资金项目甲", 5000, 1200], [2, "资金项目乙", 3000, None]],
        note="数据截至2020年9月30日",
    )
    code, report, err = _import(run_cli, db_url, path)
    assert code == 0, err
    assert {n: d.stage for n, d in _deals(db_url).items()} == {"资金项目甲": "signed", "资金项目乙": "negotiating"}
    assert _funds(db_url, "资金项目甲") == Decimal("12000000.00")
