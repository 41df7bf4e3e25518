"""A deal imported past 签约 is at its stage from the day the sheet says it got there, not from its signing day.

County sheets say the day in a column (实际开工时间 2025.11.20, 注册时间) or in free progress text ("11月20日已开工，
主体施工中", "已于10月底完成注册"); a date without its year is the latest such day not after the sheet's
数据截至 day. The new deal's ledger is then 签约 on its signing day and its stage on that day, so the as-of KPIs
(开工率 on a day in between) count it as 签约. A day before the signing date is warned of and left unused.
"""

from __future__ import annotations

import datetime

import pytest
from openpyxl import Workbook

from crm.importing import apply as import_apply
from crm.importing import aside as import_aside
from crm.importing import bulk as import_bulk
from crm.importing.apply import run_import
from crm.importing.headers import match_header
from crm.importing.reached import text_day
from crm.reporting import asof
from crm.values.dates import AsOf
from db import kept_totals
from db.models import AuditEntry, Deal, StageChange, database
from tests.ledger_checks import check_ledger

pytestmark = pytest.mark.usefixtures("english")  # the report's English wording is read below
D = datetime.date
TODAY = D(2025, 12, 15)
STATED = D(2025, 12, 10)
HEADERS = ["序号", "县（市、区）", "项目名称", "总投资（万元）", "签约时间", "实际开工时间", "注册时间", "进展情况"]
#: name -> (signed, 实际开工时间, 注册时间, progress)
ROWS = {
    "列日期项目": ("2025-03-01", "2025.11.20", None, "已开工"),
    "文字日期项目": ("2025年3月1日", None, None, "11月20日已开工，主体施工中"),
    "早于签约项目": ("2025-06-01", None, None, "3月10日已开工"),
    "只到月份项目": ("2025-02-01", None, None, "已于10月底完成注册"),
    "投产项目": ("2024-05-01", None, None, "9月15日投产"),
    "无日期项目": ("2025-04-01", None, None, "已开工建设"),
    "别的阶段项目": ("2025-04-01", None, None, "3月注册，已开工"),
    "注册列项目": ("2025-01-10", None, "2025年4月8日", "已注册"),
    "签约项目": ("2025-05-01", None, None, "11月20日签约"),
}


def county_sheet(path, rows=ROWS, repeat: int = 1):
    """A county's sheet: a merged title stating 数据截至2025年12月10日, a note line, odd headers, free-text progress."""
    wb = Workbook()
    ws = wb.active
    ws.title = "推进表"
    ws.append(["定兴县2025年重点招商项目推进表（数据截至2025年12月10日）"])
    ws.merge_cells("A1:H1")
    ws.append(["填报单位：定兴县商务局", None, None, None, None, None, None, "单位：万元"])
    ws.append(HEADERS)
    n = 0
    for copy in range(repeat):
        for name, (signed, started, registered, progress) in rows.items():
            n += 1
            label = name if repeat == 1 else f"{name}{copy + 1}"
            ws.append([n, "定兴县", label, 1000 + n, signed, started, registered, progress])
    wb.save(path)
    return path


def _ledger_of(name: str) -> list[tuple]:
    deal = Deal.get(Deal.name == name)
    entries = StageChange.select().where(StageChange.deal == deal).order_by(StageChange.id)
    return [(e.from_stage, e.to_stage, e.effective_on) for e in entries]


def _deal(name: str) -> tuple:
    deal = Deal.get(Deal.name == name)
    return deal.stage, deal.stage_since


# ---- reading the day -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "stage", "day"),
    [
        ("2025年11月20日已开工", "construction", (D(2025, 11, 20), False)),
        ("11月20日开工建设", "construction", (D(2025, 11, 20), False)),
        ("已于3月开工", "construction", (D(2025, 3, 1), True)),
        ("10月底完成注册", "registered", (D(2025, 10, 1), True)),
        ("9月15日投产", "operating", (D(2025, 9, 15), False)),
        ("12月20日已开工", "construction", (D(2024, 12, 20), False)),  # not after the sheet's day: last year's
        ("开工时间：2025年11月20日", "construction", (D(2025, 11, 20), False)),
        ("2024年3月开工，2025年9月15日竣工投产", "operating", (D(2025, 9, 15), False)),
        ("2024年3月开工，2025年9月15日竣工投产", "construction", (D(2024, 3, 1), True)),
        ("3月注册，11月开工", "registered", (D(2025, 3, 1), True)),
        ("3月注册，已开工", "construction", None),  # the date is 注册's
        ("11月20日签约并开工", "construction", None),
        ("计划11月20日开工", "construction", None),
        ("11月20日前开工", "construction", None),
        ("11月20日取得开工许可", "construction", None),
        ("已开工建设", "construction", None),
        ("2月30日开工", "construction", None),
        ("二〇二五年十一月二十日正式开工", "construction", (D(2025, 11, 20), False)),  # a 公文 date
        ("项目于二〇二五年十月完成注册", "registered", (D(2025, 10, 1), True)),
    ],
)
def test_the_day_is_read_next_to_the_stage_word(text, stage, day):
    assert text_day(text, stage, AsOf.of(STATED)) == day


def test_a_column_of_the_day_done_is_told_from_a_plan():
    assert match_header("实际开工时间").field == "started_on"
    assert match_header("注册时间").field == "registered_on"
    assert match_header("实际投产时间").field == "operating_on"
    assert match_header("计划开工时间").field == "planned_start"
    assert match_header("计划注册时间") is None  # a plan, and no field keeps it


# ---- what lands ----------------------------------------------------------------------


@pytest.mark.parametrize("bulk", [True, False], ids=["bulk", "one_by_one"])
def test_each_new_deal_is_at_its_stage_from_the_day_the_sheet_says(ledger, tmp_path, bulk):
    report = run_import(county_sheet(tmp_path / "定兴.xlsx"), today=TODAY, actor="测试员", bulk=bulk)
    assert report.written, [str(p) for p in report.problems]

    # the column's 2025.11.20 and the text's 11月20日 (the sheet's year, being before 数据截至) alike
    for name in ("列日期项目", "文字日期项目"):
        assert _deal(name) == ("construction", D(2025, 11, 20)), name
        assert _ledger_of(name) == [(None, "signed", D(2025, 3, 1)), ("signed", "construction", D(2025, 11, 20))]
    assert _ledger_of("只到月份项目") == [(None, "signed", D(2025, 2, 1)), ("signed", "registered", D(2025, 10, 1))]
    assert _ledger_of("投产项目") == [(None, "signed", D(2024, 5, 1)), ("signed", "operating", D(2025, 9, 15))]
    assert _ledger_of("注册列项目") == [(None, "signed", D(2025, 1, 10)), ("signed", "registered", D(2025, 4, 8))]
    # no usable day: as before, the stage from the signing date, one entry
    for name, signed in (
        ("早于签约项目", D(2025, 6, 1)),
        ("无日期项目", D(2025, 4, 1)),
        ("别的阶段项目", D(2025, 4, 1)),
    ):
        assert _deal(name) == ("construction", signed), name
        assert _ledger_of(name) == [(None, "construction", signed)], name
    assert _ledger_of("签约项目") == [(None, "signed", D(2025, 5, 1))]

    # the stage reached after signing is audited as a change from 签约, and the ledger is whole
    deal = Deal.get(Deal.name == "列日期项目")
    audited = AuditEntry.select().where((AuditEntry.row_id == deal.id) & (AuditEntry.field == "stage"))
    assert [(a.old, a.new) for a in audited] == [("signed", "construction")]
    check_ledger(database.obj)

    # the report: one line each, the month-only day said, the day before signing warned of with its row and text
    assert "5 new deals past Signed took the day they reached their stage from the sheet" in report.notices
    [wanting] = [n for n in report.notices if "from their signing date" in n]
    assert wanting.startswith("3 new deals past Signed"), wanting
    [month] = [n for n in report.notices if "as a month only" in n]
    assert "Rows 7 " in month and "已于10月底完成注册" in month, month
    [early] = [w for w in report.warnings if w.code == "stage_day"]
    assert early.row == 6 and early.value == "3月10日已开工" and "2025-06-01" in early.message
    assert "row 6" in str(early) and "3月10日已开工" in str(early)


def test_between_signing_and_start_the_deal_counts_as_signed(ledger, tmp_path):
    """开工率 as of a day between the signing and the start: the deal is 签约 then, 开工 from its start."""
    report = run_import(county_sheet(tmp_path / "定兴.xlsx"), today=TODAY, actor="测试员")
    assert report.written
    before = asof.compute(day=D(2025, 11, 19)).kpis
    after = asof.compute(day=D(2025, 11, 20)).kpis
    assert before.deals == after.deals == len(ROWS)
    # 列日期项目 and 文字日期项目 start on 11-20; 投产项目 is 投产 from 9-15; the three dated from signing started then
    assert before.started == 4 and after.started == 6
    assert before.by_stage["signed"] == after.by_stage["signed"] + 2
    on_signing = asof.compute(day=D(2025, 3, 1)).kpis
    assert on_signing.by_stage.get("construction", 0) == 0  # 早于签约项目 is 开工 from its June signing only
    assert asof.compute(day=D(2025, 9, 15)).kpis.by_stage["operating"] == 1
    assert asof.compute(day=D(2025, 9, 14)).kpis.by_stage.get("operating", 0) == 0
    assert kept_totals.agree(database.obj)


def test_a_large_first_import_takes_the_bulk_path_with_its_totals_set_aside(ledger, tmp_path, monkeypatch):
    """More rows than a batch, into an empty ledger past the size at which the indexes and kept totals stand
    aside and are filled batch by batch: the days land as in a small import, and the kept as-of totals (filled
    from the rows, not by triggers) agree with the rows."""
    monkeypatch.setattr(import_aside, "REBUILD_AT", import_bulk.BATCH)
    monkeypatch.setattr(import_apply, "BATCH", 200)  # batches of 200, filled every 400 deals, the rest at the end
    monkeypatch.setattr(import_aside, "FILL_EVERY", 400)
    repeat = import_bulk.BATCH // len(ROWS) + 2
    path = county_sheet(tmp_path / "大表.xlsx", repeat=repeat)
    report = run_import(path, today=TODAY, actor="测试员")
    assert report.written and len(report.created) == repeat * len(ROWS)
    assert f"{5 * repeat} new deals past Signed took the day they reached their stage from the sheet" in report.notices
    assert _ledger_of(f"文字日期项目{repeat}") == [
        (None, "signed", D(2025, 3, 1)),
        ("signed", "construction", D(2025, 11, 20)),
    ]
    assert asof.compute(day=D(2025, 11, 19)).kpis.started == 4 * repeat
    assert asof.compute(day=D(2025, 11, 20)).kpis.started == 6 * repeat
    assert kept_totals.agree(database.obj)
    check_ledger(database.obj)


def test_a_dry_run_says_the_same_lines_and_writes_nothing(ledger, tmp_path):
    preview = run_import(county_sheet(tmp_path / "定兴.xlsx"), today=TODAY, dry_run=True)
    assert not preview.written and Deal.select().count() == 0
    report = run_import(county_sheet(tmp_path / "定兴.xlsx"), today=TODAY)
    assert [n for n in preview.notices if " past Signed " in n] == [n for n in report.notices if " past Signed " in n]
    assert len([n for n in report.notices if " past Signed " in n]) == 2


def test_a_sheet_without_any_day_changes_nothing_but_the_count(ledger, tmp_path):
    rows = {
        "无日期甲项目": ("2025-04-01", None, None, "已开工建设"),
        "签约乙项目": ("2025-05-01", None, None, "已签约"),
    }
    report = run_import(county_sheet(tmp_path / "a.xlsx", rows=rows), today=TODAY)
    assert _ledger_of("无日期甲项目") == [(None, "construction", D(2025, 4, 1))]
    assert _ledger_of("签约乙项目") == [(None, "signed", D(2025, 5, 1))]
    assert [n for n in report.notices if " past Signed " in n] == [
        "1 new deal past Signed is at its stage from its signing date: the sheet gives no usable day it "
        "reached it (a column such as 实际开工时间, or progress text such as “11月20日已开工”)"
    ]
    assert not [w for w in report.warnings if w.code == "stage_day"]


# ---- a deal the ledger has ---------------------------------------------------------------


def test_an_update_moves_the_stage_on_the_day_the_row_says(ledger, tmp_path):
    """A known deal at 签约: the sheet's 11月20日已开工 moves it on 11-20, not on the sheet's 数据截至 day; a day not
    after the deal's stage_since is warned of, and the stage moves on the sheet's day as before."""
    from crm.deals.records import create_deal

    create_deal({"name": "老项目", "amount": "1000万元", "signed_on": "2025-03-01", "region": "定兴县"}, actor="测试员")
    create_deal(
        {"name": "晚签项目", "amount": "1000万元", "signed_on": "2025-12-01", "region": "定兴县"}, actor="测试员"
    )
    rows = {
        "老项目": ("2025-03-01", None, None, "11月20日已开工，主体施工中"),
        "晚签项目": ("2025-12-01", None, None, "11月20日已开工"),
    }
    report = run_import(county_sheet(tmp_path / "a.xlsx", rows=rows), today=TODAY, actor="测试员")
    assert report.written and report.stage_changes == 2
    assert _ledger_of("老项目") == [(None, "signed", D(2025, 3, 1)), ("signed", "construction", D(2025, 11, 20))]
    assert _ledger_of("晚签项目") == [(None, "signed", D(2025, 12, 1)), ("signed", "construction", STATED)]
    [late] = [w for w in report.warnings if w.code == "stage_day"]
    assert late.row == 5 and late.value == "11月20日已开工" and str(STATED) in late.message
    check_ledger(database.obj)


def test_reverting_the_import_takes_both_entries_back(ledger, tmp_path):
    from crm.importing.records import revert_import

    report = run_import(county_sheet(tmp_path / "定兴.xlsx"), today=TODAY, actor="测试员")
    assert report.written
    revert_import(report.import_id, actor="测试员")
    assert Deal.select().count() == 0 and StageChange.select().count() == 0
    assert asof.compute(day=D(2025, 11, 19)).kpis.deals == 0
    assert kept_totals.agree(database.obj)


def test_a_month_that_ended_before_the_sheets_day_is_a_stage_reached(ledger, tmp_path):
    rows = {
        "月底注册项目": ("2025-02-01", None, None, "10月底完成注册"),
        "月底投产计划项目": ("2025-02-01", None, None, "12月底投产"),
    }
    report = run_import(county_sheet(tmp_path / "a.xlsx", rows=rows), today=TODAY)
    assert _deal("月底注册项目")[0] == "registered"  # 10月底 had passed by 数据截至2025年12月10日
    assert _ledger_of("月底注册项目") == [(None, "signed", D(2025, 2, 1)), ("signed", "registered", D(2025, 10, 1))]
    assert _deal("月底投产计划项目")[0] == "signed"  # December's end is still ahead
    assert any("as a month only" in n for n in report.notices)
