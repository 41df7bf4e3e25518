"""Crash safety: SIGKILL writers at random moments, then the ledger must be whole.

- a stream of real `crm stage` processes, each killed after a random delay
  (some before they connect, some in the middle of their transaction, some
  after they finished);
- writer processes that run stage changes, edits, funds and blockers back to
  back through the CLI entry point (so a kill nearly always lands inside a
  transaction), killed at random moments, again and again;
- `crm import` of a large ledger file killed part-way (test_import_* below).

Afterwards: PRAGMA integrity_check (SQLite) / amcheck on every index
(PostgreSQL) passes, each deal's stage ledger is an unbroken chain ending at
its stage, every stage change, arrival of funds and blocker has exactly its
audit entry (whole or absent), the KPIs agree with the rows, every command
that reported success is there exactly once, and the ledger takes new
writes at once (no lock left behind).
"""

import multiprocessing
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.ledger_checks import STAGE_KEYS, check_ledger, cli, storm_worker, wait_for

ROUNDS = 10
STORM_KILLS = 8


def crm_command() -> list[str]:
    """How to start `crm` from this checkout (the venv's console script may run another checkout's code)."""
    return [sys.executable, str(Path(__file__).resolve().parents[2] / "app.py")]


def _open(url):
    from db.connection import open_database

    return open_database(url)


def _close(db):
    from db.models import database

    db.close()
    database.initialize(None)


def _codes_and_departments(url):
    from db.models import Deal, Department

    db = _open(url)
    try:
        codes = [d.code for d in Deal.select().where(Deal.stage != "negotiating").order_by(Deal.code).limit(6)]
        return codes, [d.name for d in Department.select().limit(3)]
    finally:
        _close(db)


def _notes(url) -> dict:
    from db.models import StageChange

    db = _open(url)
    try:
        counts = {}
        for e in StageChange.select(StageChange.note):
            counts[e.note] = counts.get(e.note, 0) + 1
        return counts
    finally:
        _close(db)


def _assert_whole_and_writable(url):
    db = _open(url)
    try:
        counts = check_ledger(db)
    finally:
        _close(db)
    codes, _departments = _codes_and_departments(url)
    # No lock left behind: the next officer's command goes through at once.
    started = time.monotonic()
    rc, out, err, tb = cli(url, "funds", codes[0], "1万", "--note", "after the crash")
    assert rc == 0 and tb is None, err
    assert time.monotonic() - started < 10
    return counts


@pytest.mark.slow
def test_killed_crm_stage_processes_leave_whole_changes(demo_url, tmp_path):
    codes, _departments = _codes_and_departments(demo_url)
    rng = random.Random(5)
    env = dict(os.environ, CRM_USER="crash-test")
    outcomes = {}
    duration = None
    for round_ in range(ROUNDS):
        # Four commands at once, so some wait on each other's locks when killed.
        procs = []
        for k in range(4):
            tag = f"r{round_}-{k}"
            args = [*crm_command(), "--db", demo_url, "stage", rng.choice(codes), rng.choice(STAGE_KEYS), "--note", tag]
            procs.append((tag, subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)))
        started = time.monotonic()
        if duration is None:
            # The first round runs to the end: how long four commands take on this machine.
            for _tag, proc in procs:
                proc.wait()
            duration = time.monotonic() - started
        else:
            time.sleep(rng.uniform(0.3, 1.1) * duration)
        for tag, proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
            proc.wait()
            err = proc.stderr.read().decode()
            proc.stderr.close()
            outcomes[tag] = proc.returncode
            if proc.returncode >= 0:
                assert proc.returncode in (0, 2), (tag, err)
                assert "Traceback" not in err and "locked" not in err
    notes = _notes(demo_url)
    for tag, rc in outcomes.items():
        if rc == 0:
            assert notes.get(tag) == 1, tag  # reported done: there exactly once
        elif rc > 0:
            assert tag not in notes, tag  # refused: absent
        else:
            assert notes.get(tag, 0) in (0, 1), tag  # killed: whole or absent
    killed = sum(1 for rc in outcomes.values() if rc < 0)
    finished = sum(1 for rc in outcomes.values() if rc == 0)
    assert killed and finished, outcomes  # the random delays hit both sides
    _assert_whole_and_writable(demo_url)


@pytest.mark.slow
def test_writers_killed_in_the_middle_of_transactions_leave_a_whole_ledger(demo_url, tmp_path):
    codes, departments = _codes_and_departments(demo_url)
    rng = random.Random(11)
    ctx = multiprocessing.get_context("spawn")
    never = str(tmp_path / "never-created")
    before = sum(_notes(demo_url).values())
    for kill in range(STORM_KILLS):
        ready = [tmp_path / f"ready-{kill}-{i}" for i in range(2)]
        procs = [
            ctx.Process(
                target=storm_worker,
                args=(
                    demo_url,
                    10 * kill + i,
                    codes,
                    departments,
                    never,
                    str(tmp_path / f"unused-{kill}-{i}.json"),
                    rng.randrange(10**6),
                    100_000,
                    str(ready[i]),
                ),
            )
            for i in range(2)
        ]
        for p in procs:
            p.start()
        # Once both are past start-up they write back to back: kill at a random moment.
        wait_for(lambda ready=ready: all(r.exists() for r in ready), timeout=60)
        time.sleep(rng.uniform(0.0, 1.0))
        for p in procs:
            p.kill()  # SIGKILL
        for p in procs:
            p.join()
            assert p.exitcode == -signal.SIGKILL
    counts = _assert_whole_and_writable(demo_url)
    assert counts["stage_changes"] > before  # the writers did write between the kills


IMPORT_ROWS = 800
IMPORT_KILLS = 3
IMPORT_STAGES = ["已签约", "已注册", "在建", "已投产"]


def _big_ledger_csv(path: Path, rows: int) -> None:
    lines = ["项目名称,投资方,所在地,行业,签约日期,投资额（万元）,当前阶段,存在问题,责任单位,包联领导"]
    for i in range(rows):
        lines.append(
            f"崩溃测试项目{i:05d},测试投资方{i % 50},涿州市,新材料,2020/5/{1 + i % 28},{1000 + i},"
            f"{IMPORT_STAGES[i % 4]},{'用地指标不足' if i % 5 == 0 else ''},涿州市人民政府,李建国"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _imported(url) -> int:
    from db.models import Deal

    db = _open(url)
    try:
        return Deal.select().where(Deal.name.startswith("崩溃测试项目")).count()
    finally:
        _close(db)


@pytest.mark.slow
def test_a_killed_import_is_all_or_nothing(demo_url, tmp_path):
    path = tmp_path / "big-ledger.csv"
    _big_ledger_csv(path, IMPORT_ROWS)
    codes, _departments = _codes_and_departments(demo_url)
    env = dict(os.environ, CRM_USER="crash-test")
    importing = [*crm_command(), "--db", demo_url, "import", str(path)]
    # How long the whole import takes here: a dry run reads and writes it all, then rolls back.
    started = time.monotonic()
    dry = subprocess.run([*importing, "--dry-run"], env=env, capture_output=True, text=True)
    duration = time.monotonic() - started
    assert dry.returncode == 0, dry.stderr
    assert _imported(demo_url) == 0

    rng = random.Random(3)
    imports_killed = 0
    for attempt in range(IMPORT_KILLS):
        procs = [subprocess.Popen(importing, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)]
        # Officers keep moving deals meanwhile (on SQLite they wait for the import's lock).
        for k in range(2):
            procs.append(
                subprocess.Popen(
                    [
                        *crm_command(),
                        "--db",
                        demo_url,
                        "stage",
                        rng.choice(codes),
                        rng.choice(STAGE_KEYS),
                        "--note",
                        f"i{attempt}-{k}",
                    ],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                )
            )
        time.sleep(rng.uniform(0.3, 0.9) * duration)
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                imports_killed += proc is procs[0]
            proc.wait()
            err = proc.stderr.read().decode()
            proc.stderr.close()
            assert proc.returncode in (0, 2, -signal.SIGKILL), err
            assert "Traceback" not in err
        assert _imported(demo_url) in (0, IMPORT_ROWS)  # whole or absent
        db = _open(demo_url)
        try:
            check_ledger(db)
        finally:
            _close(db)
        if _imported(demo_url):
            break  # it finished before the kill: nothing more to interrupt

    assert imports_killed, "every import finished before its kill: nothing was tested"
    # Run to the end, the same import gives every row exactly once.
    done = subprocess.run(importing, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert _imported(demo_url) == IMPORT_ROWS
    _assert_whole_and_writable(demo_url)
