"""`crm report regions` totals by county-level division (issue 12 item 11): 涿州 and 涿州市 are one row, 清苑县
(renamed 2015) is counted under 清苑区, a name the national table does not know stays as written, 安新 is not
雄安新区, and the rows still add up to the 合计 row that equals `crm kpi`."""

import datetime
import json

from crm.deals.records import create_deal
from crm.deals.stages import change_stage
from crm.reference import regions

D = datetime.date
WRITTEN = {
    "涿州": ("1亿元", "开工"),
    "涿州市": ("2亿元", None),
    "涿州市（开发区）": ("4亿元", None),
    "清苑县": ("8亿元", "开工"),
    "清苑区": ("16亿元", None),
    "安新": ("32亿元", None),
    "雄安新区": ("64亿元", None),
    "白沟新城管委会": ("128亿元", None),
}


def _ledger():
    for i, (region, (amount, stage)) in enumerate(WRITTEN.items()):
        deal = create_deal({"name": f"项目{i}", "amount": amount, "signed_on": "2020-03-01", "region": region})
        if stage:
            change_stage(deal.code, stage, on=D(2020, 4, 1))


def test_regions_written_differently_for_one_division_are_one_row(ledger, db_url, run_cli):
    _ledger()
    code, out, err = run_cli("--db", db_url, "report", "regions", "--as-of", "2020-05-31", "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    by_group = {r["group"]: r for r in rows[:-1]}
    assert set(by_group) == {"涿州市", "清苑区", "安新县", "雄安新区", "白沟新城管委会"}
    assert (by_group["涿州市"]["deals"], by_group["涿州市"]["total_cny"]) == (3, "700000000.00")
    assert (by_group["清苑区"]["deals"], by_group["清苑区"]["total_cny"]) == (2, "2400000000.00")
    assert by_group["涿州市"]["start_rate"] == "0.3333" and by_group["清苑区"]["start_rate"] == "0.5000"
    assert by_group["安新县"]["total_cny"] == "3200000000.00"
    assert by_group["雄安新区"]["total_cny"] == "6400000000.00"
    assert by_group["白沟新城管委会"]["deals"] == 1  # unknown to the national table: as written
    total = rows[-1]
    code, out, err = run_cli("--db", db_url, "kpi", "--as-of", "2020-05-31", "--format", "json")
    k = json.loads(out)
    assert total["deals"] == k["deals"] == sum(r["deals"] for r in rows[:-1]) == 8
    assert total["total_cny"] == k["total_cny"] == "25500000000.00"


def test_the_dashboards_region_chart_groups_as_the_report_does(ledger, db_url, run_cli):
    """The Dashboard's bars by region (crm.listing.groups.region_totals) are the report's rows: 涿州 is not a
    bar of its own beside 涿州市."""
    from crm.listing import groups
    from crm.listing.filters import DealFilter

    _ledger()
    rows = json.loads(run_cli("--db", db_url, "report", "regions", "--format", "json")[1])[:-1]
    bars = groups.region_totals(DealFilter())
    assert {g.key: (g.deals, str(g.total_cny)) for g in bars} == {
        r["group"]: (r["deals"], r["total_cny"]) for r in rows
    }
    assert [g.key for g in bars][:2] == ["白沟新城管委会", "雄安新区"]  # largest first


def test_the_division_label_is_the_current_name_or_the_name_as_written():
    assert regions.division_label("涿州") == "涿州市"
    assert regions.division_label("清苑县") == "清苑区"
    assert regions.division_label("定州市(省直管)") == "定州市"
    assert regions.division_label("白沟新城管委会") == "白沟新城管委会"
    assert regions.division_label("") == ""
