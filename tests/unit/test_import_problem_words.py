"""The 存在问题 column as county offices write it (crm/importing/problems.py):

- a unit's name in parentheses at a problem's end (环评审批（县生态环境分局）) is the department that must solve it,
  taken out of the text; parentheses saying anything else (（已上报市政府）, （第二次）, （约50亩）) stay part of it;
- a deadline in words (11月底前解决, 12月15日前完成, 年底前, 2025年12月底前), in the details or as the problem's last
  clause (用地指标不足，需12月底前解决), is the problem's 办结时限, in the year of the sheet's day, and the clause is
  taken out of the text (the day is shown beside it); a deadline inside a clause saying more stays in the text.

The import test checks what a county sheet's blockers become, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime
import json

import pytest
import xlsxwriter

from crm.importing.cells import CellError
from crm.importing.problems import parse_problems_cell
from db.connection import open_database
from db.models import Blocker, Deal
from tests.unit.test_import_columns import _same

D = datetime.date
SHEET_DAY = D(2025, 11, 5)

# (cell, [(text, department, due)]) read on a sheet of 2025-11-05
CELLS = [
    # our weekly export's details, as before
    (
        "施工许可证并联审批材料不全【责任单位：保定市行政审批局；提出：2019-10-01；时限：2019-10-21；已逾期】",
        [("施工许可证并联审批材料不全", "保定市行政审批局", D(2019, 10, 21))],
    ),
    ("环评审批（县生态环境分局）", [("环评审批", "县生态环境分局", None)]),
    ("环评审批(县生态环境分局)", [("环评审批", "县生态环境分局", None)]),
    ("土地报批（县自然资源和规划局、县林业局）", [("土地报批", "县自然资源和规划局、县林业局", None)]),
    ("道路接入（西陵镇人民政府）", [("道路接入", "西陵镇人民政府", None)]),
    ("企业入驻（易县经济开发区管委会）", [("企业入驻", "易县经济开发区管委会", None)]),
    ("用地（高村镇）", [("用地", "高村镇", None)]),
    # a deadline in the details: the department is no longer "国网易县供电公司，11月底前解决"
    (
        "施工用电需协调（责任单位：国网易县供电公司，11月底前解决）",
        [("施工用电需协调", "国网易县供电公司", D(2025, 11, 30))],
    ),
    ("线路迁改（县供电公司，12月15日前完成）", [("线路迁改", "县供电公司", D(2025, 12, 15))]),
    ("线路迁改【县供电公司；11月中旬前】", [("线路迁改", "县供电公司", D(2025, 11, 20))]),
    ("手续办理【责任单位：县行政审批局；时限：11月底前】", [("手续办理", "县行政审批局", D(2025, 11, 30))]),
    # a deadline as the last clause
    ("用地指标不足，需12月底前解决", [("用地指标不足", None, D(2025, 12, 31))]),
    ("电力增容，12月15日前完成。", [("电力增容", None, D(2025, 12, 15))]),
    ("资金未到位，年底前解决", [("资金未到位", None, D(2025, 12, 31))]),
    ("规划调整；2026年3月底前", [("规划调整", None, D(2026, 3, 31))]),
    ("道路施工，本月底前办结", [("道路施工", None, D(2025, 11, 30))]),
    ("融资困难，力争年内解决", [("融资困难", None, D(2025, 12, 31))]),
    ("报批材料，十二月底前完成", [("报批材料", None, D(2025, 12, 31))]),
    ("用地指标不足（县自然资源局），需12月底前解决", [("用地指标不足", "县自然资源局", D(2025, 12, 31))]),
    ("用地指标不足，需12月底前解决（县自然资源局）", [("用地指标不足", "县自然资源局", D(2025, 12, 31))]),
    # no year: ahead of the sheet (5 November), unless it passed at most PASSED_AT_MOST days before (then overdue)
    ("环评（县环保局，1月底前解决）", [("环评", "县环保局", D(2026, 1, 31))]),
    ("手续【时限：1月20日】", [("手续", None, D(2026, 1, 20))]),
    ("用地，需2月底前解决", [("用地", None, D(2026, 2, 28))]),
    ("用地，需10月底前解决", [("用地", None, D(2025, 10, 31))]),
    ("用地，2025年1月底前解决", [("用地", None, D(2025, 1, 31))]),
    # numbered problems, each with its own
    (
        "1.用地（约50亩）；2.电力增容（县供电公司），12月15日前完成",
        [("用地（约50亩）", None, None), ("电力增容", "县供电公司", D(2025, 12, 15))],
    ),
]

# parentheses and clauses that say something else: kept whole, nothing taken
KEPT = [
    "土地手续（已上报市政府）",
    "征地拆迁（第二次）",
    "用地（约50亩）",
    "搬迁安置（需召开协调会）",
    "召开会议（县政府常务会）",
    "手续办理（全部）",
    "环评（报县政府）",
    "问题，需11月底前完成土地组卷报批",  # the deadline of a step the text names: the text says it
    "原定10月底前完成，现已延期",
    "（县发改局）",  # a name alone is the problem's whole text
    "环评（县发改局，正在协调）",  # a name and words: the words would be lost
]


@pytest.mark.parametrize(("cell", "expected"), CELLS)
def test_a_unit_in_parentheses_and_a_deadline_in_words_are_read(cell, expected):
    items = parse_problems_cell(cell, today=SHEET_DAY)
    assert [(i.text, i.department, i.due) for i in items] == expected


@pytest.mark.parametrize("cell", KEPT)
def test_parentheses_that_name_no_unit_stay_part_of_the_text(cell):
    items = parse_problems_cell(cell, today=SHEET_DAY)
    assert [(i.text, i.department, i.due) for i in items] == [(cell, None, None)]


def test_a_second_unit_in_parentheses_stays_in_the_text():
    """Only the last parentheses give the department; one named before them is part of the problem's words."""
    (item,) = parse_problems_cell("环评审批（县生态环境分局）（县发改局）", today=SHEET_DAY)
    assert (item.text, item.department) == ("环评审批（县生态环境分局）", "县发改局")


def test_a_deadline_that_is_no_day_is_refused_in_words():
    with pytest.raises(CellError, match="2月30日"):
        parse_problems_cell("用地，2月30日前解决", today=SHEET_DAY)


def county_sheet(path, rows):
    """A county's sheet as offices make it with xlsxwriter: title, note row with the 填报时间, header row 3, the
    rows, a 合计 row."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("10月")
    ws.write_row(0, 0, ["易县2025年重点招商引资项目推进情况统计表"])
    ws.write_row(1, 0, ["填报单位（盖章）：易县商务局　　　填报时间：二〇二五年十一月五日　　　单位：万元"])
    headers = ["序号", "项目名称", "总投资", "签约时间", "项目进展情况", "存在问题及需协调事项", "责任单位"]
    ws.write_row(2, 0, headers)
    for n, (name, amount, blockers, lead) in enumerate(rows, start=1):
        ws.write_row(2 + n, 0, [n, name, amount, "2025.3.18", "已签约", blockers, lead])
    ws.write_row(3 + len(rows), 0, ["合计", None, f"=SUM(C4:C{3 + len(rows)})"])
    wb.close()
    return path


ROWS = [
    ("易县高端装备制造产业园项目", 30000, "施工用电需协调（责任单位：国网易县供电公司，11月底前解决）", "县发改局"),
    ("冷链物流中心项目", 5000, "环评审批（县生态环境分局）", "县商务局"),
    ("清西陵文旅康养综合体", 15000, "用地指标不足，需12月底前解决", "县自然资源和规划局"),
    ("太行山石材精深加工", 2300, "土地手续（已上报市政府）\n2.线路迁改（县供电公司），12月15日前完成", "县工信局"),
]


def test_a_county_sheets_blockers_get_their_departments_and_deadlines(ledger, db_url, run_cli, tmp_path):
    path = county_sheet(tmp_path / "易县.xlsx", ROWS)
    code, out, err = run_cli("--db", db_url, "import", path, "--format", "json")
    assert code == 0, err
    assert len(json.loads(out)["created"]) == len(ROWS)
    open_database(db_url)
    found = {
        (b.deal.name, b.text, b.department.name, b.due_on)
        for b in Blocker.select(Blocker, Deal).join(Deal).switch(Blocker)
    }
    assert found == {
        ("易县高端装备制造产业园项目", "施工用电需协调", "国网易县供电公司", D(2025, 11, 30)),
        ("冷链物流中心项目", "环评审批", "县生态环境分局", None),
        ("清西陵文旅康养综合体", "用地指标不足", "县自然资源和规划局", D(2025, 12, 31)),
        ("太行山石材精深加工", "土地手续（已上报市政府）", "县工信局", None),
        ("太行山石材精深加工", "线路迁改", "县供电公司", D(2025, 12, 15)),
    }
    code, shown, err = run_cli("--db", db_url, "show", Deal.get(Deal.name == "冷链物流中心项目").code)
    assert code == 0, err
    line = next(line for line in shown.splitlines() if "环评审批" in line)
    assert "县生态环境分局" in line and "县商务局" not in line, shown


def test_blockers_an_earlier_import_kept_whole_are_not_added_again(ledger, db_url, run_cli, tmp_path):
    """A ledger imported before the end of a problem was read holds 环评审批（县生态环境分局） as the blocker's text:
    importing the sheet again matches it, as it matched before, instead of adding 环评审批 beside it."""
    path = county_sheet(tmp_path / "易县.xlsx", ROWS)
    code, _out, err = run_cli("--db", db_url, "import", path)
    assert code == 0, err
    open_database(db_url)
    for blocker in Blocker.select():
        written = {"环评审批": "环评审批（县生态环境分局）", "线路迁改": "线路迁改（县供电公司），12月15日前完成"}
        if blocker.text in written:
            Blocker.update(text=written[blocker.text]).where(Blocker.id == blocker.id).execute()
    before = sorted(b.text for b in Blocker.select())
    code, out, err = run_cli("--db", db_url, "import", path, "--format", "json")
    assert code == 0, err
    assert json.loads(out)["blockers_added"] == 0
    open_database(db_url)
    assert sorted(b.text for b in Blocker.select()) == before


def test_both_read_paths_agree_on_the_problems(tmp_path):
    """Row by row and column by column, the sheet's problems are the same items."""
    read = _same(county_sheet(tmp_path / "易县.xlsx", ROWS))
    items = {r.values.get("name") or r.raw.get("name"): r.problems for r in read.rows}
    assert [(i.text, i.department) for i in items["冷链物流中心项目"]] == [("环评审批", "县生态环境分局")]
