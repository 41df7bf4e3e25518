"""The two cores an import uses: a sheet read in two processes, a ledger written by a second thread.

Reading a long sheet forks a child that reads its second part
(crm/foundation/forked.py); the plan must be the one a single process makes, whatever
the file has where the parts meet (a totals row, rows after it) and if the
child fails. On SQLite the INSERTs of the new deals run in a writer thread
(NewDeals.write_behind): a write that fails there rolls the whole import
back, reported once, with no thread left behind.
"""

import dataclasses
import datetime
import os
import threading

import pytest
from openpyxl import load_workbook

from crm.foundation import forked
from crm.importing import bulk as import_bulk
from crm.importing import importer
from crm.importing import plan as import_plan
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


@pytest.fixture
def forking(monkeypatch):
    """Reading forks from the first row on; children made are counted."""
    made = []

    class Counted(forked.Child):
        def __init__(self, work):
            made.append(self)
            super().__init__(work)

    monkeypatch.setattr(import_plan, "FORK_AT", 1)
    # pytest may have threads of its own by now; the child reads rows and touches no lock they hold.
    monkeypatch.setattr(forked, "can_fork", lambda: True)
    monkeypatch.setattr(forked, "Child", Counted)
    return made


@pytest.mark.parametrize("totals_at", [None, 20, 181, 300])
def test_a_sheet_read_in_two_processes_gives_the_plan_one_process_gives(tmp_path, monkeypatch, forking, totals_at):
    path = ledger_workbook(tmp_path / "台账.xlsx", rows=300)
    if totals_at:  # 20: in the first part; 181: the first row of the second; 300: the last row
        _with_totals_row(path, totals_at)
    wb = load_workbook(path)
    wb.active["I40"] = "面议"  # an amount no one can read: a problem in each part
    wb.active["I250"] = "很多"
    wb.save(path)
    two = _plan_of(path)
    assert len(forking) == 1
    monkeypatch.setattr(forked, "ENABLED", False)
    monkeypatch.setattr(forked, "can_fork", lambda: False)
    one = _plan_of(path)
    assert two == one
    # A totals row after data rows ends them: what follows is notes.
    assert len(one["rows"]) == (totals_at - 1 if totals_at else 300)
    assert ("after_totals" in {why for _row, why in one["skipped"]}) == (totals_at in (20, 181))
    unreadable = {p["row"] for p in one["problems"] if p["code"] != "totals_mismatch"}
    assert unreadable == {row for row in (40, 250) if not totals_at or row < totals_at + 2}  # I40, I250


def test_a_child_that_fails_leaves_its_part_to_the_parent(tmp_path, monkeypatch, forking):
    path = ledger_workbook(tmp_path / "台账.xlsx", rows=200)
    parent = os.getpid()
    read = importer._Scan.read

    def failing_in_the_child(self, rows, progress=None):
        if os.getpid() != parent:
            raise MemoryError("the child ran out of memory")
        return read(self, rows, progress)

    monkeypatch.setattr(importer._Scan, "read", failing_in_the_child)
    plan = importer.read_plan(path, today=TODAY)
    assert len(forking) == 1
    assert [r.row for r in plan.rows] == list(range(3, 203))


def test_a_write_that_fails_behind_the_checking_rolls_the_whole_import_back(tmp_path, monkeypatch):
    first = ledger_workbook(tmp_path / "a.xlsx", rows=40, seed=1)
    second = ledger_workbook(tmp_path / "b.xlsx", rows=2500, seed=5)
    db = open_database(str(tmp_path / "台账.sqlite3"))
    try:
        assert importer.run_import(first, today=TODAY, actor="测试员").written
        before = ledger_rows()
        # Ids counted from 1 collide with the deals there: the writer thread's INSERT fails.
        monkeypatch.setattr(import_bulk.NewDeals, "_counted_ids", lambda self, model, count: range(1, count + 1))
        report = importer.run_import(second, today=TODAY, actor="测试员")
        assert not report.written
        assert [p.code for p in report.problems] == ["conflict"]
        assert ledger_rows() == before
        assert not [t for t in threading.enumerate() if t.name == "import writer"]
    finally:
        db.close()
