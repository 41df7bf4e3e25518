"""What the write commands print back, now that they get plain data from crm/ (crm.deals.outcomes,
crm.reference.entries) rather than database rows: the values a user reads after each command."""

import json

SUPPLY = "ZS2020-0001"  # demo: 1.8亿美元, 投产
OCT = "ZS2020-0003"  # demo: 80亿元, 注册, one open blocker


def _ok(run_cli, *args):
    code, out, err = run_cli(*args)
    assert code == 0, f"crm {' '.join(args)} → {code}: {err}"
    assert "Traceback" not in err
    return out, err


def test_plan_and_invest_without_a_rate_say_which_rate_to_add(demo_url, run_cli):
    # The demo's first EUR rate is of 2019-09-02: a 2019 plan (1 January) and March's figure have none.
    out, err = _ok(run_cli, "--db", demo_url, "plan", SUPPLY, "2019", "100万欧元")
    assert SUPPLY in out and "2019" in out and "100万欧元" in out
    assert "crm fx set EUR 2019-01-01" in err
    out, err = _ok(run_cli, "--db", demo_url, "invest", SUPPLY, "50万欧元", "--month", "2019-03")
    assert "2019-03" in out and "50万欧元" in out
    assert "crm fx set EUR 2019-03-01" in err
    out, err = _ok(run_cli, "--db", demo_url, "invest", SUPPLY, "50万欧元", "--month", "2019-10")
    assert err == ""  # 2019-10-31 has the rate of 2019-09-02
    out, err = _ok(run_cli, "--db", demo_url, "invest", "void", SUPPLY, "--month", "2019-10", "--note", "录错")
    assert "2019-10" in out and "50万欧元" in out


def test_funds_recorded_then_voided_name_the_entry_and_its_amount(demo_url, run_cli):
    out, _err = _ok(run_cli, "--db", demo_url, "funds", OCT, "3000万元", "--on", "2020-10-01")
    assert OCT in out and "2020-10-01" in out
    shown = json.loads(_ok(run_cli, "--db", demo_url, "show", OCT, "--format", "json")[0])
    entry = [f for f in shown["funds"] if f["on"] == "2020-10-01"][0]
    out, _err = _ok(run_cli, "--db", demo_url, "funds", "void", str(entry["id"]), "--note", "重复录入")
    assert str(entry["id"]) in out and "2020-10-01" in out
    after = json.loads(_ok(run_cli, "--db", demo_url, "show", OCT, "--format", "json")[0])
    voided = [f for f in after["funds"] if f["id"] == entry["id"]][0]
    assert voided["voided"]["note"] == "重复录入" and voided["amount"] == entry["amount"]


def test_archive_and_unarchive_print_the_code_and_day(demo_url, run_cli):
    out, _err = _ok(run_cli, "--db", demo_url, "archive", OCT, "--note", "重复")
    assert OCT in out
    assert OCT not in _ok(run_cli, "--db", demo_url, "deals")[0]
    out, _err = _ok(run_cli, "--db", demo_url, "unarchive", OCT, "--note", "不是重复")
    assert OCT in out
    assert OCT in _ok(run_cli, "--db", demo_url, "deals")[0]


def test_blocker_list_json_names_deal_and_department(demo_url, run_cli):
    out, _err = _ok(run_cli, "--db", demo_url, "blocker", "add", SUPPLY, "用地指标未落实", "--department", "自然资源")
    new_id = int(out.strip())
    rows = json.loads(_ok(run_cli, "--db", demo_url, "blocker", "list", "--format", "json")[0])
    # the keys in the order the command has always printed them
    assert list(rows[0]) == "id deal text department raised_on due_on resolved_on resolution overdue".split()
    mine = [r for r in rows if r["id"] == new_id][0]
    assert mine["deal"] == SUPPLY and "自然资源" in mine["department"] and mine["resolved_on"] is None
    out, _err = _ok(run_cli, "--db", demo_url, "blocker", "resolve", str(new_id), "--note", "已落实")
    assert str(new_id) in out
    out, _err = _ok(run_cli, "--db", demo_url, "blocker", "reopen", str(new_id), "--note", "又有变化")
    assert str(new_id) in out


def test_department_show_and_rates_print_what_was_saved(demo_url, run_cli):
    out, _err = _ok(run_cli, "--db", demo_url, "department", "add", "测试新区管委会", "--kind", "zone")
    assert out.strip() == "测试新区管委会"
    data = json.loads(_ok(run_cli, "--db", demo_url, "department", "show", "测试新区", "--format", "json")[0])
    assert list(data) == ["name", "kind", "contact", "version", "updated_at", "updated_by"]
    assert data["kind"] == "zone" and data["version"] == 1
    out, _err = _ok(run_cli, "--db", demo_url, "fx", "set", "JPY", "2020-01-02", "0.0639", "--source", "测试")
    assert out.strip() == "JPY 2020-01-02 0.0639 (测试)"
    out, _err = _ok(run_cli, "--db", demo_url, "fx", "void", "JPY", "2020-01-02", "--note", "录错")
    assert "JPY 2020-01-02 0.0639 (测试)" in out
    listed = _ok(run_cli, "--db", demo_url, "fx", "list", "--currency", "JPY")[0]
    assert "0.0639" in listed and "录错" in listed
