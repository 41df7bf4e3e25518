"""`crm import` of a deal's 其中 breakdown written on the rows below it without 其中 (其中：一期工程, then 二期工程),
or numbered as parts under it (其中, then （1）一期工程, （2）二期工程), and of tables of their own below a sheet's 合计 (our weekly csv's summaries, a county's 分行业统计).

Each sheet is built as county offices write them (merged title, 序号, 合计 row) and read whole and in slices;
what lands is checked cell by cell, with the report's lines."""

from __future__ import annotations

from decimal import Decimal

import pytest

from db.connection import open_database
from db.models import Deal
from tests.ledger.test_import_layouts import read_as, run_import, sheet  # noqa: F401  (read_as: a fixture)

WAN = Decimal(10) ** 4
YI = Decimal(10) ** 8

ZHUOZHOU_HEADER = ["序号", "项目名称", "总投资（万元）", "签约时间", "责任单位"]
TITLE_MERGE = ["A1:E1"]


def landed() -> dict:
    """name -> (amount, signed_on as text) of every deal in the ledger."""
    return {d.name: (d.amount, str(d.signed_on) if d.signed_on else None) for d in Deal.select()}


def imported(run_cli, db_url, path, *more) -> dict:
    """The report of `crm import` of `path` (with `more` options), which must succeed (else its error fails the
    test)."""
    code, report, err = run_import(run_cli, db_url, path, *more)
    assert code == 0, err
    return report


def parts_of(report) -> list[int]:
    return [s["row"] for s in report["skipped"] if s["reason"] == "breakdown_part"]


def test_the_parts_below_a_breakdown_row_are_no_deals(ledger, db_url, run_cli, tmp_path, read_as):  # noqa: F811
    rows = [
        ZHUOZHOU_HEADER,
        [1, "涿州甲产业园项目", 30000, "2020.3.1", "涿州市发改局"],
        [2, "涿州某某产业园项目", 50000, "2020.3.2", "涿州市商务局"],
        [None, "其中：一期工程", 20000, None, None],
        [None, "二期工程", 30000, None, None],
        [3, "涿州乙物流园项目", 8000, "2020.3.5", "涿州市商务局"],
        ["合计", None, 88000, None, None],
    ]
    path = sheet(tmp_path / "涿州.xlsx", rows, title="涿州市2020年招商项目表", merges=TITLE_MERGE)
    report = imported(run_cli, db_url, path)
    assert [(c["row"], c["name"]) for c in report["created"]] == [
        (3, "涿州甲产业园项目"),
        (4, "涿州某某产业园项目"),
        (7, "涿州乙物流园项目"),
    ]
    assert {"row": 5, "reason": "breakdown"} in report["skipped"] and parts_of(report) == [6]
    assert [(t["row"], t["total"], t["sum"]) for t in report["totals_checked"]] == [(8, "88000", "88000")]
    assert not report["warnings"] and not report["problems"]
    said = [n for n in report["notices"] if "6" in n and "序号" in n]
    assert len(said) == 1 and "5" not in said[0].replace("其中", ""), report["notices"]
    open_database(db_url)
    assert landed() == {
        "涿州甲产业园项目": (3 * YI, "2020-03-01"),
        "涿州某某产业园项目": (5 * YI, "2020-03-02"),
        "涿州乙物流园项目": (8000 * WAN, "2020-03-05"),
    }


def test_a_bare_breakdown_label_then_its_parts(ledger, db_url, run_cli, tmp_path, read_as):  # noqa: F811
    """其中 alone on its row, the parts below it with no amount (their unit only): parts still, in a numbered sheet."""
    rows = [
        ZHUOZHOU_HEADER,
        [1, "涿州某某产业园项目", 50000, "2020.3.2", "涿州市商务局"],
        [None, "其中", None, None, None],
        [None, "一期厂房及配套", None, None, "涿州市商务局"],
        [None, "二期研发中心", None, None, "涿州市科技局"],
        [2, "涿州乙物流园项目", 8000, "2020.3.5", "涿州市商务局"],
    ]
    path = sheet(tmp_path / "涿州.xlsx", rows, title="涿州市2020年招商项目表", merges=TITLE_MERGE)
    report = imported(run_cli, db_url, path)
    assert [c["name"] for c in report["created"]] == ["涿州某某产业园项目", "涿州乙物流园项目"]
    assert parts_of(report) == [5, 6]
    open_database(db_url)
    assert set(landed()) == {"涿州某某产业园项目", "涿州乙物流园项目"}


def test_rows_after_a_breakdown_that_are_deals_stay_deals(ledger, db_url, run_cli, tmp_path, read_as):  # noqa: F811
    """A row with its own 序号, and an unnumbered row whose amount goes beyond the deal's, are deals."""
    rows = [
        ZHUOZHOU_HEADER,
        [1, "涿州某某产业园项目", 50000, "2020.3.2", "涿州市商务局"],
        [None, "其中：一期工程", 20000, None, None],
        [2, "涿州丙新材料项目", 10000, "2020.4.1", "涿州市发改局"],
        [None, "其中：外资部分", 4000, None, None],
        [None, "涿州丁智能制造项目", 60000, "2020.4.8", "涿州市工信局"],
        ["合计", None, 120000, None, None],
    ]
    path = sheet(tmp_path / "涿州.xlsx", rows, title="涿州市2020年招商项目表", merges=TITLE_MERGE)
    report = imported(run_cli, db_url, path)
    assert [(c["row"], c["name"]) for c in report["created"]] == [
        (3, "涿州某某产业园项目"),
        (5, "涿州丙新材料项目"),
        (7, "涿州丁智能制造项目"),
    ]
    assert parts_of(report) == []
    assert not any("序号" in n and "其中" in n and "7" in n for n in report["notices"]), report["notices"]
    assert [(t["total"], t["sum"]) for t in report["totals_checked"]] == [("120000", "120000")]
    open_database(db_url)
    assert landed() == {
        "涿州某某产业园项目": (5 * YI, "2020-03-02"),
        "涿州丙新材料项目": (1 * YI, "2020-04-01"),
        "涿州丁智能制造项目": (6 * YI, "2020-04-08"),
    }


UNNUMBERED_HEADER = ["项目名称", "总投资（亿元）", "签约时间", "责任单位"]


def test_in_a_sheet_without_numbers_the_parts_must_add_up(ledger, db_url, run_cli, tmp_path, read_as):  # noqa: F811
    """Without 序号, rows after a 其中 row are parts only when they complete the deal's amount: 2 + 3 of 5 are; the
    next row (1亿, within what a part could be, had the parts not added up) and a later row after a 其中 that is
    never completed are deals."""
    rows = [
        UNNUMBERED_HEADER,
        ["易县甲文旅项目", 5, "2020.5.6", "易县文旅局"],
        ["其中：一期", 2, None, None],
        ["二期", 3, None, None],
        ["易县乙食品项目", 1, "2020.5.9", "易县发改局"],
        ["易县丙康养项目", 10, "2020.5.12", "易县民政局"],
        ["其中：外资", 4, None, None],
        ["易县丁物流项目", 2, "2020.5.20", "易县商务局"],
        ["易县戊仓储项目", 1, "2020.5.21", "易县商务局"],
    ]
    path = sheet(tmp_path / "易县.xlsx", rows, title="易县招商项目表", merges=["A1:D1"])
    report = imported(run_cli, db_url, path)
    assert [(c["row"], c["name"]) for c in report["created"]] == [
        (3, "易县甲文旅项目"),
        (6, "易县乙食品项目"),
        (7, "易县丙康养项目"),
        (9, "易县丁物流项目"),
        (10, "易县戊仓储项目"),
    ]
    assert parts_of(report) == [5]
    said = [n for n in report["notices"] if "序号" in n and "5" in n]
    assert len(said) == 1 and "9" not in said[0] and "10" not in said[0], report["notices"]
    open_database(db_url)
    assert landed() == {
        "易县甲文旅项目": (5 * YI, "2020-05-06"),
        "易县乙食品项目": (1 * YI, "2020-05-09"),
        "易县丙康养项目": (10 * YI, "2020-05-12"),
        "易县丁物流项目": (2 * YI, "2020-05-20"),
        "易县戊仓储项目": (1 * YI, "2020-05-21"),
    }


def test_unfinished_parts_before_a_total_are_deals_and_in_it(ledger, db_url, run_cli, tmp_path, read_as):  # noqa: F811
    """Rows held as possible parts are deals when a 合计 comes before they add up, and the 合计 counts them."""
    rows = [
        UNNUMBERED_HEADER,
        ["易县丙康养项目", 10, "2020.5.12", "易县民政局"],
        ["其中：外资", 4, None, None],
        ["易县丁物流项目", 2, "2020.5.20", "易县商务局"],
        ["合计", 12, None, None],
    ]
    report = imported(run_cli, db_url, sheet(tmp_path / "易县.xlsx", rows, title="易县招商项目表"))
    assert [c["name"] for c in report["created"]] == ["易县丙康养项目", "易县丁物流项目"]
    assert [(t["total"], t["sum"]) for t in report["totals_checked"]] == [("12", "12")] and not report["warnings"]
    open_database(db_url)
    assert landed() == {"易县丙康养项目": (10 * YI, "2020-05-12"), "易县丁物流项目": (2 * YI, "2020-05-20")}


# ---- parts numbered （1）（2） or ①② under a 其中 row ----------------------------------------------------------


@pytest.mark.parametrize(
    "first, second", [("（1）", "（2）"), ("(1)", "(2)"), ("①", "②"), ("①、", "②、"), ("1)", "2)"), ("⑴", "⑵")]
)
def test_numbered_parts_under_a_bare_breakdown_row_are_no_deals(ledger, db_url, run_cli, tmp_path, first, second):
    """（1）（2） under 其中： in a sheet of deals numbered 1, 2: parts of deal 1 (its 5亿 counted once), said by their
    rows; deal 2 after them is imported, and the 合计 adds up without the parts."""
    rows = [
        ZHUOZHOU_HEADER,
        [1, "涿州某新材料产业园项目", 50000, "2020.5.6", "涿州市发改局"],
        [None, "其中：", None, None, None],
        [first, "一期工程", 30000, None, None],
        [second, "二期工程", 20000, None, None],
        [2, "涿州某物流园项目", 8000, "2020.6.1", "涿州市商务局"],
        ["合计", None, 58000, None, None],
    ]
    path = sheet(tmp_path / "涿州.xlsx", rows, title="涿州市2020年招商项目表", merges=TITLE_MERGE)
    report = imported(run_cli, db_url, path)
    assert [(c["row"], c["name"]) for c in report["created"]] == [
        (3, "涿州某新材料产业园项目"),
        (7, "涿州某物流园项目"),
    ]
    assert {"row": 4, "reason": "breakdown"} in report["skipped"] and parts_of(report) == [5, 6]
    assert [(t["row"], t["total"], t["sum"]) for t in report["totals_checked"]] == [(8, "58000", "58000")]
    assert not report["warnings"] and not report["problems"]
    said = [n for n in report["notices"] if "①" in n]
    assert len(said) == 1 and "5" in said[0] and "6" in said[0], report["notices"]
    open_database(db_url)
    assert landed() == {
        "涿州某新材料产业园项目": (5 * YI, "2020-05-06"),
        "涿州某物流园项目": (8000 * WAN, "2020-06-01"),
    }


def test_a_numbered_row_under_a_breakdown_that_is_a_deal_stays_one(ledger, db_url, run_cli, tmp_path, read_as):  # noqa: F811
    """A row numbered （1） after a 其中 row is a deal when it has its own 签约时间 or investor, when its amount goes
    beyond the deal's, when its number does not go on from the 其中 row ((2) first, or (3) after (1)), or when the
    其中 row names a share of the money over two cells (其中： | 外资)."""
    header = [*ZHUOZHOU_HEADER, "投资方"]
    deal = [1, "满城区甲产业园项目", 50000, "2020.3.1", "满城区发改局"]
    under = [header, deal, [None, "其中：", None]]
    own_date = [["（1）", "满城区乙项目", 8000, "2020.3.9"], ["（2）", "满城区丙项目", 6000, "2020.3.10"]]
    assert _created(run_cli, db_url, tmp_path, [*under, *own_date]) == [
        "满城区甲产业园项目",
        "满城区乙项目",
        "满城区丙项目",
    ]
    investor = ["（1）", "满城区乙项目", 8000, None, None, "保定某某集团有限公司"]
    assert _created(run_cli, db_url, tmp_path, [*under, investor]) == ["满城区甲产业园项目", "满城区乙项目"]
    beyond = ["（1）", "满城区乙项目", 60000]
    assert _created(run_cli, db_url, tmp_path, [*under, beyond]) == ["满城区甲产业园项目", "满城区乙项目"]
    not_first = ["（2）", "满城区乙项目", 8000]
    assert _created(run_cli, db_url, tmp_path, [*under, not_first]) == ["满城区甲产业园项目", "满城区乙项目"]
    # 其中： | 外资 over two cells is a share, no breakdown: the row below (a part's shape) is a deal
    share = [header, deal, ["其中：", "外资", 4000], [None, "满城区乙项目", 1000]]
    assert _created(run_cli, db_url, tmp_path, share) == ["满城区甲产业园项目", "满城区乙项目"]
    rows = [*under, ["（1）", "一期工程", 30000], ["（3）", "满城区丙项目", 8000], ["合计", None, 58000]]
    report = imported(run_cli, db_url, sheet(tmp_path / "跳号.xlsx", rows, title="满城区招商项目表"))
    assert [c["name"] for c in report["created"]] == ["满城区甲产业园项目", "满城区丙项目"] and parts_of(report) == [5]
    assert [(t["total"], t["sum"]) for t in report["totals_checked"]] == [("58000", "58000")]
    open_database(db_url)
    assert landed() == {"满城区甲产业园项目": (5 * YI, "2020-03-01"), "满城区丙项目": (8000 * WAN, None)}


def test_where_deals_are_numbered_as_parts_the_parts_must_add_up(ledger, db_url, run_cli, tmp_path, read_as):  # noqa: F811
    """Deals numbered (1) (2) (3): under deal (1)'s 其中 row, (1) (2) adding up to its 5亿 are parts, and the (2) after
    them is deal (2) though it has no date; parts that never add up, (1) 3亿 then (2) 0.8亿 of 5亿, are deals; a row
    numbered as the next part, without an amount, after parts that add up is the next deal."""
    deal = ["(1)", "涿州甲产业园项目", 50000, "2020.3.2", "涿州市商务局"]
    rows = [
        ZHUOZHOU_HEADER,
        deal,
        [None, "其中", None, None, None],
        ["(1)", "一期工程", 30000, None, None],
        ["(2)", "二期工程", 20000, None, None],
        ["(2)", "涿州乙物流园项目", 8000, None, "涿州市商务局"],
        ["(3)", "涿州丙新材料项目", 6000, "2020.4.1", "涿州市工信局"],
        ["合计", None, 64000, None, None],
    ]
    path = sheet(tmp_path / "涿州.xlsx", rows, title="涿州市2020年招商项目表", merges=TITLE_MERGE)
    report = imported(run_cli, db_url, path)
    assert [(c["row"], c["name"]) for c in report["created"]] == [
        (3, "涿州甲产业园项目"),
        (7, "涿州乙物流园项目"),
        (8, "涿州丙新材料项目"),
    ]
    assert parts_of(report) == [5, 6]
    assert [(t["total"], t["sum"]) for t in report["totals_checked"]] == [("64000", "64000")]
    assert not report["warnings"] and not report["problems"]
    open_database(db_url)
    assert landed() == {
        "涿州甲产业园项目": (5 * YI, "2020-03-02"),
        "涿州乙物流园项目": (8000 * WAN, None),
        "涿州丙新材料项目": (6000 * WAN, "2020-04-01"),
    }
    short = [
        ZHUOZHOU_HEADER,
        ["(1)", "涿州丁产业园项目", 50000, "2020.5.2", "涿州市商务局"],
        [None, "其中"],
        ["(1)", "三期工程", 30000],
        ["(2)", "涿州戊物流园项目", 8000],
        ["(3)", "涿州己新材料项目", 6000, "2020.5.9"],
    ]
    names = ["涿州丁产业园项目", "三期工程", "涿州戊物流园项目", "涿州己新材料项目"]
    assert _created(run_cli, db_url, tmp_path, short, "短.xlsx") == names
    # the next deal's number after parts that add up, without an amount: refused as any deal without one, not dropped
    rows = [
        ZHUOZHOU_HEADER,
        deal,
        ["(2)", "涿州乙物流园项目", 8000, "2020.3.5", "涿州市商务局"],
        [None, "其中"],
        ["(1)", "一期仓储", 5000],
        ["(2)", "二期仓储", 3000],
        ["(3)", "涿州庚项目", None, None, "涿州市商务局"],
    ]
    code, report, err = run_import(run_cli, db_url, sheet(tmp_path / "缺金额.xlsx", rows, title="涿州"))
    assert code == 2 and [(p["row"], p["code"]) for p in report["problems"]] == [(8, "missing_amount")], err


# ---- tables of their own below the 合计 ---------------------------------------------------------------------


def test_a_summary_table_below_the_total_is_no_deals(ledger, db_url, run_cli, tmp_path, read_as):  # noqa: F811
    """分行业统计 under the 合计, numbered and named in the deal table's columns, is a table of its own: none of its
    rows is a deal, its 合计 is not checked against the deals; a deal's row in a section after it still is one."""
    rows = [
        ZHUOZHOU_HEADER,
        [1, "涿州甲产业园项目", 30000, "2020.3.1", "涿州市发改局"],
        [2, "涿州乙物流园项目", 8000, "2020.3.5", "涿州市商务局"],
        ["合计", None, 38000, None, None],
        [],
        ["分行业统计"],
        ["序号", "行业", "项目数（个）", "总投资（万元）"],
        [1, "先进制造", 1, 30000],
        [2, "现代物流", 1, 8000],
        ["合计", None, 2, 38000],
        [],
        ["二、续建项目"],
        [3, "涿州丙新材料项目", 10000, "2020.4.1", "涿州市发改局"],
        ["合计", None, 10000, None, None],
    ]
    path = sheet(tmp_path / "涿州.xlsx", rows, title="涿州市2020年招商项目表", merges=TITLE_MERGE)
    report = imported(run_cli, db_url, path)
    assert [(c["row"], c["name"]) for c in report["created"]] == [
        (3, "涿州甲产业园项目"),
        (4, "涿州乙物流园项目"),
        (14, "涿州丙新材料项目"),
    ]
    assert [s["row"] for s in report["skipped"] if s["reason"] == "other_table"] == [8, 9, 10, 11]
    assert [(t["row"], t["total"], t["sum"]) for t in report["totals_checked"]] == [
        (5, "38000", "38000"),
        (15, "10000", "10000"),
    ]
    assert not report["warnings"] and not report["problems"]
    assert any("8–11" in n and "第 8 行" in n for n in report["notices"]), report["notices"]
    open_database(db_url)
    assert landed() == {
        "涿州甲产业园项目": (3 * YI, "2020-03-01"),
        "涿州乙物流园项目": (8000 * WAN, "2020-03-05"),
        "涿州丙新材料项目": (1 * YI, "2020-04-01"),
    }


def test_our_weekly_csv_names_no_summary_cell_as_a_deal(run_cli, tmp_path):
    """The weekly csv's blocks after its 合计 (分阶段情况, 本周动态, 累计指标, 所用汇率) are tables of their own: the
    notice after the 合计 names no row as a possible deal, and the blocks are said once, by their rows."""
    demo, fresh, path = tmp_path / "demo.sqlite3", tmp_path / "new.sqlite3", tmp_path / "周报.csv"
    for args in (("--db", demo, "init"), ("--db", demo, "demo"), ("--db", fresh, "init")):
        assert run_cli(*args)[0] == 0
    code, _out, err = run_cli("--db", demo, "export", "weekly", "--week", "2020-W38", "--format", "csv", "-o", path)
    assert code == 0, err
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    total_row = next(n for n, line in enumerate(lines, 1) if line.startswith("合计,"))
    headers = [n for n, line in enumerate(lines, 1) if n > total_row and line.startswith(("阶段,", "币种,", "指标,"))]
    report = imported(run_cli, fresh, path, "--dry-run")
    assert len(report["created"]) == 30
    assert [t["row"] for t in report["totals_checked"]] == [total_row, total_row]
    after = [n for n in report["notices"] if str(total_row) in n and "序号" in n]
    assert after == [], after  # no row after the 合计 named as a possible deal
    assert not any("人民币/单位" in n or "截至今日" in n for n in report["notices"]), report["notices"]
    tables = [n for n in report["notices"] if all(str(h) in n for h in headers)]
    assert len(tables) == 1, report["notices"]
    others = {s["row"] for s in report["skipped"] if s["reason"] == "other_table"}
    assert set(headers) <= others and not any(lines[n - 1].startswith("说明") for n in others)


def test_our_weekly_xlsx_summary_sheet_is_no_second_deal_table(run_cli, tmp_path):
    """The weekly xlsx's 汇总 sheet (阶段 | 项目 | 折合人民币: counts of deals, not deals) is not named as another sheet
    of deals to import with --sheet, and a 合计 cell written on several lines is quoted on one line."""
    demo, fresh, path = tmp_path / "demo.sqlite3", tmp_path / "new.sqlite3", tmp_path / "周报.xlsx"
    for args in (("--db", demo, "init"), ("--db", demo, "demo"), ("--db", fresh, "init")):
        assert run_cli(*args)[0] == 0
    code, _out, err = run_cli("--db", demo, "export", "weekly", "--week", "2020-W38", "--format", "xlsx", "-o", path)
    assert code == 0, err
    report = imported(run_cli, fresh, path, "--dry-run")
    assert len(report["created"]) == 30
    assert not any("--sheet" in n for n in report["notices"]), report["notices"]
    assert report["totals_checked"] and all("\n" not in t["total"] for t in report["totals_checked"])


# ---- what is never taken for a part or a table of its own: a deal's row (the review's sheets) ---------------------


def _created(run_cli, db_url, tmp_path, rows, name="满城.xlsx") -> list[str]:
    report = imported(run_cli, db_url, sheet(tmp_path / name, rows, title="满城区招商项目表"), "--dry-run")
    assert not [s for s in report["skipped"] if s["reason"] in ("breakdown_part", "other_table")], report["skipped"]
    return [c["name"] for c in report["created"]]


def test_a_row_with_a_signing_date_under_a_breakdown_is_a_deal(ledger, db_url, run_cli, tmp_path, read_as):  # noqa: F811
    """An unnumbered row after a 其中 row that has its own 签约时间 is a deal that lost its 序号, not a part, and the
    合计 still adds up; without an amount it is refused as any new deal without one, never dropped."""
    head = [
        ZHUOZHOU_HEADER,
        [1, "满城区甲产业园项目", 50000, "2020.3.1", "满城区发改局"],
        [None, "其中：一期工程", 20000],
    ]
    rows = [
        *head,
        [None, "满城区乙食品加工项目", 8000, "2020.3.9", "满城区发改局"],
        [3, "满城区丙项目", 6000, "2020.4.1"],
    ]
    assert _created(run_cli, db_url, tmp_path, [*rows, ["合计", None, 64000]]) == [
        "满城区甲产业园项目",
        "满城区乙食品加工项目",
        "满城区丙项目",
    ]
    rows = [*head, [None, "满城区乙食品加工项目", None, "2020.3.9", "满城区发改局"]]
    code, report, err = run_import(run_cli, db_url, sheet(tmp_path / "缺金额.xlsx", rows, title="满城区招商项目表"))
    assert code == 2 and [(p["row"], p["code"]) for p in report["problems"]] == [(5, "missing_amount")], err


@pytest.mark.parametrize("share", ["其中：固定资产投资", "其中：利用外资", "其中：引进省外资金", "其中：境外资金"])
def test_a_share_of_the_money_opens_no_breakdown(ledger, db_url, run_cli, tmp_path, read_as, share):  # noqa: F811
    """其中：固定资产投资 8亿 (利用外资, 引进省外资金 …) states a share of the deal's money: the rows after it are deals
    even when their amounts complete the deal's (round 亿 amounts often do), in a sheet without 序号."""
    rows = [
        ["项目名称", "总投资（亿元）", "签约时间"],
        ["满城区甲产业园项目", 10, "2020.3.1"],
        [share, 8, None],
        ["满城区乙项目", 1, None],
        ["满城区丙项目", 1, None],
    ]
    assert _created(run_cli, db_url, tmp_path, rows) == ["满城区甲产业园项目", "满城区乙项目", "满城区丙项目"]


def test_a_section_label_after_a_total_heads_deals_not_a_table(ledger, db_url, run_cli, tmp_path, read_as):  # noqa: F811
    """二 | 续建项目 after a 合计 (or （二）) labels the next section: the numbered deals under it are imported, not taken
    for a table of its own; 续建项目 with a unit beside it is refused as a deal without an amount, as before."""
    deals = [[2, "满城区丁新材料项目", 7000, "2020.4.1", "满城区工信局"], [3, "满城区戊项目", 3000, "2020.4.2"]]
    first = [ZHUOZHOU_HEADER, [1, "满城区甲产业园项目", 50000, "2020.3.1", "满城区发改局"], ["合计", None, 50000]]
    for label in (["二", "续建项目"], ["（二）", "续建项目"]):
        names = _created(run_cli, db_url, tmp_path, [*first, label, *deals])
        assert names == ["满城区甲产业园项目", "满城区丁新材料项目", "满城区戊项目"], label
    rows = [*first, [None, "续建项目", None, None, "工信局牵头"], *deals]
    code, report, err = run_import(run_cli, db_url, sheet(tmp_path / "续建.xlsx", rows, title="满城区招商项目表"))
    assert code == 2 and [(p["row"], p["code"]) for p in report["problems"]] == [(5, "missing_amount")], err


def test_a_header_again_below_the_total_in_another_unit_is_refused(ledger, db_url, run_cli, tmp_path, read_as):  # noqa: F811
    """总投资（亿元） printed below a 合计 of a 总投资（万元） table: its 0.7 would land as 0.7万元; the import is refused in
    one line naming both headers, nothing written."""
    rows = [
        ZHUOZHOU_HEADER,
        [1, "满城区甲产业园项目", 50000, "2020.3.2", "满城区商务局"],
        ["合计", None, 50000],
        ["序号", "项目名称", "总投资（亿元）", "签约时间", "责任单位"],
        [2, "满城区丁新材料项目", 0.7, "2020.4.1", "满城区工信局"],
    ]
    path = sheet(tmp_path / "两种单位.xlsx", rows, title="满城区招商项目表")
    code, _out, err = run_cli("--db", db_url, "import", path)
    assert code == 2
    assert "第 5 行重复了表头" in err and "总投资（亿元）" in err and "总投资（万元）" in err, err
    assert len(err.strip().splitlines()) == 1, err
    # and printed again mid-table, no 合计 above it (a long ledger pasted page by page)
    code, _out, err = run_cli("--db", db_url, "import", sheet(tmp_path / "续页.xlsx", rows[:2] + rows[3:], title="表"))
    assert code == 2 and "第 4 行重复了表头" in err, err
    open_database(db_url)
    assert landed() == {}
