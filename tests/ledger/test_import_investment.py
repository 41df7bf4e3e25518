"""`crm import` of a county sheet's 年度计划投资 and 1-10月完成投资 columns: each deal's plan for the year and the
investment it completed in the sheet's last month (the year-to-date total less the ledger's earlier months),
imported again without change, a later month's sheet recording the difference (or warning of a smaller total),
reverted, and the same ledger whichever import path writes it. SQLite and PostgreSQL.

The sheets are made as a county office makes them (xlsxwriter): a merged title, a note row with the unit and the
填报时间 in 公文 numerals, the header, the rows, a 合计 row.
"""

import datetime
import json
from decimal import Decimal

import xlsxwriter

from crm.importing import importer
from db.connection import open_database
from db.models import AuditEntry, Deal, InvestmentDone, InvestmentPlan
from tests.ledger.test_import_bulk import two_urls  # noqa: F401 (a fixture)
from tests.ledger_checks import natural_rows

D = datetime.date
WAN = Decimal(10_000)

#: (name, 总投资, 年度计划投资, year-to-date completed), 万元; None: a blank cell
OCTOBER = [
    ("易县高端装备制造产业园项目", 120000, 30000, 18500),
    ("清西陵文旅康养综合体", 85000, 15000, None),
    ("易县新能源储能电站", 60000, 8000, 0),
    ("太行山石材精深加工", 23000, None, 2300),
    ("冷链物流中心项目", 9000, 5000, 1200),
]


def county_sheet(path, rows, done="1-10月完成投资", plan="年度计划投资", filed="二〇二五年十一月五日"):
    """A county's sheet: merged title, note row (填报时间, 单位：万元), header in row 3, the rows, a 合计 row."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("10月")
    headers = ["序号", "项目名称", "总投资", plan, done, "签约时间", "项目进展情况", "责任单位"]
    ws.merge_range(0, 0, 0, len(headers) - 1, "易县2025年重点招商引资项目推进情况统计表")
    ws.merge_range(1, 0, 1, len(headers) - 1, f"填报单位（盖章）：易县商务局　　　填报时间：{filed}　　　单位：万元")
    ws.write_row(2, 0, headers)
    for n, (name, amount, planned, completed) in enumerate(rows, start=1):
        ws.write_row(2 + n, 0, [n, name, amount, planned, completed, "2025.3.18", "已签约", "县发改局"])
    last = 3 + len(rows)
    sums = [sum(r[i] or 0 for r in rows) for i in (1, 2, 3)]
    ws.write_row(last, 0, ["合计", None, *sums])
    wb.close()
    return path


def _import_cli(run_cli, url, path, *more):
    code, out, err = run_cli("--db", url, "import", path, "--format", "json", *more)
    assert code == 0, err
    return json.loads(out)


def _plans(url) -> dict:
    open_database(url)
    return {
        (p.deal.name, p.year): (p.amount, p.currency) for p in InvestmentPlan.select(InvestmentPlan, Deal).join(Deal)
    }


def _months(url) -> dict:
    open_database(url)
    return {
        (d.deal.name, f"{d.month:%Y-%m}"): d.amount
        for d in InvestmentDone.select(InvestmentDone, Deal).join(Deal).where(InvestmentDone.voided_at.is_null())
    }


def _kpi(run_cli, url) -> dict:
    code, out, err = run_cli("--db", url, "kpi", "--as-of", "2025-10-31", "--format", "json")
    assert code == 0, err
    return json.loads(out)


def test_plan_and_year_to_date_columns_go_into_a_new_ledger(ledger, db_url, run_cli, tmp_path):
    report = _import_cli(run_cli, db_url, county_sheet(tmp_path / "易县.xlsx", OCTOBER))
    assert len(report["created"]) == 5
    assert _plans(db_url) == {
        (name, 2025): (planned * WAN, "CNY") for name, _amount, planned, _done in OCTOBER if planned
    }
    # the ledger held no earlier month: October's figure is the year to date; a 0 and a blank record nothing
    assert _months(db_url) == {(name, "2025-10"): done * WAN for name, _a, _p, done in OCTOBER if done}
    assert len(report["plans_set"]) == 4 and len(report["investments_set"]) == 3
    assert {"row": 4, "code": report["created"][0]["code"], "month": "2025-10", "amount": "185000000.00CNY"} in (
        report["investments_set"]
    )
    # the columns are used now: no longer listed as unused, and no "record it with crm plan" notice
    assert {u["column"] for u in report["unused_columns"]}.isdisjoint({"年度计划投资", "1-10月完成投资"})
    notices = "\n".join(report["notices"])
    assert "crm plan" not in notices and "crm invest" not in notices, notices
    kpi = _kpi(run_cli, db_url)
    assert Decimal(kpi["invest_plan_cny"]) == 58000 * WAN
    assert Decimal(kpi["invest_done_cny"]) == 22000 * WAN
    code = report["created"][0]["code"]
    code, out, err = run_cli("--db", db_url, "show", code)
    assert code == 0 and "3.00" in out and "1.85" in out, out  # 3亿 planned, 1.85亿 completed, in the deal's table


def test_the_same_sheet_imported_again_changes_nothing(ledger, db_url, run_cli, tmp_path):
    path = county_sheet(tmp_path / "易县.xlsx", OCTOBER)
    _import_cli(run_cli, db_url, path)
    open_database(db_url)
    trail = AuditEntry.select().count()
    report = _import_cli(run_cli, db_url, path)
    assert report["plans_set"] == [] and report["investments_set"] == []
    assert len(report["unchanged"]) == 5 and report["warnings"] == []
    open_database(db_url)
    assert AuditEntry.select().count() == trail


def test_a_later_sheet_records_the_months_difference_and_its_revert_puts_back_the_first(
    ledger, db_url, run_cli, tmp_path
):
    _import_cli(run_cli, db_url, county_sheet(tmp_path / "10月.xlsx", OCTOBER))
    october_plans, october_months = _plans(db_url), _months(db_url)
    november = [
        ("易县高端装备制造产业园项目", 120000, 30000, 20000),  # November: 1500
        ("清西陵文旅康养综合体", 85000, 16000, 800),  # plan raised; November: 800
        ("易县新能源储能电站", 60000, 8000, None),
        ("太行山石材精深加工", 23000, None, 2000),  # less than October's 2300: a warning, nothing written
        ("冷链物流中心项目", 9000, 5000, 1200),  # nothing completed in November: nothing written
    ]
    path = county_sheet(tmp_path / "11月.xlsx", november, done="1-11月完成投资", filed="二〇二五年十二月五日")
    report = _import_cli(run_cli, db_url, path)
    months = _months(db_url)
    assert months == {
        **october_months,
        ("易县高端装备制造产业园项目", "2025-11"): 1500 * WAN,
        ("清西陵文旅康养综合体", "2025-11"): 800 * WAN,
    }
    assert _plans(db_url)[("清西陵文旅康养综合体", 2025)] == (16000 * WAN, "CNY")
    lower = [w for w in report["warnings"] if w["code"] == "investment_lower"]
    assert [(w["row"], w["value"]) for w in lower] == [(7, "2000")]
    assert "2000万元" in lower[0]["message"] and "2300万元" in lower[0]["message"], lower[0]["message"]
    assert len(report["plans_set"]) == 1 and len(report["investments_set"]) == 2
    # the plan changed is in the deal's trail as `crm plan` writes it
    open_database(db_url)
    plan = InvestmentPlan.get(InvestmentPlan.deal == Deal.get(Deal.name == "清西陵文旅康养综合体").id)
    entry = AuditEntry.select().where((AuditEntry.table == "investment_plan") & (AuditEntry.row_id == plan.id))
    assert [(e.field, e.old, e.new) for e in entry.order_by(AuditEntry.id)][-1] == (
        "plan 2025",
        "150000000.00 CNY",
        "160000000.00 CNY",
    )
    code, out, err = run_cli("--db", db_url, "import", "revert", str(report["import_id"]))
    assert code == 0, err
    assert _plans(db_url) == october_plans and _months(db_url) == october_months
    assert _kpi(run_cli, db_url)["invest_plan_cny"] == "580000000.00"


def test_a_months_own_column_replaces_that_month_and_revert_puts_it_back(ledger, db_url, run_cli, tmp_path):
    _import_cli(run_cli, db_url, county_sheet(tmp_path / "10月.xlsx", OCTOBER))
    before = _months(db_url)
    corrected = [(name, amount, planned, 17000 if done == 18500 else done) for name, amount, planned, done in OCTOBER]
    report = _import_cli(run_cli, db_url, county_sheet(tmp_path / "更正.xlsx", corrected, done="10月完成投资"))
    assert [(i["month"], i["amount"]) for i in report["investments_set"]] == [("2025-10", "170000000.00CNY")]
    assert _months(db_url)[("易县高端装备制造产业园项目", "2025-10")] == 17000 * WAN
    code, out, err = run_cli("--db", db_url, "import", "revert", str(report["import_id"]))
    assert code == 0, err
    assert _months(db_url) == before


def test_a_revert_is_refused_once_a_month_it_set_was_changed_since(ledger, db_url, run_cli, tmp_path):
    report = _import_cli(run_cli, db_url, county_sheet(tmp_path / "10月.xlsx", OCTOBER))
    code = report["created"][0]["code"]
    assert run_cli("--db", db_url, "invest", code, "19000万", "--month", "2025-10")[0] == 0
    code_, out, err = run_cli("--db", db_url, "import", "revert", str(report["import_id"]))
    assert code_ == 3 and code in err, err
    assert _months(db_url)[("易县高端装备制造产业园项目", "2025-10")] == 19000 * WAN


def test_completed_investment_without_a_period_is_left_with_a_notice(ledger, db_url, run_cli, tmp_path):
    path = county_sheet(tmp_path / "易县.xlsx", OCTOBER, done="累计完成投资（万元）")
    report = _import_cli(run_cli, db_url, path)
    notice = next(n for n in report["notices"] if "累计完成投资（万元）" in n)
    assert "crm invest" in notice and "--month" in notice
    assert report["investments_set"] == [] and len(report["plans_set"]) == 4
    assert "累计完成投资（万元）" in [u["column"] for u in report["unused_columns"]]
    open_database(db_url)
    assert InvestmentDone.select().count() == 0


def test_the_month_of_a_year_to_date_column_needs_the_sheets_day(ledger, db_url, run_cli, tmp_path):
    """本年累计 is up to the sheet's month: a sheet stating no day leaves it out, saying so; with its 填报时间
    (二〇二五年十一月五日) it is up to November."""
    path = county_sheet(tmp_path / "易县.xlsx", OCTOBER, done="本年累计完成投资", filed="　")
    report = _import_cli(run_cli, db_url, path, "--dry-run")
    assert report["investments_set"] == [] and any("本年累计完成投资" in n for n in report["notices"])
    report = _import_cli(run_cli, db_url, county_sheet(tmp_path / "有日期.xlsx", OCTOBER, done="本年累计完成投资"))
    assert {i["month"] for i in report["investments_set"]} == {"2025-11"}


def _first_import(url, path, bulk: bool):
    """`path` imported into the empty ledger at `url` by one path: (the report, its ledger's rows)."""
    db = open_database(url)
    try:
        report = importer.run_import(path, today=D(2025, 11, 20), actor="测试员", bulk=bulk)
        return report, natural_rows((Deal, InvestmentPlan, InvestmentDone, AuditEntry))
    finally:
        db.close()


def test_the_first_import_writes_the_same_ledger_either_way(two_urls, tmp_path, monkeypatch):  # noqa: F811
    from crm.importing import aside as import_aside

    path = county_sheet(tmp_path / "易县.xlsx", OCTOBER)
    one, one_rows = _first_import(two_urls[0], path, bulk=False)
    monkeypatch.setattr(import_aside, "REBUILD_AT", 1)  # the first-import path, its indexes and totals set aside
    bulk, bulk_rows = _first_import(two_urls[1], path, bulk=True)
    assert one.written and bulk.written
    assert bulk.plans_set == one.plans_set and len(one.plans_set) == 4
    assert bulk.investments_set == one.investments_set and len(one.investments_set) == 3
    assert bulk_rows == one_rows
    assert len(one_rows["InvestmentPlan"]) == 4 and len(one_rows["InvestmentDone"]) == 3


def test_the_summary_says_how_many_plans_and_months_were_set(ledger, db_url, run_cli, tmp_path):
    path = county_sheet(tmp_path / "易县.xlsx", OCTOBER)
    code, out, err = run_cli("--db", db_url, "import", path, "--dry-run")
    assert code == 0, err
    assert "设置年度计划投资 4 项，设置月度完成投资 3 项" in out, out
    used = next(line for line in out.splitlines() if line.startswith("使用的列："))
    assert used.endswith("、年度计划投资→2025年计划投资、1-10月完成投资→2025-10 完成投资"), used
    assert "已导入为 2025 年计划投资" in out and "减去台账中此前各月的数字" in out, out
    code, out, err = run_cli("--db", db_url, "--lang", "en", "import", path, "--dry-run")
    assert "yearly plans set 4, months of completed investment set 3" in out, out
    code, out, err = run_cli("--db", db_url, "import", path)
    code, out, err = run_cli("--db", db_url, "import", path)
    assert code == 0 and "设置年度计划投资" not in out, out  # nothing set the second time: no counts line


def test_a_sheet_without_the_columns_reads_none(tmp_path):
    """The columns absent, the sheet's rows carry no investment and the plan has no reader of it."""
    path = county_sheet(tmp_path / "易县.xlsx", OCTOBER, done="签约单位", plan="备注")
    plan = importer.read_plan(path, today=D(2025, 11, 20))
    assert plan.invest is None and all(r.invested is None for r in plan.rows)
