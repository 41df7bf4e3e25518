"""The two cores an import uses: the rows checked in one thread, the ledger written by a second.

A totals row in the middle of a sheet ends a section, not the sheet: the deal rows after it are imported (a
sheet with one 合计 per section is common); only notes after a last 合计 are left out. On SQLite the INSERTs
of the new deals run in a writer thread (NewDeals.write_behind), on PostgreSQL too: a write that
fails there rolls the whole import back, reported once, with no thread left behind.
"""

import dataclasses
import datetime
import threading

import pytest
from openpyxl import load_workbook

from crm.foundation.errors import ConnectionLost
from crm.importing import apply as import_apply
from crm.importing import importer
from db import bulk_writes
from db.connection import open_database
from tests.ledger.test_import_bulk import ledger_rows, ledger_workbook

TODAY = datetime.date(2021, 6, 30)


def _plan_of(path):
    plan = importer.read_plan(path, today=TODAY)
    return {
        "rows": [dataclasses.asdict(r) for r in plan.rows],
        "problems": [vars(p) for p in plan.problems],
        "skipped": plan.skipped,
        "notices": plan.notices,
        "totals": plan.totals_checked,
    }


def _with_totals_row(path, at):
    """The workbook with a 合计 row written over data row `at` (1-based), as bureaus end their sheets."""
    wb = load_workbook(path)
    ws = wb.active
    row = 2 + at  # title and header above the data
    for cell in ws[row]:
        cell.value = None
    ws.cell(row, 1).value = "合计"
    ws.cell(row, 9).value = 12345
    wb.save(path)


@pytest.mark.parametrize("totals_at", [None, 20, 181, 300])
def test_a_totals_row_mid_sheet_leaves_the_rows_after_it_in(tmp_path, totals_at):
    path = ledger_workbook(tmp_path / "台账.xlsx", rows=300)
    if totals_at:  # 20 and 181: data rows follow it; 300: the last row
        _with_totals_row(path, totals_at)
    wb = load_workbook(path)
    wb.active["I40"] = "面议"  # an amount no one can read
    wb.active["I250"] = "很多"
    wb.save(path)
    one = _plan_of(path)
    assert len(one["rows"]) == (299 if totals_at else 300)  # the 合计 row took a data row's place
    assert "after_totals" not in {why for _row, why in one["skipped"]}
    unreadable = {p["row"] for p in one["problems"] if p["code"] != "totals_mismatch"}
    assert unreadable == {40, 250}  # I40, I250: read wherever the 合计 row is


def test_a_write_that_fails_behind_the_checking_rolls_the_whole_import_back(db_url, backend, tmp_path, monkeypatch):
    first = ledger_workbook(tmp_path / "a.xlsx", rows=40, seed=1)
    second = ledger_workbook(tmp_path / "b.xlsx", rows=2500, seed=5)
    db = open_database(db_url)
    try:
        assert importer.run_import(first, today=TODAY, actor="测试员").written
        before = ledger_rows()
        # Ids given from 1 collide with the deals there: the writer thread's INSERT fails.
        monkeypatch.setattr(bulk_writes.Ahead, "take", lambda self, model, count: list(range(1, count + 1)))
        if backend == "sqlite":
            report = importer.run_import(second, today=TODAY, actor="测试员")
            assert not report.written
            assert [p.code for p in report.problems] == ["conflict"]
        else:  # taken by another writer meanwhile, as far as the import can tell: run again (retry_transient)
            with pytest.raises(import_apply.CodesTaken):
                importer.run_import(second, today=TODAY, actor="测试员")
        assert ledger_rows() == before
        assert not [t for t in threading.enumerate() if t.name == "import writer"]
    finally:
        db.close()


@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_server_gone_while_an_import_opens_its_side_connection_is_one_line(db_url, tmp_path, monkeypatch):
    """The ids and bound statements of a PostgreSQL import come from a second connection: a server that is gone
    when it is opened is the ledger's one-line error (crm.foundation.errors.ConnectionLost), the import void."""
    import psycopg2

    path = ledger_workbook(tmp_path / "a.xlsx", rows=40, seed=1)
    db = open_database(db_url)
    try:
        before = ledger_rows()

        def gone(*_args, **_kwargs):
            raise psycopg2.OperationalError("server closed the connection unexpectedly")

        monkeypatch.setattr(type(db), "_connect", gone)
        with pytest.raises(ConnectionLost) as raised:  # the server gone: the lost connection's one line
            importer.run_import(path, today=TODAY, actor="测试员")
        assert "\n" not in str(raised.value) and "psycopg2" not in str(raised.value)
        monkeypatch.undo()
        assert ledger_rows() == before
        assert not [t for t in threading.enumerate() if t.name == "import writer"]
    finally:
        db.close()
