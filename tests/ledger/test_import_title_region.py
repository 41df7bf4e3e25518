"""`crm import` of a county's sheet that has no 县(市、区) column: the county its title names (定兴县2026年第48周
重点招商项目推进表) goes to its new deals, said in a notice; a title naming none (or several) is warned of once;
a county column, when there is one, wins. On SQLite and PostgreSQL."""

import json

from openpyxl import Workbook

from db.connection import open_database
from db.models import Deal

HEADERS = ["序号", "项目名称", "总投资（万元）", "签约时间", "项目进展情况", "责任单位", "包联县领导"]
ROWS = [
    [1, "冷链物流园项目", 70000, "2019年5月17日", "主体封顶，正在进行设备安装", "定兴县人民政府", "李建国"],
    [2, "智能装备产业园项目", "壹亿贰仟万元", "二〇二六年十一月二十日", "正在办理施工许可", "定兴县发改局", "王志强"],
    [3, "高性能纤维新材料项目", 50000, "2026.10.15", "已签约，正在办理公司注册", "定兴县人民政府", "王志强"],
]
NAMES = [row[1] for row in ROWS]


def sheet(path, title="定兴县2026年第48周重点招商项目推进表", unit="定兴县商务局", headers=HEADERS, rows=ROWS):
    """A county's weekly sheet as the tester's: a merged title row, a merged 填报单位 row, then the table."""
    wb = Workbook()
    ws = wb.active
    ws.title = "第48周"
    ws.merge_cells("A1:G1")
    ws["A1"] = title
    ws.merge_cells("A2:G2")
    ws["A2"] = f"填报单位：{unit}（盖章）            填报日期：二〇二六年十一月二十七日"
    ws.append(headers)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def run_import(run_cli, url, path, *more):
    code, out, err = run_cli("--db", url, "import", path, "--format", "json", *more)
    assert code == 0, err
    return json.loads(out)


def regions(url, names=NAMES):
    open_database(url)
    return {d.name: d.region or None for d in Deal.select().where(Deal.name.in_(names))}  # none: ""


def region_notices(report):
    return [n for n in report["notices"] if "县(市、区)" in n]


def no_region(report):
    return [w for w in report["warnings"] if w["code"] == "no_region"]


def test_every_new_deal_gets_the_county_the_title_names_and_the_preview_says_so(ledger, db_url, run_cli, tmp_path):
    path = sheet(tmp_path / "dingxing_w48.xlsx")
    preview = run_import(run_cli, db_url, path, "--dry-run")
    assert len(preview["created"]) == 3 and "region" not in preview["columns"]
    [notice] = region_notices(preview)
    assert "定兴县" in notice
    assert not no_region(preview)
    report = run_import(run_cli, db_url, path)
    assert report["written"] and len(report["created"]) == 3
    assert regions(db_url) == dict.fromkeys(NAMES, "定兴县")
    code, out, err = run_cli("--db", db_url, "deals", "--region", "定兴县", "--format", "json")
    assert code == 0, err
    assert sorted(d["name"] for d in json.loads(out)) == sorted(NAMES)


def test_a_title_naming_the_city_then_the_county_or_only_the_unit_does_too(ledger, db_url, run_cli, tmp_path):
    path = sheet(tmp_path / "a.xlsx", title="保定市定兴县重点招商项目推进表（第48周）", unit="定兴县发改局")
    assert "定兴县" in region_notices(run_import(run_cli, db_url, path))[0]
    assert set(regions(db_url).values()) == {"定兴县"}
    # the title names no county, the unit filling it in does; 清苑县 is named by its current name, 清苑区
    path = sheet(
        tmp_path / "b.xlsx", title="2026年第48周重点招商项目推进表", unit="清苑县商务局", rows=_renamed("清苑")
    )
    report = run_import(run_cli, db_url, path)
    assert "清苑区" in region_notices(report)[0] and not no_region(report)
    assert set(regions(db_url, [r[1] for r in _renamed("清苑")]).values()) == {"清苑区"}


def _renamed(prefix):
    return [[n, f"{prefix}{name}", *rest] for n, name, *rest in ROWS]


def test_a_title_naming_no_county_is_warned_of_once(ledger, db_url, run_cli, tmp_path):
    path = sheet(tmp_path / "a.xlsx", title="保定市2026年第48周重点招商项目推进表", unit="市商务局")
    report = run_import(run_cli, db_url, path, "--dry-run")
    [warning] = no_region(report)  # once for the sheet, not once per row
    assert warning["row"] is None and "3" in warning["message"] and "--map" in warning["message"]
    assert not region_notices(report)
    code, out, _err = run_cli("--db", db_url, "import", path, "--dry-run")
    assert code == 0 and out.count("--map 列名=region") == 1
    run_import(run_cli, db_url, path)
    assert regions(db_url) == dict.fromkeys(NAMES, None)


def test_a_title_naming_two_counties_is_warned_of_naming_both(ledger, db_url, run_cli, tmp_path):
    path = sheet(tmp_path / "a.xlsx", title="定兴县、易县2026年第48周重点招商项目推进表")
    report = run_import(run_cli, db_url, path)
    [warning] = no_region(report)
    assert "定兴县" in warning["message"] and "易县" in warning["message"]
    assert regions(db_url) == dict.fromkeys(NAMES, None)


def test_a_sheet_updating_known_deals_only_is_not_warned(ledger, db_url, run_cli, tmp_path):
    run_import(run_cli, db_url, sheet(tmp_path / "a.xlsx"))
    report = run_import(run_cli, db_url, sheet(tmp_path / "b.xlsx", title="第48周重点招商项目推进表", unit="商务局"))
    assert not report["created"] and not no_region(report)
    assert regions(db_url) == dict.fromkeys(NAMES, "定兴县")  # a title naming none takes no county away


def test_a_county_column_wins_over_the_title(ledger, db_url, run_cli, tmp_path):
    headers = [*HEADERS, "所属县区"]
    rows = [[*ROWS[0], "易县"], [*ROWS[1], "高碑店市"], [*ROWS[2], None]]
    path = sheet(tmp_path / "a.xlsx", headers=headers, rows=rows)
    report = run_import(run_cli, db_url, path)
    assert report["columns"]["region"] == "所属县区"
    assert not region_notices(report) and not no_region(report)
    # a cell left blank in the county column stays blank, as before
    assert regions(db_url) == {NAMES[0]: "易县", NAMES[1]: "高碑店市", NAMES[2]: None}


def test_the_title_fills_in_a_known_deal_without_a_county_and_replaces_none(ledger, db_url, run_cli, tmp_path):
    # the sheet imported before the fix (a title naming no county): its deals have no county
    run_import(run_cli, db_url, sheet(tmp_path / "old.xlsx", title="第48周重点招商项目推进表", unit="商务局"))
    open_database(db_url)
    code, _out, err = run_cli("--db", db_url, "edit", Deal.get(Deal.name == NAMES[0]).code, "--region", "易县")
    assert code == 0, err
    report = run_import(run_cli, db_url, sheet(tmp_path / "new.xlsx"))
    assert not report["created"]
    changed = {(c["field"], c["old"] or None, c["new"]) for c in report["changes"]}
    assert changed == {("region", None, "定兴县")}
    assert len([c for c in report["changes"] if c["field"] == "region"]) == 2
    assert regions(db_url) == {NAMES[0]: "易县", NAMES[1]: "定兴县", NAMES[2]: "定兴县"}
    code, out, err = run_cli("--db", db_url, "log", report["updated"][0]["code"])
    assert code == 0 and "定兴县" in out, err
