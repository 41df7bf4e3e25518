"""Review of e617306 (parts numbered （1）（2）, ①, ⑴, 1) under a bare 其中 row are the deal's breakdown): sheets written
as county offices write them, where the rule must keep every deal and count each deal's money once.

The first tests were a deal lost or money counted twice before the review's fixes; the others pin behaviour that
was right."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest

from db.connection import open_database
from tests.ledger.test_import_breakdowns import ZHUOZHOU_HEADER, imported, landed, parts_of
from tests.ledger.test_import_layouts import read_as, run_import, sheet  # noqa: F401  (read_as: a fixture)

WAN = Decimal(10) ** 4
YI = Decimal(10) ** 8
DEAL = [1, "满城区甲产业园项目", 50000, "2020.3.1", "满城区发改局"]
NEXT = [2, "满城区乙物流园项目", 8000, "2020.3.5", "满城区商务局"]


def _import(run_cli, db_url, tmp_path, rows, name="满城.xlsx"):
    """The report of a dry run of `rows` as a sheet under a title row."""
    return imported(run_cli, db_url, sheet(tmp_path / name, rows, title="满城区2020年招商项目表"), "--dry-run")


def _csv(path, rows):
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([["" if v is None else v for v in row] for row in rows])
    return path


# ---- deals lost or counted twice ----------------------------------------------------------------------------


@pytest.mark.parametrize("numbering", ["one_two", "per_section"])
def test_a_section_row_in_the_name_column_ends_a_breakdown(ledger, db_url, run_cli, tmp_path, numbering):
    """二、新建项目 in the name column (the 序号 cell blank) starts a section: the deals under it, numbered (1) (2) as
    that section numbers them and without dates, are deals, whatever their amounts."""
    if numbering == "one_two":  # 续建 numbered 1, 2; 新建 (1), (2)
        rows = [
            ZHUOZHOU_HEADER,
            [None, "一、续建项目"],
            DEAL,
            [None, "其中：一期工程", 30000],
            [None, "二、新建项目"],
            ["(1)", "满城区丙新材料项目", 8000, None, "满城区商务局"],
            ["(2)", "满城区丁食品项目", 6000, None, "满城区商务局"],
            ["合计", None, 64000],
        ]
        want = {"满城区甲产业园项目": 5 * YI, "满城区丙新材料项目": 8000 * WAN, "满城区丁食品项目": 6000 * WAN}
    else:  # every section numbered (1), (2): the 其中 part and the next deal happen to make up the deal's 3亿
        rows = [
            ZHUOZHOU_HEADER,
            [None, "一、续建项目"],
            ["(1)", "满城区甲产业园项目", 50000, "2020.3.1", "满城区发改局"],
            ["(2)", "满城区乙产业园项目", 30000, "2020.3.2", "满城区发改局"],
            [None, "其中：一期工程", 10000],
            [None, "二、新建项目"],
            ["(1)", "满城区丙新材料项目", 20000, None, "满城区商务局"],
            ["(2)", "满城区丁食品项目", 6000, None, "满城区商务局"],
            ["合计", None, 106000],
        ]
        want = {
            "满城区甲产业园项目": 5 * YI,
            "满城区乙产业园项目": 3 * YI,
            "满城区丙新材料项目": 2 * YI,
            "满城区丁食品项目": 6000 * WAN,
        }
    report = imported(run_cli, db_url, sheet(tmp_path / "满城.xlsx", rows, title="满城区招商项目表"))
    assert parts_of(report) == [], report["skipped"]  # the section row and the deals under it: no parts
    assert not report["warnings"], report["warnings"]
    open_database(db_url)
    assert {name: amount for name, (amount, _signed) in landed().items()} == want


def test_a_section_row_with_its_subtotal_ends_a_breakdown(ledger, db_url, run_cli, tmp_path):
    """二、新建项目 with the section's 小计 in the amount column ends the breakdown as it does without one: the deals
    numbered (1) (2) under it are deals, and the section row (its number before its name) is no deal."""
    rows = [
        ZHUOZHOU_HEADER,
        [None, "一、续建项目", 50000],
        DEAL,
        [None, "其中"],
        [None, "二、新建项目", 14000],
        ["(1)", "满城区丙新材料项目", 8000, None, "满城区商务局"],
        ["(2)", "满城区丁食品项目", 6000, None, "满城区商务局"],
        ["合计", None, 64000],
    ]
    report = _import(run_cli, db_url, tmp_path, rows)
    assert [c["name"] for c in report["created"]] == ["满城区甲产业园项目", "满城区丙新材料项目", "满城区丁食品项目"]
    assert parts_of(report) == [], report["skipped"]
    skipped = {s["row"]: s["reason"] for s in report["skipped"]}
    assert skipped[3] == skipped[6] == "section", skipped
    assert [(t["total"], t["sum"]) for t in report["totals_checked"]] == [("64000", "64000")]
    assert not report["warnings"], report["warnings"]


def test_a_county_sheet_with_its_sections_in_the_number_column(ledger, db_url, run_cli, tmp_path, read_as):  # noqa: F811
    """A county's sheet: a 填报单位 line and the unit over the header, 一、续建项目 and 二、新建项目 with their 小计 —
    the first in the 序号 cell (merged across the name in many sheets), the second in the name's — a deal broken
    down into （1）（2）, a 大写 amount, a 公文 date, the deals of each section numbered from 1, and the 合计. The
    sections are no deals, the parts no deals, and the 合计 adds up."""
    rows = [
        ["填报单位：满城区商务局", None, None, None, None, "单位：万元", None],
        ["序号", "项目名称", "投资方", "总投资", "签约时间", "项目进展情况", "责任单位"],
        ["一、续建项目", None, None, 62000, None, None, None],
        [
            1,
            "满城区某新材料产业园项目",
            "保定某集团有限公司",
            50000,
            "2020年5月6日",
            "正在办理规划手续",
            "满城区发改局",
        ],
        [None, "其中：", None, None, None, None, None],
        ["（1）", "一期厂房", None, 30000, None, "主体施工", None],
        ["（2）", "二期研发楼", None, 20000, None, "设计中", None],
        [2, "满城区某物流园项目", "北京某物流有限公司", "壹亿贰仟万元", "二〇二〇年六月", "已签约", "满城区商务局"],
        [None, "二、新建项目", None, 14000, None, None, None],
        [1, "满城区丙新材料项目", "河北丙公司", 8000, "2020.6.20", "洽谈落地", "满城区商务局"],
        [2, "满城区丁食品项目", "丁食品公司", 6000, "2020.6.28", "注册中", "满城区市场监管局"],
        ["合计", None, None, 76000, None, None, None],
    ]
    path = sheet(tmp_path / "满城.xlsx", rows, title="满城区2020年第二季度重点签约项目推进情况表", merges=["A1:G1"])
    report = imported(run_cli, db_url, path)
    assert [(c["row"], c["name"]) for c in report["created"]] == [
        (5, "满城区某新材料产业园项目"),
        (9, "满城区某物流园项目"),
        (11, "满城区丙新材料项目"),
        (12, "满城区丁食品项目"),
    ]
    skipped = {s["row"]: s["reason"] for s in report["skipped"]}
    assert skipped[4] == skipped[10] == "section" and parts_of(report) == [7, 8], skipped
    assert [(t["total"], t["sum"]) for t in report["totals_checked"]] == [("76000", "76000")]
    assert not report["warnings"] and not report["problems"], report
    open_database(db_url)
    assert landed() == {
        "满城区某新材料产业园项目": (5 * YI, "2020-05-06"),
        "满城区某物流园项目": (12000 * WAN, "2020-06-01"),
        "满城区丙新材料项目": (8000 * WAN, "2020-06-20"),
        "满城区丁食品项目": (6000 * WAN, "2020-06-28"),
    }


def test_after_parts_in_another_style_the_deals_style_is_the_next_deal(ledger, db_url, run_cli, tmp_path):
    """Deal (2) broken down into ① ②: the (3) and (4) after them are the next deals, even when their amounts would
    complete the deal's (parts in another style than the deals' cannot be followed by one in the deals' style)."""
    rows = [
        ZHUOZHOU_HEADER,
        ["(1)", "满城区甲产业园项目", 20000, "2020.3.1", "满城区发改局"],
        ["(2)", "满城区乙产业园项目", 50000, None, "满城区发改局"],
        [None, "其中："],
        ["①", "一期工程", 30000],
        ["②", "二期工程", 15000],
        ["(3)", "满城区丙新材料项目", 3000, None, "满城区商务局"],
        ["(4)", "满城区丁食品项目", 2000, None, "满城区商务局"],
        ["合计", None, 75000],
    ]
    report = _import(run_cli, db_url, tmp_path, rows)
    assert [c["name"] for c in report["created"]] == [
        "满城区甲产业园项目",
        "满城区乙产业园项目",
        "满城区丙新材料项目",
        "满城区丁食品项目",
    ]
    assert parts_of(report) == [6, 7] and not report["warnings"], report


@pytest.mark.parametrize(
    "breakdown_row",
    [[None, "其中：（1）一期工程", 30000], ["其中", "（1）一期工程", 30000], [None, "其中：一期工程", 30000]],
    ids=["label_and_number_in_name", "label_in_seq", "unnumbered_first_part"],
)
def test_a_breakdown_row_that_carries_the_first_part_goes_on_at_2(ledger, db_url, run_cli, tmp_path, breakdown_row):
    rows = [ZHUOZHOU_HEADER, DEAL, breakdown_row, ["（2）", "二期工程", 20000], NEXT, ["合计", None, 58000]]
    report = imported(run_cli, db_url, sheet(tmp_path / "满城.xlsx", rows, title="满城区招商项目表"))
    assert [c["name"] for c in report["created"]] == ["满城区甲产业园项目", "满城区乙物流园项目"]
    assert parts_of(report) == [5] and not report["warnings"], report
    open_database(db_url)
    assert landed() == {"满城区甲产业园项目": (5 * YI, "2020-03-01"), "满城区乙物流园项目": (8000 * WAN, "2020-03-05")}


@pytest.mark.parametrize("deal_no, part_no", [(("(1)", "(2)"), ("①", "②")), (("①", "②"), ("(1)", "(2)"))])
def test_parts_numbered_unlike_the_deals_need_not_add_up(ledger, db_url, run_cli, tmp_path, deal_no, part_no):
    """Deals (1) (2), parts ① ② (3亿 + 1.5亿 of 5亿: the rest is working capital, not listed): parts, not deals."""
    rows = [
        ZHUOZHOU_HEADER,
        [deal_no[0], "满城区甲产业园项目", 50000, None, "满城区发改局"],
        [None, "其中："],
        [part_no[0], "一期工程", 30000],
        [part_no[1], "二期工程", 15000],
        [deal_no[1], "满城区乙物流园项目", 8000, None, "满城区商务局"],
        ["合计", None, 58000],
    ]
    report = _import(run_cli, db_url, tmp_path, rows)
    assert [c["name"] for c in report["created"]] == ["满城区甲产业园项目", "满城区乙物流园项目"]
    assert parts_of(report) == [5, 6] and not report["warnings"], report


def test_phases_with_their_own_planned_start_are_parts(ledger, db_url, run_cli, tmp_path):
    header = ["序号", "项目名称", "总投资（万元）", "签约时间", "计划开工时间", "责任单位"]
    rows = [
        header,
        [1, "满城区甲产业园项目", 50000, "2020.3.1", "2020.6.1", "满城区发改局"],
        [None, "其中："],
        ["（1）", "一期工程", 30000, None, "2020.6.1"],
        ["（2）", "二期工程", 20000, None, "2022.3.1"],
        [2, "满城区乙物流园项目", 8000, "2020.3.5", "2020.9.1", "满城区商务局"],
        ["合计", None, 58000],
    ]
    report = _import(run_cli, db_url, tmp_path, rows)
    assert [c["name"] for c in report["created"]] == ["满城区甲产业园项目", "满城区乙物流园项目"]
    assert parts_of(report) == [5, 6] and not report["warnings"], report


@pytest.mark.parametrize("label", ["（二）新建项目", "二．新建项目", "第二部分 新建项目"])
def test_a_section_row_in_the_name_column_written_otherwise(ledger, db_url, run_cli, tmp_path, label):
    """A section's number written （二）, 二． or 第二部分 before its name ends the breakdown as 二、 does; a part's name
    alone on its row (一期厂房, no amount) is no section's and the breakdown goes on."""
    rows = [
        ZHUOZHOU_HEADER,
        ["(1)", "满城区甲产业园项目", 50000, "2020.3.1", "满城区发改局"],
        [None, "其中"],
        [None, "一期厂房"],
        ["(1)", "二期工程", 20000],
        [None, label],
        ["(1)", "满城区丙新材料项目", 30000, None, "满城区商务局"],
    ]
    report = _import(run_cli, db_url, tmp_path, rows)
    assert [c["name"] for c in report["created"]] == ["满城区甲产业园项目", "二期工程", "满城区丙新材料项目"]
    assert parts_of(report) == [5], report["skipped"]


def test_a_row_without_a_number_keeps_its_planned_start_as_a_deal(ledger, db_url, run_cli, tmp_path):
    """Without a part's number, a row's own 计划开工时间 keeps it a deal (it may be one that lost its 序号); numbered
    as the deals are, phases with their dates that never add up to the deal's amount are deals too."""
    header = ["序号", "项目名称", "总投资（万元）", "签约时间", "计划开工时间", "责任单位"]
    rows = [
        header,
        [1, "满城区甲产业园项目", 50000, "2020.3.1", "2020.6.1", "满城区发改局"],
        [None, "其中：一期工程", 20000],
        [None, "满城区乙物流园项目", 8000, None, "2020.9.1", "满城区商务局"],
        ["合计", None, 58000],
    ]
    report = _import(run_cli, db_url, tmp_path, rows)
    assert [c["name"] for c in report["created"]] == ["满城区甲产业园项目", "满城区乙物流园项目"]
    assert parts_of(report) == [] and not report["warnings"], report
    rows = [
        header,
        ["(1)", "满城区甲产业园项目", 50000, None, "2020.6.1", "满城区发改局"],
        [None, "其中"],
        ["(1)", "满城区丙项目", 30000, None, "2020.6.1"],
        ["(2)", "满城区丁项目", 8000, None, "2020.9.1"],
        ["合计", None, 88000],
    ]
    report = _import(run_cli, db_url, tmp_path, rows, "同号.xlsx")
    assert [c["name"] for c in report["created"]] == ["满城区甲产业园项目", "满城区丙项目", "满城区丁项目"]
    assert parts_of(report) == [] and not report["warnings"], report


def test_one_part_listed_then_the_next_deal_that_completes_it_is_warned(ledger, db_url, run_cli, tmp_path):
    """Deals numbered (1) (2) (3), no dates; deal (1) lists one part, and deal (2)'s 2亿 completes its 5亿: (2) is taken
    as a part (a sheet cannot tell it from part (2)); the 合计 is the only sign, and it must be warned."""
    rows = [
        ZHUOZHOU_HEADER,
        ["(1)", "满城区甲产业园项目", 50000, None, "满城区发改局"],
        [None, "其中"],
        ["(1)", "一期工程", 30000],
        ["(2)", "满城区乙物流园项目", 20000, None, "满城区商务局"],
        ["(3)", "满城区丙新材料项目", 8000, None, "满城区工信局"],
        ["合计", None, 78000],
    ]
    report = _import(run_cli, db_url, tmp_path, rows)
    assert [c["name"] for c in report["created"]] == ["满城区甲产业园项目", "满城区丙新材料项目"]
    assert [(w["row"], w["code"]) for w in report["warnings"]] == [(8, "totals_mismatch")]
    said = [n for n in report["notices"] if "①" in n]
    assert len(said) == 1 and "6" in said[0] and "签约时间" in said[0] and "投资方" in said[0], report["notices"]


@pytest.mark.parametrize(
    "breakdown",
    [[[None, "其中"], ["（1）", "一期工程", 30000]], [[None, "其中：一期工程", 30000]]],
    ids=["numbered_parts", "unnumbered_parts"],
)
def test_the_notice_s_advice_keeps_a_deal(ledger, db_url, run_cli, tmp_path, breakdown):
    """A deal written under another deal's parts, numbered （2） as the next part or without a 序号, is taken as a part;
    the notice says to give it its 签约时间 or 投资方, and given its 投资方 (in a column the sheet did not have) it is a
    deal, and the 合计 adds up."""
    header = [*ZHUOZHOU_HEADER, "投资方"]
    seq = "（2）" if len(breakdown) == 2 else None
    deal = [seq, "满城区乙物流园项目", 8000, None, "满城区商务局"]
    head = [header, [1, "满城区甲产业园项目", 50000, "2020.3.1", "满城区发改局"], *breakdown]
    tail = [[2, "满城区丙新材料项目", 6000, "2020.4.1", "满城区工信局"], ["合计", None, 64000]]
    report = _import(run_cli, db_url, tmp_path, [*head, deal, *tail])
    row = 4 + len(breakdown)  # below the title, the header, the deal and its 其中 rows
    assert parts_of(report)[-1] == row
    said = [n for n in report["notices"] if str(row) in n and "其中" in n and "投资方" in n]
    assert len(said) == 1 and "签约时间" in said[0], report["notices"]
    report = _import(run_cli, db_url, tmp_path, [*head, [*deal, "保定某某物流有限公司"], *tail], "改.xlsx")
    assert [c["name"] for c in report["created"]] == ["满城区甲产业园项目", "满城区乙物流园项目", "满城区丙新材料项目"]
    assert row not in parts_of(report) and not report["warnings"], report
    assert [(t["total"], t["sum"]) for t in report["totals_checked"]] == [("64000", "64000")]


# ---- what the rule gets right (pinned) ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "first, second",
    [(30000, 20000), ("约3亿元", "约2亿元"), ("叁亿元", "贰亿元"), ("3亿元", "20000万元")],
    ids=["plain", "approximate", "capital_numerals", "units_in_text"],
)
@pytest.mark.parametrize("deal_no", [1, "(1)"], ids=["deals_1_2", "deals_bracketed"])
def test_parts_written_with_units_or_approximately_are_parts(ledger, db_url, run_cli, tmp_path, first, second, deal_no):
    """Parts written 约3亿元, 叁亿元 or 20000万元 under a deal of 50000万元, after a blank row, then a 合计 just below."""
    rows = [
        ZHUOZHOU_HEADER,
        [deal_no, "满城区甲产业园项目", 50000, None, "满城区发改局"],
        [None, "其中："],
        [],
        ["（1）", "一期工程", first],
        ["（2）", "二期工程", second],
        ["合计", None, 50000],
    ]
    report = _import(run_cli, db_url, tmp_path, rows)
    assert [c["name"] for c in report["created"]] == ["满城区甲产业园项目"]
    assert parts_of(report) == [6, 7]
    assert [(t["row"], t["total"], t["sum"]) for t in report["totals_checked"]] == [(8, "50000", "50000")]
    assert not report["warnings"]


def test_parts_in_a_yi_column_and_a_deal_beyond_them(ledger, db_url, run_cli, tmp_path, read_as):  # noqa: F811
    """总投资（亿元）: parts 0.7 and 0.5 make up 1.2 exactly; a (1) of 8亿 under a deal of 约5亿元 is a deal."""
    header = ["序号", "项目名称", "总投资（亿元）", "签约时间", "责任单位"]
    rows = [
        header,
        ["(1)", "满城区甲产业园项目", 1.2, None, "满城区发改局"],
        [None, "其中："],
        ["(1)", "一期工程", 0.7],
        ["(2)", "二期工程", 0.5],
        ["(2)", "满城区乙项目", "约5亿元", None, "满城区商务局"],
        [None, "其中："],
        ["（1）", "满城区丙项目", 8],
    ]
    report = imported(run_cli, db_url, sheet(tmp_path / "亿.xlsx", rows, title="满城区招商项目表"))
    assert [c["name"] for c in report["created"]] == ["满城区甲产业园项目", "满城区乙项目", "满城区丙项目"]
    assert parts_of(report) == [5, 6]
    open_database(db_url)
    assert {n: a for n, (a, _s) in landed().items()} == {
        "满城区甲产业园项目": Decimal("1.2") * YI,
        "满城区乙项目": 5 * YI,
        "满城区丙项目": 8 * YI,
    }


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_a_breakdown_at_the_end_of_the_sheet(ledger, db_url, run_cli, tmp_path, read_as, kind):  # noqa: F811
    """The last deal's parts are the last rows (no 合计): parts when they add up; the part that never does is a deal,
    read whole, in slices or from csv."""
    rows = [
        ZHUOZHOU_HEADER,
        ["(1)", "满城区甲产业园项目", 50000, None, "满城区发改局"],
        ["(2)", "满城区乙物流园项目", 8000, None, "满城区商务局"],
        [None, "其中"],
        ["(1)", "一期仓储", 5000],
        ["(2)", "二期仓储", 3000],
    ]
    first = 2 if kind == "csv" else 3  # the csv has no title row

    def run(rows, name):
        if kind == "csv":
            path = _csv(tmp_path / f"{name}.csv", rows)
        else:
            path = sheet(tmp_path / f"{name}.xlsx", rows, title="满城区招商项目表")
        report = imported(run_cli, db_url, path, "--dry-run")
        return report

    report = run(rows, "adds_up")
    assert [c["name"] for c in report["created"]] == ["满城区甲产业园项目", "满城区乙物流园项目"]
    assert parts_of(report) == [first + 3, first + 4]
    report = run(rows[:-1], "short")
    assert [c["name"] for c in report["created"]] == ["满城区甲产业园项目", "满城区乙物流园项目", "一期仓储"]
    assert parts_of(report) == []
