"""How a sheet's layout is read (crm.importing.headers, plan, totals): totals and breakdown labels, section rows,
sections with their own 合计, units of two-row headers, 完成投资 and 计划投资 columns; a sheet read whole and read in
slices (as a large one is) gives the same plan."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook

from crm.importing import plan as plan_module
from crm.importing import xlsx_slices
from crm.importing.headers import best_guess, label_kind, match_header, names_a_project
from crm.importing.plan import read_plan

TODAY = datetime.date(2021, 6, 30)


@pytest.mark.parametrize(
    "text, kind",
    [
        ("合计", "total"),
        ("合 计", "total"),
        ("合计（3个）", "total"),
        ("合计3个", "total"),
        ("合计：3个项目", "total"),
        ("合计三个项目", "total"),
        ("共计3个项目", "total"),
        ("全县合计", "total"),
        ("全市合计", "total"),
        ("全区合计", "total"),
        ("以上合计", "total"),
        ("本页合计", "total"),
        ("总计", "total"),
        ("总合计", "total"),
        ("累计", "total"),
        ("Total", "total"),
        ("小计", "subtotal"),
        ("以上小计", "subtotal"),
        ("小计（2个）", "subtotal"),
        ("其中：外资项目（2个）", "breakdown"),
        ("其中", "breakdown"),
        ("其中:亿元以上项目", "breakdown"),
        ("合计划建设", None),
        ("总计算中心项目", None),
        ("累计完成投资2亿元，主体施工", None),
        ("全市重点项目", None),
        ("以上项目均已开工", None),
        ("本田汽车零部件项目", None),
        ("summit project", None),
        ("涿州智能装备产业园", None),
        (None, None),
        (3, None),
    ],
)
def test_label_kinds(text, kind):
    assert label_kind(text) == kind


@pytest.mark.parametrize(
    "text, field",
    [
        ("累计完成投资（亿元）", None),
        ("实际完成投资", None),
        ("1-5月完成投资（万元）", None),
        ("2020年计划投资（万元）", None),
        ("年度计划投资", None),
        ("本年完成投资额", None),
        ("累计完成", None),
        ("计划总投资（亿元）", "amount"),
        ("总投资（万元）", "amount"),
        ("累计到位资金（万元）", "funds"),
        ("实际利用外资", "funds"),
        ("计划开工时间", "planned_start"),
    ],
)
def test_completed_and_planned_investment_name_no_field(text, field):
    got = match_header(text)
    assert (got.field if got else None) == field


@pytest.mark.parametrize(
    "text, field",
    [
        ("包联领导电话", None),
        ("包联县领导电话", None),
        ("包联领导联系电话", None),
        ("联系方式", None),
        ("项目单位联系人手机", None),
        ("包联领导及电话", "liaison"),
        ("包联领导/联系电话", "liaison"),
        ("包联领导（电话）", "liaison"),
    ],
)
def test_a_column_of_phone_numbers_is_no_leader(text, field):
    """A sheet's 包联领导电话 column beside (or instead of) 包联领导 would put phone numbers where the leader's name
    goes; a column joining the name and the number is still the leader's."""
    got = match_header(text)
    assert (got.field if got else None) == field


@pytest.mark.parametrize("text", ["2020年计划投资（万元）", "1-5月完成投资（万元）", "累计完成投资（亿元）"])
def test_completed_and_planned_investment_resemble_no_field(text):
    assert best_guess(text) is None


def _fuping(path, sections=3, per_section=7):
    """Sections 一、二、… each of `per_section` deals and its own 合计, then a 总计 and notes."""
    wb = Workbook()
    ws = wb.active
    ws.append(["阜平县招商项目表"])
    ws.append(["序号", "项目名称", "总投资（亿元）", "签约时间", "进展情况"])
    grand = 0
    for s in range(sections):
        ws.append([f"{'一二三四五六七八九'[s]}、第{s + 1}类项目"])
        total = 0
        for i in range(per_section):
            amount = s * 10 + i + 1
            total += amount
            ws.append([i + 1, f"阜平县{s + 1}-{i + 1}项目", amount, f"2020.{s + 1}.{i + 1}", "已签约"])
        ws.append(["（其中）", "其中：外资项目", 1])
        ws.append(["合计", None, total])
        ws.append([])
        grand += total
    ws.append(["总计", None, grand])
    ws.append(["注：本表数据截至6月30日"])
    wb.save(path)
    return path


def _plan(path, stream):
    read = read_plan(path, today=TODAY, stream=stream)
    early = list(read.notices)  # what run_import reports before the rows are read, then what is said late
    rows = [r for chunk in read.chunks for r in chunk] if stream else read.rows
    late = read.chunks.late_notices if stream else []
    return {
        "rows": [(r.row, r.values, r.money) for r in rows],
        "problems": [vars(p) for p in read.problems],
        "warnings": [vars(w) for w in read.warnings],
        "skipped": read.skipped,
        "notices": early + late,
        "totals": read.totals_checked,
    }


@pytest.mark.parametrize("stream", [False, True])
def test_sections_read_whole_and_in_slices_give_one_plan(tmp_path, monkeypatch, stream):
    path = _fuping(tmp_path / "阜平.xlsx")
    whole = _plan(path, stream=False)
    assert len(whole["rows"]) == 21 and not whole["problems"] and not whole["warnings"]
    assert [(t[0], t[2], t[3]) for t in whole["totals"]] == [
        (12, "28", "28"),
        (23, "98", "98"),
        (34, "168", "168"),
        (36, "294", "294"),
    ]
    assert ("after_totals" in {why for _r, why in whole["skipped"]}) and (11, "breakdown") in whole["skipped"]
    monkeypatch.setattr(xlsx_slices, "SLICE_AT", 0)
    monkeypatch.setattr(xlsx_slices, "SLICE_BYTES", 700)
    monkeypatch.setattr(plan_module, "CHUNK", 3)
    monkeypatch.setattr(plan_module, "STREAMED_CHUNK", 3)
    sliced = _plan(path, stream=stream)
    assert sliced == whole


def test_a_running_total_after_each_section_is_accepted(tmp_path):
    """A 合计 that adds every row so far (a running total) is as good as one that adds its section's."""
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "项目名称", "总投资（亿元）", "签约时间"])
    ws.append([1, "甲项目", 5, "2020.3.1"])
    ws.append(["合计", None, 5])
    ws.append([2, "乙项目", 3, "2020.3.2"])
    ws.append(["累计", None, 8])
    wb.save(tmp_path / "running.xlsx")
    read = read_plan(tmp_path / "running.xlsx", today=TODAY)
    assert [r.row for r in read.rows] == [2, 4]
    assert [(t[0], t[2], t[3]) for t in read.totals_checked] == [(3, "5", "5"), (5, "8", "8")]
    assert not read.warnings


def test_a_totals_row_at_the_top_is_checked_against_every_row(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "项目名称", "总投资（亿元）", "签约时间"])
    ws.append(["合计", None, 8])
    ws.append([1, "甲项目", 5, "2020.3.1"])
    ws.append([2, "乙项目", 3, "2020.3.2"])
    wb.save(tmp_path / "top.xlsx")
    read = read_plan(tmp_path / "top.xlsx", today=TODAY)
    assert [r.row for r in read.rows] == [3, 4]
    assert [(t[0], t[2], t[3]) for t in read.totals_checked] == [(2, "8", "8")]


def test_units_of_two_row_headers(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "项目名称", "投资情况（万美元）", None, "总投资", "签约时间"])
    ws.append([None, None, "协议投资", "已到位", "（亿元）", None])
    ws.merge_cells("C1:D1")
    ws.append([1, "甲项目", 3000, 100, 2, "2020.3.1"])
    wb.save(tmp_path / "two.xlsx")
    read = read_plan(tmp_path / "two.xlsx", today=TODAY)
    row = read.rows[0]
    assert read.header.row == 2 and not read.problems
    # 总投资 names the amount, in the 亿元 under it; 已到位 is in the 万美元 of the group header over it
    assert (row.money.amount, row.money.currency) == (Decimal("200000000.00"), "CNY")
    assert (row.funds.amount, row.funds.currency) == (Decimal("1000000.00"), "USD")


@dataclasses.dataclass
class _Case:
    cells: list
    reason: str | None


@pytest.mark.parametrize(
    "case",
    [
        _Case(["（一）", "产业类项目"], "section"),
        _Case(["一、", "产业类项目"], "section"),
        _Case(["(1)", "产业类项目"], "section"),
        _Case(["第一部分", "签约项目"], "section"),
        _Case(["一", "签约项目（3个）", 18], "section"),  # a section row carrying its subtotal
        _Case(["(1)", "产业类项目", 18], None),  # (1) with an amount may be a deal numbered (1)
        _Case(["1", "产业类项目"], None),  # a deal numbered 1 with nothing more: read (and refused as new)
        _Case(["（一）", "满城纸业项目", 5, "2020.4.15"], None),  # a date: a deal
    ],
)
def test_section_rows(tmp_path, case):
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "项目名称", "总投资（亿元）", "签约时间"])
    ws.append(case.cells)
    ws.append([2, "乙项目", 3, "2020.3.2"])
    wb.save(tmp_path / "s.xlsx")
    read = read_plan(tmp_path / "s.xlsx", today=TODAY)
    assert ((2, case.reason) in read.skipped) == (case.reason is not None)
    assert (2 in [r.row for r in read.rows] + [p.row for p in read.problems]) == (case.reason is None)


def test_a_csv_with_sections_reads_as_the_workbook(tmp_path):
    """A CSV (whose empty cells are empty texts, not None) is sorted out as the workbook it was saved from."""
    from openpyxl import load_workbook

    book = _fuping(tmp_path / "阜平.xlsx")
    lines = []
    for row in load_workbook(book).active.iter_rows(values_only=True):
        lines.append(",".join("" if v is None else str(v) for v in row))
    (tmp_path / "阜平.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    whole, csv = _plan(book, stream=False), _plan(tmp_path / "阜平.csv", stream=False)
    assert [r[0] for r in csv["rows"]] == [r[0] for r in whole["rows"]]
    assert csv["skipped"] == whole["skipped"] and csv["notices"] == whole["notices"]
    assert [(t[0], t[2], t[3]) for t in csv["totals"]] == [(t[0], t[2], t[3]) for t in whole["totals"]]


@pytest.mark.parametrize("reader", ["calamine", "sliced", "openpyxl"])
def test_formulas_never_computed_are_found_by_every_reader(tmp_path, monkeypatch, reader):
    from crm.foundation.errors import InvalidInput
    from crm.importing import workbook

    if reader == "sliced":
        monkeypatch.setattr(xlsx_slices, "SLICE_AT", 0)
        monkeypatch.setattr(xlsx_slices, "SLICE_BYTES", 400)
    if reader == "openpyxl":  # what calamine cannot open (or a sheet too wide for it) openpyxl reads
        monkeypatch.setattr(workbook, "_open_calamine", lambda path: None)
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "项目名称", "总投资（亿元）", "签约时间"])
    for i in range(1, 30):
        ws.append([i, f"雄县{i}号项目", 5, "2020.3.1"])
    ws.append([30, "雄县乙项目", "=12000/10000", "2020.3.2"])
    ws.append(["合计", None, "=SUM(C2:C31)"])
    wb.save(tmp_path / "f.xlsx")
    with pytest.raises(InvalidInput) as caught:
        read_plan(tmp_path / "f.xlsx", today=TODAY)
    message = str(caught.value)
    assert "C31 =12000/10000" in message and "\n" not in message


@pytest.mark.parametrize(
    "text, named",
    [
        ("阜平县丙项目", True),
        ("中国创投(涿州)总部项目", True),
        ("5G智能终端产业园项目", True),
        ("6.00", False),
        ("48.02", False),
        ("45%", False),
        ("折合人民币(亿元)", False),
        ("截至今日(2026-12-06)", False),
        ("全县合计", False),
        ("填表人：张三", False),
    ],
)
def test_what_may_name_a_project_after_a_totals_row(text, named):
    """The notice of rows left after a last 合计 names those that may be deals: not the figures and headers of the
    summaries under our own weekly table."""
    assert names_a_project(text) is named
