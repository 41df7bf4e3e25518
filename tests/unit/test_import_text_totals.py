"""A county sheet's 合计 row whose =SUM adds amounts written as text (5亿元): a spreadsheet leaves text out of SUM,
so the office suite saved 0. The preview says so once, with what the rows add up to in 亿元, instead of a bare
number of yuan beside a "checked" total of 0 (crm.importing.totals)."""

from __future__ import annotations

import datetime

import xlsxwriter

from crm.importing.plan import read_plan

TODAY = datetime.date(2025, 12, 1)


def _sheet(path, amounts: list, header: str = "总投资") -> str:
    """A 定兴县-style sheet: merged title, header, a row per amount, then 合计 =SUM(...) cached as an office suite
    computed it (text cells count 0)."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("定兴县")
    ws.merge_range("A1:D1", "定兴县2025年签约项目推进情况表")
    ws.write_row(1, 0, ["序号", "项目名称", header, "签约时间"])
    for i, amount in enumerate(amounts, start=1):
        ws.write_row(1 + i, 0, [i, f"定兴{i}号项目", amount, "2025年3月1日"])
    last = 2 + len(amounts)
    cached = sum(a for a in amounts if isinstance(a, (int, float)))
    ws.write(last, 0, "合计")
    ws.write_formula(last, 2, f"=SUM(C3:C{last})", None, cached)
    wb.close()
    return str(path)


def _read(path) -> tuple[list[str], list, list]:
    read = read_plan(path, today=TODAY)  # in Chinese: tests/conftest.py sets it for every test
    return [str(n) for n in read.notices], read.totals_checked, read.warnings


def test_a_zero_total_over_text_amounts_is_one_line_in_yi_yuan(tmp_path):
    path = _sheet(tmp_path / "定兴.xlsx", ["5亿元", "3.2亿元", "11亿元", "1.8亿美元"])
    notices, checked, warnings = _read(path)
    about = [n for n in notices if "合计行" in n]
    assert about == [
        "合计行 7（“总投资 (C)”）为 0：该列的金额是文字，表格的 SUM 不计文字；各行相加为 19.2亿元、1.8亿美元"
    ]
    assert checked == [] and warnings == []


def test_a_total_of_the_number_cells_names_the_whole_column_as_money(tmp_path):
    path = _sheet(tmp_path / "定兴.xlsx", [30000, "2亿元", 8000], header="总投资（万元）")
    notices, checked, warnings = _read(path)
    assert "合计行 6（“总投资（万元） (C)”）只合计了数字单元格；该列币种的所有行相加为 5.8亿元" in notices
    assert [(row, total, summed) for row, _label, total, summed in checked] == [(6, "38000", "38000")]
    assert warnings == []


def test_a_zero_total_over_number_cells_is_still_checked(tmp_path):
    path = _sheet(tmp_path / "定兴.xlsx", [0, 0], header="总投资（万元）")
    notices, checked, _warnings = _read(path)
    assert not [n for n in notices if "合计行" in n]
    assert [(row, total) for row, _label, total, _sum in checked] == [(5, "0")]
