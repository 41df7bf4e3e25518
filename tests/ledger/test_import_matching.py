"""How `crm import` matches a county office's rows to the ledger's deals and names, and what it makes of the
责任单位 and 存在问题 cells (the import review's t3/t17, t4/t4b/t4c, mk6, t15).

- a deal name is compared without spaces on both sides (满城　纸业… in the ledger is 满城纸业… in the sheet);
- a new deal whose name is an existing deal's (another signing date), or that but for a trailing 项目, is
  created with a warning naming that deal (可能是 ZS…), and refused under --strict;
- a department one or two characters from one the ledger has (发改委/发改局, 与/和, a missing 和) is created
  and the ledger's suggested (可能是：…);
- a 责任单位 cell naming two units gives the deal a lead unit (the first) and supporting departments;
- 无/暂无/没有 in 存在问题 is no problem, 已解决/已办结 resolves the deal's open problems;
- a problem with no department is refused with a short message that says how to fix the sheet;
- problems are raised on the sheet's date (填报日期), as progress and stages are.

Each test checks what lands, cell by cell, on SQLite and PostgreSQL.
"""

import datetime

import pytest
from openpyxl import Workbook

from crm.importing import run_import as import_file
from db.connection import open_database
from db.models import AuditEntry, Blocker, Deal, DealDepartment, Department
from tests.ledger.test_import_county import run_import
from tests.ledger.test_import_revert_order import JUNE, quarterly_xlsx

D = datetime.date


def office_xlsx(path, headers, rows, title="满城区2020年重点招商项目推进情况表", stated=None):
    """A sheet as a county office fills it in: a title, perhaps who and when, one header row, the rows."""
    wb = Workbook()
    ws = wb.active
    ws.append([title])
    if stated:
        ws.append(["填报单位：招商服务中心", None, None, None, f"填报日期：{stated}"])
    ws.append(headers)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def _warnings(report, code):
    return {(w["row"], w["value"]): w["message"] for w in report["warnings"] if w["code"] == code}


# ---- deal names -----------------------------------------------------------------------------------------


MANCHENG = ["序号", "项目名称", "总投资（亿元）", "签约时间", "责任单位", "进展情况"]


def test_a_name_spaced_in_the_ledger_is_the_same_deal(ledger, db_url, run_cli, tmp_path):
    seed = [
        ["1", "满城\u3000纸业升级改造项目", 5, "2020.4.15", "满城区发改局", "已签约"],
        ["2", "满城 新材料项目", 3, "2020.4.20", "满城区 发改局", "已签约"],
    ]
    code, first, err = run_import(run_cli, db_url, office_xlsx(tmp_path / "六月.xlsx", MANCHENG, seed))
    assert code == 0, err
    later = [
        ["1", "满城纸业升级改造项目", 5, "2020.4.15", "满城区发改局", "已开工，主体施工中"],
        ["2", "满城新材料项目", 3, "2020-04-20", "满城区发改局", "已开工"],
    ]
    code, report, err = run_import(run_cli, db_url, office_xlsx(tmp_path / "七月.xlsx", MANCHENG, later))
    assert code == 0, err
    assert report["created"] == [] and [u["code"] for u in report["updated"]] == ["ZS2020-0001", "ZS2020-0002"]
    assert not _warnings(report, "maybe_same_deal")
    open_database(db_url)
    deals = {d.code: d for d in Deal.select()}
    assert len(deals) == 2
    # the names stay as the ledger spells them (spacing is not a rename); the stages move on
    assert deals["ZS2020-0001"].name == "满城\u3000纸业升级改造项目" and deals["ZS2020-0001"].stage == "construction"
    assert deals["ZS2020-0002"].name == "满城 新材料项目" and deals["ZS2020-0002"].stage == "construction"
    assert [d.name for d in Department.select()] == ["满城区发改局"]  # 满城区 发改局 is the same department


def test_spaced_names_are_found_among_many_deals(ledger, db_url, run_cli, tmp_path):
    """Rows looked up in growing windows: every spaced name of a few hundred is found, whatever its window."""
    seed = [[n, f"满城 第{n}号 项目", 1, "2020.4.15", "满城区发改局", "已签约"] for n in range(1, 301)]
    seed += [[n, f"满城第{n}号项目二期", 1, "2020.4.15", "满城区发改局", "已签约"] for n in range(301, 351)]
    assert run_import(run_cli, db_url, office_xlsx(tmp_path / "a.xlsx", MANCHENG, seed))[0] == 0
    later = [[n, name.replace(" ", ""), 1, "2020.4.15", "满城区发改局", "已开工"] for n, name, *_rest in seed]
    code, report, err = run_import(run_cli, db_url, office_xlsx(tmp_path / "b.xlsx", MANCHENG, later))
    assert code == 0, err
    assert report["created"] == [] and len(report["updated"]) == 350
    open_database(db_url)
    assert Deal.select().count() == 350 and Deal.select().where(Deal.stage != "construction").count() == 0


def test_a_corrected_signing_date_is_warned_and_refused_under_strict(ledger, db_url, run_cli, tmp_path):
    assert run_import(run_cli, db_url, quarterly_xlsx(tmp_path / "二季度.xlsx", JUNE))[0] == 0
    corrected = [list(r) for r in JUNE]
    corrected[1][4] = "2020.5.20"  # 中国创投's signing day corrected from 5.18
    path = quarterly_xlsx(tmp_path / "三季度.xlsx", corrected, "2020年9月30日")
    code, report, err = run_import(run_cli, db_url, path, "--dry-run")
    assert code == 0, err
    assert [c["name"] for c in report["created"]] == ["中国创投（涿州）总部项目"]
    warned = _warnings(report, "maybe_same_deal")
    message = warned[(5, "中国创投（涿州）总部项目")]
    assert "可能是 ZS2020-0002（中国创投（涿州）总部项目，2020-05-18）" in message
    assert "在表中写上项目编号" in message
    code, refused, err = run_import(run_cli, db_url, path, "--strict")
    assert code != 0 and "ZS2020-0002" in err and not refused["written"]
    open_database(db_url)
    assert Deal.select().count() == 4
    # as the warning says: the code written in the sheet makes it the same deal, its date corrected
    headers = ["项目编号", *MANCHENG[1:4]]
    path = office_xlsx(tmp_path / "更正.xlsx", headers, [["ZS2020-0002", "中国创投（涿州）总部项目", 25, "2020.5.20"]])
    code, report, err = run_import(run_cli, db_url, path, "--strict")
    assert code == 0, err
    assert [(c["code"], c["field"], c["new"]) for c in report["changes"]] == [
        ("ZS2020-0002", "signed_on", "2020-05-20")
    ]
    open_database(db_url)
    assert Deal.get(Deal.code == "ZS2020-0002").signed_on == D(2020, 5, 20) and Deal.select().count() == 4


def test_a_name_without_its_trailing_xiangmu_is_warned(ledger, db_url, run_cli, tmp_path):
    assert run_import(run_cli, db_url, quarterly_xlsx(tmp_path / "二季度.xlsx", JUNE))[0] == 0
    rows = [
        ["3", "华侨城涿州城市客厅", "华侨城集团", 80, "2020.5.18", "涿州市自然资源和规划局", "主体施工中", "", ""],
        ["4", "某新能源电池", "宁德某公司", "2.5亿", "2020年6月", "涿州市发改局", "已签约", "", ""],
        ["5", "涿州京南物流园项目", "京南物流", 12, "2020.9.1", "涿州市商务局", "已签约", "", ""],
    ]
    code, report, err = run_import(run_cli, db_url, quarterly_xlsx(tmp_path / "三季度.xlsx", rows, "2020年9月30日"))
    assert code == 0, err
    assert [c["code"] for c in report["created"]] == ["ZS2020-0005", "ZS2020-0006", "ZS2020-0007"]
    warned = _warnings(report, "maybe_same_deal")
    assert "ZS2020-0003（华侨城涿州城市客厅项目，2020-05-18）" in warned[(4, "华侨城涿州城市客厅")]
    assert "ZS2020-0004（某新能源电池项目，2020-05）" in warned[(5, "某新能源电池")]
    assert len(warned) == 2  # 涿州京南物流园项目 is like nothing the ledger has


# ---- department names -------------------------------------------------------------------------------------


def test_a_department_a_character_or_two_away_is_suggested_and_created(ledger, db_url, run_cli, tmp_path):
    seed = [
        ["1", "涿州甲项目", 1, "2020.3.1", "涿州市发改局", "已签约"],
        ["2", "徐水乙项目", 1, "2020.3.1", "徐水区自然资源和规划局", "已签约"],
        ["3", "定州丙项目", 1, "2020.3.1", "涿州市商务局", "已签约"],
    ]
    assert run_import(run_cli, db_url, office_xlsx(tmp_path / "a.xlsx", MANCHENG, seed))[0] == 0
    rows = [
        ["1", "涿州丁项目", 1, "2020.4.1", "涿州市发改委", "已签约"],
        ["2", "徐水戊项目", 1, "2020.4.1", "徐水区自然资源与规划局", "已签约"],
        ["3", "徐水己项目", 1, "2020.4.1", "徐水区自然资源规划局", "已签约"],
        ["4", "定州庚项目", 1, "2020.4.1", "定州市发改局", "已签约"],  # another city's: not 涿州's
        ["5", "涿州辛项目", 1, "2020.4.1", "涿州市住建局", "已签约"],  # another department: not 发改局
    ]
    path = office_xlsx(tmp_path / "b.xlsx", MANCHENG, rows)
    code, preview, err = run_import(run_cli, db_url, path, "--dry-run")
    assert code == 0, err
    suggested = _warnings(preview, "name_suggestion")
    assert "可能是：涿州市发改局" in suggested[(3, "涿州市发改委")]
    assert "可能是：徐水区自然资源和规划局" in suggested[(4, "徐水区自然资源与规划局")]
    assert "可能是：徐水区自然资源和规划局" in suggested[(5, "徐水区自然资源规划局")]
    assert set(suggested) == {(3, "涿州市发改委"), (4, "徐水区自然资源与规划局"), (5, "徐水区自然资源规划局")}
    code, report, err = run_import(run_cli, db_url, path)
    assert code == 0, err
    assert report["departments_created"] == [
        "涿州市发改委",
        "徐水区自然资源与规划局",
        "徐水区自然资源规划局",
        "定州市发改局",
        "涿州市住建局",
    ]
    open_database(db_url)
    assert Deal.get(Deal.name == "涿州丁项目").lead_unit.name == "涿州市发改委"


# ---- two units in one 责任单位 cell ---------------------------------------------------------------------------

XUSHUI = ["序号", "项目名称", "总投资（万元）", "签约时间", "责任单位", "包联领导", "进展情况", "存在问题"]
XUSHUI_ROWS = [
    ["1", "徐水区智能装备产业园项目", 50000, "2020.3.10", "徐水区发改局、徐水区自然资源与规划局", "张三",
     "已完成土地摘牌，正在进行场地平整", "1.用地指标待省里批复；\n2.电力增容需供电公司配合"],
    ["2", "徐水区新材料项目", "3.2亿元", "2020.4.10", "徐水区商务局 徐水区生态环境分局", "李四", "已开工", ""],
    ["3", "徐水区冷链物流项目", 8000, "2020.4.12", "徐水区 商务局", "李四", "已签约",
     "环评待批复【责任单位：徐水区生态环境分局、徐水区行政审批局】"],
]  # fmt: skip


def test_a_cell_naming_two_units_gives_a_lead_unit_and_supporting_departments(ledger, db_url, run_cli, tmp_path):
    path = office_xlsx(tmp_path / "徐水.xlsx", XUSHUI, XUSHUI_ROWS, title="徐水区2020年重点招商项目推进情况表")
    code, preview, err = run_import(run_cli, db_url, path, "--dry-run")
    assert code == 0, err
    assert preview["departments_created"] == [
        "徐水区发改局",
        "徐水区自然资源与规划局",
        "徐水区商务局",
        "徐水区生态环境分局",
    ]
    # listed so that two names never read as one (the CLI and the import screen list them so)
    code, printed, err = run_cli("--db", db_url, "import", path, "--dry-run")
    assert code == 0, err
    assert "「徐水区发改局」「徐水区自然资源与规划局」「徐水区商务局」" in printed, printed
    code, report, err = run_import(run_cli, db_url, path)
    assert code == 0, err
    open_database(db_url)
    deals = {d.name: d for d in Deal.select()}

    def supporting(deal):
        return [dd.department.name for dd in DealDepartment.select().where(DealDepartment.deal == deal)]

    park = deals["徐水区智能装备产业园项目"]
    assert park.lead_unit.name == "徐水区发改局" and supporting(park) == ["徐水区自然资源与规划局"]
    # its problems go to the lead unit, the first named
    assert [(b.text, b.department.name) for b in park.blockers.order_by(Blocker.id)] == [
        ("用地指标待省里批复", "徐水区发改局"),
        ("电力增容需供电公司配合", "徐水区发改局"),
    ]
    material = deals["徐水区新材料项目"]
    assert material.lead_unit.name == "徐水区商务局" and supporting(material) == ["徐水区生态环境分局"]
    cold = deals["徐水区冷链物流项目"]  # 徐水区 商务局: one name, spaced
    assert cold.lead_unit.name == "徐水区商务局" and supporting(cold) == []
    assert [(b.text, b.department.name) for b in cold.blockers] == [("环评待批复", "徐水区生态环境分局")]
    assert sorted(d.name for d in Department.select()) == sorted(
        ["徐水区发改局", "徐水区自然资源与规划局", "徐水区商务局", "徐水区生态环境分局"]
    )
    # the same sheet again changes nothing
    code, again, err = run_import(run_cli, db_url, path)
    assert code == 0, err
    assert again["changes"] == [] and again["created"] == [] and len(again["unchanged"]) == 3


@pytest.mark.parametrize("bulk", [True, False])
def test_new_deals_land_alike_in_batches_and_one_by_one(ledger, db_url, tmp_path, bulk):
    """Both ways of writing new deals split the cell and date the problems alike."""
    path = office_xlsx(tmp_path / "徐水.xlsx", XUSHUI, XUSHUI_ROWS, stated="2020年6月12日")
    report = import_file(path, actor="测试员", bulk=bulk)
    assert report.written, [str(p) for p in report.problems]
    park = Deal.get(Deal.name == "徐水区智能装备产业园项目")
    assert park.lead_unit.name == "徐水区发改局"
    assert [d.department.name for d in park.supporting] == ["徐水区自然资源与规划局"]
    assert {(b.department.name, b.raised_on) for b in park.blockers} == {("徐水区发改局", D(2020, 6, 12))}


# ---- 存在问题: none, resolved, no department, its date -----------------------------------------------------------


def test_resolved_in_the_problems_cell_resolves_the_open_problems(ledger, db_url, run_cli, tmp_path):
    code, first, err = run_import(run_cli, db_url, quarterly_xlsx(tmp_path / "二季度.xlsx", JUNE))
    assert code == 0, err
    open_database(db_url)
    assert [(b.text, b.raised_on) for b in Blocker.select()] == [("土地指标不足", D(2020, 6, 5))]  # the sheet's date
    later = [list(r) for r in JUNE]
    later[0][7] = "已解决"
    later[1][7] = "无"
    later[2][7] = "暂无"
    later[3][7] = "没有"
    path = quarterly_xlsx(tmp_path / "三季度.xlsx", later, "2020年9月30日")
    code, report, err = run_import(run_cli, db_url, path)
    assert code == 0, err
    assert report["blockers_added"] == 0 and report["blockers_resolved"] == 1
    assert [(u["code"], u["fields"]) for u in report["updated"]] == [("ZS2020-0001", ["blockers"])]
    open_database(db_url)
    (blocker,) = Blocker.select()
    assert (blocker.text, blocker.resolved_on) == ("土地指标不足", D(2020, 9, 30))
    assert blocker.resolution == "导入：表中写明已解决"
    code, out, err = run_cli("--db", db_url, "log", "ZS2020-0001")
    assert "导入：表中写明已解决" in out
    # imported again: nothing more to resolve, nothing added
    code, again, err = run_import(run_cli, db_url, path)
    assert code == 0, err
    assert again["blockers_resolved"] == 0 and again["updated"] == [] and Blocker.select().count() == 1
    # the import reverted: the problem is open again
    code, out, err = run_cli("--db", db_url, "import", "revert", report["import_id"])
    assert code == 0, err
    open_database(db_url)
    (blocker,) = Blocker.select()
    assert (blocker.resolved_on, blocker.resolution, blocker.version) == (None, "", 1)
    assert AuditEntry.select().where((AuditEntry.table == "blocker") & (AuditEntry.field == "resolved_on")).count() == 2


def test_words_for_none_and_resolved_add_no_problem_to_a_new_deal(ledger, db_url, run_cli, tmp_path):
    headers = [*MANCHENG, "存在问题"]
    rows = [
        ["1", "满城甲项目", 1, "2020.3.1", "满城区发改局", "已签约", "已解决"],
        ["2", "满城乙项目", 1, "2020.3.1", "满城区发改局", "已签约", "已办结"],
        ["3", "满城丙项目", 1, "2020.3.1", "满城区发改局", "已签约", "已协调解决。"],
        ["4", "满城丁项目", 1, "2020.3.1", "满城区发改局", "已签约", "—"],
    ]
    code, report, err = run_import(run_cli, db_url, office_xlsx(tmp_path / "a.xlsx", headers, rows))
    assert code == 0, err
    assert report["blockers_added"] == 0
    open_database(db_url)
    assert Blocker.select().count() == 0


def test_a_problem_with_no_department_says_how_to_fix_the_sheet(ledger, db_url, run_cli, tmp_path):
    problem = "1、" + "用地指标紧张，需市自然资源和规划局协调解决" * 30 + "\n2、电力增容"
    headers = ["序号", "项目名称", "总投资（亿元）", "签约时间", "进展情况", "存在问题"]
    path = office_xlsx(tmp_path / "曲阳.xlsx", headers, [[1, "曲阳县雕刻产业园项目", 5, "2020.3.1", "已签约", problem]])
    code, out, err = run_cli("--db", db_url, "import", path)
    assert code == 2
    (line,) = [line for line in err.splitlines() if "责任单位" in line]
    # the row, the problem's first words (not its 600 characters), and how to give it a department
    assert line.startswith("crm: 第 3 行") and "“" + problem[2:22] + "…”" in line
    assert "--map" in line and len(line) < 260
    open_database(db_url)
    assert Deal.select().count() == 0
