"""`crm import` of sheets laid out the way county offices lay them out: totals rows written many ways, 其中
breakdown rows, section rows numbered in the 序号 column, one 合计 per section, the unit in a two-row header,
a 单位 note that contradicts the header, 完成投资 and 计划投资 columns, other sheets with deal tables, formulas
never computed, and a file that is no workbook at all.

Each test checks what lands, cell by cell, on SQLite and PostgreSQL; the sheets with sections are read both
whole and streamed slice by slice (as a large sheet is read), and must land the same."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from openpyxl import Workbook

from db.connection import open_database
from db.models import Deal, FundsArrived

YI = Decimal(10) ** 8
WAN = Decimal(10) ** 4


def run_import(run_cli, url, path, *more):
    code, out, err = run_cli("--db", url, "import", path, "--format", "json", *more)
    return code, json.loads(out) if out.strip() else None, err


def sheet(path, rows, title="安新县2020年招商项目表", merges=(), more=None):
    """A workbook of `rows` (lists, None for an empty cell) under a title row; `merges`: ranges to merge."""
    wb = Workbook()
    ws = wb.active
    ws.title = "台账"
    ws.append([title])
    for row in rows:
        ws.append(list(row))
    for ref in merges:
        ws.merge_cells(ref)
    for name, extra in (more or {}).items():
        other = wb.create_sheet(name)
        for row in extra:
            other.append(list(row))
    wb.save(path)
    return path


@pytest.fixture(params=["whole", "sliced"])
def read_as(request, monkeypatch):
    """Read the sheet whole, or in slices of its XML as a sheet of a million rows is read."""
    if request.param == "sliced":
        from crm.importing import plan, xlsx_slices

        monkeypatch.setattr(xlsx_slices, "SLICE_AT", 0)
        monkeypatch.setattr(xlsx_slices, "SLICE_BYTES", 600)
        monkeypatch.setattr(plan, "CHUNK", 2)
    return request.param


def deals():
    return {d.name: d for d in Deal.select()}


def funds_of(deal):
    return sum((f.amount for f in FundsArrived.select().where(FundsArrived.deal == deal)), Decimal(0))


ANXIN_HEADER = ["序号", "项目名称", "总投资（亿元）", "实际到位资金（亿元）", "签约时间", "责任单位", "进展情况"]
ANXIN_ROWS = [
    [1, "安新县甲项目", 10, 2, "2020.3.1", "安新县发改局", "已开工"],
    [2, "安新县乙项目", 5, 1, "2020.3.2", "安新县发改局", "已开工"],
    [3, "安新县丙项目", 3, None, "2020.3.3", "安新县发改局", "已签约"],
]


# ---- 1. totals rows written many ways -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "seq, label",
    [
        (None, "全县合计"),
        (None, "全市合计"),
        (None, "以上合计"),
        (None, "合计3个"),
        (None, "共计3个项目"),
        (None, "累计"),
        (None, "合计三个项目"),
        (None, "本页合计"),
        ("合计", "3个项目"),
        ("全县合计", None),
    ],
)
def test_a_totals_row_written_any_way_is_checked_not_imported(ledger, db_url, run_cli, tmp_path, seq, label):
    path = sheet(tmp_path / "安新.xlsx", [ANXIN_HEADER, *ANXIN_ROWS, [seq, label, 18, 3, None, None, None]])
    code, report, err = run_import(run_cli, db_url, path)
    assert code == 0, err
    assert [c["name"] for c in report["created"]] == ["安新县甲项目", "安新县乙项目", "安新县丙项目"]
    assert report["totals_checked"][0]["row"] == 6 and report["totals_checked"][0]["total"] == "18"
    assert report["totals_checked"][0]["sum"] == "18" and not report["warnings"]
    open_database(db_url)
    got = deals()
    assert sorted(got) == ["安新县丙项目", "安新县乙项目", "安新县甲项目"]
    assert sum(d.amount for d in got.values()) == 18 * YI
    assert sum(funds_of(d) for d in got.values()) == 3 * YI  # not 6亿: the 合计 row's 3亿 is no arrival


def test_a_breakdown_row_is_no_deal_and_not_in_the_total(ledger, db_url, run_cli, tmp_path, read_as):
    """其中：外资项目（2个） breaks down the rows above: neither a deal nor part of the 合计 (with 3 or with 0)."""
    rows = [
        ["序号", "项目名称", "总投资（亿元）", "签约时间", "责任单位"],
        ["1", "满城纸业升级改造项目", 5, "2020.4.15", "满城区发改局"],
        ["2", "满城新材料项目", 3, "2020.4.20", "满城区发改局"],
        [None, "其中：外资项目（2个）", 3, None, None],
        ["3", "满城文旅小镇项目", 10, "2020.5.1", "满城区文旅局"],
        ["其中：", "外资项目", 0, None, None],
        ["合计", None, 18, None, None],
    ]
    code, report, err = run_import(run_cli, db_url, sheet(tmp_path / "满城.xlsx", rows))
    assert code == 0, err
    assert [c["name"] for c in report["created"]] == ["满城纸业升级改造项目", "满城新材料项目", "满城文旅小镇项目"]
    assert {"row": 5, "reason": "breakdown"} in report["skipped"]
    assert {"row": 7, "reason": "breakdown"} in report["skipped"]
    assert [(t["total"], t["sum"]) for t in report["totals_checked"]] == [("18", "18")]
    assert not report["warnings"] and not report["problems"]
    assert any("其中" in n and "5" in n and "7" in n for n in report["notices"]), report["notices"]
    open_database(db_url)
    assert sorted(d.amount for d in Deal.select()) == [3 * YI, 5 * YI, 10 * YI]


# ---- 2. one 合计 per section -------------------------------------------------------------------------------------

FUPING_HEADER = ["序号", "项目名称", "总投资（亿元）", "签约时间", "进展情况"]


def fuping(path, tail=(), second_total=14):
    rows = [
        FUPING_HEADER,
        ["一、签约项目"],
        [1, "阜平县甲项目", 5, "2020.3.1", "已签约"],
        [2, "阜平县乙项目", 3, "2020.3.2", "已开工"],
        ["合计", None, 8],
        [],
        ["二、在谈项目"],
        [1, "阜平县丙项目", 10, None, "洽谈中"],
        [2, "阜平县丁项目", 4, None, "洽谈中"],
        ["合计", None, second_total],
        *tail,
    ]
    return sheet(path, rows, title="阜平县招商项目表")


def test_each_section_with_its_own_total_is_imported(ledger, db_url, run_cli, tmp_path, read_as):
    code, report, err = run_import(run_cli, db_url, fuping(tmp_path / "阜平.xlsx"))
    assert code == 0, err
    assert [(c["row"], c["name"]) for c in report["created"]] == [
        (4, "阜平县甲项目"),
        (5, "阜平县乙项目"),
        (9, "阜平县丙项目"),
        (10, "阜平县丁项目"),
    ]
    # each 合计 against its own section's rows
    assert [(t["row"], t["total"], t["sum"]) for t in report["totals_checked"]] == [(6, "8", "8"), (11, "14", "14")]
    assert not report["warnings"] and not report["problems"]
    assert not any(s["reason"] == "after_totals" for s in report["skipped"])
    open_database(db_url)
    got = deals()
    assert {n: (d.amount, d.stage) for n, d in got.items()} == {
        "阜平县甲项目": (5 * YI, "signed"),
        "阜平县乙项目": (3 * YI, "construction"),
        "阜平县丙项目": (10 * YI, "negotiating"),
        "阜平县丁项目": (4 * YI, "negotiating"),
    }


def test_a_grand_total_after_the_sections_is_checked_against_all_rows(ledger, db_url, run_cli, tmp_path, read_as):
    tail = [
        ["总计", None, 22],
        [],
        ["注：本表由县招商局汇总，数据截至6月30日。"],
        ["填表人：王芳", None, "审核人：李四"],
    ]
    code, report, err = run_import(run_cli, db_url, fuping(tmp_path / "阜平.xlsx", tail))
    assert code == 0, err
    assert len(report["created"]) == 4
    checked = [(t["row"], t["total"], t["sum"]) for t in report["totals_checked"]]
    assert checked == [(6, "8", "8"), (11, "14", "14"), (12, "22", "22")]
    assert not report["warnings"]
    # the notes and signatures after the last total are notes
    assert [s for s in report["skipped"] if s["reason"] == "after_totals"] == [
        {"row": 14, "reason": "after_totals"},
        {"row": 15, "reason": "after_totals"},
    ]


def test_a_section_total_that_is_wrong_is_named(ledger, db_url, run_cli, tmp_path, read_as):
    code, report, err = run_import(run_cli, db_url, fuping(tmp_path / "阜平.xlsx", second_total=15))
    assert code == 0, err
    assert [(w["row"], w["code"]) for w in report["warnings"]] == [(11, "totals_mismatch")]
    assert "14" in report["warnings"][0]["message"]
    code, report, err = run_import(run_cli, db_url, fuping(tmp_path / "阜平.xlsx", second_total=15), "--strict")
    assert code != 0 and report["problems"][0]["row"] == 11


def test_rows_after_the_last_total_that_name_a_project_are_named(ledger, db_url, run_cli, tmp_path, read_as):
    """A row with a project's name after the last 合计 but nothing that makes it a deal is not imported, but said."""
    tail = [["注：戊项目尚未签约"], [3, "阜平县戊项目", None, None, "洽谈中"]]
    code, report, err = run_import(run_cli, db_url, fuping(tmp_path / "阜平.xlsx", tail))
    assert code == 0, err
    assert len(report["created"]) == 4
    assert {"row": 13, "reason": "after_totals"} in report["skipped"]
    assert any("阜平县戊项目" in n and "13" in n for n in report["notices"]), report["notices"]


# ---- 3. section rows, two-row headers, units ------------------------------------------------------------------

MANCHENG_HEADER = [
    ["序号", "项目名称", "投资情况", None, "签约时间", "责任单位", "进展情况"],
    [None, None, "总投资（亿元）", "到位资金（亿元）", None, None, None],
]


@pytest.mark.parametrize("first, second", [("（一）", "（二）"), ("一、", "二、"), ("(1)", "(2)"), ("一", "二")])
def test_section_rows_numbered_in_the_seq_column_are_skipped(ledger, db_url, run_cli, tmp_path, first, second):
    rows = [
        *MANCHENG_HEADER,
        [first, "产业类项目"],
        ["1", "满城纸业升级改造项目", 5, 1.2, "2020.4.15", "满城区发改局", "已开工"],
        ["2", "满城新材料项目", 3, 0, "2020.4.20", "满城区发改局", "施工图审查通过，待开工"],
        [None, "小计", 8, 1.2],
        [],
        [second, "服务业项目"],
        ["3", "满城文旅小镇项目", 10, None, "2020.5.1", "满城区文旅局", "洽谈中"],
        [None, "小计", 10],
        ["合计", None, 18, 1.2],
        ["注：本表由区招商局汇总，数据截至6月30日。"],
    ]
    merges = ["A2:A3", "B2:B3", "C2:D2", "E2:E3", "F2:F3", "G2:G3"]
    code, report, err = run_import(run_cli, db_url, sheet(tmp_path / "满城.xlsx", rows, merges=merges))
    assert code == 0, err
    assert [c["name"] for c in report["created"]] == ["满城纸业升级改造项目", "满城新材料项目", "满城文旅小镇项目"]
    assert {"row": 4, "reason": "section"} in report["skipped"] and {"row": 9, "reason": "section"} in report["skipped"]
    assert [(t["total"], t["sum"]) for t in report["totals_checked"]][0] == ("18", "18")
    open_database(db_url)
    got = deals()
    assert {n: d.amount for n, d in got.items()} == {
        "满城纸业升级改造项目": 5 * YI,
        "满城新材料项目": 3 * YI,
        "满城文旅小镇项目": 10 * YI,
    }
    assert funds_of(got["满城纸业升级改造项目"]) == Decimal("1.2") * YI


DINGXING_ROWS = [[1, "定兴县甲项目", 30000, 5000, "2020.3.1", "已开工"], [2, "定兴县乙项目", 12000, None, "2020.3.2"]]


def test_the_unit_of_a_merged_group_header_applies_to_the_columns_under_it(ledger, db_url, run_cli, tmp_path, read_as):
    rows = [
        ["序号", "项目名称", "投资情况（万元）", None, "签约时间", "进展情况"],
        [None, None, "总投资", "已到位", None, None],
        *DINGXING_ROWS,
    ]
    merges = ["A2:A3", "B2:B3", "C2:D2", "E2:E3", "F2:F3"]
    code, report, err = run_import(run_cli, db_url, sheet(tmp_path / "定兴.xlsx", rows, merges=merges))
    assert code == 0, err
    assert report["columns"]["amount"] == "总投资" and report["columns"]["funds"] == "已到位"
    open_database(db_url)
    got = deals()
    assert (got["定兴县甲项目"].amount, got["定兴县甲项目"].currency) == (3 * YI, "CNY")
    assert got["定兴县乙项目"].amount == Decimal("1.2") * YI
    assert funds_of(got["定兴县甲项目"]) == 5000 * WAN


def test_the_unit_in_the_second_header_row_applies_to_the_column_above(ledger, db_url, run_cli, tmp_path, read_as):
    rows = [
        ["序号", "项目名称", "总投资", "到位资金", "签约时间", "进展情况"],
        [None, None, "（万元）", "（万元）", None, None],
        *DINGXING_ROWS,
    ]
    merges = ["A2:A3", "B2:B3", "E2:E3", "F2:F3"]
    code, report, err = run_import(run_cli, db_url, sheet(tmp_path / "定兴.xlsx", rows, merges=merges))
    assert code == 0, err
    assert report["skipped"] == []  # the （万元） row is the header's, not a row without a name
    open_database(db_url)
    got = deals()
    assert got["定兴县甲项目"].amount == 3 * YI and got["定兴县乙项目"].amount == Decimal("1.2") * YI
    assert funds_of(got["定兴县甲项目"]) == 5000 * WAN


def test_a_unit_note_contradicting_the_header_is_warned_about(ledger, db_url, run_cli, tmp_path, read_as):
    rows = [
        [None, None, None, None, None, "单位：万元"],
        ["序号", "项目名称", "总投资（亿元）", "到位资金", "签约时间", "进展情况"],
        *DINGXING_ROWS,
    ]
    path = sheet(tmp_path / "定兴.xlsx", rows)
    code, report, err = run_import(run_cli, db_url, path, "--dry-run")
    assert code == 0, err
    codes = [(w["row"], w["code"]) for w in report["warnings"]]
    assert codes[0] == (3, "unit_conflict")
    assert "万元" in report["warnings"][0]["message"] and "亿元" in report["warnings"][0]["message"]
    # 30000 in a 亿元 column: 3万亿元 for one deal
    assert (4, "amount_implausible") in codes and (5, "amount_implausible") in codes
    implausible = next(w for w in report["warnings"] if w["code"] == "amount_implausible")
    assert "1000亿元" in implausible["message"] and implausible["value"] == "30000"
    # --strict refuses a sheet whose units disagree, as it refuses a 合计 that does not add up
    code, _report, err = run_import(run_cli, db_url, path, "--strict")
    assert code != 0 and "万元" in err and "Traceback" not in err


# ---- 4. columns that are no deal's total and no funds ---------------------------------------------------------


def test_completed_investment_is_not_taken_for_funds_arrived(ledger, db_url, run_cli, tmp_path):
    header = ["序号", "项目名称", "总投资（亿元）", "累计完成投资（亿元）", "签约时间", "责任单位", "进展情况"]
    rows = [header, *ANXIN_ROWS, [None, "全县合计", 18, 3]]
    code, report, err = run_import(run_cli, db_url, sheet(tmp_path / "安新.xlsx", rows))
    assert code == 0, err
    assert "funds" not in report["columns"] and report["funds_added"] == []
    assert {"column": "累计完成投资（亿元）", "guess": None} in report["unused_columns"]
    assert any("累计完成投资（亿元）" in n and "crm invest" in n for n in report["notices"]), report["notices"]
    open_database(db_url)
    assert FundsArrived.select().count() == 0 and Deal.select().count() == 3


def test_plan_and_completed_columns_are_never_offered_as_the_total(ledger, db_url, run_cli, tmp_path):
    header = ["序号", "项目名称", "总投资（万元）", "2020年计划投资（万元）", "1-5月完成投资（万元）", "签约时间"]
    rows = [
        header,
        ["1", "徐水区智能装备产业园项目", 50000, 20000, 8000, "2020.3.10"],
        ["2", "徐水区新材料项目", "3.2亿元", "8000", 0, "2020.4.10"],
        [None, "合  计", 82000, 28000, 8000],
    ]
    code, report, err = run_import(run_cli, db_url, sheet(tmp_path / "徐水.xlsx", rows))
    assert code == 0, err
    assert report["columns"]["amount"] == "总投资（万元）"
    # the title's year (安新县2020年…): each is imported as what it is, the plan for 2020 and May's completion
    assert report["unused_columns"] == []
    assert [(p["row"], p["year"], p["amount"]) for p in report["plans_set"]] == [
        (3, 2020, "200000000.00CNY"),
        (4, 2020, "80000000.00CNY"),
    ]
    assert [(i["row"], i["month"], i["amount"]) for i in report["investments_set"]] == [
        (3, "2020-05", "80000000.00CNY")
    ]
    notices = "\n".join(report["notices"])
    assert "2020年计划投资（万元）" in notices and "crm plan" not in notices
    assert "1-5月完成投资（万元）" in notices and "crm invest" not in notices
    assert "也对应" not in notices and "also names" not in notices
    code, out, err = run_cli("--db", db_url, "import", tmp_path / "徐水.xlsx", "--dry-run")
    assert "=总投资" not in out and "=amount" not in out
    open_database(db_url)
    assert {d.name: d.amount for d in Deal.select()} == {
        "徐水区智能装备产业园项目": 5 * YI,
        "徐水区新材料项目": Decimal("3.2") * YI,
    }


# ---- 5. other sheets ------------------------------------------------------------------------------------------


def test_other_sheets_with_a_deal_table_are_named(ledger, db_url, run_cli, tmp_path):
    header = ["序号", "项目名称", "总投资（亿元）", "签约时间", "进展情况"]
    wb = Workbook()
    wb.active.title = "填表说明"
    wb.active["A1"] = "填表说明：1、项目名称填写全称；2、总投资单位为亿元；3、进展情况请简要填写。"
    for title, row in (
        ("签约项目", [1, "唐县甲项目", 5, "2020.3.1", "已签约"]),
        ("在谈项目", [1, "唐县乙项目", 3, None, "洽谈中"]),
    ):
        ws = wb.create_sheet(title)
        ws.append(header)
        ws.append(row)
    wb.save(tmp_path / "唐县.xlsx")
    code, report, err = run_import(run_cli, db_url, tmp_path / "唐县.xlsx")
    assert code == 0, err
    assert report["sheet"] == "签约项目" and [c["name"] for c in report["created"]] == ["唐县甲项目"]
    assert any("在谈项目" in n and "--sheet" in n for n in report["notices"]), report["notices"]
    assert not any("填表说明" in n for n in report["notices"])
    code, report, err = run_import(run_cli, db_url, tmp_path / "唐县.xlsx", "--sheet", "在谈项目")
    assert code == 0, err
    assert [c["name"] for c in report["created"]] == ["唐县乙项目"]
    assert not any("--sheet" in n for n in report["notices"])
    open_database(db_url)
    assert {d.name: d.stage for d in Deal.select()} == {"唐县甲项目": "signed", "唐县乙项目": "negotiating"}


# ---- 6, 7. files that cannot be read as they are -------------------------------------------------------------


def test_formulas_without_computed_values_are_said_in_one_line(ledger, db_url, run_cli, tmp_path, read_as):
    rows = [
        ["序号", "项目名称", "总投资（亿元）", "签约时间", "进展情况"],
        [1, "雄县甲项目", 5, "2020.3.1", "已签约"],
        [2, "雄县乙项目", "=12000/10000", "2020.3.2", "已开工"],
        [3, '="雄县"&"丙项目"', 3, "2020.3.3", "已签约"],
        ["合计", None, "=SUM(C3:C5)"],
    ]
    code, out, err = run_cli("--db", db_url, "import", sheet(tmp_path / "雄县.xlsx", rows, title="雄县招商项目表"))
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "公式" in lines[0] and "C4" in lines[0] and "Excel" in lines[0] and "LibreOffice" in lines[0]
    assert "项目名称" not in lines[0] and "总投资" not in lines[0]
    open_database(db_url)
    assert Deal.select().count() == 0


def test_a_sheet_whose_formulas_were_computed_imports(ledger, db_url, run_cli, tmp_path):
    """A formula whose value the file holds (as Excel, WPS and LibreOffice save it) reads as that value."""
    path = sheet(tmp_path / "雄县.xlsx", [["序号", "项目名称", "总投资（亿元）"], [1, "雄县甲项目", "=2+3"]])
    import re
    import zipfile

    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet_xml = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = re.sub(rb"<v\s*/>|<v></v>", b"<v>5</v>", sheet_xml)
    with zipfile.ZipFile(path, "w") as z:
        for n, data in parts.items():
            z.writestr(n, data)
    code, report, err = run_import(run_cli, db_url, path)
    assert code == 0, err
    open_database(db_url)
    assert Deal.get(Deal.name == "雄县甲项目").amount == 5 * YI


@pytest.mark.parametrize("content", [b"garbage.\n", b"PK\x03\x04garbage"])
def test_a_broken_xlsx_is_refused_in_one_chinese_line(ledger, db_url, run_cli, tmp_path, content):
    path = tmp_path / "坏.xlsx"
    path.write_bytes(content)
    code, out, err = run_cli("--db", db_url, "import", path)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1, err
    assert "坏.xlsx" in lines[0] and "xlsx" in lines[0]
    assert not any(word in lines[0] for word in ("File is not a zip file", "zip file", "Error", "ZIP"))


def test_summary_lines_below_the_total_are_not_deals(ledger, db_url, run_cli, tmp_path, read_as):
    """Lines summing up the table below its 合计 (其中… then the other kinds, unnumbered) are notes, named."""
    rows = [
        ANXIN_HEADER,
        *ANXIN_ROWS,
        ["合计", None, 18, 3],
        [None, "其中：先进制造", 10],
        [None, "新材料", 8],
        ["注：数据截至6月30日"],
    ]
    code, report, err = run_import(run_cli, db_url, sheet(tmp_path / "安新.xlsx", rows))
    assert code == 0, err
    assert [c["name"] for c in report["created"]] == ["安新县甲项目", "安新县乙项目", "安新县丙项目"]
    assert [s["row"] for s in report["skipped"] if s["reason"] == "after_totals"] == [7, 8, 9]
    assert any("新材料" in n and "序号" in n for n in report["notices"]), report["notices"]
    open_database(db_url)
    assert Deal.select().count() == 3


def test_our_weekly_csv_goes_back_in_without_a_totals_warning(run_cli, tmp_path):
    """The weekly csv rounds each deal's 折合人民币 to the fen of 亿元 as it rounds the 合计: the rows' roundings add
    up to more than half a unit of the total, and are no mistake of the sheet's (--strict refused it into a new
    ledger, where 折合人民币 is the column's only sum)."""
    demo, fresh, path = tmp_path / "demo.sqlite3", tmp_path / "new.sqlite3", tmp_path / "周报.csv"
    for args in (("--db", demo, "init"), ("--db", demo, "demo"), ("--db", fresh, "init")):
        assert run_cli(*args)[0] == 0
    code, _out, err = run_cli("--db", demo, "export", "weekly", "--week", "2020-W38", "--format", "csv", "-o", path)
    assert code == 0, err
    code, report, err = run_import(run_cli, fresh, path, "--dry-run", "--strict")
    assert code == 0, err
    assert report["totals_checked"] and not [w for w in report["warnings"] if w["code"] == "totals_mismatch"]
