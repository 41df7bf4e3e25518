"""The county-office corpus (tests/data/county_sheets, written without this project's code): each sheet is
imported into an empty ledger and what lands is compared, cell by cell, with expected.py."""

import datetime
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from crm.importing import apply as import_apply
from crm.importing import aside as import_aside
from db import kept_totals
from db.connection import open_database
from db.models import Deal, Department, FundsArrived, Progress
from tests.data.county_sheets.expected import SHEETS

DATA = Path(__file__).resolve().parents[1] / "data" / "county_sheets"
TEXT_FIELDS = ("name", "region", "investor", "industry", "liaison", "notes")
IMPORTED = [
    "county_weekly.xlsx",
    "legacy.xls",
    "legacy.ods",
    "chinese_numerals.xlsx",
    "usd_total.xlsx",
    "departments_1_to_14.xlsx",
    "huge_dimension.xlsx",
    "gbk.csv",
    "gb18030.csv",
    "funds_cumulative_v1.xlsx",
]


def run_import(run_cli, url, path, *more):
    code, out, err = run_cli("--db", url, "import", path, "--format", "json", *more)
    return code, json.loads(out) if out.strip() else None, err


def _month_or_day(value):
    """expected.py's planned date: (year, month) for a month alone, a date, or None → (date, month_only)."""
    if value is None:
        return None, False
    if isinstance(value, tuple):
        return datetime.date(value[0], value[1], 1), True
    return value, False


def _stage_name(text: str) -> bool:
    """A stage's name alone (在建, 洽谈中): the stage says it all, no progress entry is kept."""
    from crm.deals.stages import parse_stage
    from crm.foundation.errors import InvalidInput

    try:
        parse_stage(text)
        return True
    except InvalidInput:
        return False


def _flat(text: str) -> str:
    """Problem texts compared without spacing, numbering and separators."""
    return "".join(ch for ch in text if not ch.isspace() and ch not in "；;。，,.1234567890、")


#: What lands of a field the corpus states as is, read off the deal.
_SIMPLE = {
    "lead_unit": lambda d: d.lead_unit.name if d.lead_unit_id else None,
    "event": lambda d: d.event.name if d.event_id else None,
    "signed_on": lambda d: d.signed_on,
    "amount": lambda d: (d.amount, d.currency),
}


def _check_row(deal: Deal, want: dict, stated_on) -> list[str]:
    wrong = []

    def same(label, got, expected):
        if got != expected:
            wrong.append(f"row {want['row']} {label}: {got!r} != {expected!r}")

    for f in TEXT_FIELDS:
        if f in want:
            got = getattr(deal, f)
            got = got.name if hasattr(got, "name") else got
            same(f, got or None, want[f])
    for f, got in _SIMPLE.items():
        if f in want:
            same(f, got(deal), want[f])
    if "progress" in want:
        default = "signed" if deal.signed_on else "negotiating"
        same("stage", deal.stage, want["stage"] or default)
    for f in ("planned_start", "planned_completion"):
        if f in want:
            same(f, (getattr(deal, f), getattr(deal, f + "_month")), _month_or_day(want[f]))
    if "blockers" in want:
        same("blockers", _flat("\n".join(b.text for b in deal.blockers)), _flat(want["blockers"] or ""))
    if "supporting" in want:
        same("supporting", sorted(d.department.name for d in deal.supporting), sorted(want["supporting"] or []))
    if "funds_arrived" in want:
        total = sum((f.amount for f in deal.funds), Decimal("0.00"))
        expected = want["funds_arrived"][0] if want["funds_arrived"] else Decimal("0.00")
        same("funds", total, expected)
    if want.get("progress") and not _stage_name(want["progress"]):
        texts = [p.text for p in Progress.select().where(Progress.deal == deal.id)]
        if want["progress"] not in texts:
            wrong.append(f"row {want['row']} progress text {want['progress']!r} not kept: {texts}")
    return wrong


@pytest.mark.parametrize("name", IMPORTED)
def test_a_county_sheet_lands_cell_by_cell(ledger, db_url, run_cli, name, tmp_path):
    _lands_cell_by_cell(db_url, run_cli, name, tmp_path)


@pytest.mark.parametrize("name", ["county_weekly.xlsx", "legacy.xls", "chinese_numerals.xlsx", "usd_total.xlsx"])
def test_a_county_sheet_imported_with_its_totals_filled_by_the_import_lands_the_same(
    ledger, db_url, run_cli, name, tmp_path, monkeypatch
):
    """A first import of a bureau's whole ledger sets the kept totals' triggers aside and fills the totals itself
    (crm.importing.aside: SQLite's KeptDaysAside, PostgreSQL's KeptDaysLater), from a few thousand rows on. Here
    from the first row, in batches of 4 filled every 3 deals: the county sheet lands as it does otherwise, and
    the kept totals agree with its rows."""
    monkeypatch.setattr(import_aside, "REBUILD_AT", 1)
    monkeypatch.setattr(import_aside, "FILL_EVERY", 3)
    monkeypatch.setattr(import_apply, "BATCH", 4)
    _lands_cell_by_cell(db_url, run_cli, name, tmp_path)
    assert kept_totals.agree()


@pytest.mark.parametrize("name", ["county_weekly.xlsx", "legacy.xls", "funds_cumulative_v1.xlsx"])
def test_a_county_sheet_reverted_leaves_the_ledger_as_before_and_lands_again(ledger, db_url, run_cli, name, tmp_path):
    """The whole ledger going (SQLite rebuilds its kept totals rather than the triggers taking each row out):
    the KPIs as before, the totals equal to the rows, and the same sheet imported again lands cell by cell."""
    before = run_cli("--db", db_url, "kpi", "--format", "json")[1]
    _lands_cell_by_cell(db_url, run_cli, name, tmp_path)
    code, _out, err = run_cli("--db", db_url, "import", "revert", "1")
    assert code == 0, err
    assert run_cli("--db", db_url, "kpi", "--format", "json")[1] == before
    open_database(db_url)
    assert Deal.select().count() == 0 and FundsArrived.select().count() == 0 and kept_totals.agree()
    _lands_cell_by_cell(db_url, run_cli, name, tmp_path)
    assert kept_totals.agree()


def _lands_cell_by_cell(db_url, run_cli, name, tmp_path) -> None:
    """Import the county sheet `name` into the empty ledger at `db_url` and compare what landed with expected.py."""
    sheet = SHEETS[name]
    if "fx_rates" in sheet:
        for (currency, day), rate in sheet["fx_rates"].items():
            assert run_cli("--db", db_url, "fx", "set", currency, day.isoformat(), str(rate))[0] == 0
    path = tmp_path / name
    shutil.copy(DATA / name, path)
    code, report, err = run_import(run_cli, db_url, path)
    assert code == 0, err
    assert not [p for p in report["problems"]], report["problems"]
    assert len(report["created"]) == len(sheet["rows"])
    assert not [w for w in report["warnings"] if w["code"] == "totals_mismatch"], report["warnings"]
    open_database(db_url)
    wrong = []
    for want in sheet["rows"]:
        deal = Deal.get(Deal.name == want["name"])
        wrong += _check_row(deal, want, sheet.get("as_of"))
    assert not wrong, "\n".join(wrong)
    for department in sheet.get("departments", ()):
        assert Department.select().where(Department.name == department).count() == 1


def test_the_encrypted_workbook_is_named_as_password_protected(ledger, db_url, run_cli):
    code, out, err = run_cli("--db", db_url, "import", DATA / "encrypted.xlsx")
    assert code == 2 and "Traceback" not in err
    assert "密码" in err or "password" in err.lower()


def test_funds_reports_a_month_apart_do_not_double_count(ledger, db_url, run_cli, tmp_path):
    for name in ("funds_cumulative_v1.xlsx", "funds_cumulative_v2.xlsx", "funds_cumulative_v2.xlsx"):
        shutil.copy(DATA / name, tmp_path / name)
        code, report, err = run_import(run_cli, db_url, tmp_path / name)
        assert code == 0, err
    open_database(db_url)
    for want in SHEETS["funds_cumulative_v2.xlsx"]["rows"]:
        deal = Deal.get(Deal.name == want["name"])
        total = sum((f.amount for f in deal.funds), Decimal("0.00"))
        assert total == (want["funds_arrived"][0] if want["funds_arrived"] else Decimal("0.00")), want["name"]
    assert FundsArrived.select().count() > 0


def test_a_stale_sheet_moves_what_is_behind_it_and_nothing_else(ledger, db_url, run_cli, tmp_path):
    """stale.xlsx (数据截至2020年3月31日): a deal it is ahead of moves on that date; one the ledger moved in April
    keeps its stage, with a warning; the rest stay as they are."""
    from crm.deals.records import create_deal
    from crm.deals.stages import change_stage

    sheet = SHEETS["stale.xlsx"]
    open_database(db_url)
    for want in sheet["rows"]:
        stage, since = want["prior"]
        values = {"name": want["name"], "amount": f"{want['amount'][0]}{want['amount'][1]}", "region": want["region"]}
        if want["signed_on"]:
            values["signed_on"] = want["signed_on"].isoformat()
        deal = create_deal(values, stage="signed" if want["signed_on"] else "negotiating")
        if stage != deal.stage:
            change_stage(deal.code, stage, on=since, note="前期进展")
    shutil.copy(DATA / "stale.xlsx", tmp_path / "stale.xlsx")
    code, report, err = run_import(run_cli, db_url, tmp_path / "stale.xlsx")
    assert code == 0, err
    stale_rows = {w["row"] for w in report["warnings"] if w["code"] in ("stale_sheet", "stage_backwards")}
    open_database(db_url)
    for want in sheet["rows"]:
        deal = Deal.get(Deal.name == want["name"])
        if want["outcome"] == "moves":
            assert (deal.stage, deal.stage_since) == (want["stage"], want["effective_on"]), want["name"]
        else:
            assert deal.stage == want["prior"][0], want["name"]
        if want["outcome"] == "behind":
            assert want["row"] in stale_rows
