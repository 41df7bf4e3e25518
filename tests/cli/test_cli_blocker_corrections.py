"""`crm blocker edit` and `crm blocker void`: what an officer types and sees, on SQLite and PostgreSQL.

The ledger is tests.ledger.test_kpi's (d3: blocker 环评批复尚未取得 open and overdue, 用地指标不足 resolved).
"""

import json

from db.models import Blocker
from tests.ledger import test_corrections

small = test_corrections.small  # the small ledger's one template (two of one name would clash)


def kpis(run_cli, db_url) -> dict:
    code, out, err = run_cli("--db", db_url, "kpi", "--format", "json")
    assert code == 0, err
    return json.loads(out)


def test_void_takes_the_blocker_out_of_crm_kpi_and_crm_show_lists_it_voided(small, run_cli, db_url):
    deal = small["d3"]
    code, out, err = run_cli("--db", db_url, "blocker", "add", deal, "重复录入的问题", "--department", "生态环境")
    assert code == 0, err
    mistaken = int(out)
    before = kpis(run_cli, db_url)

    code, out, err = run_cli("--db", db_url, "blocker", "void", mistaken, "--note", "与1号重复")
    assert code == 0, err
    assert str(mistaken) in out and deal in out

    after = kpis(run_cli, db_url)
    assert after["blockers_raised"] == before["blockers_raised"] - 1
    assert after["blockers_open"] == before["blockers_open"] - 1
    assert after["resolution_rate"] != before["resolution_rate"]
    code, out, err = run_cli("--db", db_url, "show", deal)
    assert code == 0, err
    voided_part = out.split("重复录入的问题", 1)
    assert len(voided_part) == 2 and "与1号重复" in voided_part[1].splitlines()[0]
    shown = json.loads(run_cli("--db", db_url, "show", deal, "--format", "json")[1])
    assert [b["text"] for b in shown["blockers"]] == ["环评批复尚未取得", "用地指标不足"]
    assert [(v["id"], v["note"]) for v in shown["voided_blockers"]] == [(mistaken, "与1号重复")]
    code, out, err = run_cli("--db", db_url, "log", deal)
    assert code == 0, err
    assert "与1号重复" in out


def test_blocker_list_hides_voided_ones_unless_all(small, run_cli, db_url):
    b = Blocker.get(Blocker.text == "用地指标不足")
    assert run_cli("--db", db_url, "blocker", "void", b.id, "--note", "录错")[0] == 0
    code, out, err = run_cli("--db", db_url, "blocker", "list")
    assert code == 0, err
    assert "用地指标不足" not in out
    code, out, err = run_cli("--db", db_url, "blocker", "list", "--all")
    assert code == 0, err
    (line,) = [x for x in out.splitlines() if "用地指标不足" in x]
    assert "录错" in line
    rows = json.loads(run_cli("--db", db_url, "blocker", "list", "--all", "--format", "json")[1])
    assert [r["text"] for r in rows if r.get("voided")] == ["用地指标不足"]


def test_void_refusals_are_one_line(small, run_cli, db_url):
    b = Blocker.get(Blocker.text == "环评批复尚未取得")
    for args in (("void", b.id), ("void", 999999, "--note", "x"), ("void", "abc", "--note", "x")):
        code, out, err = run_cli("--db", db_url, "blocker", *args)
        assert code == 2 and len(err.strip().splitlines()) == 1, (args, err)
    assert Blocker.get_or_none(Blocker.id == b.id) is not None


def test_edit_corrects_the_fields_and_crm_show_has_them(small, run_cli, db_url):
    deal = small["d3"]
    b = Blocker.get(Blocker.text == "环评批复尚未取得")
    before = kpis(run_cli, db_url)
    code, out, err = run_cli(
        "--db",
        db_url,
        "blocker",
        "edit",
        b.id,
        "--text",
        "环评待省厅批复",
        "--department",
        "自然资源",
        "--due",
        "2099-03-01",
    )
    assert code == 0, err
    shown = json.loads(run_cli("--db", db_url, "show", deal, "--format", "json")[1])
    (mine,) = [x for x in shown["blockers"] if x["id"] == b.id]
    assert (mine["text"], mine["due_on"], mine["overdue"]) == ("环评待省厅批复", "2099-03-01", False)
    assert "自然资源" in mine["department"]
    assert kpis(run_cli, db_url)["blockers_overdue"] == before["blockers_overdue"] - 1
    code, out, err = run_cli("--db", db_url, "blocker", "edit", b.id, "--no-due")
    assert code == 0, err
    code, out, err = run_cli("--db", db_url, "log", deal)
    assert "环评待省厅批复" in out and "2099-03-01" in out


def test_edit_refusals_are_one_line(small, run_cli, db_url):
    b = Blocker.get(Blocker.text == "环评批复尚未取得")
    for args in (
        ("edit", b.id),
        ("edit", b.id, "--due", "2020-01-01"),
        ("edit", b.id, "--due", "2030-01-01", "--no-due"),
        ("edit", b.id, "--department", "没有这个部门"),
        ("edit", b.id, "--text", "x", "--if-version", 99),
        ("edit", 999999, "--text", "x"),
    ):
        code, out, err = run_cli("--db", db_url, "blocker", *args)
        assert code != 0 and len(err.strip().splitlines()) == 1, (args, err)
    assert Blocker.get_by_id(b.id).text == "环评批复尚未取得"
