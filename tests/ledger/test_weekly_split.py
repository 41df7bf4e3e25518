"""A large weekly table's CSV is written by two processes (crm.reporting.weekly_split): the child's rows are
appended after the parent's, and the file is byte for byte the one-process file (tests/ledger/weekly_reference.py)
whatever the split point, in Chinese and English, on both backends. Progress counts both processes' rows; an
error in the child's range (a missing exchange rate) is the usual one-line error, with no file left behind."""

import io
import os
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from crm.deals.records import create_deal
from crm.foundation.errors import MissingRate
from crm.foundation.i18n import set_language
from crm.listing.filters import DealFilter
from crm.reporting import weekly, weekly_split
from db import forking
from db.connection import is_postgres
from db.models import Deal, database
from exports import weekly_csv, weekly_csv_split, weekly_text
from tests.ledger import weekly_reference
from tests.ledger.test_weekly_streams import W21, hostile_week  # noqa: F401 — the fixture

pytestmark = pytest.mark.usefixtures("hostile_week")
IDLE = weekly_split.Load.idle  # the method itself, which the tests below replace


@pytest.fixture(autouse=True)
def any_machine(monkeypatch):
    """Split whether or not a core is idle now (the machine's load is not the test's)."""
    monkeypatch.setattr(weekly_split.Load, "idle", lambda self: 99.0)
    monkeypatch.delenv(weekly_split.ENV, raising=False)


def _split_csv(progress=None, scope=None) -> tuple[str, list]:
    """The table of W21 as CSV, and the Parts of the child processes that wrote some of it."""
    table = weekly.stream(W21, scope)
    parts = []
    split = table.split

    def recording(*args):
        part = split(*args)
        parts.append(part)
        return part

    table.split = recording
    out = io.StringIO()
    weekly_csv.write_csv(table, out, progress)
    return out.getvalue(), parts


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("share", [0.5, 0.1, 0.95])
def test_two_processes_write_the_one_process_file(monkeypatch, language, share):
    set_language(language)
    try:
        monkeypatch.setattr(weekly_split, "SPLIT_FROM", 1)
        monkeypatch.setattr(weekly_split, "PARENT_SHARE", share)
        expected = weekly_reference.render(weekly.build(W21), "csv")
        rows = len(weekly.build(W21).rows)
        text, parts = _split_csv()
        assert text == expected
        (part,) = parts
        assert 0 < part.rows < rows  # the child wrote the rows after the parent's
    finally:
        set_language("zh")


@pytest.mark.parametrize("cores", [2, 8])
def test_a_reader_thread_fetches_ahead_in_the_two_processes_only_where_cores_are_left(monkeypatch, cores):
    """With few cores each process fetches its own rows (on PostgreSQL a reader thread would only take turns at the
    GIL with it); the file is the same either way."""
    from db import reading

    monkeypatch.setattr(weekly_split, "SPLIT_FROM", 1)
    monkeypatch.setattr(weekly_split, "_cores", lambda: cores)
    readers = []
    read = reading._read
    monkeypatch.setattr(reading, "_read", lambda *args: (readers.append(1), read(*args))[1])
    expected = weekly_reference.render(weekly.build(W21), "csv")
    readers.clear()
    text, _parts = _split_csv()
    assert text == expected
    assert bool(readers) == (is_postgres(database.obj) and cores >= weekly_split.READERS_FROM)


@pytest.mark.parametrize("child_first", [True, False])
def test_todays_kpis_are_the_same_whichever_process_works_them_out(monkeypatch, child_first):
    """The summary's KPIs of today are the child's when it has finished before the parent's rows are written, else
    the parent's own, worked out while the child writes on: the same file either way."""
    monkeypatch.setattr(weekly_split, "SPLIT_FROM", 1)
    expected = weekly_reference.render(weekly.build(W21), "csv")
    asked = []
    monkeypatch.setattr(weekly_split.Part, "ready", lambda self: asked.append(1) or child_first)
    worked_out = []
    kpis_now = weekly._Builder._kpis_now
    monkeypatch.setattr(weekly._Builder, "_kpis_now", lambda self: worked_out.append(os.getpid()) or kpis_now(self))
    text, (part,) = _split_csv()
    assert text == expected and part.rows > 0 and asked
    assert (os.getpid() in worked_out) is not child_first  # the parent worked them out only when the child had not


@pytest.mark.parametrize("estimate, child_rows", [(0, "all"), (10**9, "none")])
def test_the_ranges_are_exact_whatever_the_estimate_of_the_rows(monkeypatch, estimate, child_rows):
    """The split point is an estimate of the listed rows (their stages now, not on Sunday): however far off, the
    two ranges are the table's rows once each, in order."""
    monkeypatch.setattr(weekly_split, "SPLIT_FROM", 1)
    monkeypatch.setattr(weekly, "_listed_estimate", lambda *args: estimate)
    expected = weekly_reference.render(weekly.build(W21), "csv")
    rows = len(weekly.build(W21).rows)
    text, (part,) = _split_csv()
    assert text == expected
    assert part.rows == {"all": rows, "none": 0}[child_rows]


@pytest.mark.parametrize("scope", [DealFilter(stage="signed"), DealFilter(region="涿州市"), DealFilter(year="2020")])
def test_a_narrowed_table_is_split_as_well(monkeypatch, scope):
    monkeypatch.setattr(weekly_split, "SPLIT_FROM", 1)
    expected = weekly_reference.render(weekly.build(W21, scope), "csv")
    text, (part,) = _split_csv(scope=scope)
    assert text == expected
    assert part.rows > 0


def test_progress_counts_both_processes_rows(monkeypatch):
    monkeypatch.setattr(weekly_split, "SPLIT_FROM", 1)
    rows = len(weekly.build(W21).rows)
    reports = []
    _text, (part,) = _split_csv(lambda done, total: reports.append((done, total)))
    assert part.rows > 0
    assert reports[-1] == (rows, rows)
    assert [done for done, _total in reports] == sorted(done for done, _total in reports)


def test_small_tables_stay_in_one_process():
    text, parts = _split_csv()
    assert parts == [None]
    assert text == weekly_reference.render(weekly.build(W21), "csv")


def test_a_busy_machine_keeps_the_table_in_one_process(monkeypatch):
    monkeypatch.setattr(weekly_split, "SPLIT_FROM", 1)
    monkeypatch.setattr(weekly_split, "IDLE_CORE", 0.7)
    monkeypatch.setattr(weekly_split.Load, "idle", lambda self: 0.3)
    text, (part,) = _split_csv()
    assert part.rows == 0 and part.pid == 0  # offered, but no child was forked
    assert text == weekly_reference.render(weekly.build(W21), "csv")


@pytest.mark.parametrize("setting, split", [("0", False), ("1", True)])
def test_the_environment_overrides_the_load(monkeypatch, setting, split):
    monkeypatch.setattr(weekly_split, "SPLIT_FROM", 1)
    monkeypatch.setattr(weekly_split, "IDLE_CORE", 0.0 if setting == "0" else 199.0)  # the load says otherwise
    monkeypatch.setenv(weekly_split.ENV, setting)
    text, (part,) = _split_csv()
    assert (part is not None and part.rows > 0) is split
    assert text == weekly_reference.render(weekly.build(W21), "csv")


def test_a_core_another_program_keeps_busy_is_not_idle():
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.2)  # running
        idle = IDLE(weekly_split.Load())
    finally:
        spinner.kill()
        spinner.wait()
    assert 0.0 <= idle <= (os.cpu_count() or 1) - 0.7


def test_the_cores_the_reading_keeps_busy_are_its_own_not_load(monkeypatch):
    """Over a second of two cores, one busy: busy with this process's reading (or its PostgreSQL backend's),
    the machine is idle beside it; busy with another program, one core is."""
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    ticks = iter([(1000, 2000), (1100, 2200)] * 3)  # (idle, total) at the start and end: 100 of 200 ticks idle
    monkeypatch.setattr(weekly_split, "_cpu_times", lambda: next(ticks))
    clock = iter([10.0, 11.0, 11.0] * 3)  # one second between the Load's start and idle() (asked twice there)
    monkeypatch.setattr(weekly_split.time, "monotonic", lambda: next(clock))
    monkeypatch.setattr(weekly_split.time, "sleep", lambda seconds: None)
    ours = iter([5.0, 6.0, 5.0, 5.0])  # this process: a CPU second, then none
    monkeypatch.setattr(weekly_split.time, "process_time", lambda: next(ours))
    assert IDLE(weekly_split.Load()) == pytest.approx(2.0)
    # the server's processes reading for it: a backend (0.3 s), one started meanwhile (0.2 s), and what the server
    # reaped of those that ended meanwhile (0.5 s): that second
    times = iter([(3.0, 0.0, 77), (9.0, 7.0, 1), (3.3, 0.0, 77), (0.2, 0.0, 77), (9.1, 7.5, 1)])
    monkeypatch.setattr(weekly_split, "_process_times", lambda pid: next(times))
    backends = iter([[4242], [4242, 4343]])
    assert IDLE(weekly_split.Load(helpers=lambda: next(backends))) == pytest.approx(2.0)
    monkeypatch.setattr(weekly_split.time, "process_time", lambda: 5.0)
    assert IDLE(weekly_split.Load()) == pytest.approx(1.0)  # another program's


def test_a_process_running_other_threads_is_not_forked(monkeypatch):
    """The TUI exports from a worker thread beside its others: a fork would copy their held locks."""
    monkeypatch.setattr(weekly_split, "SPLIT_FROM", 1)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        text, parts = _split_csv()
    finally:
        stop.set()
        other.join()
    assert parts == [None]
    assert text == weekly_reference.render(weekly.build(W21), "csv")


def test_a_writer_holding_sqlites_lock_leaves_the_table_in_one_process(monkeypatch):
    if is_postgres():
        pytest.skip("SQLite's write lock")
    monkeypatch.setattr(weekly_split, "SPLIT_FROM", 1)
    writer = sqlite3.connect(database.obj.database, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        text, (part,) = _split_csv()
    finally:
        writer.rollback()
        writer.close()
    assert part.rows == 0 and part.pid == 0
    assert text == weekly_reference.render(weekly.build(W21), "csv")


@pytest.fixture
def unconverted_last():
    """A deal in the second half of the table (the child's rows) whose amount has no CNY value, one the week-end
    KPIs do not count (在谈): the table's only missing rate."""
    deal = create_deal({"name": "无汇率", "amount": "10万美元", "signed_on": "2020-05-24", "region": "涿州市"})
    Deal.update(stage="negotiating").where(Deal.id == deal.id).execute()
    assert weekly.build(W21).rows[-1].id == deal.id
    Deal.update(amount_cny=None).where(Deal.id == deal.id).execute()


def test_an_error_in_the_childs_rows_is_the_one_process_error(unconverted_last, monkeypatch):
    with pytest.raises(MissingRate) as alone:
        weekly_text.render(weekly.stream(W21), "csv")
    monkeypatch.setattr(weekly_split, "SPLIT_FROM", 1)
    with pytest.raises(MissingRate) as split:
        _split_csv()
    assert str(split.value) == str(alone.value)


def test_rows_written_before_an_error_in_the_childs_rows_are_the_one_process_rows(unconverted_last, monkeypatch):
    """Written to a stream (standard output), a split table that stops at a missing rate in the child's range has
    written what one process writes before the error: the parent's rows and the child's before the failing one."""
    alone = io.StringIO()
    with pytest.raises(MissingRate):
        weekly_csv.write_csv(weekly.stream(W21), alone)
    monkeypatch.setattr(weekly_split, "SPLIT_FROM", 1)
    monkeypatch.setattr(weekly_split, "PARENT_SHARE", 0.5)
    split = io.StringIO()
    with pytest.raises(MissingRate):
        weekly_csv.write_csv(weekly.stream(W21), split)
    assert split.getvalue() == alone.getvalue()


def test_a_missing_rate_only_the_week_end_kpis_need_is_raised_before_any_row(monkeypatch):
    """A deal already 投产 by the week (not listed, but counted by the week-end KPIs) without a CNY value: the split
    reading raises the one-process error, from its side thread, before the child is forked or a row written."""
    deal = create_deal({"name": "投产无汇率", "amount": "10万美元", "signed_on": "2019-03-01", "region": "涿州市"})
    Deal.update(stage="operating", stage_since="2019-06-01", amount_cny=None).where(Deal.id == deal.id).execute()
    with pytest.raises(MissingRate) as alone:
        weekly_text.render(weekly.stream(W21), "csv")
    monkeypatch.setattr(weekly_split, "SPLIT_FROM", 1)
    calls = []
    side = forking.SharedSnapshot.side
    monkeypatch.setattr(forking.SharedSnapshot, "side", lambda self, work: calls.append("side") or side(self, work))
    monkeypatch.setattr(forking.SharedSnapshot, "fork", lambda self: calls.append("fork"))
    with pytest.raises(MissingRate) as split:
        _split_csv()
    assert str(split.value) == str(alone.value) and "USD" in str(split.value)
    # the week-end KPIs, the deals with unresolved blockers; no fork
    assert calls == ["side", "side"]


def test_the_cli_reports_the_childs_error_in_one_line_and_leaves_no_file(
    unconverted_last, monkeypatch, demo_url, run_cli, tmp_path
):
    monkeypatch.setattr(weekly_split, "SPLIT_FROM", 1)
    folder = tmp_path / "out"
    folder.mkdir()
    code, _out, err = run_cli("--db", demo_url, "export", "weekly", "--week", "2020-W21", "-o", folder / "w21.csv")
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("crm: ") and "USD" in err and "Traceback" not in err
    assert list(folder.iterdir()) == []


def test_the_cli_writes_the_same_file_split(monkeypatch, demo_url, run_cli, tmp_path):
    expected = weekly_reference.render(weekly.build(W21), "csv")
    monkeypatch.setattr(weekly_split, "SPLIT_FROM", 1)
    path = tmp_path / "w21.csv"
    code, _out, err = run_cli("--db", demo_url, "export", "weekly", "--week", "2020-W21", "-o", path)
    assert code == 0, err
    with open(path, encoding="utf-8", newline="") as written:
        assert written.read() == expected
    code, out, err = run_cli("--db", demo_url, "export", "weekly", "--week", "2020-W21", "--format", "csv")
    assert code == 0, err
    assert out == expected


@pytest.mark.parametrize("mode", ["w", "a"])
def test_standard_output_redirected_to_a_file_holds_the_one_process_file(monkeypatch, demo_url, tmp_path, mode):
    """`crm export weekly --format csv > file` (and `>> file`): the child's rows are appended to what this process
    wrote before them, in a file written from its start as in one opened for appending."""
    expected = weekly_reference.render(weekly.build(W21), "csv")
    monkeypatch.setattr(weekly_split, "SPLIT_FROM", 1)
    path = tmp_path / "w21.csv"
    path.write_bytes(b"kept\r\n")
    from app import main

    with open(path, mode, encoding="utf-8", newline="") as redirected:
        monkeypatch.setattr(sys, "stdout", redirected)
        code = main(["--db", demo_url, "export", "weekly", "--week", "2020-W21", "--format", "csv"])
        monkeypatch.undo()
    assert code == 0
    with open(path, encoding="utf-8", newline="") as written:
        assert written.read() == ("kept\r\n" if mode == "a" else "") + expected


def test_a_child_that_dies_is_an_error_not_a_short_file(monkeypatch):
    monkeypatch.setattr(weekly_split, "SPLIT_FROM", 1)
    monkeypatch.setattr(weekly_csv_split.SecondRange, "_write", lambda self, batches, report: os._exit(9))
    with pytest.raises(RuntimeError, match="second process ended without its rows"):
        _split_csv()


def _rename_from_another_connection(deal_id: int) -> None:
    """Commit a new name for the deal `deal_id` from a connection of its own, at once or not at all (SQLite: not
    while another connection holds the write lock)."""
    db = database.obj
    if is_postgres(db):
        import psycopg2

        conn = psycopg2.connect(dbname=db.database, **db.connect_params)
        conn.autocommit = True
        conn.cursor().execute("UPDATE deal SET name = 'RENAMED' WHERE id = %s", (deal_id,))
        conn.close()
        return
    conn = sqlite3.connect(db.database, timeout=0, isolation_level=None)
    try:
        conn.execute("UPDATE deal SET name = 'RENAMED' WHERE id = ?", (deal_id,))
    except sqlite3.OperationalError:
        pass  # locked: the parent holds the write lock until the child's snapshot is fixed
    finally:
        conn.close()


@pytest.mark.parametrize("when", ["while the names are read", "as the child connects"])
def test_the_child_reads_the_parents_snapshot(monkeypatch, when):
    """A write committed after the parent's snapshot (while it reads what both processes share, or as the child
    connects) is in neither process's rows."""
    monkeypatch.setattr(weekly_split, "SPLIT_FROM", 1)
    expected = weekly_reference.render(weekly.build(W21), "csv")
    last = weekly.build(W21).rows[-1].id  # the child's row
    owner, name = (weekly._Builder, "_names") if when.startswith("while") else (forking, "_child_connection")
    step = getattr(owner, name)

    def racing(*args):
        _rename_from_another_connection(last)
        return step(*args)

    monkeypatch.setattr(owner, name, racing)
    text, (part,) = _split_csv()
    assert part.rows > 0
    assert text == expected
    renamed = Deal.get_by_id(last).name == "RENAMED"
    assert renamed is is_postgres()  # PostgreSQL took the write (the child did not see it); SQLite kept it out


def test_a_county_offices_sheet_imported_then_split_is_the_one_process_file(monkeypatch):
    """Rows this project did not write (tests/data/county_sheets: a merged title, a 合计 row, 万元 and 美元
    amounts) go through the split as they go through one process."""
    from pathlib import Path

    from crm.importing import run_import

    sheet = Path(__file__).resolve().parents[1] / "data" / "county_sheets" / "county_weekly.xlsx"
    report = run_import(sheet)
    codes = {code for _row, code, name in report.created if name == "华侨城涿州城市客厅项目"}
    assert codes, "the sheet's rows became deals"
    monkeypatch.setattr(weekly_split, "SPLIT_FROM", 1)
    expected = weekly_reference.render(weekly.build(W21), "csv")
    text, (part,) = _split_csv()
    assert text == expected
    assert part.rows > 0
    assert all(f",{code},华侨城涿州城市客厅项目," in text for code in codes)  # signed 2020-05-18: in the week's table
