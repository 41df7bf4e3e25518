"""Reading a sheet's rows column by column (crm/importing/columns.py) gives each row exactly what reading it cell by
cell (rows._read_row) gives: the same RowPlan field by field, and the same problems and warnings in the same order.

Sheets: the county sheets of tests/data/county_sheets, the golden test's sheet, and one made of what gets rows
refused or warned about — names missing, 无 or too long, amounts without a unit or unreadable, unknown
currencies, bad dates, unknown approval kinds, problems without a department, stage cells without a stage word —
mixed with good rows and with cells that compare equal but read differently (1, 1.0, True).
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from crm.importing import plan
from crm.importing.rows import _read_row, _Sheet
from crm.importing.workbook import read_grids
from tests.ledger.test_import_golden import county_sheet

SHEETS = Path(__file__).resolve().parents[1] / "data" / "county_sheets"


def awkward_sheet(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(["单位：万元"])
    ws.append(
        ["序号", "项目名称", "币种", "总投资", "签约时间", "审批类型", "项目进展", "存在问题", "牵头单位", "备注"]
    )
    rows = [
        [1, "好项目一", "人民币", "1.5亿元", "2020-05-18", "备案", "已开工", None, "甲局", None],
        [2, None, None, "3亿元", None, None, None, None, None, None],  # an amount without a name
        [3, "无", None, 500, None, None, None, None, None, None],  # 无 is no name
        [4, "名" * 300, None, 500, None, None, None, None, None, None],  # too long
        [5, "好项目二", "卢布", 500, None, None, None, None, None, None],  # unknown currency
        [6, "好项目三", None, "很多钱", None, None, None, None, None, None],  # unreadable amount
        [7, "好项目四", None, 500, "2020年13月40日", None, None, None, None, None],  # no such day
        [8, "好项目五", None, 500, None, "批准", None, None, None, None],  # unknown approval kind
        [9, "好项目六", None, 500, None, None, "项目推进中", None, None, None],  # no stage word: a warning
        [10, "好项目七", None, 1, True, None, None, "资金不足", None, "备" * 20000],  # too long a note
        [11, "好项目八", None, 1.0, 1, None, None, None, "乙局", "备注"],
        [12, "好项目九", None, True, 1.0, None, "签约", "用地难\n2.环评难", "乙局", None],
        [13, "好项目十", "美元", "1.5亿元", "2020-05-18", "备案", "已开工", None, "甲局", None],
    ]
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def _fields(row) -> dict:
    out = {name: getattr(row, name) for name in row.__slots__ if name not in ("raw", "problems", "warnings")}
    out["raw"] = dict(row.raw.items()) if row.raw else {}
    out["problems"] = [vars(item) for item in row.problems]
    out["warnings"] = [vars(w) for w in row.warnings or []]
    return out


def _one_by_one(scan_rows: list, sheet, reference) -> tuple[list, list]:
    problems, out = [], []
    for number, values in scan_rows:
        row = _read_row(sheet, number, values, problems, reference)
        if row is not None:
            out.append(row)
    return out, problems


@pytest.mark.parametrize(
    "name",
    ["county_weekly.xlsx", "chinese_numerals.xlsx", "departments_1_to_14.xlsx", "usd_total.xlsx", "gbk.csv", "golden"],
)
def test_each_row_reads_as_cell_by_cell(tmp_path, name):
    if name == "golden":
        path = county_sheet(tmp_path / "county.xlsx")
    else:
        path = SHEETS / name
    _same(path)


def test_refused_and_warned_rows_read_as_cell_by_cell(tmp_path):
    got = _same(awkward_sheet(tmp_path / "awkward.xlsx"))
    # Sheet rows: the header is row 2, so the first data row is row 3; each problem in reader order within its row.
    assert [(p.row, p.code) for p in got.problems] == [
        (4, "missing_name"),
        (5, "missing_name"),
        (6, "text"),
        (7, "currency"),
        (8, "amount"),
        (9, "date"),
        (10, "approval"),
        (12, "text"),
        (12, "date"),
        (13, "date"),
        (14, "amount"),
        (14, "date"),
        (15, "currency"),
    ]
    assert [(w.row, w.code) for w in got.warnings] == [(11, "stage_words")]
    assert [r.row for r in got.rows if r.values] == [3, 11]


def _same(path: Path):
    """Read `path` both ways; assert they agree, and return the plan."""
    read = plan.read_plan(path, today=datetime.date(2021, 6, 30))
    seen = {r.row for r in read.rows} | {p.row for p in read.problems}
    grid = next(g for g in read_grids(path) if g.sheet == read.sheet)
    sheet = _Sheet(grid, read.header)
    grid_rows = [(n, v) for n, v in grid.rows if n in seen]
    reference = datetime.date(sheet.year, 12, 31) if sheet.year else datetime.date(2021, 6, 30)
    rows, problems = _one_by_one(grid_rows, sheet, reference)
    assert [_fields(r) for r in read.rows] == [_fields(r) for r in rows]
    mine = [vars(p) for p in read.problems if p.code != "duplicate"]
    assert mine == [vars(p) for p in problems]
    said = ("stage_words", "part_of_month")  # what a row says of its cells, whichever path read it
    assert sorted((w.row, w.code, w.value) for w in read.warnings if w.code in said) == sorted(
        (w.row, w.code, w.value) for r in rows for w in r.warnings or []
    )
    return read


@pytest.mark.parametrize("broken", [False, True])
def test_a_header_printed_again_is_left_out_and_its_rows_read(tmp_path, broken):
    """A ledger pasted page by page repeats its header; a line break in one of its cells (Alt+Enter) still reads
    as the label, and a data row holding a few label-like words stays a data row."""
    wb = Workbook()
    ws = wb.active
    header = ["序号", "项目名称", "所在地", "总投资（万元）", "签约时间", "项目进展", "备注"]
    ws.append(header)
    ws.append([1, "甲项目", "涿州市", 500, "2020-05-18", "签约", None])
    ws.append([2, "乙项目", "所在地", 600, "2020-05-19", "在谈", "备注"])  # two label words: data
    again = list(header)
    if broken:
        again[1] = "项目\n名称"
    ws.append(again)
    ws.append([3, "丙项目", "定兴县", 700, "2020-05-20", "签约", None])
    path = tmp_path / "pages.xlsx"
    wb.save(path)
    read = _same(path)
    assert read.skipped == [(4, "header_repeated")]
    assert [r.values["name"] for r in read.rows] == ["甲项目", "乙项目", "丙项目"]
