"""Every `crm` subcommand of cli/core_commands.py, its output and its errors.

A refused command exits 2 (3 for a stale edit) with exactly one line on
stderr, no traceback, nothing on stdout, and leaves every table as it was.
Messages are translated, so the tests look for the values a message must
quote (codes, dates, currencies, the text typed), not for its wording.
"""

import csv
import datetime
import io
import json
from decimal import Decimal

import pytest

from db.connection import open_database
from db.models import MODELS

LANGFANG = "中国·廊坊国际经济贸易洽谈会"
SUPPLY = "ZS2020-0001"  # demo: 涿州现代供应链金融创新示范基地项目, 1.8亿美元, 投产
OCT = "ZS2020-0003"  # demo: 华侨城涿州城市客厅项目, 80亿元, 注册, one open blocker
DEAL_KEYS = {"code", "name", "stage", "amount", "currency", "amount_cny", "signed_on", "event", "region"}
STAGE_KEYS = {"negotiating", "signed", "registered", "construction", "operating", "stalled", "terminated"}


def no_floats(text):
    return json.loads(text, parse_float=lambda s: pytest.fail(f"a float in JSON output: {s}"))


def snapshot(url=None):
    """Every row of every table of `url` (default: the database the last command opened)."""
    if url:
        open_database(url)
    return {m.__name__: list(m.select().order_by(m.id).tuples()) for m in MODELS}


@pytest.fixture
def cli(run_cli):
    """run_cli that insists on success; returns stdout."""

    def ok(*args):
        code, out, err = run_cli(*args)
        assert code == 0, f"crm {' '.join(map(str, args))} → {code}: {err}"
        assert "Traceback" not in err
        return out

    return ok


@pytest.fixture
def refused(run_cli):
    """refused(url, [(args, quoted…), …], code=2): each is refused in one line and changes nothing."""

    def check(url, cases, code=2):
        before = snapshot(url)
        errors = []
        for args, *quoted in cases:
            got, out, err = run_cli("--db", url, *args)
            assert got == code, f"crm {args} → {got}: {out}{err}"
            assert out == "", f"crm {args} printed {out!r}"
            assert err.endswith("\n") and err.count("\n") == 1, f"crm {args}: not one line: {err!r}"
            assert "Traceback" not in err
            for value in quoted:
                assert str(value) in err, f"crm {args}: {value!r} not in {err!r}"
            assert snapshot() == before, f"crm {args} changed the database"  # every case names the same url
            errors.append(err)
        return errors

    return check


def show(cli, url, code):
    return no_floats(cli("--db", url, "show", code, "--format", "json"))


# ---- init and demo ----------------------------------------------------------------


def test_demo_loads_once(db_url, cli, refused):
    assert "33" in cli("--db", db_url, "demo")
    cli("--db", db_url, "demo")  # already loaded: says so, adds nothing
    assert len(no_floats(cli("--db", db_url, "deals", "--format", "json"))) == 33
    k = no_floats(cli("--db", db_url, "kpi", "--event", "廊坊", "--year", "2020", "--format", "json"))
    assert k["deals"] == 3 and Decimal("11.7e9") <= Decimal(k["total_cny"]) <= Decimal("11.8e9")
    assert [(r["currency"], r["on"], r["rate"]) for r in k["fx_used"]] == [("USD", "2020-05-18", "7.1030")]


def test_demo_refuses_a_ledger_with_other_deals(ledger, db_url, cli, refused):
    cli("--db", db_url, "add", "--name", "自己的项目", "--amount", "1亿元")
    refused(db_url, [(["demo"],)])


def test_demo_flag_is_for_the_tui(db_url, refused):
    refused(db_url, [(["--demo", "deals"],), (["deals", "--demo"],)])


# ---- deals -------------------------------------------------------------------------


def test_deals_json(demo_url, cli):
    rows = no_floats(cli("--db", demo_url, "deals", "--format", "json"))
    assert len(rows) == 33
    for row in rows:
        assert DEAL_KEYS <= row.keys()
        assert row["stage"] in STAGE_KEYS
        Decimal(row["amount"]), Decimal(row["amount_cny"])  # decimal strings
        datetime.date.fromisoformat(row["signed_on"])
    supply = next(r for r in rows if r["code"] == SUPPLY)
    assert (supply["amount"], supply["currency"], supply["amount_cny"]) == ("180000000.00", "USD", "1278540000.00")
    assert (supply["event"], supply["region"], supply["signed_on"]) == (LANGFANG, "涿州市", "2020-05-18")


DEAL_FILTERS = [
    (["--search", "zzgyl"], {SUPPLY}),
    (["--search", "涿州"], {SUPPLY, "ZS2020-0002", OCT}),
    (["--event", "廊坊", "--year", "2020"], {SUPPLY, "ZS2020-0002", OCT}),
    (["--region", "涿州"], {SUPPLY, "ZS2020-0002", OCT}),
    (["--stage", "注册", "--region", "涿州"], {OCT}),
    (["--stage", "registered", "--region", "涿州"], {OCT}),
    (["--department", "住房和城乡建设", "--region", "涿州"], {OCT}),  # a supporting department
    (["--industry", "文旅", "--region", "涿州"], {OCT}),
    (["--year", "2030"], set()),
]


def test_deals_filters(demo_url, cli):
    found = {
        tuple(args): {r["code"] for r in no_floats(cli("--db", demo_url, "deals", *args, "--format", "json"))}
        for args, codes in DEAL_FILTERS
    }
    assert found == {tuple(args): codes for args, codes in DEAL_FILTERS}


def test_deals_table_and_csv(demo_url, run_cli, cli):
    code, out, err = run_cli("--db", demo_url, "deals", "--region", "涿州")
    assert code == 0
    assert "涿州现代供应链金融创新示范基地项目" in out and OCT in out and "12.79" in out  # 亿元 column
    assert "3" in err  # the count goes to stderr, so stdout stays a table
    rows = list(csv.DictReader(io.StringIO(cli("--db", demo_url, "deals", "--region", "涿州", "--format", "csv"))))
    assert [r["code"] for r in rows] == [OCT, "ZS2020-0002", SUPPLY]  # same signing day: newest entry first
    assert {r["code"]: (r["amount"], r["currency"], r["amount_cny"], r["stage"]) for r in rows}[SUPPLY] == (
        "180000000.00",
        "USD",
        "1278540000.00",
        "operating",
    )
    by_code = [
        r["code"]
        for r in csv.DictReader(
            io.StringIO(cli("--db", demo_url, "deals", "--region", "涿州", "--sort", "code", "--format", "csv"))
        )
    ]
    assert by_code == [SUPPLY, "ZS2020-0002", OCT]


def test_deals_errors(demo_url, refused):
    refused(
        demo_url,
        [
            (["deals", "--stage", "开工了"], "开工了"),
            (["deals", "--year", "二〇二〇"], "二〇二〇"),
            (["deals", "--year", "99999"], "99999"),
            (["deals", "--year", "-5"], "-5"),
            (["deals", "--format", "xml"], "xml"),
            (["deals", "--sort", "colour"], "colour"),
            (["deals", "--colour", "red"], "--colour"),
            (["deals", "extra"], "extra"),
            (["nosuchcommand"], "nosuchcommand"),
            (["--lang", "fr", "deals"], "fr"),
        ],
    )


# ---- show -------------------------------------------------------------------------


def test_show_json(demo_url, cli):
    d = show(cli, demo_url, OCT)
    assert (d["code"], d["name"], d["stage"], d["version"]) == (OCT, "华侨城涿州城市客厅项目", "registered", 1)
    assert (d["amount"], d["currency"], d["amount_cny"], d["floor_area"]) == (
        "8000000000.00",
        "CNY",
        "8000000000.00",
        "819000.00",
    )
    assert [(e["from"], e["to"], e["on"]) for e in d["ledger"]][0] == (None, "signed", "2020-05-18")
    assert all({"from", "to", "on", "by", "note"} <= e.keys() for e in d["ledger"])
    assert d["ledger"][-1]["to"] == d["stage"]
    assert [b["department"] for b in d["blockers"]] == ["保定市自然资源和规划局"]
    assert {"name": "涿州市人民政府", "role": "lead"} in d["departments"]
    assert d["funds"] == [] and d["funds_cny"] == "0.00"


def test_show_table(demo_url, cli):
    out = cli("--db", demo_url, "--lang", "en", "show", SUPPLY)
    assert "涿州现代供应链金融创新示范基地项目" in out and "12.79" in out and "USD 180 million" in out
    assert "2020-05-18" in out and "Operating" in out


def test_show_errors(demo_url, refused):
    refused(
        demo_url,
        [
            (["show", "ZS1999-0001"], "ZS1999-0001"),
            (["show"],),
            (["show", OCT, "--format", "xml"], "xml"),
        ],
    )


# ---- add --------------------------------------------------------------------------


def test_add_prints_the_code(demo_url, cli):
    out = cli(
        "--db",
        demo_url,
        "add",
        "--name",
        "新签约项目",
        "--amount",
        "1.8亿美元",
        "--signed",
        "2020年5月18日",
        "--event",
        LANGFANG,
        "--region",
        "涿州市",
        "--industry",
        "新一代信息技术",
        "--investor",
        "某集团",
        "--approval",
        "备案",
        "--liaison",
        "李建国",
        "--lead-unit",
        "涿州市人民政府",
        "--supporting",
        "保定市商务局",
        "保定市生态环境局",
        "--floor-area",
        "1.2万平方米",
        "--notes",
        "测试",
    )
    assert out == "ZS2020-0011\n"  # the demo has ten deals signed in 2020; the code is all that is printed
    d = show(cli, demo_url, "ZS2020-0011")
    assert (d["amount"], d["currency"], d["amount_cny"], d["stage"]) == (
        "180000000.00",
        "USD",
        "1278540000.00",
        "signed",
    )
    assert (d["event"], d["liaison"], d["floor_area"], d["approval"]) == (LANGFANG, "李建国", "12000.00", "filing")
    assert sorted(x["name"] for x in d["departments"] if x["role"] == "support") == ["保定市商务局", "保定市生态环境局"]
    assert d["audit"][0]["by"] == "测试员"  # CRM_USER


def test_add_negotiating_and_with_a_stage(demo_url, cli):
    code = cli("--db", demo_url, "add", "--name", "在谈项目", "--amount", "5亿元").strip()
    assert show(cli, demo_url, code)["stage"] == "negotiating"
    code = cli(
        "--db", demo_url, "add", "--name", "导入项目", "--amount", "5亿元", "--signed", "2019.9.6", "--stage", "在建"
    ).strip()
    assert code.startswith("ZS2019-")
    assert show(cli, demo_url, code)["stage"] == "construction"


def test_add_without_a_rate_is_refused_with_the_command_that_adds_it(demo_url, refused, cli):
    refused(
        demo_url,
        [
            (
                ["add", "--name", "早年项目", "--amount", "1000万美元", "--signed", "2018-03-01"],
                "USD",
                "2018-03-01",
                "crm fx set USD 2018-03-01",
            )
        ],
    )
    cli("--db", demo_url, "fx", "set", "USD", "2018-03-01", "6.3")
    code = cli(
        "--db", demo_url, "add", "--name", "早年项目", "--amount", "1000万美元", "--signed", "2018-03-01"
    ).strip()
    assert show(cli, demo_url, code)["amount_cny"] == "63000000.00"


def test_edit_or_signing_without_a_rate_is_refused(demo_url, refused, cli):
    code = cli("--db", demo_url, "add", "--name", "在谈项目", "--amount", "5亿元").strip()
    refused(
        demo_url, [(["edit", code, "--amount", "1000万美元", "--signed", "2018-03-01"], "crm fx set USD 2018-03-01")]
    )


def test_add_errors(demo_url, refused):
    refused(
        demo_url,
        [
            (["add", "--amount", "25亿元"], "--name"),
            (["add", "--name", "项目"], "--amount"),
            (["add", "--name", "项目", "--amount"], "--amount"),
            (["add", "--name", "项目", "--amount", "二十五亿亿"], "二十五亿亿"),
            (["add", "--name", "项目", "--amount", "0元"], "0元"),
            (["add", "--name", "项目", "--amount=-5亿元"], "-5亿元"),
            (["add", "--name", "项目", "--amount", "25亿元", "--signed", "2020-02-30"], "2020-02-30"),
            (["add", "--name", "项目", "--amount", "25亿元", "--event", "不存在的会"], "不存在的会"),
            (["add", "--name", "项目", "--amount", "25亿元", "--event", "廊坊"], "廊坊"),  # two fairs match
            (["add", "--name", "项目", "--amount", "25亿元", "--lead-unit", "不存在的局"], "不存在的局"),
            (["add", "--name", "项目", "--amount", "25亿元", "--supporting", "不存在的局"], "不存在的局"),
            (["add", "--name", "项目", "--amount", "25亿元", "--approval", "批准"], "批准"),
            (["add", "--name", "项目", "--amount", "25亿元", "--floor-area", "很大"], "很大"),
            (["add", "--name", "项目", "--amount", "25亿元", "--stage", "开工了"], "开工了"),
            (
                ["add", "--name", "项目", "--amount", "25亿元", "--liaison", "新领导", "--lead-unit", "不存在的局"],
                "不存在的局",
            ),
            (["add", "--name", "项目\x1b[31m", "--amount", "25亿元"], "U+001B"),
        ],
    )


# ---- edit and optimistic locking ---------------------------------------------------------


def test_edit(demo_url, cli):
    out = cli("--db", demo_url, "edit", OCT, "--region", "涿州市开发区", "--amount", "81亿元", "--if-version", "1")
    assert OCT in out and "2" in out
    d = show(cli, demo_url, OCT)
    assert (d["region"], d["amount"], d["amount_cny"], d["version"]) == (
        "涿州市开发区",
        "8100000000.00",
        "8100000000.00",
        2,
    )
    assert {(a["field"], a["old"], a["new"], a["by"]) for a in d["audit"]} >= {
        ("region", "涿州市", "涿州市开发区", "测试员"),
        ("amount", "8000000000.00", "8100000000.00", "测试员"),
    }
    cli("--db", demo_url, "edit", OCT, "--supporting", "保定市商务局")
    d = show(cli, demo_url, OCT)
    assert [x["name"] for x in d["departments"] if x["role"] == "support"] == ["保定市商务局"]
    assert d["version"] == 3


def test_stale_edit_exits_3_naming_who_and_when(demo_url, cli, refused, monkeypatch):
    monkeypatch.setenv("CRM_USER", "招商局乙")
    cli("--db", demo_url, "edit", OCT, "--notes", "乙先改了", "--if-version", "1")
    when = show(cli, demo_url, OCT)["updated_at"].replace("T", " ")
    monkeypatch.setenv("CRM_USER", "招商局甲")
    refused(
        demo_url,
        [
            (["edit", OCT, "--notes", "甲后改", "--if-version", "1"], "招商局乙", when, OCT),
            (
                ["edit", OCT, "--liaison", "新领导", "--supporting", "保定市商务局", "--if-version", "1"],
                "招商局乙",
                when,
            ),
        ],
        code=3,
    )
    assert show(cli, demo_url, OCT)["notes"] == "乙先改了"


def test_edit_errors(demo_url, refused):
    refused(
        demo_url,
        [
            (["edit", OCT],),  # nothing to change
            (["edit", "ZS1999-0001", "--region", "涿州市"], "ZS1999-0001"),
            (["edit", OCT, "--name", ""],),
            (["edit", OCT, "--amount", "很多"], "很多"),
            (["edit", OCT, "--signed", "明天"], "明天"),
            (["edit", OCT, "--if-version", "abc", "--region", "涿州"], "abc"),
            (["edit", OCT, "--name", "改名", "--supporting", "不存在的局"], "不存在的局"),  # nothing half-saved
            (["edit", OCT, "--stage", "投产"], "--stage"),
        ],
    )


# ---- stage ---------------------------------------------------------------------------


def test_stage(demo_url, cli):
    out = cli("--db", demo_url, "stage", OCT, "开工", "--on", "2021-03-01")
    assert OCT in out and "2021-03-01" in out
    cli("--db", demo_url, "stage", OCT, "registered", "--on", "2021-04-01", "--note", "施工许可被撤回")
    cli("--db", demo_url, "stage", OCT, "暂停", "--on", "2021.5.1", "--note", "资金未到位")
    d = show(cli, demo_url, OCT)
    assert [(e["from"], e["to"], e["on"], e["note"]) for e in d["ledger"][-3:]] == [
        ("registered", "construction", "2021-03-01", ""),
        ("construction", "registered", "2021-04-01", "施工许可被撤回"),
        ("registered", "stalled", "2021-05-01", "资金未到位"),
    ]
    assert d["stage"] == "stalled" and d["stage_since"] == "2021-05-01"
    assert d["ledger"][-1]["by"] == "测试员"


def test_stage_errors(demo_url, refused):
    refused(
        demo_url,
        [
            (["stage", OCT, "registered"], OCT),  # already there
            (["stage", OCT, "signed", "--on", "2021-01-01"], OCT),  # backwards without a note
            (["stage", OCT, "terminated", "--on", "2021-01-01"], OCT),  # off the line without a note
            (["stage", OCT, "construction", "--on", "2020-07-16"], "2020-07-16"),  # before 注册 (2020-07-17)
            (["stage", OCT, "construction", "--on", "昨天"], "昨天"),
            (["stage", OCT, "开工了"], "开工了"),
            (["stage", "ZS1999-0001", "开工"], "ZS1999-0001"),
            (["stage", OCT],),
        ],
    )


# ---- blockers --------------------------------------------------------------------------


def test_blocker_add_resolve_list(demo_url, cli):
    out = cli(
        "--db",
        demo_url,
        "blocker",
        "add",
        OCT,
        "施工用电未接入",
        "--department",
        "供电",
        "--due",
        "2099-12-31",
        "--raised",
        "2021-01-05",
    )
    new_id = int(out)
    listed = no_floats(cli("--db", demo_url, "blocker", "list", "--code", OCT, "--format", "json"))
    assert {
        "id",
        "deal",
        "text",
        "department",
        "raised_on",
        "due_on",
        "resolved_on",
        "resolution",
        "overdue",
    } <= listed[0].keys()
    mine = next(b for b in listed if b["id"] == new_id)
    assert (mine["deal"], mine["department"], mine["due_on"], mine["overdue"]) == (
        OCT,
        "国网保定供电公司",
        "2099-12-31",
        False,
    )
    old = next(b for b in listed if b["id"] != new_id)
    assert old["overdue"] is True  # due 2020-06-30, still open
    out = cli("--db", demo_url, "blocker", "resolve", str(new_id), "--note", "已接入", "--on", "2021-02-01")
    assert str(new_id) in out and "2021-02-01" in out
    open_ids = [b["id"] for b in no_floats(cli("--db", demo_url, "blocker", "list", "--open", "--format", "json"))]
    assert new_id not in open_ids and old["id"] in open_ids
    by_dept = no_floats(cli("--db", demo_url, "blocker", "list", "--department", "供电", "--format", "json"))
    assert new_id in [b["id"] for b in by_dept] and {b["department"] for b in by_dept} == {"国网保定供电公司"}
    table = cli("--db", demo_url, "blocker", "list", "--code", OCT)
    assert "施工用电未接入" in table and "2021-02-01" in table


def test_blocker_errors(demo_url, cli, refused):
    open_id = no_floats(cli("--db", demo_url, "blocker", "list", "--code", OCT, "--format", "json"))[0]["id"]
    resolved = next(
        b for b in no_floats(cli("--db", demo_url, "blocker", "list", "--format", "json")) if b["resolved_on"]
    )
    refused(
        demo_url,
        [
            (["blocker"],),
            (["blocker", "add", OCT, "问题"], "--department"),
            (["blocker", "add", OCT, "问题", "--department", "不存在的局"], "不存在的局"),
            (["blocker", "add", OCT, "问题", "--department", "保定市"], "保定市"),  # several match
            (["blocker", "add", OCT, "  ", "--department", "供电"],),
            (["blocker", "add", "ZS1999-0001", "问题", "--department", "供电"], "ZS1999-0001"),
            (
                [
                    "blocker",
                    "add",
                    OCT,
                    "问题",
                    "--department",
                    "供电",
                    "--raised",
                    "2021-01-05",
                    "--due",
                    "2021-01-04",
                ],
                "2021-01-04",
            ),
            (["blocker", "add", OCT, "问题", "--department", "供电", "--due", "下周"], "下周"),
            (["blocker", "resolve", str(resolved["id"])], str(resolved["id"])),  # already resolved
            (["blocker", "resolve", "abc"], "abc"),
            (["blocker", "resolve", "99999"], "99999"),
            (["blocker", "resolve", str(open_id), "--on", "2020-05-01"], "2020-05-01"),  # before it was raised
            (["blocker", "list", "--department", "不存在的局"], "不存在的局"),
            (["blocker", "list", "--code", "ZS1999-0001"], "ZS1999-0001"),
            (["blocker", "list", "--format", "xml"], "xml"),
        ],
    )


# ---- funds ------------------------------------------------------------------------------


def test_funds(demo_url, cli, run_cli):
    out = cli("--db", demo_url, "funds", OCT, "16亿元", "--on", "2021-01-10", "--note", "首笔")
    assert OCT in out and "2021-01-10" in out
    cli("--db", demo_url, "funds", SUPPLY, "3600万", "--on", "2020-06-01")  # in the deal's currency, USD
    d = show(cli, demo_url, OCT)
    assert [(f["on"], f["amount"], f["currency"], f["amount_cny"]) for f in d["funds"]] == [
        ("2021-01-10", "1600000000.00", "CNY", "1600000000.00")
    ]
    assert (d["funds_cny"], d["funds_rate"]) == ("1600000000.00", "0.2000")
    s = show(cli, demo_url, SUPPLY)
    assert [(f["currency"], f["amount_cny"]) for f in s["funds"]] == [("USD", "255708000.00")]  # × 7.1030
    code, out, err = run_cli("--db", demo_url, "funds", SUPPLY, "100万美元", "--on", "2018-01-01")
    assert code == 2 and "USD" in err and "2018-01-01" in err and "crm fx set" in err  # refused at entry


def test_funds_errors(demo_url, refused):
    refused(
        demo_url,
        [
            (["funds", OCT, "很多"], "很多"),
            (["funds", OCT, "0元"], "0元"),
            (["funds", OCT, "1亿元", "--on", "2021-02-30"], "2021-02-30"),
            (["funds", "ZS1999-0001", "1亿元"], "ZS1999-0001"),
            (["funds", OCT],),
        ],
    )


# ---- exchange rates ------------------------------------------------------------------


def test_fx_set_and_list(demo_url, cli):
    cli("--db", demo_url, "fx", "set", "usd", "2018-01-02", "6.4")  # a wrong first rate; deals need one
    code = cli(
        "--db", demo_url, "add", "--name", "早年项目", "--amount", "1000万美元", "--signed", "2018-03-01"
    ).strip()
    assert show(cli, demo_url, code)["amount_cny"] == "64000000.00"
    out = cli("--db", demo_url, "fx", "set", "usd", "2018-01-02", "6.5", "--source", "人民银行中间价")
    assert "USD 2018-01-02 6.5000" in out
    assert show(cli, demo_url, code)["amount_cny"] == "65000000.00"
    assert show(cli, demo_url, SUPPLY)["amount_cny"] == "1278540000.00"  # covered by a later rate: untouched
    listing = cli("--db", demo_url, "fx", "list", "--currency", "USD")
    assert "2018-01-02" in listing and "6.5000" in listing and "7.1030" in listing and "EUR" not in listing
    assert "EUR" in cli("--db", demo_url, "fx", "list")


def test_fx_errors(demo_url, refused):
    refused(
        demo_url,
        [
            (["fx", "set", "CNY", "2020-01-01", "1"],),
            (["fx", "set", "XYZ", "2020-01-01", "1"], "XYZ"),
            (["fx", "set", "USD", "2020-01-01", "seven"], "seven"),
            (["fx", "set", "USD", "2020-01-01", "-7"], "-7"),
            (["fx", "set", "USD", "2020-01-01", "7.12345678"], "7.12345678"),
            (["fx", "set", "USD", "someday", "7.1"], "someday"),
            (["fx", "set", "USD", "2020-01-01"],),
            (["fx", "list", "--currency", "XYZ"], "XYZ"),
            (["fx"],),
        ],
    )


# ---- kpi -----------------------------------------------------------------------------


def test_kpi_errors(demo_url, cli, refused):
    refused(
        demo_url,
        [
            (["kpi", "--year", "abc"], "abc"),
            (["kpi", "--year", "99999"], "99999"),
            (["kpi", "--format", "xml"], "xml"),
            (["kpi", "--stage", "开工"], "--stage"),
        ],
    )
    refused(
        demo_url,
        [(["kpi", "--event", "不存在的会"], "不存在的会"), (["deals", "--department", "不存在的局"], "不存在的局")],
    )
    refused(
        demo_url,
        [
            (
                ["add", "--name", "早年项目", "--amount", "1000万美元", "--signed", "2018-03-01"],
                "USD",
                "2018-03-01",
                "crm fx set",
            )
        ],
    )  # refused at entry: the KPIs of 2018 keep working
    assert no_floats(cli("--db", demo_url, "kpi", "--year", "2018", "--format", "json"))["deals"] == 0


def test_kpi_json_keys(demo_url, cli):
    k = no_floats(cli("--db", demo_url, "kpi", "--format", "json"))
    for key in (
        "deals",
        "total_cny",
        "fulfilment_rate",
        "start_rate",
        "operating_rate",
        "funds_rate",
        "blockers_open",
        "blockers_resolved",
        "resolution_rate",
        "fx_used",
    ):
        assert key in k, key
    assert k["deals"] == 33
    assert k["blockers_open"] + k["blockers_resolved"] == k["blockers_raised"]
    Decimal(k["total_cny"]), Decimal(k["funds_rate"])
    assert {r["currency"] for r in k["fx_used"]} == {"USD", "EUR", "HKD"}


# ---- departments and events ------------------------------------------------------------


def test_departments_and_events(demo_url, cli, refused):
    assert (
        cli("--db", demo_url, "department", "add", "保定市交通运输局", "--contact", "0312-5000009")
        == "保定市交通运输局\n"
    )
    assert "保定市交通运输局" in cli("--db", demo_url, "department", "list")
    assert (
        cli("--db", demo_url, "event", "add", "中国·保定新春招商会", "--on", "2021-02-01", "--place", "保定")
        == "中国·保定新春招商会\n"
    )
    assert "2021-02-01" in cli("--db", demo_url, "event", "list")
    refused(
        demo_url,
        [
            (["department", "add", "保定市交通运输局"], "保定市交通运输局"),
            (["department", "add", "新部门", "--kind", "ministry"], "ministry"),
            (["department", "add", ""],),
            (["department"],),
            (["event", "add", "中国·保定新春招商会", "--on", "2021-02-01"], "中国·保定新春招商会"),
            (["event", "add", "新会", "--on", "不知道"], "不知道"),
            (["event", "add", ""],),
            (["event"],),
        ],
    )


def test_listings_of_an_empty_ledger(ledger, db_url, cli):
    assert no_floats(cli("--db", db_url, "deals", "--format", "json")) == []
    k = no_floats(cli("--db", db_url, "kpi", "--format", "json"))
    assert (k["deals"], k["fulfilment_rate"], k["funds_rate"], k["resolution_rate"], k["fx_used"]) == (
        0,
        None,
        None,
        None,
        [],
    )
    assert no_floats(cli("--db", db_url, "blocker", "list", "--format", "json")) == []
    for args in (
        ["deals"],
        ["deals", "--format", "csv"],
        ["kpi"],
        ["blocker", "list"],
        ["fx", "list"],
        ["department", "list"],
        ["event", "list"],
    ):
        cli("--db", db_url, *args)


def test_blocker_resolve_refuses_a_stale_version(demo_url, cli, run_cli):
    blockers = no_floats(cli("--db", demo_url, "blocker", "list", "--open", "--format", "json"))
    first = blockers[0]["id"]
    code, _out, err = run_cli("--db", demo_url, "blocker", "resolve", first, "--note", "已协调", "--if-version", "7")
    assert code == 3 and len(err.strip().splitlines()) == 1 and "7" in err
    still_open = no_floats(cli("--db", demo_url, "blocker", "list", "--open", "--format", "json"))
    assert first in [b["id"] for b in still_open]
    code, _out, err = run_cli("--db", demo_url, "blocker", "resolve", first, "--note", "已协调", "--if-version", "1")
    assert code == 0, err


def test_add_reads_chinese_numerals_and_month_plans(cli, ledger, db_url):
    """The CLI reads amounts with the import's reader: 二十五亿 is 25亿元; a month-only plan is shown as the month."""
    code = cli(
        "--db",
        db_url,
        "add",
        "--name",
        "项目",
        "--amount",
        "二十五亿",
        "--signed",
        "2020-05-18",
        "--planned-start",
        "2020年7月",
    ).strip()
    d = json.loads(cli("--db", db_url, "show", code, "--format", "json"))
    assert (d["amount"], d["planned_start"], d["month_only"]) == ("2500000000.00", "2020-07", ["planned_start"])
