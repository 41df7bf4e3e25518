"""`crm import` of a county's 推进表 with both a column of progress text (项目进展情况) and a stage column (目前阶段),
and the total investment twice, as a figure and in 大写 (crm/importing/claims.py), on SQLite and PostgreSQL.

The tester's sheet (定兴县推进表): 项目进展情况 took the stage from its text (环评公示中 → 签约) and 目前阶段 was left
unused, so a deal marked 前期洽谈 landed as 签约 and `crm brief` counted it as signed; a blank 总投资（亿元） beside
叁亿贰仟万元整 in 总投资（大写） refused the whole file. Now the column naming the stage gives it, the progress text is
kept as progress entries, and a blank figure is taken from its 大写 form (a difference between them is warned of).
"""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal

import pytest
from openpyxl import Workbook

from crm.importing import importer, plan
from crm.importing.rows import _Sheet
from crm.importing.workbook import read_grids
from db.connection import open_database
from db.models import Deal, Progress
from tests.ledger.test_import_files import as_xls_and_ods
from tests.unit.test_import_columns import _fields, _one_by_one

TITLE = "定兴县重点招商项目推进表"
FILED_BY = "填报单位：定兴县商务局（招商局）                    填报日期：二〇二六年三月五日"
PROGRESS, STAGE, FIGURE, IN_WORDS = "项目进展情况", "目前阶段", "总投资（亿元）", "总投资（大写）"
HEADERS = ["序号", "项目名称（全称）", "投资方", FIGURE, IN_WORDS, "签约时间", "所属产业", PROGRESS, STAGE, "责任单位"]
# (name, figure, in words, progress text, stage), in sheet rows 4, 5, 7, 8, 9 (row 6 is left blank, as the county's)
DEALS = [
    ("定兴县高端装备制造产业园项目", 15, "壹拾伍亿元整", "已完成土地摘牌，\n正在办理施工许可证", "已签约"),
    ("定兴县冷链物流园二期项目", 1.5, "壹亿伍仟万元整", "主体封顶", "在建"),
    None,
    ("定兴县生物医药中间体项目", None, "叁亿贰仟万元整", "环评公示中", "前期洽谈"),
    ("定兴县新能源汽车零部件项目", 0.8, None, "已注册公司，\n正在设计", "已注册"),
    ("定兴县数字乡村智慧农业项目", 0.4565, "肆仟伍佰陆拾伍万元整", "停工待资金到位", "已开工，因资金问题暂停"),
]
FIGURES_TOTAL = 17.7565  # the 合计 of the figures: the blank one adds nothing
BIOMED, DIGITAL = "定兴县生物医药中间体项目", "定兴县数字乡村智慧农业项目"
YI = Decimal(10) ** 8
# What lands: name -> (stage, progress entries, amount in 亿元)
LANDS = {
    "定兴县高端装备制造产业园项目": ("signed", ["已完成土地摘牌，\n正在办理施工许可证"], Decimal(15)),
    "定兴县冷链物流园二期项目": ("construction", ["主体封顶"], Decimal("1.5")),
    BIOMED: ("negotiating", ["环评公示中"], Decimal("3.2")),  # 前期洽谈: never 签约, whatever the text says
    "定兴县新能源汽车零部件项目": ("registered", ["已注册公司，\n正在设计"], Decimal("0.8")),
    # a stage cell saying more than its stage is kept as progress too
    DIGITAL: ("stalled", ["已开工，因资金问题暂停\n停工待资金到位"], Decimal("0.4565")),
}


def county_sheet(path, stage_first=False, stage=True, changes=None, total=FIGURES_TOTAL, headers=None):
    """The county's sheet: a merged title and 填报单位 row, the header, the deals (row 6 blank), a 合计 row, a
    signature line. `stage_first` puts 目前阶段 before 项目进展情况; `stage` False leaves it out; `changes` maps
    (row, header) to another cell value; `headers` renames columns (header -> new header)."""
    head = list(HEADERS)
    body = []
    for deal in DEALS:
        if deal is None:
            body.append([None] * len(head))
            continue
        name, figure, words, progress, stage_cell = deal
        number = len([b for b in body if b[0]]) + 1
        body.append(
            [
                number,
                name,
                "某投资公司",
                figure,
                words,
                "2026-03-05",
                "先进制造",
                progress,
                stage_cell,
                "定兴县人民政府",
            ]
        )
    for (row, header), value in (changes or {}).items():
        body[row - 4][head.index(header)] = value
    order = list(range(len(head)))
    p, s = head.index(PROGRESS), head.index(STAGE)
    if stage_first:
        order[p], order[s] = s, p
    if not stage:
        order.remove(s)
    head = [(headers or {}).get(head[c], head[c]) for c in order]
    wb = Workbook()
    ws = wb.active
    ws.title = "推进表"
    last = chr(ord("A") + len(head) - 1)
    ws.merge_cells(f"A1:{last}1")
    ws["A1"] = TITLE
    ws.merge_cells(f"A2:{last}2")
    ws["A2"] = FILED_BY
    ws.append(head)
    for values in body:
        ws.append([values[c] for c in order])
    ws.append(["合计", None, None, total] + [None] * (len(head) - 4))
    ws.append([])
    ws.append(["填表人：张三          审核人：李四          联系电话：0312-6921234"])
    wb.save(path)
    return path


def run_import(run_cli, url, path, *more):
    code, out, err = run_cli("--db", url, "import", path, "--format", "json", *more)
    return code, json.loads(out) if out.strip() else None, err


def landed(url) -> dict:
    """name -> (stage, progress entries in order, amount in 亿元) of every deal in the ledger."""
    open_database(url)
    out = {}
    for d in Deal.select():
        entries = [p.text for p in Progress.select().where(Progress.deal == d).order_by(Progress.id)]
        out[d.name] = (d.stage, entries, Decimal(d.amount) / YI)
    return out


def signed_deals(run_cli, url) -> int:
    code, out, err = run_cli("--db", url, "kpi", "--as-of", "2026-03-31", "--format", "json")
    assert code == 0, err
    return json.loads(out)["deals"]


def _notices_naming(report, *words) -> list[str]:
    return [n for n in report["notices"] if all(w in n for w in words)]


@pytest.mark.parametrize("stage_first", [False, True], ids=["progress_first", "stage_first"])
def test_the_stage_column_gives_the_stage_and_the_progress_text_is_kept(ledger, db_url, run_cli, tmp_path, stage_first):
    code, report, err = run_import(run_cli, db_url, county_sheet(tmp_path / "定兴县推进表.xlsx", stage_first))
    assert code == 0, err
    assert report["written"] and not report["problems"]
    assert report["columns"]["stage"] == STAGE
    assert report["columns"]["progress"] == PROGRESS
    assert report["columns"]["amount"] == FIGURE and report["columns"]["amount_twin"] == IN_WORDS
    assert report["ignored_columns"] == []
    # no column is said to be a second one of the stage (列“目前阶段”也对应当前阶段)
    assert not [n for n in report["notices"] if STAGE in n or PROGRESS in n]
    assert landed(db_url) == LANDS
    assert report["progress_added"] == 5
    # 前期洽谈 is not signed: the brief and the KPIs count four deals of five
    assert signed_deals(run_cli, db_url) == 4
    code, brief, err = run_cli("--db", db_url, "brief", "--as-of", "2026-03-31")
    assert code == 0, err
    assert re.search(r"签约项目4个|4 deals signed", brief), brief


def test_the_text_report_says_which_column_gives_the_stage(ledger, db_url, run_cli, tmp_path):
    code, out, err = run_cli("--db", db_url, "import", county_sheet(tmp_path / "推进表.xlsx"), "--dry-run")
    assert code == 0, err
    lines = out.splitlines()
    used = next(line for line in lines if f"{STAGE}→" in line)
    assert f"{STAGE}→当前阶段" in used and f"{PROGRESS}→本周进展" in used and f"{IN_WORDS}→总投资" in used
    assert not [line for line in lines if line.startswith(("未使用的列", "Columns not used"))]
    assert "可能是 当前阶段" not in out and "perhaps 当前阶段" not in out
    assert "使用第一个这样的列" not in out and "the first such column" not in out


def test_a_sheet_with_only_progress_text_reads_the_stage_from_it(ledger, db_url, run_cli, tmp_path):
    code, report, err = run_import(run_cli, db_url, county_sheet(tmp_path / "推进表.xlsx", stage=False))
    assert code == 0, err
    assert report["columns"]["stage"] == PROGRESS and "progress" not in report["columns"]
    assert landed(db_url) == {
        "定兴县高端装备制造产业园项目": ("signed", ["已完成土地摘牌，\n正在办理施工许可证"], Decimal(15)),
        "定兴县冷链物流园二期项目": ("construction", ["主体封顶"], Decimal("1.5")),
        BIOMED: ("signed", ["环评公示中"], Decimal("3.2")),  # the text's stage word: all the sheet says
        "定兴县新能源汽车零部件项目": ("registered", ["已注册公司，\n正在设计"], Decimal("0.8")),
        DIGITAL: ("stalled", ["停工待资金到位"], Decimal("0.4565")),
    }


def test_mapping_the_stage_column_alone_keeps_the_progress_text(ledger, db_url, run_cli, tmp_path):
    """--map 目前阶段=当前阶段, as the unused-column hint said to: the progress column's text is not dropped."""
    path = county_sheet(tmp_path / "推进表.xlsx")
    code, report, err = run_import(run_cli, db_url, path, "--map", "目前阶段=当前阶段")
    assert code == 0, err
    assert report["columns"]["stage"] == STAGE and report["columns"]["progress"] == PROGRESS
    assert PROGRESS not in report["ignored_columns"]
    assert landed(db_url) == LANDS


def test_the_tui_mapping_keeps_the_stage_word_out_of_the_progress_entry(ledger, db_url, tmp_path):
    """The TUI's choosers write 项目进展情况=本周进展, 目前阶段=当前阶段: the entry is 环评公示中, not 前期洽谈⏎环评公示中."""
    path = county_sheet(tmp_path / "推进表.xlsx", stage_first=True)
    overrides = importer.parse_map("项目进展情况=本周进展, 目前阶段=当前阶段")
    report = importer.run_import(path, overrides=overrides, today=datetime.date(2026, 3, 6))
    assert report.written and not report.problems
    assert landed(db_url) == LANDS


def test_mapping_the_progress_column_as_the_stage_is_obeyed(ledger, db_url, run_cli, tmp_path):
    """The user's word wins: --map 项目进展情况=当前阶段 reads the stage from the text, and 目前阶段 is named unused
    with the column used."""
    path = county_sheet(tmp_path / "推进表.xlsx")
    code, report, err = run_import(run_cli, db_url, path, "--map", "项目进展情况=当前阶段")
    assert code == 0, err
    assert report["columns"]["stage"] == PROGRESS and STAGE in report["ignored_columns"]
    [said] = _notices_naming(report, f"“{STAGE}”")
    assert said.index(STAGE) < said.index(PROGRESS)  # “目前阶段” also names …; “项目进展情况” is used
    assert landed(db_url)[BIOMED][0] == "signed"


def test_a_blank_figure_is_taken_from_its_daxie_form(ledger, db_url, run_cli, tmp_path):
    code, report, err = run_import(run_cli, db_url, county_sheet(tmp_path / "推进表.xlsx"))
    assert code == 0, err
    assert landed(db_url)[BIOMED][2] == Decimal("3.2")
    both, filled = _notices_naming(report, f"“{FIGURE}”", f"“{IN_WORDS}”")
    assert both.index(FIGURE) < both.index(IN_WORDS)  # “总投资（亿元）” is imported, blanks from “总投资（大写）”
    assert re.search(r"(?<!\d)7(?!\d)", filled) and filled.index(FIGURE) < filled.index(IN_WORDS)
    # the 合计 of the figures is checked; the row whose figure is blank is the difference
    assert [(t["row"], t["total"]) for t in report["totals_checked"]] == [(10, "17.7565")]
    assert not [w for w in report["warnings"] if w["row"] == 7]


def test_a_row_skipped_is_not_named_as_filled_from_daxie(ledger, db_url, tmp_path):
    """The rows the user leaves out (the TUI's Skip rows) are not said to have taken their amount from 大写."""
    path = county_sheet(tmp_path / "推进表.xlsx")
    report = importer.run_import(path, today=datetime.date(2026, 3, 6), skip_rows={7})
    assert report.written and BIOMED not in landed(db_url)
    assert not [n for n in report.notices if re.search(r"(?<!\d)7(?!\d)", n) and IN_WORDS in n]


def test_a_figure_and_its_daxie_form_that_differ_are_warned_of(ledger, db_url, run_cli, tmp_path):
    path = county_sheet(tmp_path / "推进表.xlsx", changes={(5, IN_WORDS): "壹亿捌仟万元整"})
    code, report, err = run_import(run_cli, db_url, path)
    assert code == 0, err
    [warning] = [w for w in report["warnings"] if w["code"] == "amount_twin_differs"]
    assert warning["row"] == 5 and warning["column"].startswith(FIGURE) and warning["value"] == "1.5"
    for said in ("1.5亿元", "1.8亿元", "壹亿捌仟万元整", IN_WORDS):
        assert said in warning["message"]
    assert landed(db_url)["定兴县冷链物流园二期项目"][2] == Decimal("1.5")  # the figure's column is the amount


def test_strict_refuses_a_figure_and_its_daxie_form_that_differ(ledger, db_url, run_cli, tmp_path):
    """--strict refuses what it would only warn of otherwise: the file is not imported, the row named."""
    path = county_sheet(tmp_path / "推进表.xlsx", changes={(5, IN_WORDS): "壹亿捌仟万元整"})
    code, report, err = run_import(run_cli, db_url, path, "--strict")
    assert code == 2
    assert [(p["row"], p["code"]) for p in report["problems"]] == [(5, "amount_twin_differs")]
    assert landed(db_url) == {}


def test_an_unreadable_daxie_cell_is_refused_only_when_it_is_the_amount(ledger, db_url, run_cli, tmp_path):
    beside = county_sheet(tmp_path / "旁.xlsx", changes={(5, IN_WORDS): "待核实"})
    code, report, err = run_import(run_cli, db_url, beside)
    assert code == 0, err
    [warning] = [w for w in report["warnings"] if w["row"] == 5]
    assert warning["column"].startswith(IN_WORDS) and warning["value"] == "待核实"
    assert landed(db_url)["定兴县冷链物流园二期项目"][2] == Decimal("1.5")

    alone = county_sheet(tmp_path / "独.xlsx", changes={(7, IN_WORDS): "待核实"})
    code, report, err = run_import(run_cli, db_url, alone)
    assert code == 2 and not report["written"]
    assert [(p["row"], p["value"]) for p in report["problems"]] == [(7, "待核实")]


def test_map_of_the_daxie_column_names_the_column_used(ledger, db_url, run_cli, tmp_path):
    """--map "总投资（大写）=amount": the 大写 column is the amount, and the notice names it as the one used (not
    “the first such column”); the figure fills its blanks (row 8 has no 大写)."""
    path = county_sheet(tmp_path / "推进表.xlsx")
    code, report, err = run_import(run_cli, db_url, path, "--map", f"{IN_WORDS}=amount")
    assert code == 0, err
    assert report["columns"]["amount"] == IN_WORDS and report["columns"]["amount_twin"] == FIGURE
    both, filled = _notices_naming(report, f"“{FIGURE}”", f"“{IN_WORDS}”")
    assert both.index(IN_WORDS) < both.index(FIGURE)  # “总投资（大写）” is imported, blanks from “总投资（亿元）”
    assert not [n for n in report["notices"] if "使用第一个这样的列" in n or "first such column" in n]
    assert re.search(r"(?<!\d)8(?!\d)", filled) and filled.index(IN_WORDS) < filled.index(FIGURE)
    assert {name: amount for name, (_s, _p, amount) in landed(db_url).items()} == {
        name: amount for name, (_s, _p, amount) in LANDS.items()
    }


@pytest.mark.parametrize("mapped", [False, True])
def test_a_second_amount_column_is_named_with_the_column_used(ledger, db_url, run_cli, tmp_path, mapped):
    """Two different amounts (总投资, 签约额; no 大写): one is used, and the notice names which."""
    other = "签约额（亿元）"
    changes = {(7, FIGURE): 3.2, **{(row, IN_WORDS): 9.9 for row in (4, 5, 7, 8, 9)}}
    path = county_sheet(tmp_path / "推进表.xlsx", headers={IN_WORDS: other}, changes=changes, total=None)
    more = ("--map", f"{other}=总投资") if mapped else ()
    code, report, err = run_import(run_cli, db_url, path, *more)
    assert code == 0, err
    used, unused = (other, FIGURE) if mapped else (FIGURE, other)
    assert report["columns"]["amount"] == used and "amount_twin" not in report["columns"]
    [said] = _notices_naming(report, f"“{unused}”", f"“{used}”")
    assert said.index(unused) < said.index(used)
    amounts = {amount for _s, _p, amount in landed(db_url).values()}
    assert amounts == ({Decimal("9.9")} if mapped else {a for _s, _p, a in LANDS.values()})


@pytest.fixture(scope="module")
def office_files(tmp_path_factory):
    """The county's sheet with a 合计 formula, saved by LibreOffice as .xls and .ods (which compute it)."""
    return as_xls_and_ods(county_sheet(tmp_path_factory.mktemp("office") / "dingxing.xlsx", total="=SUM(D4:D9)"))


@pytest.mark.parametrize("suffix", ["xls", "ods"])
def test_xls_and_ods_land_the_same(ledger, db_url, run_cli, office_files, suffix):
    code, report, err = run_import(run_cli, db_url, office_files[suffix])
    assert code == 0, err
    assert report["columns"]["stage"] == STAGE and report["columns"]["progress"] == PROGRESS
    assert [(t["row"], t["total"]) for t in report["totals_checked"]] == [(10, "17.7565")]
    assert landed(db_url) == LANDS


@pytest.mark.parametrize(
    "build",
    [
        {},
        {"stage_first": True},
        {"stage": False},
        {"changes": {(5, IN_WORDS): "壹亿捌仟万元整", (8, IN_WORDS): "待核实", (4, STAGE): "待定"}},
    ],
)
def test_reading_column_by_column_gives_what_reading_cell_by_cell_gives(tmp_path, build):
    """The stage beside progress text and the amount's 大写 twin read alike both ways (crm/importing/columns.py and
    rows._read_row): the same RowPlans, warnings and problems."""
    path = county_sheet(tmp_path / "推进表.xlsx", **build)
    read = plan.read_plan(path, today=datetime.date(2026, 3, 6))
    grid = next(g for g in read_grids(path) if g.sheet == read.sheet)
    seen = {r.row for r in read.rows} | {p.row for p in read.problems}
    sheet = _Sheet(grid, read.header)
    reference = plan.as_of(sheet.stated_on, sheet.year, datetime.date(2026, 3, 6))
    rows, problems = _one_by_one([(n, v) for n, v in grid.rows if n in seen], sheet, reference)
    assert len(rows) == 5
    assert [_fields(r) for r in read.rows] == [_fields(r) for r in rows]
    assert [vars(p) for p in read.problems] == [vars(p) for p in problems]
    told = [vars(w) for r in rows for w in r.warnings or []]
    assert [vars(w) for w in read.warnings if w.row in seen and w.code != "totals_mismatch"] == told
