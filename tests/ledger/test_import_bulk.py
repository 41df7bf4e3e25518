"""The bulk path of `crm import` (crm/importing/bulk.py) writes exactly the ledger the one-by-one path writes.

A generated workbook — merged cells, amounts formatted with their unit,
USD deals, blockers with and without departments, supporting departments,
every stage, codes kept from the file and codes allocated, deals matched
within the file and in the ledger — is imported into two databases, one
through create_deal row by row (bulk=False) and one in batches, and every
table is compared row for row, ids replaced by what they point at and
timestamps left out. Refused rows give the same problems both ways and
leave nothing behind; a 1,000-row import takes a bounded number of queries.
"""

import datetime
import random
from decimal import Decimal

import pytest
from openpyxl import Workbook
from playhouse.test_utils import count_queries

from crm.importing import apply as import_apply
from crm.importing import importer
from crm.listing import search
from crm.listing.initials import MemoInitials
from crm.reference import fx
from db import kept_totals as db_kept_totals
from db.connection import open_database
from db.models import (
    Deal,
    database,
)
from tests.ledger_checks import natural_rows

HEADERS = [
    "序号",
    "项目编号",
    "项目名称",
    "投资方",
    "所在地",
    "产业类别",
    "签约活动",
    "签约时间",
    "总投资（亿元）",
    "项目进展",
    "存在问题",
    "牵头单位",
    "配合单位",
    "包联领导",
    "备注",
]
REGIONS = ["涿州市", "高碑店市", "定兴县", "保定高新区", "安国市", "重庆市"]
INDUSTRIES = ["先进制造/轨道交通", "新一代信息技术/大数据", "文旅", "生物医药健康", "节能环保"]
EVENTS = ["中国·廊坊国际经济贸易洽谈会", "保定市重点项目集中签约仪式", None]
STAGES = ["在谈", "签约", "已注册", "开工建设", "已投产", "停滞", "取消", None]
LEADS = ["涿州市人民政府", "保定市商务局", "高碑店市人民政府", None]
SUPPORT = ["保定市发展和改革委员会、保定市商务局", "保定市自然资源和规划局\n保定市住房和城乡建设局", None, None]
PEOPLE = ["李建国", "张振华", "刘晓明", None]
WORDS = ["智能制造", "供应链", "产业园", "总部基地", "银行", "长安", "重庆", "石墨烯", "光伏", "冷链物流", "乐器"]


def ledger_workbook(path, rows=300, seed=7):
    """A bureau's ledger of `rows` deals with the variants the importer reads."""
    rnd = random.Random(seed)
    wb = Workbook()
    ws = wb.active
    ws.title = "台账"
    ws.append(["保定市招商项目台账(2020年)"])
    ws.merge_cells("A1:O1")
    ws.append(HEADERS)
    for n in range(1, rows + 1):
        signed = None if n % 11 == 0 else datetime.date(2019, 1, 1) + datetime.timedelta(days=rnd.randrange(700))
        name = f"{rnd.choice(REGIONS)[:2]}{rnd.choice(WORDS)}{rnd.choice(WORDS)}项目{n}"
        amount = rnd.choice(
            [
                f"{rnd.randrange(1, 90)}亿元",
                f"{rnd.randrange(1000, 9000)}万元",
                f"{rnd.randrange(1, 30) / 10}亿美元",
                rnd.randrange(1, 50),
                f"{rnd.randrange(1, 9)}亿余元",
            ]
        )
        problems = None
        if n % 5 == 0:
            problems = "1.用地指标不足【责任单位:保定市自然资源和规划局；时限:2021-07-31】\n2.环评未批复"
        elif n % 7 == 0:
            problems = "配套道路建设进度滞后(保定市住房和城乡建设局)"
        code = f"ZS2019-{900 + n:04d}" if n % 13 == 0 else None
        lead = rnd.choice(LEADS) or ("定兴县人民政府" if problems else None)
        ws.append(
            [
                n,
                code,
                name,
                rnd.choice(["某集团有限公司", "华侨城集团", None]),
                rnd.choice(REGIONS),
                rnd.choice(INDUSTRIES),
                rnd.choice(EVENTS),
                signed,
                amount,
                rnd.choice(STAGES),
                problems,
                lead,
                rnd.choice(SUPPORT),
                rnd.choice(PEOPLE),
                rnd.choice(["备注", None]),
            ]
        )
        if isinstance(amount, int) and n % 2:
            ws.cell(ws.max_row, 9).number_format = '0.00"亿美元"'
        if signed is not None and n % 3:
            ws.cell(ws.max_row, 8).number_format = "yyyy-mm-dd"
    # A county written once for three deals, as bureaus merge cells.
    ws.merge_cells("E5:E7")
    wb.save(path)
    return path


# ---- the comparison --------------------------------------------------------------


def ledger_rows() -> dict:
    """Every row of every table of the open database, ids replaced by natural keys, without timestamps."""
    out = natural_rows()
    db = database.obj
    if db.__class__.__name__.lower().find("sqlite") >= 0:
        for table in ("deal_totals", "funds_totals", "blocker_totals"):
            out[table] = sorted(
                db.execute_sql(
                    f"SELECT * FROM {table} WHERE deals != 0" if table == "deal_totals" else f"SELECT * FROM {table}"
                ).fetchall()
            )
        out["search"] = [
            sorted(d.id for d in Deal.select(Deal.id).where(search.matches(q))) for q in ("zz", "供应链", "项目1", "cq")
        ]
    else:
        out["deal_totals"] = db.execute_sql(
            "SELECT stage, currency, sum(deals), sum(amount), sum(amount_cny), sum(converted), sum(approximate) "
            "FROM deal_totals_delta GROUP BY stage, currency HAVING sum(deals) != 0 ORDER BY 1, 2"
        ).fetchall()
        out["blocker_totals"] = db.execute_sql("SELECT sum(raised), sum(open) FROM blocker_totals_delta").fetchall()
    return out


@pytest.fixture
def two_urls(backend, request, tmp_path):
    """Two empty databases on the backend under test."""
    if backend == "sqlite":
        return [str(tmp_path / "one.sqlite3"), str(tmp_path / "bulk.sqlite3")]
    cluster = request.getfixturevalue("pg_cluster")
    urls = [cluster.create_database(), cluster.create_database()]

    def drop():
        if database.obj is not None and not database.obj.is_closed():
            database.obj.close()
        for url in urls:
            cluster.drop_database(url.rsplit("/", 1)[1])

    request.addfinalizer(drop)
    return urls


def _import(url, path, bulk, prepare=None, **kwargs):
    db = open_database(url)
    try:
        if prepare:
            prepare()
        report = importer.run_import(path, today=datetime.date(2021, 6, 30), actor="测试员", bulk=bulk, **kwargs)
        return report, ledger_rows()
    finally:
        db.close()


def _rates():
    fx.set_rate("USD", datetime.date(2019, 1, 1), "6.8")
    fx.set_rate("USD", datetime.date(2020, 1, 1), "7.1")


def _report(report):
    data = report.as_json()
    return data


def test_a_new_ledger_is_the_same_whichever_path_wrote_it(two_urls, tmp_path):
    path = ledger_workbook(tmp_path / "台账.xlsx")
    one, one_rows = _import(two_urls[0], path, bulk=False, prepare=_rates)
    bulk, bulk_rows = _import(two_urls[1], path, bulk=True, prepare=_rates)
    assert one.ok and one.written and len(one.created) == 300, one.problems[:3]
    assert _report(bulk) == _report(one)
    for table in one_rows:
        assert bulk_rows[table] == one_rows[table], table
    assert len(one_rows["Blocker"]) > 50 and len(one_rows["DealDepartment"]) > 50
    usd = [r for r in one_rows["Deal"] if ["currency", "'USD'"] in r]
    assert usd and any(["amount_cny", "None"] not in r for r in usd)


def test_importing_into_a_ledger_that_has_deals_matches_and_numbers_them_the_same_way(two_urls, tmp_path):
    first = ledger_workbook(tmp_path / "a.xlsx", rows=120, seed=1)
    second = ledger_workbook(tmp_path / "b.xlsx", rows=200, seed=2)  # shares names and codes with the first

    def prepare():
        _rates()
        assert importer.run_import(first, today=datetime.date(2021, 6, 30), actor="测试员", bulk=False).written

    one, one_rows = _import(two_urls[0], second, bulk=False, prepare=prepare)
    bulk, bulk_rows = _import(two_urls[1], second, bulk=True, prepare=prepare)
    assert _report(bulk) == _report(one)
    assert one.created and (one.updated or one.unchanged)
    for table in one_rows:
        assert bulk_rows[table] == one_rows[table], table


def test_a_refused_row_gives_the_same_problems_and_writes_nothing(two_urls, tmp_path):
    path = ledger_workbook(tmp_path / "台账.xlsx", rows=80)
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb.active
    ws["K10"] = "土地手续未办结"  # no department, and the deal has none either
    ws["L10"] = None
    ws["K20"] = "规划调整【责任单位:保定市自然资源和规划局；提出:2021-05-01；时限:2021-01-31】"  # due before raised
    ws["I30"] = None  # a new deal without its amount
    wb.save(path)
    one, one_rows = _import(two_urls[0], path, bulk=False)
    bulk, bulk_rows = _import(two_urls[1], path, bulk=True)
    codes = {p.code for p in one.problems}
    assert {"blocker_department", "invalidinput", "missing_amount"} <= codes
    assert [vars(p) for p in bulk.problems] == [vars(p) for p in one.problems]
    assert not bulk.written and not one.written
    assert all(
        not rows
        for table, rows in bulk_rows.items()
        if table in ("Deal", "Blocker", "AuditEntry", "Department", "Event", "Person")
    )


def test_a_thousand_rows_take_a_bounded_number_of_queries(backend, db_url, tmp_path):
    path = ledger_workbook(tmp_path / "千.xlsx", rows=1000, seed=3)
    open_database(db_url)
    try:
        with count_queries() as counter:
            report = importer.run_import(path, today=datetime.date(2021, 6, 30), actor="测试员")
        assert report.written and len(report.created) == 1000
        # Per distinct name (departments, events, people) and per batch, never per row.
        assert counter.count < 200, counter.count
    finally:
        database.obj.close()


def test_progress_is_reported_while_the_rows_are_applied(db_url, tmp_path):
    path = ledger_workbook(tmp_path / "p.xlsx", rows=450)
    calls = []
    open_database(db_url)
    try:
        importer.run_import(path, progress=lambda done, total: calls.append((done, total)))
    finally:
        database.obj.close()
    assert calls[-1] == (450, 450) and len(calls) >= 3
    assert [d for d, _t in calls] == sorted(d for d, _t in calls)


def test_progress_reaches_its_total_when_rows_are_left_out(db_url, tmp_path):
    """The rows are read and applied a chunk at a time; rows the user leaves out still count to the end."""
    path = ledger_workbook(tmp_path / "p.xlsx", rows=450)
    calls = []
    open_database(db_url)
    try:
        report = importer.run_import(
            path, progress=lambda done, total: calls.append((done, total)), skip_rows=set(range(440, 460))
        )
    finally:
        database.obj.close()
    assert report.written and calls[-1][0] == calls[-1][1]
    assert [d for d, _t in calls] == sorted(d for d, _t in calls)


@pytest.mark.parametrize("segmenter", ["ours", "pypinyin's own"])
def test_the_remembering_pinyin_gives_what_search_gives(segmenter, monkeypatch):
    if segmenter != "ours":  # a pypinyin whose segmenter keeps none of the state the fast cut reads
        from pypinyin.seg import mmseg

        monkeypatch.setattr(mmseg, "seg", type("OtherSeg", (), {"cut": staticmethod(mmseg.seg.cut)})())
    memo = MemoInitials()
    assert (memo._cutter._theirs is None) == (segmenter == "ours")
    rnd = random.Random(5)
    names = [
        "重庆银行长安路支行",
        "乐器行乐园项目",
        "华侨城(涿州)城市客厅",
        "ABC光伏2号地块",
        "",
        "Ⅱ期 项目",
        "石墨烯导热膜",
        "单县单位",
        "行长",
        # runs of Chinese and other characters, each converted once: digits, Latin, full-width, Greek, astral
        "第123号先进制造项目",
        "第124号先进制造项目",
        "（涿州）Ⅱ期-项目#3",
        "１２３号厂房",
        "α项目Σ",
        "İstanbul项目",
        "a.b_c 项目 X9",
        "〇号地块",
        "𠀀项目2",
        "3",
        "项目",
    ] + ["".join(rnd.choice(WORDS) for _ in range(3)) for _ in range(200)]
    for name in names:
        assert memo.index_terms("ZS2020-0001", name, "投资方") == search.index_terms("ZS2020-0001", name, "投资方")


def test_the_rates_a_batch_uses_are_fx_convert_s(db_url):
    from crm.importing.bulk import _Rates

    open_database(db_url)
    try:
        fx.set_rate("USD", datetime.date(2019, 1, 1), "6.8")
        fx.set_rate("USD", datetime.date(2020, 1, 1), "7.1")
        rates = _Rates()
        for day in (
            datetime.date(2018, 12, 31),
            datetime.date(2019, 1, 1),
            datetime.date(2019, 12, 31),
            datetime.date(2020, 1, 1),
            datetime.date(2030, 1, 1),
        ):
            for currency in ("USD", "EUR", "CNY"):
                assert rates.convert(Decimal("123.45"), currency, day) == fx.convert(Decimal("123.45"), currency, day)
    finally:
        database.obj.close()


def _schema():
    """The deal table's indexes as the planner lists them, and every schema object (SQLite)."""
    db = database.obj
    return (
        db.execute_sql("PRAGMA index_list(deal)").fetchall(),
        sorted(db.execute_sql("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall(), key=repr),
    )


@pytest.mark.parametrize("refused", [False, True])
def test_indexes_built_after_the_rows_leave_the_same_ledger_and_schema(tmp_path, monkeypatch, refused):
    from crm.importing import aside as import_aside

    path = ledger_workbook(tmp_path / "台账.xlsx", rows=300)
    if refused:
        from openpyxl import load_workbook

        wb = load_workbook(path)
        wb.active["I30"] = None  # a new deal without its amount: nothing is written
        wb.save(path)
    urls = [str(tmp_path / "one.sqlite3"), str(tmp_path / "aside.sqlite3")]
    one, one_rows = _import(urls[0], path, bulk=False, prepare=_rates)
    set_aside = []
    monkeypatch.setattr(import_aside, "REBUILD_AT", 1)
    monkeypatch.setattr(
        import_apply,
        "set_indexes_aside",
        lambda model: set_aside.append(import_aside.set_indexes_aside(model)) or set_aside[-1],
    )
    bulk, bulk_rows = _import(urls[1], path, bulk=True, prepare=_rates)
    assert len(set_aside) == 1 and len(set_aside[0]) > 10  # all but the unique code index
    assert _report(bulk) == _report(one) and bulk.written is not refused
    for table in one_rows:
        assert bulk_rows[table] == one_rows[table], table
    schemas = []
    for url in urls:
        db = open_database(url)
        try:
            schemas.append(_schema())
            assert db.execute_sql("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert db_kept_totals.agree(db)
        finally:
            db.close()
    assert schemas[1] == schemas[0]


def _with_planned_starts(path) -> None:
    """Give every deal of the workbook at `path` a planned start (a month, as ledgers write it)."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb["台账"]
    column = ws.max_column + 1
    ws.cell(2, column, "计划开工时间")
    for row in range(3, ws.max_row + 1):
        ws.cell(row, column, f"2021年{row % 12 + 1}月")
    wb.save(path)


def test_the_as_of_totals_set_aside_for_a_first_import_are_filled_and_kept_after(tmp_path, monkeypatch):
    """Into an empty SQLite ledger the as-of totals' triggers are set aside while the deals are written, then the
    totals are filled from the rows and the triggers put back: the totals agree with the rows after the import,
    after a refused one, and after later changes that only the triggers record."""
    from crm.deals.funds import record_funds
    from crm.deals.stages import change_stage
    from crm.importing import aside as import_aside
    from crm.importing.aside import set_kept_days_aside

    path = ledger_workbook(tmp_path / "台账.xlsx", rows=200)
    _with_planned_starts(path)
    set_aside = []
    monkeypatch.setattr(import_aside, "REBUILD_AT", 1)
    monkeypatch.setattr(
        import_apply,
        "set_kept_days_aside",
        lambda **kwargs: set_aside.append(set_kept_days_aside(**kwargs)) or set_aside[-1],
    )
    report, _rows = _import(str(tmp_path / "a.sqlite3"), path, bulk=True, prepare=_rates)
    assert report.written and len(report.created) == 200
    assert len(set_aside) == 1 and len(set_aside[0].triggers) > 20  # every trigger of migrations 0012-0014
    db = open_database(str(tmp_path / "a.sqlite3"))
    try:
        kept = db.execute_sql("SELECT count(*), sum(deals) FROM deal_stage_days WHERE grain = 1").fetchone()
        assert kept[0] > 100 and kept[1] > 0  # filled, not left empty
        planned = db.execute_sql("SELECT count(*), sum(deals) FROM deal_plan_days").fetchone()
        assert planned[0] > 0 and planned[1] > 0  # the plan figures of migration 0013 too
        assert db_kept_totals.agree(db)
        signed = Deal.select().where(Deal.stage == "signed").order_by(Deal.id).first()
        change_stage(signed.code, "registered", on=datetime.date(2021, 6, 1), actor="测试员")
        record_funds(signed.code, "1000万元", on=datetime.date(2021, 6, 2), actor="测试员")
        assert db_kept_totals.agree(db)  # the triggers are back: later changes are counted
    finally:
        db.close()


def test_a_large_import_into_postgresql_gives_the_planner_its_rows(pg_cluster, tmp_path):
    """Migration 0012's statement triggers look up each batch's deals and ledger entries: planned for the empty
    tables of a first import, each batch scanned everything written before it (a 100,000-row import took minutes).
    The import takes statistics as it goes, so that when it ends the planner counts the rows it wrote."""
    from crm.importing import bulk as import_bulk

    path = ledger_workbook(tmp_path / "台账.xlsx", rows=import_bulk.ANALYSE_FIRST + 500, seed=5)
    url = pg_cluster.create_database()
    db = open_database(url)
    try:
        (before,) = db.execute_sql("SELECT reltuples FROM pg_class WHERE relname = 'deal'").fetchone()
        report = importer.run_import(path, today=datetime.date(2021, 6, 30), actor="测试员")
        assert report.written and len(report.created) == import_bulk.ANALYSE_FIRST + 500
        (after,) = db.execute_sql("SELECT reltuples FROM pg_class WHERE relname = 'deal'").fetchone()
        assert before <= 0 and after >= import_bulk.ANALYSE_FIRST, (before, after)
        assert db_kept_totals.agree(db)
    finally:
        db.close()
        pg_cluster.drop_database(url.rsplit("/", 1)[1])
