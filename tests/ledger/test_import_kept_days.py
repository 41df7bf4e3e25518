"""A first import into an empty SQLite ledger fills the kept totals as its batches are written (crm.importing.aside.KeptDaysAside;
on PostgreSQL, KeptDaysLater fills those of its own deals while the triggers stand aside for its transaction):
the as-of totals and the totals by stage and cohort end exactly as filling them from the finished ledger leaves them, whether the file records funds
after its deals, and however the batches fall; when a later row of the file changes a deal already written, the
totals are caught up there and kept by their triggers from then on, and still agree with the rows.
"""

from __future__ import annotations

import datetime
import subprocess
import sys
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from crm.deals import change_stage
from crm.deals.corrections import archive_deal
from crm.importing import apply as import_apply
from crm.importing import aside as import_aside
from crm.importing import bulk as import_bulk
from db import kept_totals
from db import stage_days as sd
from db.connection import open_database
from db.kept_later import KEPT_LATER
from db.models import Deal
from tests.ledger.test_import_bulk import _import, _rates, _with_planned_starts, ledger_workbook

KEPT = (sd.TABLE, sd.EVENTS_TABLE, sd.PLAN_TABLE, "deal_totals", "deal_cohort_totals", "blocker_totals")


def _counting(monkeypatch, kept_class, noted) -> None:
    """Batches of 40 deals filled every 80, every import large enough to set things aside; `noted(ids,
    statements)` told what `kept_class.batch` gives after each batch."""
    monkeypatch.setattr(import_aside, "REBUILD_AT", 1)
    monkeypatch.setattr(import_apply, "BATCH", 40)
    monkeypatch.setattr(import_aside, "FILL_EVERY", 80)
    batch = kept_class.batch

    def counted(self, ids):
        statements = batch(self, ids)
        noted(ids, statements)
        return statements

    monkeypatch.setattr(kept_class, "batch", counted)


@pytest.fixture
def batches(monkeypatch):
    """The import's kept-days fills counted (first id, last id, statements, the statements) per batch; see
    _counting."""
    filled = []
    _counting(monkeypatch, import_aside.KeptDaysAside, lambda ids, st: filled.append((ids[0], ids[-1], len(st), st)))
    return filled


def _kept(db) -> dict:
    return {table: sorted(db.execute_sql(f"SELECT * FROM {table}").fetchall()) for table in KEPT}


def _as_filled_afresh(url: str) -> tuple[dict, dict]:
    """(the kept tables as the import left them, the same tables filled from the ledger's rows)."""
    db = open_database(url)
    try:
        with db.atomic() as txn:
            imported = _kept(db)
            kept_totals.rebuild(db)  # deletes and fills every kept table with the statements the migrations use
            afresh = _kept(db)
            txn.rollback()
        assert kept_totals.agree(db)
        return imported, afresh
    finally:
        db.close()


def _with_funds(path) -> None:
    """Give every third deal of the workbook at `path` its cumulative funds (累计到位资金)."""
    wb = load_workbook(path)
    ws = wb["台账"]
    column = ws.max_column + 1
    ws.cell(2, column, "累计到位资金（万元）")
    for row in range(3, ws.max_row + 1, 3):
        ws.cell(row, column, 100 * row)
    wb.save(path)


@pytest.mark.parametrize("funds", [False, True])
def test_a_first_import_leaves_the_as_of_totals_a_fill_from_its_rows_gives(tmp_path, batches, funds):
    path = ledger_workbook(tmp_path / "台账.xlsx", rows=300)
    _with_planned_starts(path)
    if funds:
        _with_funds(path)
    url = str(tmp_path / "a.sqlite3")
    report, _rows = _import(url, path, bulk=True, prepare=_rates)
    assert report.written and len(report.created) == 300 and not report.updated
    # Each batch its blockers, unless funds come later; every 80 deals the totals by stage, by cohort, of
    # blockers, the search index and the stage steps of those deals (the last 60 at the end).
    assert len(batches) == 8 and [count for _f, _l, count, _b in batches] == [
        n + (not funds) for n in [0, 5] * 3 + [0, 0]
    ]
    filled = [statements[-1][1] for _f, _l, _c, statements in batches if len(statements) > 1]
    assert [(bounds["lo"], bounds["hi"]) for bounds in filled] == [(1, 80), (81, 160), (161, 240)]
    assert bool(report.funds_added) is funds
    imported, afresh = _as_filled_afresh(url)
    assert imported == afresh
    assert all(imported[table] for table in KEPT)  # each filled, the plan figures and the funds and blockers too
    if funds:
        assert sum(row[3] for row in imported[sd.EVENTS_TABLE]) > 0  # funds_n


def test_a_row_changing_a_deal_the_import_wrote_puts_the_triggers_back_there(tmp_path, batches):
    path = ledger_workbook(tmp_path / "台账.xlsx", rows=300)
    _with_planned_starts(path)
    _name_again(path)
    url = str(tmp_path / "a.sqlite3")
    report, _rows = _import(url, path, bulk=True, prepare=_rates)
    assert report.written and len(report.updated) == 1 and report.stage_changes == 1, report.problems[:2]
    filled = [b for b in batches if b[2]]
    assert filled and len(filled) < len(batches)  # batches filled up to the update, the triggers after it
    imported, afresh = _as_filled_afresh(url)
    assert _nonzero(imported) == _nonzero(afresh)  # the triggers may leave keys whose sums came back to 0


def _name_again(path) -> None:
    """Row 150 names the deal of row 20 again (by its name alone), its stage moved on: an update of a deal
    written 130 rows before."""
    wb = load_workbook(path)
    ws = wb["台账"]
    ws[20][9].value = "签约"
    copied = [cell.value for cell in ws[20]]
    copied[1], copied[6], copied[7], copied[9] = None, None, None, "已投产"
    for column, value in enumerate(copied, 1):
        ws.cell(150, column).value = value  # ws.cell(r, c, None) would leave the old value
    wb.save(path)


def _nonzero(tables: dict) -> dict:
    keys = dict(zip(KEPT, (sd.KEYS, sd.EVENT_KEYS, sd.PLAN_KEYS, "sc", "yrsc", "s")))
    return {table: [row for row in rows if any(row[len(keys[table]) :])] for table, rows in tables.items()}


# ---- PostgreSQL: the triggers stand aside for the import's transaction (KeptDaysLater, migration 0016) ----------


@pytest.fixture
def later(monkeypatch):
    """As `batches`, for PostgreSQL's KeptDaysLater: each batch's ids and the fills it was followed by."""
    filled = []
    _counting(monkeypatch, import_aside.KeptDaysLater, lambda ids, statements: filled.append((ids, statements)))
    monkeypatch.setattr(import_bulk, "ANALYSE_FIRST", 40)  # statistics taken behind the batches too
    return filled


def _agree_now(url: str, change=None) -> bool:
    db = open_database(url)
    try:
        if change:
            change()
        return kept_totals.agree(db) and _setting(db) != "on"
    finally:
        db.close()


def _setting(db) -> str | None:
    return db.execute_sql(f"SELECT current_setting('{KEPT_LATER}', true)").fetchone()[0]


@pytest.mark.parametrize("backend", ["postgresql"])
@pytest.mark.parametrize("funds", [False, True])
def test_a_first_postgresql_import_fills_the_as_of_totals_of_its_own_deals(db_url, tmp_path, later, funds):
    path = ledger_workbook(tmp_path / "台账.xlsx", rows=300)
    _with_planned_starts(path)
    if funds:
        _with_funds(path)
    report, _rows = _import(db_url, path, bulk=True, prepare=_rates)
    assert report.written and len(report.created) == 300 and not report.updated
    # Every 80 deals the stage steps, plan figures, totals by stage and cohort and blockers (and the as-of funds
    # and blockers, unless funds come later) of exactly those deals, by their ids; the last 60 at the end.
    fills = [(ids, statements) for ids, statements in later if statements]
    assert [len(statements) for _ids, statements in fills] == [5 + (not funds)] * 3
    assert [statements[0][1]["ids"] for _ids, statements in fills] == [
        [i for ids, _s in later[at : at + 2] for i in ids] for at in (0, 2, 4)
    ]
    assert len({i for ids, _s in later for i in ids}) == 300
    assert bool(report.funds_added) is funds
    db = open_database(db_url)
    try:
        assert kept_totals.agree(db)
        for table in (sd.TABLE, sd.EVENTS_TABLE, sd.PLAN_TABLE):  # each filled
            assert db.execute_sql(f"SELECT count(*) FROM {table}").fetchone()[0] > 0, table
    finally:
        db.close()

    def move_on():  # the triggers count again after the import: a stage change, a deal archived
        talks = Deal.select(Deal.code).where(Deal.stage == "negotiating").order_by(Deal.id).first()
        change_stage(talks.code, "签约", note="测试", actor="测试员")
        archive_deal(Deal.select(Deal.code).where(Deal.code != talks.code).order_by(Deal.id).first().code, "重复录入")

    assert _agree_now(db_url, move_on)


@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_postgresql_row_changing_a_deal_the_import_wrote_puts_the_triggers_back_there(db_url, tmp_path, later):
    path = ledger_workbook(tmp_path / "台账.xlsx", rows=300)
    _with_planned_starts(path)
    _name_again(path)
    report, _rows = _import(db_url, path, bulk=True, prepare=_rates)
    assert report.written and len(report.updated) == 1 and report.stage_changes == 1, report.problems[:2]
    filled = [ids for ids, statements in later if statements]
    assert filled and len(filled) < len(later)  # batches filled up to the update, the triggers after it
    assert _agree_now(db_url)


@pytest.mark.parametrize("backend", ["postgresql"])
def test_deals_a_colleague_adds_during_a_postgresql_import_wait_for_it_and_are_counted_once(
    db_url, tmp_path, later, monkeypatch
):
    """Another session adding deals while the import is open waits for it (crm.importing.records.holding_the_ledger:
    the ids between the import's marks are its own, which its revert deletes); once it has committed, the
    colleague's deals take the ids after the import's and their triggers count them, the import's fills its own."""
    path = ledger_workbook(tmp_path / "台账.xlsx", rows=300)
    _with_planned_starts(path)
    colleagues, waited = [], []
    batch = import_aside.KeptDaysLater.batch

    def with_a_colleague(self, ids):
        if not colleagues:  # while the import's transaction is open
            colleagues.extend(
                subprocess.Popen(
                    [sys.executable, "-m", "app", "--db", db_url, "add", "--name", f"同事新增项目{n}"]
                    + ["--region", "涿州市", "--signed", "2021-03-01", "--amount", "2亿元", "--stage", "开工"]
                    + ["--planned-start", "2021-02-15"],
                    cwd=Path(__file__).resolve().parents[2],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for n in range(2)
            )
            time.sleep(2)
            waited.append(all(c.poll() is None for c in colleagues))
        return batch(self, ids)

    monkeypatch.setattr(import_aside.KeptDaysLater, "batch", with_a_colleague)
    db = open_database(db_url)
    try:
        _rates()
        report = import_apply.run_import(path, today=datetime.date(2021, 6, 30), actor="测试员")
    finally:
        db.close()
    assert report.written and len(report.created) == 300
    for colleague in colleagues:
        out, err = colleague.communicate(timeout=120)
        assert colleague.returncode == 0, err
    assert waited == [True]
    db = open_database(db_url)
    try:
        theirs = [d.id for d in Deal.select(Deal.id).where(Deal.name.startswith("同事新增项目"))]
        ours = [d.id for d in Deal.select(Deal.id).where(~Deal.name.startswith("同事新增项目"))]
        assert len(theirs) == 2 and max(ours) < min(theirs)  # after the import's id range
        assert kept_totals.agree(db)
    finally:
        db.close()
