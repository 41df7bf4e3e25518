"""`crm import` of county sheets whose subtotals are written after the name of their county or section in the
项目名称 column (满城区小计（2个）, 满城区合计, 满城区（2个）, 满城区：2个), and of sheets ending in signature lines
(审核人：… | 填报人：… | 填报日期：…) without a 合计 row.

What lands is checked deal by deal on SQLite and PostgreSQL, the sheets read whole and slice by slice: no subtotal
becomes a deal, no signature line is refused as a deal's row, and every real deal lands, a county's name in its
own name (满城区汽车零部件项目) or not."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook

from db.connection import open_database
from db.models import Deal, FundsArrived
from tests.ledger.test_import_breakdowns import imported, landed
from tests.ledger.test_import_layouts import read_as, sheet  # noqa: F401  (read_as: a fixture)

WAN = Decimal(10) ** 4
HEADER = ["序号", "项目名称", "投资方", "总投资（万元）", "签约时间", "县区"]


def _skipped(report, reason: str) -> list[int]:
    return [s["row"] for s in report["skipped"] if s["reason"] == reason]


def test_county_subtotals_in_the_name_column_are_no_deals(ledger, db_url, run_cli, tmp_path, read_as):  # noqa: F811
    """The 调度表 layout: 合计 right under the header, each county's 小计 above its deals; the 合计 adds the
    deals alone."""
    rows = [
        HEADER,
        ["合计", "共4个项目", None, 10000, None, None],
        [None, "满城区小计（2个）", None, 3000, None, None],
        [1, "满城甲项目", "甲公司", 1000, "2020-06-01", "满城区"],
        [2, "满城乙项目", "乙公司", 2000, "2020-06-02", "满城区"],
        [None, "徐水区小计（2个）", None, 7000, None, None],
        [3, "徐水丙项目", "丙公司", 3000, "2020-06-03", "徐水区"],
        [4, "徐水丁项目", "丁公司", 4000, "2020-06-04", "徐水区"],
    ]
    report = imported(run_cli, db_url, sheet(tmp_path / "调度表.xlsx", rows, title="保定市重点招商项目调度表"))
    assert [c["row"] for c in report["created"]] == [5, 6, 8, 9]
    assert _skipped(report, "subtotal") == [4, 7]
    assert [(t["row"], t["total"], t["sum"]) for t in report["totals_checked"]] == [(3, "10000", "10000")]
    assert not report["warnings"] and not report["problems"]
    open_database(db_url)
    assert landed() == {
        "满城甲项目": (1000 * WAN, "2020-06-01"),
        "满城乙项目": (2000 * WAN, "2020-06-02"),
        "徐水丙项目": (3000 * WAN, "2020-06-03"),
        "徐水丁项目": (4000 * WAN, "2020-06-04"),
    }
    assert {d.name: d.region for d in Deal.select()}["徐水丁项目"] == "徐水区"


@pytest.mark.parametrize(
    "label",
    [
        "满城区小计",
        "满城区合计",
        "满城区（2个）",
        "满城区：2个",
        "满城区：2个项目",
        "满城区小计（2个）",
        "续建项目小计（3个项目）",
        "徐水区 合计",
    ],
)
def test_each_wording_of_a_named_subtotal_is_no_deal(ledger, db_url, run_cli, tmp_path, label):
    rows = [
        HEADER[:5],
        [None, label, None, 3000, None],
        [1, "满城甲项目", "甲公司", 1000, "2020-06-01"],
        [2, "满城乙项目", "乙公司", 2000, "2020-06-02"],
    ]
    report = imported(run_cli, db_url, sheet(tmp_path / "s.xlsx", rows))
    assert [c["name"] for c in report["created"]] == ["满城甲项目", "满城乙项目"]
    assert _skipped(report, "subtotal") == [3]
    assert not report["problems"]


def test_a_subtotal_label_in_the_number_column_is_no_refused_deal(ledger, db_url, run_cli, tmp_path, read_as):  # noqa: F811
    """满城区小计（2个） written across the 序号 column, the name blank: skipped, not refused for want of a name."""
    rows = [
        HEADER[:5],
        [1, "满城甲项目", "甲公司", 1000, "2020-06-01"],
        [2, "满城乙项目", "乙公司", 2000, "2020-06-02"],
        ["满城区小计（2个）", None, None, 3000, None],
        [3, "徐水丙项目", "丙公司", 3000, "2020-06-03"],
        ["徐水区小计", None, None, 3000, None],
    ]
    report = imported(run_cli, db_url, sheet(tmp_path / "s.xlsx", rows))
    assert [c["name"] for c in report["created"]] == ["满城甲项目", "满城乙项目", "徐水丙项目"]
    assert _skipped(report, "subtotal") == [5, 7]
    assert not report["problems"]


def test_deals_named_after_their_county_stay_deals(ledger, db_url, run_cli, tmp_path, read_as):  # noqa: F811
    """A county's name in a deal's name, a count in a numbered deal's name, a figure in an unnumbered one's, a word
    ending in 计 in the middle of a name: each is a deal."""
    rows = [
        HEADER[:5],
        [None, "满城区小计（4个）", None, 10000, None],
        [1, "满城区汽车零部件项目", "甲公司", 1000, "2020-06-01"],
        [2, "满城区标准化厂房（2个）", "乙公司", 2000, "2020-06-02"],
        [None, "满城区1号地块项目（2个）", "丙公司", 3000, "2020-06-03"],
        [4, "满城区综合计量中心项目", "丁公司", 4000, "2020-06-04"],
        ["合计", None, None, 10000, None],
    ]
    report = imported(run_cli, db_url, sheet(tmp_path / "s.xlsx", rows))
    assert [c["row"] for c in report["created"]] == [4, 5, 6, 7]
    assert _skipped(report, "subtotal") == [3]
    assert [(t["total"], t["sum"]) for t in report["totals_checked"]] == [("10000", "10000")]
    assert not report["warnings"] and not report["problems"]
    open_database(db_url)
    assert landed() == {
        "满城区汽车零部件项目": (1000 * WAN, "2020-06-01"),
        "满城区标准化厂房（2个）": (2000 * WAN, "2020-06-02"),
        "满城区1号地块项目（2个）": (3000 * WAN, "2020-06-03"),
        "满城区综合计量中心项目": (4000 * WAN, "2020-06-04"),
    }


def test_a_sheet_without_numbers_keeps_its_county_named_deals(ledger, db_url, run_cli, tmp_path):
    rows = [
        ["项目名称", "投资方", "总投资（万元）", "签约时间"],
        ["满城区合计", None, 3000, None],
        ["满城区汽车零部件项目", "甲公司", 1000, "2020-06-01"],
        ["满城区物流园项目", "乙公司", 2000, "2020-06-02"],
    ]
    report = imported(run_cli, db_url, sheet(tmp_path / "s.xlsx", rows))
    assert [c["name"] for c in report["created"]] == ["满城区汽车零部件项目", "满城区物流园项目"]
    assert _skipped(report, "subtotal") == [3]


def test_named_subtotals_are_said(ledger, db_url, run_cli, tmp_path):
    rows = [
        HEADER[:5],
        [None, "满城区小计（1个）", None, 1000, None],
        [1, "满城甲项目", "甲公司", 1000, "2020-06-01"],
        [None, "徐水区合计", None, 2000, None],
        [2, "徐水乙项目", "乙公司", 2000, "2020-06-02"],
    ]
    report = imported(run_cli, db_url, sheet(tmp_path / "s.xlsx", rows))
    said = [n for n in report["notices"] if "满城区小计" in n]
    assert len(said) == 1 and "3" in said[0] and "徐水区合计" in said[0], report["notices"]


def _footer_sheet(path, footer: list, title: str | None = None, more: tuple = ()):
    wb = Workbook()
    ws = wb.active
    if title:
        ws.append([title])
    ws.append(["序号", "项目名称", "投资方", "总投资（万元）", "签约时间", "到位资金（万元）"])
    ws.append([1, "博野轮胎项目", "博野轮胎公司", 5000, "2020-06-01", 100])
    ws.append([2, "博野食品项目", "博野食品公司", 3000, "2020-06-02", None])
    ws.append([])
    ws.append(footer)
    for row in more:
        ws.append(list(row))
    wb.save(path)
    return path


SPREAD = [None, "填报人：李某某", None, "审核人：王某某", "填报日期：2020年9月18日"]
ONE_CELL = ["填报人：李某某    审核人：王某某    填报日期：2020年9月18日"]


@pytest.mark.parametrize(
    "footer", [SPREAD, ONE_CELL, ["审核人：王某某", None, "填报人：李某某", None, "联系电话：0312-1234567"]]
)
def test_signature_lines_end_the_table(ledger, db_url, run_cli, tmp_path, read_as, footer):  # noqa: F811
    """Signature lines spread over the cells, with a line of seals and a date under them: no deal, no refusal."""
    path = _footer_sheet(tmp_path / "r.xlsx", footer, more=[[None, "单位（盖章）", None, None, "2020年9月18日"]])
    report = imported(run_cli, db_url, path)
    assert [c["name"] for c in report["created"]] == ["博野轮胎项目", "博野食品项目"]
    assert _skipped(report, "footer") == [5]
    assert _skipped(report, "after_footer") == [6]
    assert not report["problems"] and [w["code"] for w in report["warnings"]] == ["no_region"]  # no county anywhere
    open_database(db_url)
    assert landed() == {"博野轮胎项目": (5000 * WAN, "2020-06-01"), "博野食品项目": (3000 * WAN, "2020-06-02")}


def test_a_deal_after_a_signature_line_is_still_a_deal(ledger, db_url, run_cli, tmp_path, read_as):  # noqa: F811
    path = _footer_sheet(
        tmp_path / "r.xlsx",
        ["联系人：张某", None, "联系电话：0312-1234567"],
        more=[[3, "博野物流项目", "某物流公司", 2000, "2020-06-03", None]],
    )
    report = imported(run_cli, db_url, path)
    assert [c["name"] for c in report["created"]] == ["博野轮胎项目", "博野食品项目", "博野物流项目"]
    assert not report["problems"]


@pytest.mark.parametrize("footer", [SPREAD, ONE_CELL])
def test_the_date_of_the_signature_lines_dates_the_funds(ledger, db_url, run_cli, tmp_path, footer):
    imported(run_cli, db_url, _footer_sheet(tmp_path / "r.xlsx", footer))
    open_database(db_url)
    assert [(f.deal.name, f.arrived_on, f.amount) for f in FundsArrived.select()] == [
        ("博野轮胎项目", datetime.date(2020, 9, 18), 100 * WAN)
    ]


def test_the_date_above_the_table_wins_over_the_signature_lines(ledger, db_url, run_cli, tmp_path):
    imported(
        run_cli, db_url, _footer_sheet(tmp_path / "r.xlsx", SPREAD, title="博野县招商项目表（数据截至2020年8月31日）")
    )
    open_database(db_url)
    assert [f.arrived_on for f in FundsArrived.select()] == [datetime.date(2020, 8, 31)]


def test_rows_below_a_signature_line_are_said(ledger, db_url, run_cli, tmp_path):
    path = _footer_sheet(tmp_path / "r.xlsx", SPREAD, more=[[None, "单位（盖章）", None, None, "2020年9月18日"]])
    report = imported(run_cli, db_url, path)
    said = [n for n in report["notices"] if "审核人" in n]
    assert len(said) == 1 and "5" in said[0] and "6" in said[0], report["notices"]
