"""`crm import` of the weekly table this program exports as csv, when a deal's amount is approximate (约4亿元): the
合计 row's 折合人民币 then reads 约399.22, and the import checks it as it checks an exact total. An approximate
total agrees with the rows when their sum rounds to it at the precision shown (each row's 折合人民币 rounded as the
csv writes it); a wrong one warns, and --strict refuses the file. The table goes back into the ledger it was
exported from, on SQLite and PostgreSQL."""

import csv
import json
from decimal import Decimal

from db.connection import open_database
from db.models import Deal, ImportRecord

CNY = "折合人民币(亿元)"
AMOUNT = "总投资"


def _import(run_cli, url, path, *more):
    code, out, err = run_cli("--db", url, "import", path, "--format", "json", *more)
    return code, json.loads(out) if out.strip() else None, err


def _weekly(run_cli, demo_url, path):
    """The demo ledger's 周报 of 2020-W40 as csv, after one deal's amount was made approximate: its rows, the index
    of the 合计 row and of the 折合人民币 and 总投资 columns."""
    code, _out, err = run_cli("--db", demo_url, "edit", "ZS2020-0008", "--amount", "约4亿元")
    assert code == 0, err
    code, _out, err = run_cli("--db", demo_url, "export", "weekly", "--week", "2020-W40", "--format", "csv", "-o", path)
    assert code == 0, err
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    header = next(r for r in rows if CNY in r)
    total = next(i for i, r in enumerate(rows) if r[0] == "合计")
    return rows, total, header.index(CNY), header.index(AMOUNT)


def _write(path, rows):
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def _deal_rows(rows, total) -> list:
    """The deals' rows of the csv `rows`: those between the header and the 合计 row `total`."""
    return rows[next(i for i, r in enumerate(rows) if CNY in r) + 1 : total]


def _mismatches(report) -> list:
    return [w for w in report["warnings"] + report["problems"] if w["code"] == "totals_mismatch"]


def test_an_approximate_total_that_adds_up_goes_in(demo_ledger, demo_url, run_cli, tmp_path):
    path = tmp_path / "周报.csv"
    rows, total, cny, amount = _weekly(run_cli, demo_url, path)
    assert rows[total][cny].startswith("约") and rows[total][amount].startswith("约"), rows[total]
    code, report, err = _import(run_cli, demo_url, path, "--strict")
    assert code == 0, err
    assert not _mismatches(report), report["warnings"]
    checked = {c["column"]: c for c in report["totals_checked"]}
    assert checked[CNY]["row"] == checked[AMOUNT]["row"] and checked[CNY]["total"] == rows[total][cny]
    assert report["written"] and len(report["unchanged"]) + len(report["updated"]) == 30
    open_database(demo_url)
    assert ImportRecord.select().count() == 1
    assert Deal.get(Deal.code == "ZS2020-0008").amount_approximate


def test_a_wrong_approximate_total_warns_and_strict_refuses_it(demo_ledger, demo_url, run_cli, tmp_path):
    """One total edited wrong (约346.42 for 约399.22), the other (总投资's) left right: the warning names the wrong
    one only."""
    rows, total, cny, _amount = _weekly(run_cli, demo_url, tmp_path / "周报.csv")
    assert rows[total][cny] != "约346.42"
    rows[total][cny] = "约346.42"
    added = sum(Decimal(r[cny]) for r in _deal_rows(rows, total))
    path = _write(tmp_path / "周报-改.csv", rows)
    code, report, err = _import(run_cli, demo_url, path, "--dry-run")
    assert code == 0, err
    [mismatch] = _mismatches(report)
    assert (mismatch["column"], mismatch["value"]) == (CNY, "约346.42")
    assert "约346.42" in mismatch["message"] and f"{added:.2f}" in mismatch["message"]
    code, out, err = run_cli("--db", demo_url, "import", path, "--dry-run")
    assert code == 0 and "约346.42" in out, out
    code, report, err = _import(run_cli, demo_url, path, "--strict")
    assert code == 2
    assert [(p["column"], p["value"]) for p in report["problems"] if p["code"] == "totals_mismatch"] == [
        (CNY, "约346.42")
    ]
    assert not report["written"]
    open_database(demo_url)
    assert ImportRecord.select().count() == 0


def test_an_approximate_total_off_by_more_than_the_rows_roundings_warns(demo_ledger, demo_url, run_cli, tmp_path):
    """A total one fen of 亿元 off per row and more is no rounding: 约 does not widen it beyond its precision."""
    rows, total, cny, _amount = _weekly(run_cli, demo_url, tmp_path / "周报.csv")
    right = Decimal(rows[total][cny].removeprefix("约"))
    rows[total][cny] = f"约{right + Decimal('0.01') * len(_deal_rows(rows, total))}"
    code, report, err = _import(run_cli, demo_url, _write(tmp_path / "周报-改.csv", rows), "--dry-run")
    assert code == 0, err
    assert [w["column"] for w in _mismatches(report)] == [CNY], report["warnings"]
