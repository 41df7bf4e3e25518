"""A date that names a month only (签约 2019年9月, 计划开工 2020年7月) reads as that month, 2019-09, in the JSON of
`crm show` and in the JSON and CSV of `crm deals`, as in every table: never as the 1st it is stored as. Full dates
stay ISO days, and `crm show`'s "month_only" still names the month-only fields. On SQLite and PostgreSQL."""

import csv
import io
import json


def _month_deal(run_cli, db_url) -> str:
    code, out, err = run_cli(
        "--db", db_url, "add", "--name", "月份签约项目", "--amount", "2亿元", "--signed", "2019年9月",
    )  # fmt: skip
    assert code == 0, err
    deal = out.strip().split()[-1]
    code, _out, err = run_cli(
        "--db", db_url, "edit", deal, "--planned-start", "2020年7月", "--planned-completion", "2021-12-31"
    )
    assert code == 0, err
    return deal


def test_show_json_gives_a_month_only_date_as_its_month(ledger, db_url, run_cli):
    deal = _month_deal(run_cli, db_url)
    code, out, err = run_cli("--db", db_url, "show", deal, "--format", "json")
    assert code == 0, err
    d = json.loads(out)
    assert (d["signed_on"], d["planned_start"], d["planned_completion"]) == ("2019-09", "2020-07", "2021-12-31")
    assert d["month_only"] == ["signed_on", "planned_start"]
    # Signed since that month: the stage's date is the same month, as the table prints it.
    assert d["stage_since"] == "2019-09" and [e["on"] for e in d["ledger"]] == ["2019-09"]


def test_deals_json_and_csv_give_a_month_only_signing_as_its_month(ledger, db_url, run_cli):
    deal = _month_deal(run_cli, db_url)
    code, out, err = run_cli(
        "--db", db_url, "add", "--name", "整日签约项目", "--amount", "1亿元", "--signed", "2019-09-01"
    )
    assert code == 0, err
    full = out.strip().split()[-1]
    code, out, err = run_cli("--db", db_url, "deals", "--format", "json")
    assert code == 0, err
    records = {r["code"]: r for r in json.loads(out)}
    assert (records[deal]["signed_on"], records[deal]["stage_since"]) == ("2019-09", "2019-09")
    assert (records[full]["signed_on"], records[full]["stage_since"]) == ("2019-09-01", "2019-09-01")
    code, out, err = run_cli("--db", db_url, "deals", "--format", "csv")
    assert code == 0, err
    cells = {r["code"]: r for r in csv.DictReader(io.StringIO(out))}
    assert (cells[deal]["signed_on"], cells[full]["signed_on"]) == ("2019-09", "2019-09-01")
