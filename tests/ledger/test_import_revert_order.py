"""Undoing imports (`crm import revert N`): newest first always works when nobody else changed the deals, a
revert puts the deals back exactly as the import before it left them, a deal the import left unchanged does
not hold the revert up, and a refusal names the deals changed since, by whom and what, in one line.

Sheets are written the way 涿州市商务局 writes its quarterly table (mk1/mk4 of the import review). Each test
runs on SQLite and PostgreSQL.
"""

import datetime
import re

from openpyxl import Workbook

from db.connection import open_database
from db.models import (
    Blocker,
    Deal,
    DealDepartment,
    Department,
    FundsArrived,
    ImportRecord,
    Progress,
    StageChange,
    database,
)
from tests.ledger.test_import_county import run_import

D = datetime.date
HEADERS = ["序号", "项目名称", "投资方", "总投资（亿元）", "签约时间", "责任单位", "进展情况", "存在问题", "备注"]
#: The second quarter's table (t1): three deals signed at the 廊坊 fair and one under negotiation.
JUNE = [
    ["1", "涿州现代供应链金融创新示范基地项目", "中国供应链集团", "1.8亿美元", "2020年5月18日", "涿州市发改局",
     "已完成工商注册，正在办理土地手续", "土地指标不足", ""],
    ["2", "中国创投（涿州）总部项目", "中国创投", 25, "2020.5.18", "涿州市商务局", "施工图审查通过", "", ""],
    ["3", "华侨城涿州城市客厅项目", "华侨城集团", 80, "2020.5.18", "涿州市自然资源和规划局", "主体施工中", "", ""],
    ["4", "某新能源电池项目", "宁德某公司", "约2亿", "2020年5月", "涿州市发改局", "洽谈中", "", ""],
]  # fmt: skip
#: The third quarter's (t4): 0001 starts work with a new problem and a new lead unit, 0002 and 0003 as they were,
#: 0004 signs for 2.5亿, and a fifth deal is new.
SEPTEMBER = [
    ["1", "涿州现代供应链金融创新示范基地项目", "中国供应链集团", "1.8亿美元", "2020年5月18日", "涿州市发改委",
     "已开工建设，主体施工中", "土地指标不足\n资金未到位", ""],
    ["2", "中国创投(涿州)总部项目", "中国创投", 25, "2020.5.18", "涿州市商务局", "施工图审查通过", "", ""],
    ["3", "华侨城涿州城市客厅项目", "华侨城集团", 80, "2020.5.18", "涿州市自然资源和规划局", "主体施工中", "", ""],
    ["4", "某新能源电池项目", "宁德某公司", "2.5亿", "2020年5月", "涿州市发改局", "已签约", "", ""],
    ["5", "涿州京南物流园项目", "京南物流", 12, "2020.9.1", "涿州市商务局", "已签约", "", ""],
]  # fmt: skip


def quarterly_xlsx(path, rows, stated="2020年6月5日"):
    """A county office's quarterly table: a title, who filled it in and when, one header row, the deals."""
    wb = Workbook()
    ws = wb.active
    ws.title = "推进情况"
    ws.append(["保定市2020年重点招商项目推进情况表"])
    ws.append(["填报单位：涿州市商务局", None, None, None, None, None, f"填报日期：{stated}"])
    ws.append(HEADERS)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def _two_quarters(run_cli, db_url, tmp_path) -> tuple[int, int]:
    code, first, err = run_import(run_cli, db_url, quarterly_xlsx(tmp_path / "二季度.xlsx", JUNE))
    assert code == 0, err
    code, second, err = run_import(
        run_cli, db_url, quarterly_xlsx(tmp_path / "三季度.xlsx", SEPTEMBER, "2020年9月30日")
    )
    assert code == 0, err
    return first["import_id"], second["import_id"]


def _ledger_rows() -> dict:
    """Every row an import writes or a revert puts back, column by column (the audit trail aside: it keeps both)."""
    tables = (Deal, DealDepartment, Department, StageChange, Blocker, Progress, FundsArrived)
    return {m.__name__: [dict(r) for r in m.select().order_by(m.id).dicts()] for m in tables}


def test_two_imports_revert_newest_first(ledger, db_url, run_cli, tmp_path):
    from tests.ledger_checks import check_ledger

    code, first, err = run_import(run_cli, db_url, quarterly_xlsx(tmp_path / "二季度.xlsx", JUNE))
    assert code == 0, err
    open_database(db_url)
    as_june_left_it = _ledger_rows()
    code, second, err = run_import(
        run_cli, db_url, quarterly_xlsx(tmp_path / "三季度.xlsx", SEPTEMBER, "2020年9月30日")
    )
    assert code == 0, err
    assert [u["code"] for u in second["updated"]] == ["ZS2020-0001", "ZS2020-0004"]
    code, out, err = run_cli("--db", db_url, "import", "revert", second["import_id"])
    assert code == 0, err
    open_database(db_url)
    # the deals, their lead units, supporting departments, stage ledger, problems and progress as June left them
    assert _ledger_rows() == as_june_left_it
    code, out, err = run_cli("--db", db_url, "import", "revert", first["import_id"])
    assert code == 0, err
    open_database(db_url)
    assert Deal.select().count() == 0 and Department.select().count() == 0 and Progress.select().count() == 0
    check_ledger(database.obj)
    # each revert in the trail of the import it undid
    code, out, err = run_cli("--db", db_url, "import", "list")
    assert out.count("撤销") == 2


def test_a_note_on_a_deal_the_import_left_unchanged_does_not_hold_the_revert(ledger, db_url, run_cli, tmp_path):
    _first, second = _two_quarters(run_cli, db_url, tmp_path)
    # ZS2020-0002 was in the September sheet, unchanged; a colleague records its progress since
    code, out, err = run_cli("--db", db_url, "progress", "ZS2020-0002", "已办理施工许可")
    assert code == 0, err
    code, out, err = run_cli("--db", db_url, "import", "revert", second)
    assert code == 0, err
    open_database(db_url)
    assert [p.text for p in Progress.select().join(Deal).where(Deal.code == "ZS2020-0002").order_by(Progress.id)] == [
        "施工图审查通过",
        "已办理施工许可",
    ]
    assert not Deal.select().where(Deal.code == "ZS2020-0005").exists()
    assert Deal.get(Deal.code == "ZS2020-0001").stage == "registered"
    assert Deal.get(Deal.code == "ZS2020-0001").lead_unit.name == "涿州市发改局"


def test_an_edit_to_a_deal_the_import_left_unchanged_stays_after_the_revert(ledger, db_url, run_cli, tmp_path):
    """The import did not change ZS2020-0003: its revert puts nothing of it back, so a later edit stays."""
    _first, second = _two_quarters(run_cli, db_url, tmp_path)
    assert run_cli("--db", db_url, "edit", "ZS2020-0003", "--investor", "华侨城（涿州）公司")[0] == 0
    code, out, err = run_cli("--db", db_url, "import", "revert", second)
    assert code == 0, err
    open_database(db_url)
    assert Deal.get(Deal.code == "ZS2020-0003").investor == "华侨城（涿州）公司"


def test_a_refusal_names_the_deals_changed_since_and_by_whom(ledger, db_url, run_cli, tmp_path, monkeypatch):
    first, second = _two_quarters(run_cli, db_url, tmp_path)
    monkeypatch.setenv("CRM_USER", "王芳")
    assert run_cli("--db", db_url, "edit", "ZS2020-0004", "--investor", "宁德时代")[0] == 0
    assert run_cli("--db", db_url, "progress", "ZS2020-0005", "已注册公司")[0] == 0
    code, out, err = run_cli("--db", db_url, "import", "revert", second)
    assert code == 3
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "ZS2020-0004（投资方，王芳）" in err and "ZS2020-0005（进展，王芳）" in err
    assert "ZS2020-0001" not in err  # the import changed it, nobody since
    # the older import is refused while the newer one stands: it changed the older's deals since
    assert run_cli("--db", db_url, "edit", "ZS2020-0002", "--investor", "中国创投集团")[0] == 0
    assert run_cli("--db", db_url, "edit", "ZS2020-0003", "--investor", "华侨城")[0] == 0
    code, out, err = run_cli("--db", db_url, "import", "revert", first)
    assert code == 3 and err.count("\n") == 1
    assert "ZS2020-0001（第 2 次导入，测试员）" in err and "ZS2020-0002（投资方，王芳）" in err
    assert "ZS2020-0004" not in err and "等4个" in err  # three named, then how many in all
    open_database(db_url)
    assert Deal.select().count() == 5


def test_a_revert_refused_twice_shows_when_to_the_minute(ledger, db_url, run_cli, tmp_path):
    _first, second = _two_quarters(run_cli, db_url, tmp_path)
    assert run_cli("--db", db_url, "import", "revert", second)[0] == 0
    code, out, err = run_cli("--db", db_url, "import", "revert", second)
    assert code == 3
    assert re.search(r"已于 \d{4}-\d\d-\d\d \d\d:\d\d 撤销", err), err
    open_database(db_url)
    assert ImportRecord.get_by_id(second).reverted_at.microsecond == 0


def test_a_revert_done_before_this_release_does_not_hold_the_older_one(ledger, db_url, run_cli, tmp_path):
    """A ledger whose newer import was reverted by an earlier release (no record of the revert's trail entries)."""
    import json

    first, second = _two_quarters(run_cli, db_url, tmp_path)
    assert run_cli("--db", db_url, "import", "revert", second)[0] == 0
    open_database(db_url)
    record = ImportRecord.get_by_id(second)
    marks = json.loads(record.marks)
    marks.pop("revert_audit")
    ImportRecord.update(marks=json.dumps(marks)).where(ImportRecord.id == second).execute()
    code, out, err = run_cli("--db", db_url, "import", "revert", first)
    assert code == 0, err
