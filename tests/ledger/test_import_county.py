"""`crm import` of sheets written the way county offices write them (issue #12): headers by meaning,
free progress text, Chinese numerals, 公文 and month-only dates, cumulative funds, names a file
introduces, stale sheets, the totals check, --map remembered, and the import log with revert.

Each test checks what lands, cell by cell, on SQLite and PostgreSQL."""

import datetime
import json
from decimal import Decimal

from openpyxl import Workbook

from db.connection import open_database
from db.models import Deal, Department, FundsArrived, ImportRecord, Progress

D = datetime.date

COUNTY_HEADERS = [
    "序号",
    "项目名称",
    "所属县区",
    "企业名称",
    "产业领域",
    "总投资",
    "签约时间",
    "预计开工时间",
    "项目进度",
    "需要协调解决的问题",
    "主责单位",
    "分包县领导",
    "实际到位资金（万元）",
    "填报人",
]
COUNTY_ROWS = [
    [
        1,
        "涿州智能装备产业园",
        "涿州市",
        "河北智造有限公司",
        "先进制造",
        "八十亿元",
        "二〇二〇年五月十八日",
        "2020年7月",
        "已开工建设，主体施工中",
        "用地指标不足",
        "责任单位1",
        "李建国",
        5000,
        "王芳",
    ],
    [
        2,
        "定兴冷链物流中心",
        "定兴县",
        "某物流集团",
        "现代物流",
        "人民币壹亿捌仟万元整",
        "2020年5月18日（星期一）",
        "2020-09",
        "正在办理前期手续",
        None,
        "责任单位10",
        "张振华",
        None,
        "王芳",
    ],
    [
        3,
        "安国中药饮片加工",
        "安国市",
        "某中药公司",
        "生物医药",
        "3个亿",
        "2020年5月18日 10:00",
        None,
        "因资金问题暂缓推进",
        None,
        "责任单位1",
        None,
        "1200",
        "王芳",
    ],
    [
        4,
        "高碑店箱包基地",
        "高碑店市",
        "某箱包集团",
        "轻工",
        "1亿8千万元",
        "2020.5.18",
        None,
        "领导高度重视，多次调度",
        None,
        "责任单位12",
        None,
        None,
        "王芳",
    ],
]


def county_xlsx(
    path, rows=COUNTY_ROWS, headers=COUNTY_HEADERS, title="保定市2020年重点招商项目推进表", note="数据截至2020年6月30日"
):
    wb = Workbook()
    ws = wb.active
    ws.append([title])
    if note:
        ws.append([note])
    ws.append(headers)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def run_import(run_cli, url, path, *more):
    code, out, err = run_cli("--db", url, "import", path, "--format", "json", *more)
    return code, json.loads(out) if out.strip() else None, err


def _deal(name):
    return Deal.get(Deal.name == name)


def test_a_county_sheet_goes_in_whole(ledger, db_url, run_cli, tmp_path):
    code, report, err = run_import(run_cli, db_url, county_xlsx(tmp_path / "县报.xlsx"))
    assert code == 0, err
    assert len(report["created"]) == 4 and report["written"]
    # every header but the reporter's is recognised by what it says; the unused one is listed
    assert set(report["columns"]) >= {
        "name",
        "region",
        "investor",
        "industry",
        "amount",
        "signed_on",
        "planned_start",
        "stage",
        "blockers",
        "lead_unit",
        "liaison",
        "funds",
    }
    assert [c["column"] for c in report["unused_columns"]] == ["填报人"]
    open_database(db_url)
    zz = _deal("涿州智能装备产业园")
    assert (zz.region, zz.investor, zz.industry) == ("涿州市", "河北智造有限公司", "先进制造")
    assert (zz.amount, zz.currency, zz.signed_on) == (Decimal("8000000000.00"), "CNY", D(2020, 5, 18))
    assert zz.stage == "construction" and zz.lead_unit.name == "责任单位1" and zz.liaison.name == "李建国"
    assert zz.planned_start == D(2020, 7, 1)
    assert [b.text for b in zz.blockers] == ["用地指标不足"]
    dx = _deal("定兴冷链物流中心")
    assert (dx.amount, dx.stage, dx.lead_unit.name) == (Decimal("180000000.00"), "signed", "责任单位10")
    ag = _deal("安国中药饮片加工")
    assert (ag.amount, ag.stage) == (Decimal("300000000.00"), "stalled")
    gbd = _deal("高碑店箱包基地")
    assert (gbd.amount, gbd.stage) == (Decimal("180000000.00"), "signed")  # no stage word: 签约 for a new deal
    # free text is never lost: each progress cell is a progress entry dated as the sheet's data
    texts = {p.deal.name: (p.text, p.on) for p in Progress.select()}
    assert texts["高碑店箱包基地"] == ("领导高度重视，多次调度", D(2020, 6, 30))
    assert texts["涿州智能装备产业园"][0] == "已开工建设，主体施工中"
    assert [(w["row"], w["code"]) for w in report["warnings"]] == [(7, "stage_words")]
    # funds arrived (万元): recorded as the funds the deal has
    funds = {f.deal.name: f.amount for f in FundsArrived.select()}
    assert funds == {"涿州智能装备产业园": Decimal("50000000.00"), "安国中药饮片加工": Decimal("12000000.00")}
    # 责任单位1 and 责任单位10 … 12 are four departments, each matched exactly
    assert {d.name for d in Department.select()} >= {"责任单位1", "责任单位10", "责任单位12"}


def test_importing_twice_adds_nothing(ledger, db_url, run_cli, tmp_path):
    path = county_xlsx(tmp_path / "县报.xlsx")
    assert run_import(run_cli, db_url, path)[0] == 0
    code, report, err = run_import(run_cli, db_url, path)
    assert code == 0, err
    assert not report["created"] and not report["changes"]
    assert report["progress_added"] == 0 and report["funds_added"] == []
    open_database(db_url)
    assert Progress.select().count() == 4 and FundsArrived.select().count() == 2


def test_cumulative_funds_record_the_difference(ledger, db_url, run_cli, tmp_path):
    assert run_import(run_cli, db_url, county_xlsx(tmp_path / "六月.xlsx"))[0] == 0
    later = [list(r) for r in COUNTY_ROWS]
    later[0][12] = 8000  # 到位 5000 → 8000 万元: 3000 万元 more
    code, report, err = run_import(
        run_cli, db_url, county_xlsx(tmp_path / "七月.xlsx", later, note="数据截至2020年7月31日")
    )
    assert code == 0, err
    assert [(f["row"], f["amount"]) for f in report["funds_added"]] == [(4, "30000000.00CNY")]
    open_database(db_url)
    assert sorted(f.amount for f in _deal("涿州智能装备产业园").funds) == [
        Decimal("30000000.00"),
        Decimal("50000000.00"),
    ]


def test_an_update_shows_every_changed_field_old_to_new(ledger, db_url, run_cli, tmp_path):
    assert run_import(run_cli, db_url, county_xlsx(tmp_path / "a.xlsx"))[0] == 0
    later = [list(r) for r in COUNTY_ROWS]
    later[1][5] = "2亿零500万元"
    later[1][3] = "某物流集团有限公司"
    code, report, err = run_import(run_cli, db_url, county_xlsx(tmp_path / "b.xlsx", later, note=None))
    assert code == 0, err
    changes = {(c["field"], c["old"], c["new"]) for c in report["changes"] if c["row"] == 4}
    assert ("investor", "某物流集团", "某物流集团有限公司") in changes
    assert ("amount", "180000000.00", "205000000.00") in changes
    code, out, err = run_cli(
        "--db", db_url, "import", county_xlsx(tmp_path / "c.xlsx", COUNTY_ROWS, note=None), "--dry-run"
    )
    assert code == 0, err
    assert "投资方：某物流集团有限公司 → 某物流集团" in out and "investor" not in out


def test_a_stale_sheet_does_not_move_stages(ledger, db_url, run_cli, tmp_path):
    assert run_import(run_cli, db_url, county_xlsx(tmp_path / "a.xlsx"))[0] == 0
    run_cli("--db", db_url, "stage", _code("安国中药饮片加工", db_url), "construction", "--note", "复工")
    older = [list(r) for r in COUNTY_ROWS]
    older[2][8] = "已竣工投产"
    code, report, err = run_import(
        run_cli, db_url, county_xlsx(tmp_path / "old.xlsx", older, note="数据截至2020年3月31日")
    )
    assert code == 0, err
    assert [(w["row"], w["code"]) for w in report["warnings"] if w["code"] == "stale_sheet"] == [(6, "stale_sheet")]
    open_database(db_url)
    assert _deal("安国中药饮片加工").stage == "construction"


def _code(name, url):
    open_database(url)
    return _deal(name).code


def test_map_overrides_a_column_and_is_remembered(ledger, db_url, run_cli, tmp_path):
    headers = list(COUNTY_HEADERS)
    headers[3] = "合作伙伴"  # not a word the matcher knows
    path = county_xlsx(tmp_path / "a.xlsx", headers=headers)
    code, report, err = run_import(run_cli, db_url, path, "--dry-run")
    assert code == 0 and "investor" not in report["columns"]
    assert "合作伙伴" in [c["column"] for c in report["unused_columns"]]
    code, report, err = run_import(run_cli, db_url, path, "--map", "合作伙伴=investor", "--map", "填报人=-")
    assert code == 0, err
    assert report["columns"]["investor"] == "合作伙伴" and report["unused_columns"] == [
        {"column": "填报人", "guess": None}
    ]
    open_database(db_url)
    assert _deal("涿州智能装备产业园").investor == "河北智造有限公司"
    # the next file with the same header row is read with the same mapping, without --map
    code, report, err = run_import(run_cli, db_url, county_xlsx(tmp_path / "b.xlsx", headers=headers), "--dry-run")
    assert code == 0 and report["columns"]["investor"] == "合作伙伴"
    code, out, err = run_cli("--db", db_url, "import", path, "--map", "合作伙伴=nonsense")
    assert code == 2 and "nonsense" in err and "Traceback" not in err


def test_import_list_and_revert(ledger, db_url, run_cli, tmp_path):
    assert run_import(run_cli, db_url, county_xlsx(tmp_path / "a.xlsx"))[0] == 0
    before = run_cli("--db", db_url, "kpi", "--format", "json")[1]
    later = [list(r) for r in COUNTY_ROWS]
    later[1][5] = "2亿零500万元"
    later[0][12] = 9000
    later.append(
        [
            5,
            "新增项目",
            "易县",
            "某公司",
            "文旅",
            "5亿元",
            "2020-06-01",
            None,
            "洽谈中",
            None,
            "易县商务局",
            None,
            None,
            None,
        ]
    )
    code, report, err = run_import(
        run_cli, db_url, county_xlsx(tmp_path / "b.xlsx", later, note="数据截至2020年7月31日")
    )
    assert code == 0, err
    number = report["import_id"]
    assert run_cli("--db", db_url, "kpi", "--format", "json")[1] != before
    code, out, err = run_cli("--db", db_url, "import", "list")
    assert code == 0 and "b.xlsx" in out and "a.xlsx" in out
    code, out, err = run_cli("--db", db_url, "import", "revert", number)
    assert code == 0, err
    assert run_cli("--db", db_url, "kpi", "--format", "json")[1] == before
    open_database(db_url)
    assert not Deal.select().where(Deal.name == "新增项目").exists()
    assert _deal("定兴冷链物流中心").amount == Decimal("180000000.00")
    assert sum(f.amount for f in _deal("涿州智能装备产业园").funds) == Decimal("50000000.00")
    assert not Department.select().where(Department.name == "易县商务局").exists()
    assert ImportRecord.get_by_id(number).reverted_at is not None
    # twice: refused as a conflict
    code, out, err = run_cli("--db", db_url, "import", "revert", number)
    assert code == 3


def test_a_revert_puts_back_in_the_trail_what_it_puts_back_in_the_deal(ledger, db_url, run_cli, tmp_path, monkeypatch):
    """The import's changes stay in the deal's trail, followed by the revert's putting each field back (by
    whoever reverted, naming the import); the stage ledger loses the import's entry, and the ledger's stage
    entries, audit entries and kept totals agree again."""
    from db.models import AuditEntry, StageChange, database
    from tests.ledger_checks import check_ledger

    assert run_import(run_cli, db_url, county_xlsx(tmp_path / "a.xlsx"))[0] == 0
    open_database(db_url)
    first = _deal("定兴冷链物流中心")
    later = [list(r) for r in COUNTY_ROWS]
    later[1][5] = "2亿零500万元"
    later[1][8] = "已开工建设"
    code, report, err = run_import(run_cli, db_url, county_xlsx(tmp_path / "b.xlsx", later))
    assert code == 0, err
    open_database(db_url)
    assert (_deal(first.name).stage, _deal(first.name).amount) == ("construction", Decimal("205000000.00"))
    record = ImportRecord.get_by_id(report["import_id"])
    monkeypatch.setenv("CRM_USER", "复核员")
    code, out, err = run_cli("--db", db_url, "import", "revert", record.id)
    assert code == 0, err
    open_database(db_url)
    trail = [
        (e.field, e.old, e.new, e.actor)
        for e in AuditEntry.select()
        .where((AuditEntry.table == "deal") & (AuditEntry.row_id == first.id) & (AuditEntry.id > record.audit_after))
        .order_by(AuditEntry.id)
    ]
    assert ("amount", "205000000.00", "180000000.00", "复核员") in trail
    assert ("stage", "construction", first.stage, "复核员") in trail
    assert trail[-1] == ("import_reverted", None, str(record.id), "复核员")
    # each field the import changed, put back from the value it wrote to the one before it
    imported = (
        AuditEntry.select()
        .where(
            (AuditEntry.table == "deal")
            & (AuditEntry.row_id == first.id)
            & (AuditEntry.id.between(record.audit_before + 1, record.audit_after))
        )
        .order_by(AuditEntry.id)
    )
    changed = {}
    for e in imported:
        changed[e.field] = (e.new, changed[e.field][1] if e.field in changed else e.old)
    assert changed and {(f, old, new) for f, old, new, _by in trail[:-1]} == {(f, *v) for f, v in changed.items()}
    assert [e.to_stage for e in StageChange.select().where(StageChange.deal == first.id)] == [first.stage]
    check_ledger(database.obj)


def test_a_revert_keeps_a_department_it_created_that_a_colleague_has_named_since(ledger, db_url, run_cli, tmp_path):
    """The revert deletes the departments the import created, but one a blocker of another deal names now
    stays (else the revert failed on the foreign key and put nothing back)."""
    code = _code_of_a_deal_before(run_cli, db_url)
    code_import, report, err = run_import(run_cli, db_url, county_xlsx(tmp_path / "a.xlsx"))
    assert code_import == 0, err
    assert run_cli("--db", db_url, "blocker", "add", code, "供电线路未接入", "--department", "责任单位12")[0] == 0
    code_revert, out, err = run_cli("--db", db_url, "import", "revert", report["import_id"])
    assert code_revert == 0, err
    open_database(db_url)
    assert Department.select().where(Department.name == "责任单位12").exists()
    assert not Department.select().where(Department.name == "责任单位10").exists()
    assert Deal.select().count() == 1


def _code_of_a_deal_before(run_cli, db_url) -> str:
    code, out, err = run_cli("--db", db_url, "add", "--name", "导入前的项目", "--region", "易县", "--amount", "3亿元")
    assert code == 0, err
    return out.strip()


def test_revert_refused_when_the_deals_changed_since(ledger, db_url, run_cli, tmp_path):
    code, report, err = run_import(run_cli, db_url, county_xlsx(tmp_path / "a.xlsx"))
    assert code == 0, err
    run_cli("--db", db_url, "edit", _code("定兴冷链物流中心", db_url), "--investor", "别的公司")
    code, out, err = run_cli("--db", db_url, "import", "revert", report["import_id"])
    assert code == 3 and "Traceback" not in err
    open_database(db_url)
    assert Deal.select().count() == 4


def test_totals_with_a_usd_row_converted_check(ledger, db_url, run_cli, tmp_path):
    assert run_cli("--db", db_url, "fx", "set", "USD", "2020-01-01", "7.1")[0] == 0
    headers = ["序号", "项目名称", "所在地", "总投资（亿元）", "签约时间", "项目进展"]
    rows = [
        [1, "甲", "涿州市", 10, "2020-05-18", "在谈"],
        [2, "乙", "涿州市", "1亿美元", "2020-05-18", "在谈"],
        ["合计", None, None, 17.1, None, None],
    ]
    code, report, err = run_import(run_cli, db_url, county_xlsx(tmp_path / "t.xlsx", rows, headers, note=None))
    assert code == 0, err
    assert not [w for w in report["warnings"] if w["code"] == "totals_mismatch"]
    assert report["totals_checked"][0]["sum"] == "17.1"
    rows[2][3] = 20
    code, report, err = run_import(
        run_cli, db_url, county_xlsx(tmp_path / "u.xlsx", rows, headers, note=None), "--dry-run"
    )
    assert code == 0
    [warning] = [w for w in report["warnings"] if w["code"] == "totals_mismatch"]
    assert "20" in warning["message"] and "17.1" in warning["message"]


def test_regions_filter_and_total_by_county_level_division(ledger, db_url, run_cli, tmp_path):
    """涿州 = 涿州市, 清苑县 = 清苑区 (renamed 2015), 定州市(省直管) = 定州市（省直管）, 安新 is not 雄安新区."""
    headers = ["序号", "项目名称", "所在地", "总投资（亿元）", "签约时间", "项目进展"]
    rows = [
        [1, "甲", "涿州", 1, "2020-05-18", "签约"],
        [2, "乙", "涿州市", 2, "2020-05-18", "签约"],
        [3, "丙", "清苑县", 4, "2020-05-18", "签约"],
        [4, "丁", "清苑区", 8, "2020-05-18", "签约"],
        [5, "戊", "定州市(省直管)", 16, "2020-05-18", "签约"],
        [6, "己", "定州市（省直管）", 32, "2020-05-18", "签约"],
        [7, "庚", "雄安新区", 64, "2020-05-18", "签约"],
        [8, "辛", "安新县", 128, "2020-05-18", "签约"],
    ]
    code, report, err = run_import(run_cli, db_url, county_xlsx(tmp_path / "r.xlsx", rows, headers, note=None))
    assert code == 0, err
    open_database(db_url)
    assert _deal("丙").region == "清苑县"  # stored as written

    def names(region):
        code, out, err = run_cli("--db", db_url, "deals", "--region", region, "--format", "json")
        assert code == 0, err
        return sorted(d["name"] for d in json.loads(out))

    def total(region):
        code, out, err = run_cli("--db", db_url, "kpi", "--region", region, "--format", "json")
        assert code == 0, err
        return json.loads(out)

    assert names("涿州市") == names("涿州") == ["乙", "甲"]
    assert names("清苑区") == names("清苑县") == ["丁", "丙"]
    assert names("定州市") == ["己", "戊"]
    assert names("安新") == ["辛"]
    assert total("清苑县") == total("清苑区")
    assert total("安新") != total("雄安新区")


def _triggers(url) -> list:
    """SQLite's triggers, name and statement (PostgreSQL's are not dropped: none)."""
    from db.dialects import dialect_of
    from db.models import database

    open_database(url)
    if not dialect_of(database.obj).in_process:
        return []
    return database.execute_sql("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name").fetchall()


def test_a_revert_of_most_of_the_ledger_rebuilds_its_totals_and_puts_updated_deals_back(
    ledger, db_url, run_cli, tmp_path
):
    """More deals going than staying: SQLite computes the kept totals again from what stays (instead of the
    triggers taking each row out) and creates its triggers again; the deals the import updated are put back."""
    from crm.deals.records import create_deal
    from db import kept_totals

    assert run_import(run_cli, db_url, county_xlsx(tmp_path / "a.xlsx"))[0] == 0
    before = run_cli("--db", db_url, "kpi", "--format", "json")[1]
    triggers = _triggers(db_url)
    rows = [list(r) for r in COUNTY_ROWS]
    rows[1][5] = "2亿零500万元"  # an update of a deal the first import wrote
    for n in range(8):  # and more new deals than the ledger had
        rows.append([10 + n, f"新增项目{n}", "易县", "某公司", "文旅", "5亿元", "2020-06-01"] + [None] * 7)
        rows[-1][9], rows[-1][10] = "环评未批", "易县商务局"  # each with a blocker
    code, report, err = run_import(run_cli, db_url, county_xlsx(tmp_path / "b.xlsx", rows))
    assert code == 0, err
    assert len(report["created"]) == 8 and run_cli("--db", db_url, "kpi", "--format", "json")[1] != before
    code, out, err = run_cli("--db", db_url, "import", "revert", report["import_id"])
    assert code == 0, err
    assert run_cli("--db", db_url, "kpi", "--format", "json")[1] == before
    open_database(db_url)
    assert kept_totals.agree() and Deal.select().count() == len(COUNTY_ROWS)
    assert _deal("定兴冷链物流中心").amount == Decimal("180000000.00")
    assert _triggers(db_url) == triggers  # every trigger back as it was
    create_deal({"name": "撤销之后的项目", "region": "涿州市", "signed_on": "2020-05-18", "amount": "3亿元"})
    assert kept_totals.agree()  # and counting again
