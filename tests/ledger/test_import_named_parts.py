"""`crm import` of a deal's parts listed right below it with no 其中 row, their names numbering them from 1
(1、年产5万吨碳纤维生产线, 2、研发中心), as county offices write a project of several phases; and of the sheets where
such names are deals after all.

Each sheet is built as county offices write them (title, 序号, 合计 row), read whole and in slices; what lands is
checked deal by deal, with the report's lines. A deal is never lost: rows that do not add up to the deal's amount,
or that have what only a deal has, are imported as deals."""

from __future__ import annotations

from decimal import Decimal

from db.connection import open_database
from tests.ledger.test_import_breakdowns import YI, imported, landed, parts_of
from tests.ledger.test_import_layouts import read_as, run_import, sheet  # noqa: F401  (read_as: a fixture)

MANCHENG_HEADER = ["序号", "项目名称", "投资方", "总投资（亿元）", "签约时间"]


def _notice(report) -> list[str]:
    return [n for n in report["notices"] if "1、" in n]


def test_parts_numbered_in_names_are_the_deals_breakdown(ledger, db_url, run_cli, tmp_path, read_as):  # noqa: F811
    rows = [
        MANCHENG_HEADER,
        [1, "满城区新材料产业园项目", "河北某某集团", 10, "2020.5.18"],
        [None, "1、年产5万吨碳纤维生产线", None, 6, None],
        [None, "2、研发中心", None, 4, None],
        [2, "满城区物流园项目", "保定某物流公司", 5, "2020.5.18"],
        [3, "满城区光伏项目", "某新能源公司", 3, "2020.5.20"],
        [None, "①光伏电站", None, 3, None],
        ["合计", None, None, 18, None],
    ]
    report = imported(run_cli, db_url, sheet(tmp_path / "满城区.xlsx", rows, title="满城区2020年签约项目表"))
    assert [(c["row"], c["name"]) for c in report["created"]] == [
        (3, "满城区新材料产业园项目"),
        (6, "满城区物流园项目"),
        (7, "满城区光伏项目"),
    ]
    assert parts_of(report) == [4, 5, 8]
    assert [(t["row"], t["total"], t["sum"]) for t in report["totals_checked"]] == [(9, "18", "18")]
    assert not report["warnings"] and not report["problems"]
    said = _notice(report)
    assert len(said) == 1 and "4、5、8" in said[0] and "序号" in said[0], report["notices"]
    open_database(db_url)
    assert landed() == {
        "满城区新材料产业园项目": (10 * YI, "2020-05-18"),
        "满城区物流园项目": (5 * YI, "2020-05-18"),
        "满城区光伏项目": (3 * YI, "2020-05-20"),
    }


def test_named_items_not_adding_up_are_deals(ledger, db_url, run_cli, tmp_path, read_as):  # noqa: F811
    """6 + 3 is not the 10 of the deal above, and a row with its 签约时间 or 投资方 is a deal whatever its name: each is
    imported as a deal, at the end of the sheet as before the next deal or the 合计 row."""
    rows = [
        MANCHENG_HEADER,
        [1, "满城区新材料产业园项目", "河北某某集团", 10, "2020.5.18"],
        [None, "1、碳纤维生产线项目", None, 6, None],
        [None, "2、研发中心项目", None, 3, None],
        [2, "满城区物流园项目", "保定某物流公司", 5, "2020.5.18"],
        [None, "1、冷链仓储项目", None, 5, "2020.6.1"],
        [3, "满城区光伏项目", "某新能源公司", 3, "2020.5.20"],
        [None, "1、光伏电站项目", None, 1, None],
        ["合计", None, None, 28, None],
        [4, "满城区文旅项目", "某文旅公司", 8, "2020.5.21"],
        [None, "1、温泉小镇项目", None, 2, None],
    ]
    report = imported(run_cli, db_url, sheet(tmp_path / "满城区.xlsx", rows, title="满城区2020年签约项目表"))
    assert [c["row"] for c in report["created"]] == [3, 4, 5, 6, 7, 8, 9, 11, 12]
    assert parts_of(report) == [] and not _notice(report)
    open_database(db_url)
    assert landed()["1、碳纤维生产线项目"] == (6 * YI, None)
    assert landed()["1、冷链仓储项目"] == (5 * YI, "2020-06-01")
    assert landed()["1、温泉小镇项目"] == (2 * YI, None)
    assert len(landed()) == 9


def test_deals_numbered_in_their_names_stay_deals(ledger, db_url, run_cli, tmp_path, read_as):  # noqa: F811
    """A sheet with no 序号 column numbers its deals in their names (1、 2、 3、), and 1.5万吨 is a quantity: every row
    is a deal, even where two add up to the one above."""
    rows = [
        ["项目名称", "总投资（亿元）", "签约时间"],
        ["1、清苑区新材料项目", 10, "2020.5.18"],
        ["2、清苑区物流项目", 6, None],
        ["3、清苑区光伏项目", 4, None],
        ["1.5万吨再生铝项目", 2, "2020.5.19"],
        ["5G基站配套项目", 2, "2020.5.19"],
    ]
    report = imported(run_cli, db_url, sheet(tmp_path / "清苑区.xlsx", rows, title="清苑区2020年签约项目表"))
    assert [c["name"] for c in report["created"]] == [
        "1、清苑区新材料项目",
        "2、清苑区物流项目",
        "3、清苑区光伏项目",
        "1.5万吨再生铝项目",
        "5G基站配套项目",
    ]
    assert parts_of(report) == []


def test_rows_a_breakdown_gives_back_open_none_of_their_own(ledger, db_url, run_cli, tmp_path, read_as):  # noqa: F811
    """The review's sheet: 其中's rows held until they add up, never adding up, are given back as deals at the end of
    the sheet; 1、x项目 among them then opens no list of parts under P项目, and no row is lost."""
    rows = [
        ["项目名称", "总投资（亿元）", "签约时间"],
        ["定兴县甲项目", 20, "2020.1.1"],
        ["其中：一期工程", 4, None],
        ["定兴县P项目", 5, None],
        ["1、定兴县x项目", 2, None],
        ["2、定兴县y项目", 2, None],
    ]
    report = imported(run_cli, db_url, sheet(tmp_path / "定兴县.xlsx", rows, title="定兴县2020年签约项目表"))
    assert [c["row"] for c in report["created"]] == [3, 5, 6, 7]
    assert not _notice(report)


def test_a_sections_deals_are_no_parts_of_its_row(ledger, db_url, run_cli, tmp_path, read_as):  # noqa: F811
    """一、续建项目 16 over 1、A项目 10 and 2、B项目 6 adds up by construction: with no 序号 on the section's row (or no
    序号 column at all) its deals stay deals, and the 合计 still says what it did (the sections are rows too)."""
    rows = [
        ["项目名称", "总投资（亿元）", "签约时间"],
        ["一、续建项目", 16, None],
        ["1、徐水区甲项目", 10, None],
        ["2、徐水区乙项目", 6, None],
        ["二、新建项目", 9, None],
        ["1、徐水区丙项目", 5, None],
        ["2、徐水区丁项目", 4, None],
        ["合计", 25, None],
    ]
    report = imported(run_cli, db_url, sheet(tmp_path / "徐水区.xlsx", rows, title="徐水区2020年项目表"))
    created = [c["name"] for c in report["created"]]
    assert {"1、徐水区甲项目", "2、徐水区乙项目", "1、徐水区丙项目", "2、徐水区丁项目"} <= set(created), created
    assert parts_of(report) == [] and not _notice(report)
    numbered = [
        ["序号", *rows[0]],
        *([None if r[0].startswith(("一", "二")) else i, *r] for i, r in enumerate(rows[1:-1])),
    ]
    report = imported(run_cli, db_url, sheet(tmp_path / "徐水区二.xlsx", numbered, title="徐水区2020年项目表"))
    assert parts_of(report) == [] and not _notice(report)


def test_a_named_part_needs_an_amount(ledger, db_url, run_cli, tmp_path, read_as):  # noqa: F811
    """Only amounts that add up prove rows parts: 3、配套项目 with none, after 1、 and 2、 have added up, is a deal."""
    rows = [
        [*MANCHENG_HEADER, "责任单位"],
        [1, "满城区新材料产业园项目", "河北某某集团", 10, "2020.5.18", "满城区发改局"],
        [None, "1、碳纤维生产线", None, 6, None, None],
        [None, "2、研发中心", None, 4, None, None],
        [None, "3、配套项目", None, None, None, "满城区商务局"],
    ]
    code, report, err = run_import(
        run_cli, db_url, sheet(tmp_path / "满城区.xlsx", rows, title="满城区2020年签约项目表")
    )
    assert code != 0  # a deal's row, refused for want of an amount: the officer is told, nothing is dropped
    assert parts_of(report) == [4, 5]
    assert [(p["row"], p["code"]) for p in report["problems"]] == [(6, "missing_amount")], report["problems"]


def test_name_part_number_reads_a_lists_numbering_not_a_quantity():
    from crm.importing.breakdown import name_part_number

    cases = {
        "1、年产5万吨碳纤维生产线": 1,
        "2.研发中心": 2,
        "（1）一期工程": 1,
        "(3)三期工程": 3,
        "⑵二期工程": 2,
        "①光伏电站": 1,
        "12、配套设施": 12,
        "1.5万吨再生铝项目": None,
        "1、5万吨再生铝生产线": 1,
        "2)1期工程": 2,
        "5G基站配套项目": None,
        "2020年新建项目": None,
        "涿州现代供应链项目": None,
        "1、": None,
        "①": None,
        None: None,
        Decimal(1): None,
    }
    assert {text: name_part_number(text) for text in cases} == cases
