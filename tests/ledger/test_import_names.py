"""Names in an imported file (issue #12 item 7) and files by what they hold (item 5).

A department, event or person is matched exactly after width and space folding, never by
containment: a name the ledger does not have is created, and the preview suggests the ledger's
names that contain it ("可能是：…"). A WPS .et is read by its content.
"""

import shutil

from openpyxl import Workbook

from db.connection import open_database
from db.models import Deal, Department, Event, Person
from tests.ledger.test_import_county import COUNTY_ROWS, county_xlsx, run_import

HEADERS = ["项目名称", "总投资", "签约时间", "签约活动", "牵头单位", "包联领导"]


def _sheet(path, rows):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def _seed(run_cli, db_url, tmp_path):
    """A ledger that already knows 责任单位10, a fair and a leader, from an earlier import."""
    path = _sheet(
        tmp_path / "seed.xlsx",
        [["旧项目", "1亿元", "2020-05-18", "中国·廊坊国际经济贸易洽谈会", "责任单位10", "李建国"]],
    )
    assert run_import(run_cli, db_url, path)[0] == 0


def test_a_shorter_name_is_created_and_only_suggested(ledger, db_url, run_cli, tmp_path):
    _seed(run_cli, db_url, tmp_path)
    path = _sheet(
        tmp_path / "new.xlsx",
        [
            ["甲项目", "2亿元", "2020-05-18", "廊坊", "责任单位1", "李建国"],
            ["乙项目", "3亿元", "2020-06-01", "中国·廊坊国际经济贸易洽谈会", "责任单位10", "李 建 国"],
            ["丙项目", "4亿元", "2020-06-02", "", "责任单位１０", "李建"],
        ],
    )
    code, preview, err = run_import(run_cli, db_url, path, "--dry-run")
    assert code == 0, err
    suggestions = {(w["row"], w["value"]): w["message"] for w in preview["warnings"] if w["code"] == "name_suggestion"}
    # 责任单位1 is not taken for 责任单位10: it is new, and the ledger's longer name is suggested
    assert "责任单位10" in suggestions[(2, "责任单位1")] and "可能是" in suggestions[(2, "责任单位1")]
    assert "中国·廊坊国际经济贸易洽谈会" in suggestions[(2, "廊坊")]
    assert "李建国" in suggestions[(4, "李建")]
    assert preview["departments_created"] == ["责任单位1"] and preview["events_created"] == ["廊坊"]
    assert preview["people_created"] == ["李建"]  # 李 建 国 is 李建国, folded
    code, report, err = run_import(run_cli, db_url, path)
    assert code == 0, err
    open_database(db_url)
    deals = {d.name: d for d in Deal.select()}
    assert deals["甲项目"].lead_unit.name == "责任单位1" and deals["甲项目"].event.name == "廊坊"
    # the full-width 责任单位１０ and the spaced 李 建 国 are the ledger's own, matched after folding
    assert deals["丙项目"].lead_unit.name == "责任单位10" and deals["乙项目"].liaison.name == "李建国"
    assert deals["乙项目"].event.name == "中国·廊坊国际经济贸易洽谈会"
    assert deals["丙项目"].liaison.name == "李建"
    assert sorted(d.name for d in Department.select()) == ["责任单位1", "责任单位10"]
    assert Event.select().count() == 2 and Person.select().count() == 2


def test_a_file_naming_both_a_name_and_its_longer_sibling_imports(ledger, db_url, run_cli, tmp_path):
    rows = [[f"项目{n}", "1亿元", "2020-05-18", "", f"责任单位{n}", ""] for n in (1, 10, 11, 12, 13, 14)]
    code, report, err = run_import(run_cli, db_url, _sheet(tmp_path / "f.xlsx", rows))
    assert code == 0, err
    assert len(report["created"]) == 6 and not [w for w in report["warnings"] if w["code"] == "name_suggestion"]
    open_database(db_url)
    assert {d.name: d.lead_unit.name for d in Deal.select()}["项目1"] == "责任单位1"
    assert Department.select().count() == 6


def test_a_wps_et_that_is_really_an_xlsx_imports_with_its_formats(ledger, db_url, run_cli, tmp_path):
    et = tmp_path / "县报.et"
    shutil.copy(county_xlsx(tmp_path / "county.xlsx"), et)
    code, report, err = run_import(run_cli, db_url, et)
    assert code == 0, err
    assert len(report["created"]) == len(COUNTY_ROWS)


def test_an_xls_that_is_a_web_page_names_what_it_is(ledger, db_url, run_cli, tmp_path):
    page = tmp_path / "导出.xls"
    page.write_text("<html><body><table><tr><td>项目名称</td></tr></table></body></html>", encoding="utf-8")
    code, out, err = run_cli("--db", db_url, "import", page)
    assert code == 2 and "Traceback" not in err
    assert "HTML" in err and ".xlsx" in err


def test_an_et_calamine_cannot_read_names_its_format(ledger, db_url, run_cli, tmp_path):
    et = tmp_path / "坏.et"
    et.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4000))  # a compound document holding no workbook
    code, out, err = run_cli("--db", db_url, "import", et)
    assert code == 2 and "Traceback" not in err
    assert ".et" in err and ".xlsx" in err and err.count("\n") <= 1
