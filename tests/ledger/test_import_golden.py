"""What a county sheet leaves in the ledger, every table cell by cell, against a dump recorded before the import's
reading and checking were rewritten for speed (issues 12 and 16).

The sheet (built here, deterministic) has what county ledgers repeat down their rows (regions, industries, lead
units, leaders, events, dates, amounts, stage words), free-text progress with and without stage words, amounts in
Chinese numerals and in 万元 / 亿元 / 美元 / 欧元 / 港元, 公文 and month-only dates, date cells and serial numbers,
problems naming their department or not, supporting departments, cumulative funds, notes, codes kept from the file
and codes allocated, a merged region cell, a 合计 row and notes after it. It is imported into an empty ledger
three ways — the bulk path with the deal indexes and kept totals set aside and the sheet read in two processes,
the bulk path without either, and create_deal row by row — on SQLite and PostgreSQL, and each time the whole
ledger (departments, people, events, rates, deals, their stage ledger, supporting departments, blockers, funds,
progress, the audit trail and the import record) is compared with tests/data/import_golden.json, ids replaced by
what they point at, timestamps left out and the day the test runs written TODAY. A second import of the same
file must change nothing.

The JSON file was written by this module (`python -m tests.ledger.test_import_golden FILE`) with main at b4e267f,
before the changes it guards; the hand-checked assertions below pin a few of its cells independently.
"""

from __future__ import annotations

import datetime
import json
import os
import random
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from crm.importing import aside, importer
from crm.reference import fx
from db.connection import open_database
from db.models import (
    ImportRecord,
    database,
)
from tests.ledger_checks import natural_rows

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "import_golden.json"
TODAY = datetime.date(2021, 6, 30)
HEADERS = [
    "序号",
    "项目编号",
    "项目名称",
    "投资方",
    "所在地",
    "产业类别",
    "签约活动",
    "签约时间",
    "总投资（万元）",
    "项目进展",
    "存在问题",
    "牵头单位",
    "配合单位",
    "包联领导",
    "计划开工时间",
    "累计到位资金（万元）",
    "备注",
]
REGIONS = ["涿州市", "高碑店市", "定兴县", "安国市", "清苑区", "徐水区"]
INDUSTRIES = ["先进制造", "新一代信息技术/大数据", "生物医药健康", "现代物流", "文旅"]
EVENTS = ["中国·廊坊国际经济贸易洽谈会", "保定市重点项目集中签约", None, None]
LEADS = ["涿州市人民政府", "定兴县人民政府", "保定市商务局", None]
SUPPORT = ["保定市发展和改革委员会、保定市商务局", "保定市自然资源和规划局\n保定市住房和城乡建设局", None, None]
PEOPLE = ["李建国", "张振华", "刘晓明", None]
AMOUNTS = [
    "八十亿元",
    "两亿元",
    "1亿8千万元",
    "3000萬元",
    "25亿元左右",
    "人民币壹亿捌仟万元整",
    "1.8亿美元",
    "5000万欧元",
    "3亿港元",
    "4500万元",
    "12.5亿元",
    15000,
    8800.5,
]
DATES = [
    "二〇二〇年五月十八日",
    "2020年5月18日",
    "2020.4.28",
    datetime.datetime(2019, 11, 6),
    "2019年12月6日",
    "2020年7月",
    43980,
    None,
]
PLANNED = ["2020年7月", "2020.9", "2020年底", "待定", None, datetime.datetime(2021, 3, 1)]
PROGRESS = [
    "在谈",
    "签约",
    "已开工建设，主体施工中",
    "已完成土地摘牌，正在办理施工许可",
    "正在办理前期手续",
    "已投产",
    "停滞",
    "项目推进中",
    None,
]
PROBLEMS = [
    "用地指标不足",
    "1.用地指标不足【责任单位:保定市自然资源和规划局；时限:2021-07-31】\n2.环评未批复",
    "配套道路建设进度滞后(保定市住房和城乡建设局)",
    "无",
    None,
    None,
]


def county_sheet(path: Path, rows: int = 90, seed: int = 12) -> Path:
    """The county ledger described above, `rows` deals, with a 合计 row and notes after it."""
    rnd = random.Random(seed)
    wb = Workbook()
    ws = wb.active
    ws.title = "项目台账"
    ws.append(["2020年重点招商项目台账"])
    ws.merge_cells("A1:Q1")
    ws.append(["填报单位：某县招商局"])
    ws.append(HEADERS)
    for n in range(1, rows + 1):
        amount = AMOUNTS[n % len(AMOUNTS)] if n % 4 else rnd.choice(AMOUNTS)
        lead = rnd.choice(LEADS)
        problem = rnd.choice(PROBLEMS)
        if problem and not lead and problem != "无":
            lead = "定兴县人民政府"
        ws.append(
            [
                n,
                f"ZS2020-{800 + n:04d}" if n % 9 == 0 else None,
                f"{rnd.choice(REGIONS)[:2]}{rnd.choice(INDUSTRIES)[:2]}项目{n}",
                rnd.choice(["某集团有限公司", "华侨城集团", f"某某科技{n % 7}有限公司", None]),
                rnd.choice(REGIONS),
                rnd.choice(INDUSTRIES),
                rnd.choice(EVENTS),
                rnd.choice(DATES),
                amount,
                rnd.choice(PROGRESS),
                problem,
                lead,
                rnd.choice(SUPPORT),
                rnd.choice(PEOPLE),
                rnd.choice(PLANNED),
                rnd.choice([None, None, 500, 1200.5, "—"]),
                rnd.choice(["备注", None, "需市级协调\n已上报"]),
            ]
        )
        if n % 5 == 0 and isinstance(ws.cell(ws.max_row, 8).value, datetime.datetime):
            ws.cell(ws.max_row, 8).number_format = "yyyy-mm-dd"
    ws.merge_cells("E6:E8")  # a county written once for three deals
    ws.append(["合计", None, None, None, None, None, None, None, 123456])
    ws.append(["注：本表数据截至2020年6月30日"])
    wb.save(path)
    return path


def _rates() -> None:
    before = os.environ.get("CRM_USER")
    os.environ["CRM_USER"] = "测试员"  # the rates' audit entries name who set them
    try:
        _set_rates()
    finally:
        if before is None:
            del os.environ["CRM_USER"]
        else:
            os.environ["CRM_USER"] = before


def _set_rates() -> None:
    fx.set_rate("USD", datetime.date(2019, 1, 1), "6.8")
    fx.set_rate("USD", datetime.date(2020, 1, 1), "7.1")
    fx.set_rate("EUR", datetime.date(2019, 1, 1), "7.8")
    fx.set_rate("HKD", datetime.date(2019, 1, 1), "0.91")


def _shown(value) -> str:
    """A value as the dump keeps it: the day the test runs as TODAY (create_deal dates by the clock), else repr."""
    if isinstance(value, datetime.date) and value == datetime.date.today():
        return "TODAY"
    if isinstance(value, str) and value == datetime.date.today().isoformat():
        return "TODAY"
    if isinstance(value, Decimal):  # the same number whatever scale the backend gives it back with
        return "Decimal " + format(value.normalize(), "f")
    return repr(value)


def dump() -> dict:
    """Every row of the ledger's tables (see the module's docstring), as sorted lists of [column, value] pairs."""
    out = natural_rows(shown=_shown)
    out["ImportRecord"] = [
        [r.source.rsplit("/", 1)[-1], r.sheet, r.created, r.updated, r.reverted_at is None]
        for r in ImportRecord.select().order_by(ImportRecord.id)
    ]
    return out


def import_and_dump(url: str, path: Path, bulk: bool = True) -> tuple[dict, dict]:
    """(the report as JSON, the ledger's dump) after importing `path` into the new ledger at `url`."""
    db = open_database(url)
    try:
        _rates()
        report = importer.run_import(path, today=TODAY, actor="测试员", bulk=bulk)
        assert report.written, [str(p) for p in report.problems]
        return {k: v for k, v in report.as_json().items() if k != "source"}, dump()
    finally:
        db.close()


@pytest.fixture
def new_url(backend, request, tmp_path):
    """A function giving a new empty database on the backend under test."""
    if backend == "sqlite":
        names = iter(range(100))
        return lambda: str(tmp_path / f"ledger{next(names)}.sqlite3")
    cluster = request.getfixturevalue("pg_cluster")
    made = []

    def drop():
        if database.obj is not None and not database.obj.is_closed():
            database.obj.close()
        for url in made:
            cluster.drop_database(url.rsplit("/", 1)[1])

    request.addfinalizer(drop)
    return lambda: made.append(cluster.create_database()) or made[-1]


def _golden() -> dict:
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


def _compare(got: dict, want: dict) -> None:
    assert got.keys() == want.keys()
    for table in want:
        # Row by row first, so that a failure names the first row that differs rather than the whole table.
        for n, (mine, theirs) in enumerate(zip(got[table], want[table])):
            assert mine == theirs, (table, n)
        assert len(got[table]) == len(want[table]), table


@pytest.mark.parametrize("way", ["aside", "bulk", "one_by_one", "chunks"])
def test_the_county_sheet_lands_as_recorded(new_url, tmp_path, monkeypatch, way):
    path = county_sheet(tmp_path / "county.xlsx")
    if way in ("aside", "chunks"):
        monkeypatch.setattr(aside, "REBUILD_AT", 10)
    if way == "chunks":  # as a million-row sheet is read: in slices of its XML, its rows applied a chunk at a time
        import importlib

        from crm.importing import plan, xlsx_slices

        monkeypatch.setattr(plan, "CHUNK", 7)
        monkeypatch.setattr(xlsx_slices, "SLICE_AT", 0)
        monkeypatch.setattr(xlsx_slices, "SLICE_BYTES", 3000)
        # What is remembered of the rows read (keys, codes, deals created) on disk, the report's lines past two too.
        monkeypatch.setattr(importlib.import_module("crm.importing.remembered"), "SPILL_AT", 3)
        monkeypatch.setattr(importlib.import_module("crm.importing.report"), "KEPT", 2)
    report, got = import_and_dump(new_url(), path, bulk=way != "one_by_one")
    _compare(got, _golden()["ledger"])
    want = _golden()["report"]
    for key in want:  # what the import says it did: created, skipped, warnings, totals checked, notices …
        assert report[key] == want[key], key


def test_the_recorded_dump_holds_what_the_cells_say():
    """Cells checked by hand against the sheet, so that the recorded dump is not only what the code once did."""
    deals = {dict(r)["name"].rsplit("项目", 1)[1].rstrip("'"): dict(r) for r in _golden()["ledger"]["Deal"]}
    assert len(deals) == 90

    def cells(n, *names):
        return tuple(deals[str(n)][name] for name in names)

    money = ("amount", "currency", "amount_cny")
    assert cells(1, *money) == ("Decimal 200000000", "'CNY'", "Decimal 200000000")  # 两亿元
    assert cells(2, *money) == ("Decimal 180000000", "'CNY'", "Decimal 180000000")  # 1亿8千万元
    assert cells(3, *money) == ("Decimal 30000000", "'CNY'", "Decimal 30000000")  # 3000萬元
    assert cells(6, *money) == ("Decimal 180000000", "'USD'", "Decimal 1278000000")  # 1.8亿美元 at 7.1 (2020)
    assert cells(7, *money) == ("Decimal 50000000", "'EUR'", "Decimal 390000000")  # 5000万欧元 at 7.8
    assert cells(11, *money) == ("Decimal 150000000", "'CNY'", "Decimal 150000000")  # 15000 in the 万元 column
    assert cells(12, *money) == ("Decimal 300000000", "'HKD'", "Decimal 273000000")  # 3亿港元 at 0.91
    # 2020年7月: a month; 二〇二〇年五月十八日 and 2019年12月6日: days.
    assert cells(1, "signed_on", "signed_on_month") == ("datetime.date(2020, 7, 1)", "True")
    assert cells(6, "signed_on", "signed_on_month") == ("datetime.date(2020, 5, 18)", "False")
    assert cells(8, "signed_on", "signed_on_month") == ("datetime.date(2019, 12, 6)", "False")
    # A code of ours in the file is kept; the others are numbered per signing year in row order.
    assert cells(9, "code") == ("'ZS2020-0809'",)
    assert cells(1, "code") == ("'ZS2020-0001'",) and cells(2, "code") == ("'ZS2019-0001'",)
    assert cells(3, "pinyin_initials", "stage") == ("'zzxjxm3'", "'stalled'")  # 涿州先进项目3, 停滞
    report = _golden()["report"]
    assert report["skipped"] == [{"reason": "after_totals", "row": 95}]
    assert [t["total"] for t in report["totals_checked"]] == ["123456"]


def test_importing_the_sheet_again_changes_nothing(new_url, tmp_path):
    path = county_sheet(tmp_path / "county.xlsx")
    url = new_url()
    import_and_dump(url, path)
    db = open_database(url)
    try:
        report = importer.run_import(path, today=TODAY, actor="测试员")
        after = dump()
    finally:
        db.close()
    assert report.written and not report.created and not report.updated and len(report.unchanged) == 90
    want = _golden()["ledger"]
    for table in want:
        if table not in ("AuditEntry", "ImportRecord"):
            assert after[table] == want[table], table
    assert after["ImportRecord"] == [*want["ImportRecord"], ["county.xlsx", "项目台账", 0, 0, True]]


def main(argv: list[str]) -> int:
    """Record the dump of an import of the sheet into a new SQLite ledger in the file argv[0]."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = county_sheet(Path(tmp) / "county.xlsx")
        report, ledger = import_and_dump(str(Path(tmp) / "golden.sqlite3"), path)
    lines = ["{", f'"report": {json.dumps(report, ensure_ascii=False, sort_keys=True)},', '"ledger": {']
    for n, table in enumerate(sorted(ledger)):  # one row a line: a change shows as the rows it changes
        rows = [json.dumps(row, ensure_ascii=False) for row in ledger[table]]
        lines += [f"{json.dumps(table)}: [", ",\n".join(rows), "]" + ("," if n < len(ledger) - 1 else "")]
    Path(argv[0]).write_text("\n".join([*lines, "}}"]) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))


def _naming_again(path: Path) -> Path:
    """Rows naming deals that rows of earlier chunks created: by a code the import gave, by name, by name and date."""
    wb = Workbook()
    ws = wb.active
    ws.append(["项目编号", "项目名称", "签约时间", "总投资", "项目进展"])
    ws.append([None, "冷链物流园项目", "2020-01-05", "1亿元", "签约"])  # given the year's first code
    ws.append(["ZS2020-0009", "智能装备产业园", "2020-02-01", "3亿元", "在谈"])
    for n in range(1, 6):
        ws.append([None, f"第{n}号配套项目", f"2020-03-{n:02d}", f"{n}亿元", "签约"])
    ws.append(["ZS2020-0001", "冷链物流园项目", "2020-01-05", "2亿元", "已开工"])  # the code the first row was given
    ws.append([None, "智能装备产业园", None, "3亿元", "签约"])  # the name alone: the deal of the second row
    ws.append([None, "第2号配套项目", "2020-06-30", "2亿元", "签约"])  # another date: another deal
    wb.save(path)
    return path


def test_rows_naming_earlier_chunks_deals_land_as_in_one_chunk(new_url, tmp_path, monkeypatch):
    """A first import remembers the deals it created (on disk past its bound): rows of later chunks find them."""
    import importlib

    from crm.importing import plan

    path = _naming_again(tmp_path / "again.xlsx")
    whole = import_and_dump(new_url(), path)
    assert [u["row"] for u in whole[0]["updated"]] == [9, 10] and len(whole[0]["created"]) == 8
    monkeypatch.setattr(plan, "CHUNK", 2)
    monkeypatch.setattr(importlib.import_module("crm.importing.remembered"), "SPILL_AT", 0)
    monkeypatch.setattr(importlib.import_module("crm.importing.report"), "KEPT", 1)
    chunked = import_and_dump(new_url(), path)
    assert chunked[0] == whole[0]
    for table in whole[1]:
        assert chunked[1][table] == whole[1][table], table
