"""`crm import` of a county's sheet with both a city and a county liaison leader column (包联市领导 | 包联县领导):
the city's leader is the deal's 包联领导, the county's goes to its notes as 包联县领导：…, and the report says so
once; a sheet with the county's column alone gives the liaison as before; importing the sheet again adds no
second line. xlsx, csv, and the xls and ods an office suite saves; on SQLite and PostgreSQL."""

import csv
import json

import pytest
from openpyxl import Workbook

from crm import importing
from crm.importing.headers import match_header
from db.connection import open_database
from db.models import AuditEntry, Deal, Person
from tests.ledger.test_import_files import as_xls_and_ods

TITLE = "满城区2026年第48周重点招商项目推进表"
CITY, COUNTY = "包联市领导", "包联县（市、区）领导"
# name, amount (万元), signed, city leader, county leader, 备注
ROWS = [
    ("满城区纸基新材料产业园项目", 120000, "2026年3月18日", "王志强", "刘建军", None),
    ("满城区冷链物流中心项目", 45000, "2026.4.2", "王志强", "赵立新\n", "用地已摘牌"),
    ("满城区光伏组件项目", 80000, "2026年5月6日", None, "刘建军", None),
    ("满城区生物医药中试基地项目", 30000, "2026年6月1日", "李建国", None, "已注册"),
]
NAMES = [row[0] for row in ROWS]
# What each deal gets: (liaison leader, notes).
EXPECTED = {
    "满城区纸基新材料产业园项目": ("王志强", "包联县领导：刘建军"),
    "满城区冷链物流中心项目": ("王志强", "用地已摘牌\n包联县领导：赵立新"),
    "满城区光伏组件项目": (None, "包联县领导：刘建军"),
    "满城区生物医药中试基地项目": ("李建国", "已注册"),
}


def table(city=CITY, county=COUNTY, county_first=False, rows=ROWS, notes=True):
    """(header, rows) of the sheet: the leaders' columns in the order asked, 备注 last unless `notes` is False."""
    leaders = [county, city] if county_first else [city, county]
    headers = ["序号", "项目\n名称", "总投资（万元）", "签约时间", *[h for h in leaders if h]]
    if notes:
        headers.append("备注")
    body = []
    for number, (name, amount, signed, city_name, county_name, note) in enumerate(rows, 1):
        by = {city: city_name, county: county_name}
        body.append([number, name, amount, signed, *[by[h] for h in leaders if h], *([note] if notes else [])])
    return headers, body


def xlsx(path, headers, body, title=TITLE):
    """A county office's sheet: a merged title row, a merged 填报单位 row, then the table."""
    wb = Workbook()
    ws = wb.active
    ws.title = "第48周"
    last = chr(ord("A") + len(headers) - 1)
    ws.merge_cells(f"A1:{last}1")
    ws["A1"] = title
    ws.merge_cells(f"A2:{last}2")
    ws["A2"] = "填报单位：满城区商务局（盖章）            填报日期：二〇二六年十一月二十七日"
    ws.append(headers)
    for row in body:
        ws.append(row)
    wb.save(path)
    return path


def csv_file(path, headers, body, title=TITLE):
    """The same table as Excel saves it as CSV: the title a row padded with commas, UTF-8 with a BOM."""
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([title] + [""] * (len(headers) - 1))
        writer.writerow(headers)
        writer.writerows([["" if v is None else v for v in row] for row in body])
    return path


def run_import(run_cli, url, path, *more):
    code, out, err = run_cli("--db", url, "import", path, "--format", "json", *more)
    assert code == 0, err
    return json.loads(out)


def landed(url, names=NAMES):
    """{deal name: (its liaison leader's name or None, its notes)}."""
    open_database(url)
    deals = Deal.select().where(Deal.name.in_(names))
    return {d.name: (d.liaison.name if d.liaison_id else None, d.notes) for d in deals}


def county_notices(report, label):
    return [n for n in report["notices"] if f"“{label}”" in n]


def assert_both_kept(url, report, city, county):
    assert landed(url) == EXPECTED
    assert report["columns"]["liaison"] == city and report["columns"]["county_liaison"] == county
    assert sorted(report["people_created"]) == ["李建国", "王志强"]  # a county leader is no liaison of the ledger
    assert not Person.select().where(Person.name.in_(["刘建军", "赵立新"])).exists()
    [notice] = county_notices(report, county)  # said once for the sheet, not per row
    assert "包联县领导：…" in notice and f"“{city}”" in notice


@pytest.mark.parametrize(
    ("city", "county", "county_first"),
    [
        (CITY, COUNTY, False),
        (CITY, COUNTY, True),
        # Before, 联系领导 lost to 包联县领导 and 包联领导 won over it: which leader the deal kept hung on the words.
        ("联系领导", "包联县领导", True),
        ("包联领导", "县级包联领导", False),
        ("包联人", "包联领导（县级）", True),
    ],
)
def test_the_city_leader_is_the_liaison_and_the_county_leader_goes_to_the_notes(
    ledger, db_url, run_cli, tmp_path, city, county, county_first
):
    path = xlsx(tmp_path / "满城区第48周.xlsx", *table(city, county, county_first))
    preview = run_import(run_cli, db_url, path, "--dry-run")
    assert len(county_notices(preview, county)) == 1  # the preview says it before anything is written
    assert landed(db_url) == {}
    report = run_import(run_cli, db_url, path)
    assert len(report["created"]) == 4 and report["written"]
    assert_both_kept(db_url, report, city, county)


def test_a_csv_with_both_columns_lands_as_the_xlsx(ledger, db_url, run_cli, tmp_path):
    path = csv_file(tmp_path / "满城区第48周.csv", *table(county_first=True))
    report = run_import(run_cli, db_url, path)
    assert len(report["created"]) == 4
    assert_both_kept(db_url, report, CITY, COUNTY)


def test_deals_created_one_by_one_land_as_those_written_in_batches(ledger, db_url, tmp_path):
    path = xlsx(tmp_path / "满城区第48周.xlsx", *table(county_first=True))
    report = importing.run_import(path, actor="测试员", bulk=False)
    assert report.written and len(report.created) == 4
    assert landed(db_url) == EXPECTED


def test_the_text_report_names_where_each_leader_column_went(ledger, db_url, run_cli, tmp_path):
    path = xlsx(tmp_path / "满城区第48周.xlsx", *table(county_first=True))
    code, out, err = run_cli("--db", db_url, "--lang", "en", "import", path)
    assert code == 0, err
    line = (
        "Column “包联县（市、区）领导” names each deal's county leader: kept in its notes as “包联县领导：…”; the "
        "liaison leader (包联领导) is column “包联市领导”"
    )
    assert out.splitlines().count(line) == 1
    assert "包联县（市、区）领导→包联县领导" in out  # the columns used, by the name --map takes


def test_a_county_column_alone_is_the_liaison_as_before(ledger, db_url, run_cli, tmp_path):
    path = xlsx(tmp_path / "满城区第48周.xlsx", *table(city=None))
    report = run_import(run_cli, db_url, path)
    assert report["columns"]["liaison"] == COUNTY and "county_liaison" not in report["columns"]
    assert county_notices(report, COUNTY) == []
    assert landed(db_url) == {
        "满城区纸基新材料产业园项目": ("刘建军", ""),
        "满城区冷链物流中心项目": ("赵立新", "用地已摘牌"),
        "满城区光伏组件项目": ("刘建军", ""),
        "满城区生物医药中试基地项目": (None, "已注册"),
    }


def notes_audited(url) -> int:
    open_database(url)
    return AuditEntry.select().where((AuditEntry.table == "deal") & (AuditEntry.field == "notes")).count()


def test_importing_the_sheet_again_adds_no_second_county_line(ledger, db_url, run_cli, tmp_path):
    path = xlsx(tmp_path / "满城区第48周.xlsx", *table())
    run_import(run_cli, db_url, path)
    audited = notes_audited(db_url)
    again = run_import(run_cli, db_url, path)
    assert again["created"] == [] and again["updated"] == [] and len(again["unchanged"]) == 4
    assert landed(db_url) == EXPECTED
    assert notes_audited(db_url) == audited


def test_a_sheet_without_notes_adds_the_line_once_to_what_the_officer_wrote(ledger, db_url, run_cli, tmp_path):
    first = xlsx(tmp_path / "第47周.xlsx", *table(city=None, notes=False))  # the county's column alone: liaison
    run_import(run_cli, db_url, first)
    code = Deal.get(Deal.name == NAMES[0]).code
    code_out = run_cli("--db", db_url, "edit", code, "--notes", "已约谈企业负责人")
    assert code_out[0] == 0, code_out[2]
    week = xlsx(tmp_path / "第48周.xlsx", *table(notes=False))
    report = run_import(run_cli, db_url, week)
    assert [(c["code"], c["field"], c["old"], c["new"]) for c in report["changes"] if c["code"] == code] == [
        (code, "liaison", "刘建军", "王志强"),
        (code, "notes", "已约谈企业负责人", "已约谈企业负责人\n包联县领导：刘建军"),
    ]
    again = run_import(run_cli, db_url, week)
    assert again["updated"] == [] and len(again["unchanged"]) == 4
    assert landed(db_url)[NAMES[0]] == ("王志强", "已约谈企业负责人\n包联县领导：刘建军")


def test_a_new_county_leader_replaces_the_line(ledger, db_url, run_cli, tmp_path):
    run_import(run_cli, db_url, xlsx(tmp_path / "第47周.xlsx", *table()))
    rows = [(*row[:4], "周海峰" if row[0] == NAMES[0] else row[4], row[5]) for row in ROWS]
    report = run_import(run_cli, db_url, xlsx(tmp_path / "第48周.xlsx", *table(rows=rows)))
    assert [(c["field"], c["old"], c["new"]) for c in report["changes"]] == [
        ("notes", "包联县领导：刘建军", "包联县领导：周海峰")
    ]
    assert landed(db_url)[NAMES[0]] == ("王志强", "包联县领导：周海峰")


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("包联县（市、区）领导", "county_liaison"),
        ("县（市、区）包联领导", "county_liaison"),
        ("包联县市区领导", "county_liaison"),
        ("县级包联领导", "county_liaison"),
        ("包联领导（县级）", "county_liaison"),
        ("区级包联领导", "county_liaison"),
        ("分包县领导", "county_liaison"),
        ("联系县领导", "county_liaison"),
        ("包联\n县领导", "county_liaison"),
        ("包联市领导", "liaison"),
        ("包联领导（市级）", "liaison"),
        ("市级包联领导", "liaison"),
        ("包联领导", "liaison"),
        ("联系领导", "liaison"),
        ("包联人", "liaison"),
        ("县（市、区）", "region"),
        ("县联系人", "region"),  # a contact, no leader: the county it names, as before
    ],
)
def test_the_spellings_offices_use_for_each_leader(header, field):
    assert match_header(header).field == field


@pytest.fixture(scope="module")
def office_files(tmp_path_factory):
    """The sheet with both columns saved by LibreOffice as .xls and .ods, once for the module."""
    return as_xls_and_ods(xlsx(tmp_path_factory.mktemp("office") / "manchen.xlsx", *table(county_first=True)))


@pytest.mark.parametrize("suffix", ["xls", "ods"])
def test_xls_and_ods_keep_both_leaders(ledger, db_url, run_cli, office_files, suffix):
    report = run_import(run_cli, db_url, office_files[suffix])
    assert_both_kept(db_url, report, CITY, COUNTY)
