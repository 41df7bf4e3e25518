"""Single cells of a county ledger read the way a 招商 officer means them (crm/importing/cells.py, crm/values):

- an amount that carries its own magnitude word (1亿2000万, 壹亿贰仟万, 八十亿) is that amount whatever the unit
  the column's header declares (投资额（万元）, 总投资（亿元）);
- progress text sets a stage only by words that say it: getting ready to build (施工图审查通过, 正在办理施工许可证,
  具备开工条件) is not construction, and a negation (未/尚未/没有/否/不) or a question names no stage;
- a date typed as a number (2020.5: what Excel keeps of "2020.5", and of "2020.10" as 2020.1) is read as the
  month it says when it can only be one, and refused in words an officer understands when not.

Both read paths (row by row, rows._read_row, and column by column, crm.importing.columns) are checked to agree on a
sheet made of these cells.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook

from crm.importing.cells import (
    CellError,
    names_part_of_a_month,
    parse_amount_cell,
    parse_date_cell,
    parse_month_or_date_cell,
    parse_stage_cell,
    read_progress_cell,
)
from crm.values.money import parse_amount
from tests.unit.test_import_columns import _same

D = datetime.date
WAN = (Decimal(10) ** 4, "CNY")
YI = (Decimal(10) ** 8, "CNY")
WAN_USD = (Decimal(10) ** 4, "USD")

# ---- amounts -----------------------------------------------------------------------------------------------------

# (cell, yuan): a cell naming its own magnitude is that many yuan in any column.
SELF_SCALED = [
    ("1亿2000万", "120000000"),
    ("壹亿贰仟万", "120000000"),
    ("一亿二千万", "120000000"),
    ("2亿3千万", "230000000"),
    ("1亿零500万", "105000000"),
    ("1亿2千万元", "120000000"),
    ("八十亿", "8000000000"),
    ("两亿", "200000000"),
    ("五千万", "50000000"),
    ("一千二百万", "12000000"),
    ("1千2百万", "12000000"),
    ("3千万", "30000000"),
    ("1.2亿", "120000000"),
    ("一点八亿", "180000000"),
    ("人民币壹亿捌仟万元整", "180000000"),
    ("1亿2000万元", "120000000"),
    ("12亿5千万", "1250000000"),
]


@pytest.mark.parametrize("unit", [WAN, YI], ids=["万元", "亿元"])
@pytest.mark.parametrize(("cell", "yuan"), SELF_SCALED)
def test_an_amount_with_its_own_magnitude_ignores_the_columns_unit(cell, yuan, unit):
    money = parse_amount_cell(cell, None, unit, None, None)
    assert (money.amount, money.currency, money.approximate) == (Decimal(yuan), "CNY", False)


@pytest.mark.parametrize(("cell", "yuan"), SELF_SCALED)
def test_parse_amount_reads_a_magnitude_word_whatever_the_default_unit(cell, yuan):
    for multiplier in (1, Decimal(10) ** 4, Decimal(10) ** 8):
        assert parse_amount(cell, default_multiplier=multiplier).amount == Decimal(yuan)


@pytest.mark.parametrize(
    ("cell", "unit", "yuan"),
    [
        (8000, WAN, "80000000"),  # a number: the header's unit
        ("8000", WAN, "80000000"),
        ("三千", WAN, "30000000"),  # Chinese numerals without 万/亿: still a number of the column's unit
        ("1.2", YI, "120000000"),
        ("一点二", YI, "120000000"),
        ("约1亿2000万", WAN, "120000000"),
    ],
)
def test_a_number_without_a_magnitude_word_takes_the_columns_unit(cell, unit, yuan):
    assert parse_amount_cell(cell, None, unit, None, None).amount == Decimal(yuan)


def test_a_self_scaled_amount_keeps_the_columns_currency():
    money = parse_amount_cell("1亿2000万", None, WAN_USD, None, None)
    assert (money.amount, money.currency) == (Decimal("120000000.00"), "USD")


@pytest.mark.parametrize(
    ("number_format", "yuan", "currency", "approximate"),
    [
        ('0"以上"', "500000000", "CNY", True),  # says the number is a bound, not its unit: the header's 亿元, about
        ('0"上下"', "500000000", "CNY", True),
        ('0"左右"', "500000000", "CNY", True),
        ('0"约"', "500000000", "CNY", True),
        ("0.00", "500000000", "CNY", False),
        ('0.00"亿美元以上"', "500000000", "USD", True),  # a unit of its own, and about it
        ('0"万元"', "50000", "CNY", False),
    ],
)
def test_a_number_format_says_its_unit_only_when_it_names_one(number_format, yuan, currency, approximate):
    """A cell showing 5 as 5以上 in a 总投资（亿元） column is about 5亿元, not 5 yuan; shown as 5亿美元以上 it is about
    5亿美元."""
    money = parse_amount_cell(5, number_format, YI, None, None)
    assert (money.amount, money.currency, money.approximate) == (Decimal(yuan), currency, approximate)


# ---- progress words ----------------------------------------------------------------------------------------------

# (text, the stage it names or None): what officers write in 进展情况 / 项目进度.
PROGRESS = [
    # getting ready to build: not construction, and no stage of its own
    ("施工图审查通过", None),
    ("施工图设计中", None),
    ("正在办理施工许可证", None),
    ("已取得施工许可证，待开工", None),
    ("正在进行施工招标", None),
    ("开工准备", None),
    ("做好开工前各项准备", None),
    ("完成基础设计", None),
    ("正在编制施工方案", None),
    ("正在确定施工单位", None),
    ("已签订施工合同", None),
    ("待开工", None),
    ("拟开工", None),
    ("未开工", None),
    ("尚未开工", None),
    ("项目尚未开工建设", None),
    ("计划开工", None),
    ("计划7月开工", None),
    ("计划于2020年7月开工", None),
    ("预计2020年10月底前开工建设", None),
    ("拟于年底开工", None),
    ("准备开工", None),
    ("力争6月底前开工", None),
    ("确保年内开工", None),
    ("尽快开工", None),
    ("即将开工", None),
    ("具备开工条件", None),
    # negations and questions name no stage
    ("项目取消了吗？否，正常推进", None),
    ("是否终止待定", None),
    ("开工了吗？", None),
    ("没有停工", None),
    ("未取消", None),
    ("项目暂未投产", None),
    ("不开工", None),
    # what a project will bring once built, and other words that only look like stage words
    ("项目建成后年产值10亿元", None),
    ("投产后可实现税收5000万元", None),
    ("已确定投资主体", None),
    ("双方有良好合作基础", None),
    ("领导高度重视，多次调度", None),
    ("项目推进中", None),
    # preparing, with words of an earlier stage: that stage
    ("已完成土地平整，具备开工条件", "signed"),
    ("已完成土地摘牌，正在办理施工许可", "signed"),
    ("正在办理施工许可手续", "signed"),
    ("正在办理开工手续", "signed"),
    ("正在办理前期手续", "signed"),
    ("已签约，正在编制可研报告", "signed"),
    ("项目已立项，正在办理环评", "signed"),
    ("规划方案已通过专家评审", "signed"),
    ("运营公司已注册", "registered"),
    ("已完成工商注册", "registered"),
    ("洽谈对接中", "negotiating"),
    # building: construction
    ("已开工", "construction"),
    ("开工建设", "construction"),
    ("已开工建设，主体施工中", "construction"),
    ("主体施工中", "construction"),
    ("厂房主体施工", "construction"),
    ("正在施工", "construction"),
    ("正在建设", "construction"),
    ("在建", "construction"),
    ("主体封顶", "construction"),
    ("设备安装调试", "construction"),
    ("钢结构安装中", "construction"),
    ("正在进行基础施工", "construction"),
    ("已完成基础，正在主体施工", "construction"),
    ("按计划施工", "construction"),
    ("二期扩建重新开工", "construction"),
    ("已开工，正在补办施工许可证", "construction"),
    ("施工图审查通过，已开工建设", "construction"),
    ("未停工，主体施工中", "construction"),
    ("尚未完成竣工验收，但已开工", "construction"),
    # and the rest of the line
    ("已竣工投产", "operating"),
    ("已建成投产", "operating"),
    ("已投入运营", "operating"),
    ("因资金问题暂缓推进", "stalled"),
    ("因用地问题停滞", "stalled"),
    ("项目已终止", "terminated"),
    ("企业取消投资计划", "terminated"),
    ("项目是否终止？是，已终止", "terminated"),
]


@pytest.mark.parametrize(("text", "stage"), PROGRESS)
def test_progress_text_names_the_stage_an_officer_means(text, stage):
    got, kept = read_progress_cell(text)
    assert got == stage
    assert kept in (None, text)  # the text is kept as written (a stage's name alone gives none)


def test_a_stage_cell_still_reads_a_stage_at_the_start_of_a_remark():
    assert parse_stage_cell("已开工,主体施工中") == "construction"
    assert parse_stage_cell("洽谈中") == "negotiating"
    with pytest.raises(CellError):
        parse_stage_cell("施工图审查通过")


# ---- dates typed as numbers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "month"),
    [(2020.5, D(2020, 5, 1)), (2020.05, D(2020, 5, 1)), (2020.12, D(2020, 12, 1)), (2019.11, D(2019, 11, 1))],
)
def test_a_number_that_is_a_year_and_month_is_that_month(number, month):
    assert parse_month_or_date_cell(number) == (month, True)


def test_a_year_and_month_typed_as_text_is_still_that_month():
    assert parse_month_or_date_cell("2020.10") == (D(2020, 10, 1), True)
    assert parse_month_or_date_cell("2020.5") == (D(2020, 5, 1), True)


@pytest.mark.parametrize("number", [2020.1, 1990.1])
def test_a_number_that_may_be_january_or_october_is_refused_in_plain_words(number):
    with pytest.raises(CellError) as err:
        parse_month_or_date_cell(number)
    assert err.value.code == "date"
    message = str(err.value)
    assert f"{number}" in message and "2020-10-01" in message and "2020年10月1日" in message
    assert "43969" not in message


@pytest.mark.parametrize("number", [2020.13, 2020.123, 5.21, 100, 1850.5, 2150.5])
def test_a_number_that_is_no_date_is_refused_in_plain_words(number):
    with pytest.raises(CellError) as err:
        parse_month_or_date_cell(number)
    message = str(err.value)
    assert f"{number}" in message and "2020-10-01" in message and "43969" not in message


def test_a_full_date_cannot_be_a_month_typed_as_a_number():
    with pytest.raises(CellError) as err:
        parse_date_cell(2020.5)
    assert "2020.5" in str(err.value) and "43969" not in str(err.value)


def test_dates_excel_stores_still_read():
    assert parse_month_or_date_cell(43969) == (D(2020, 5, 18), False)
    assert parse_month_or_date_cell(20200518) == (D(2020, 5, 18), False)
    assert parse_date_cell(43969.0) == D(2020, 5, 18)


def test_a_part_of_a_month_is_the_month_as_a_month_end_is():
    """下旬, 月底, 月初 say no day: the month alone, as every month-only date is kept (the 1st, flagged month-only)."""
    for text in ("2020年5月下旬", "2020年5月上旬", "2020年5月中旬", "2020年5月底", "2020年5月"):
        assert parse_month_or_date_cell(text) == (D(2020, 5, 1), True), text


def test_a_part_of_a_year_is_its_last_month_as_a_year_end_is():
    """上半年, 下半年 and a quarter name no month: each is kept as its last month (a plan made "by" then), as 2020年底
    is its December, in Arabic and in 公文 digits alike, and the report flags each as naming part of a year."""
    cases = {
        "2020年底": 12,
        "二〇二〇年底": 12,
        "2020年上半年": 6,
        "二〇二〇年下半年": 12,
        "2020年一季度": 3,
        "2020年第二季度": 6,
        "2020年三季度末": 9,
        "二〇二〇年第四季度": 12,
        "2020年第 二 季度": 6,
    }
    for text, month in cases.items():
        assert parse_month_or_date_cell(text) == (D(2020, month, 1), True), text
        assert names_part_of_a_month(text), text
    assert not names_part_of_a_month("2020年6月")


# ---- both read paths ---------------------------------------------------------------------------------------------


def test_both_read_paths_read_these_cells_alike(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "项目名称", "投资额（万元）", "签约时间", "计划开工时间", "进展情况"])
    cells = [cell for cell, _yuan in SELF_SCALED] + [8000, "三千"]
    texts = [text for text, _stage in PROGRESS]
    months = [2020.5, 2020.12, "2020年5月下旬", "2020.10", 43969]
    for n in range(max(len(cells), len(texts))):
        ws.append(
            [n + 1, f"测试项目{n + 1:03d}", cells[n % len(cells)], "2020-05-18", months[n % len(months)], texts[n]]
            if n < len(texts)
            else [n + 1, f"测试项目{n + 1:03d}", cells[n % len(cells)], "2020-05-18", None, None]
        )
    path = tmp_path / "words.xlsx"
    wb.save(path)
    read = _same(path)
    by_name = {r.values["name"]: r for r in read.rows}
    assert len(by_name) == max(len(cells), len(texts)) and not read.problems
    for n, (cell, yuan) in enumerate(SELF_SCALED):
        assert by_name[f"测试项目{n + 1:03d}"].money.amount == Decimal(yuan), cell
    for n, (text, stage) in enumerate(PROGRESS):
        row = by_name[f"测试项目{n + 1:03d}"]
        assert row.stage == stage, text
    assert [by_name[f"测试项目{n + 1:03d}"].values["planned_start"] for n in range(5)] == [
        "2020-05",
        "2020-12",
        "2020-05",
        "2020-10",
        "2020-05-18",
    ]
    # 2020年5月下旬 is kept as its month, and the report says so (the column path hands it to the row path)
    part = [w for w in read.warnings if w.code == "part_of_month"]
    assert [w.value for w in part] and {w.value for w in part} == {"2020年5月下旬"}
    assert all("2020-05" in w.message for w in part)
