"""Which period a 完成投资 header names, and which year a 计划投资 header's plan is for, as `crm import` reads them
(crm.importing.investment_columns): what each column is imported as, or the notice saying why it is not."""

import datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook

from crm.importing.plan import read_plan

TITLE = "易县2025年重点招商引资项目推进情况统计表"


def _sheet(path, header: str, title=TITLE, note="数据截至2025年10月31日　单位：万元", cell="1200"):
    wb = Workbook()
    ws = wb.active
    ws.append([title])
    ws.append([note])
    ws.append(["序号", "项目名称", "总投资", header, "签约时间"])
    ws.append([1, "冷链物流中心项目", 9000, cell, "2025-08-08"])
    wb.save(path)
    return path


def _read(tmp_path, header: str, **sheet):
    plan = read_plan(_sheet(tmp_path / "易县.xlsx", header, **sheet), today=datetime.date(2025, 11, 20))
    columns = plan.invest.columns if plan.invest is not None else []
    said = [n for n in plan.notices if header in n]
    return columns, said, plan


@pytest.mark.parametrize(
    ("header", "first", "month"),
    [
        ("1-10月完成投资（万元）", 1, 10),
        ("1—10月完成投资", 1, 10),
        ("1至10月完成投资", 1, 10),
        ("1~10月完成投资", 1, 10),
        ("1～10月完成投资", 1, 10),
        ("2025年1-10月累计完成投资", 1, 10),
        ("截至10月底完成投资", 1, 10),
        ("截至10月底累计完成投资", 1, 10),
        ("本年累计完成投资", 1, 10),
        ("今年累计完成投资", 1, 10),
        ("年度累计完成投资", 1, 10),
        ("10月完成投资", 10, 10),
        ("10月份完成投资", 10, 10),
        ("本月完成投资", 10, 10),
        ("当月完成投资", 10, 10),
        ("一至十月完成投资", 1, 10),
    ],
)
def test_a_completed_investment_header_names_its_months(tmp_path, header, first, month):
    columns, said, plan = _read(tmp_path, header)
    assert [(c.kind, c.year, c.first, c.month) for c in columns] == [("done", 2025, first, month)], plan.notices
    assert len(said) == 1 and "crm invest" not in said[0]
    assert plan.rows[0].invested[0][1].amount == Decimal(12_000_000)  # 1200 in the note's 万元


@pytest.mark.parametrize(
    ("header", "title", "year"),
    [("年度计划投资", TITLE, 2025), ("2026年计划投资（亿元）", TITLE, 2026), ("年度计划投资", "易县项目推进表", 2025)],
)
def test_a_plan_is_for_the_year_its_header_names_else_the_sheets(tmp_path, header, title, year):
    """The sheet's year: its title's, else the year of the day it states (数据截至2025年10月31日)."""
    columns, said, plan = _read(tmp_path, header, title=title)
    assert [(c.kind, c.year) for c in columns] == [("plan", year)]
    unit = Decimal(10**8) if "亿元" in header else Decimal(10**4)
    assert plan.rows[0].invested[0][1].amount == 1200 * unit


@pytest.mark.parametrize(
    ("header", "note", "words"),
    [
        ("累计完成投资", "单位：万元", "累计完成投资"),  # since the project began: which months, unknown
        ("完成投资", "单位：万元", "1-10月"),  # no period at all
        ("1-10月完成投资", "单位：万元", "names no year"),  # neither the header nor the sheet names a year
        ("本年累计完成投资", "单位：万元", "截至/填报"),  # no day stated: its month unknown
        ("年度计划投资", "单位：万元", "crm plan"),
    ],
)
def test_a_column_whose_period_cannot_be_known_is_left_with_a_notice(tmp_path, header, note, words, english):
    columns, said, plan = _read(tmp_path, header, title="易县项目推进表", note=note)
    assert columns == [] and plan.rows[0].invested is None
    assert len(said) == 1 and words in said[0] and ("crm invest" in said[0] or "crm plan" in said[0]), said
    assert header in plan.header.ignored  # still listed as a column not used


def test_an_unreadable_cell_is_a_warning_and_the_row_goes_in(tmp_path):
    columns, said, plan = _read(tmp_path, "1-10月完成投资", cell="待统计")
    assert plan.problems == [] and plan.rows[0].values and plan.rows[0].invested is None
    assert [w.code for w in plan.warnings if w.column == "1-10月完成投资 (D)"] == ["amount"]
