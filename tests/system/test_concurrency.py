"""Many officers at once: 8 processes share one ledger (a SQLite file, a PostgreSQL database).

Each worker process runs the real command line (`cli.main.main`, the code
behind `crm`, one database connection per command as in a shell) 60 times
`crm stage` and 30 times `crm show` + `crm edit --if-version` on a handful of
shared deals, interleaved at random. Afterwards:

- every stage change that reported success is in the ledger exactly once, and
  every refused one is absent; the ledger of each deal is one unbroken chain
  (each entry starts where the previous one ended) and the deal's stage is
  its last entry;
- every edit either saved (exit 0, in the audit trail exactly once) or was
  refused as a conflict (exit 3, one line, absent); a deal's version is one
  more than its saved edits;
- no process printed a traceback or "database is locked".

An in-process CLI call costs about 15 ms (argument parsing, connecting,
the transaction); a `crm` process costs about 0.7 s of start-up, which would
turn the 960 commands into minutes of imports: the workers therefore call the
CLI entry point in a loop (building the parser once per worker), and
test_crash.py runs the real `crm` executable.

The size: all eight workers write throughout, so every command overlaps
others on the same six deals; 60 + 30 a worker still gives each deal about
80 contended stage changes and a run some 50 edit conflicts (the test fails
without one). The earlier 200 + 100 ran the same races three times as often
and were the longest minutes of `make test`.
"""

import json
import multiprocessing
import os
import random
import time

import pytest

from db import kept_totals as db_kept_totals
from tests.ledger_checks import STAGE_KEYS, assert_clean_outcomes, check_ledger, reuse_parser
from tests.ledger_checks import cli as _cli

WORKERS = 8
STAGE_CHANGES = 60
EDITS = 30
DEALS = 6


def _worker(url, index, codes, stage_changes, edits, result_path, seed):
    reuse_parser()
    os.environ["CRM_USER"] = f"worker-{index}"
    rng = random.Random(seed)
    ops = ["stage"] * stage_changes + ["edit"] * edits
    rng.shuffle(ops)
    results = []
    started = time.monotonic()
    for n, op in enumerate(ops):
        code = rng.choice(codes)
        if op == "stage":
            tag = f"w{index}-s{n}"
            target = rng.choice(STAGE_KEYS)
            rc, out, err, tb = _cli(url, "stage", code, target, "--note", tag)
            results.append({"op": "stage", "tag": tag, "code": code, "to": target, "rc": rc, "err": err, "tb": tb})
        else:
            tag = f"w{index}-e{n}"
            rc, out, err, tb = _cli(url, "show", code, "--format", "json")
            if rc != 0:
                results.append({"op": "show", "tag": tag, "code": code, "rc": rc, "err": err, "tb": tb})
                continue
            version = json.loads(out)["version"]
            rc, out, err, tb = _cli(url, "edit", code, "--notes", tag, "--if-version", str(version))
            results.append({"op": "edit", "tag": tag, "code": code, "version": version, "rc": rc, "err": err, "tb": tb})
    with open(result_path, "w", encoding="utf-8") as fh:
        json.dump({"results": results, "seconds": time.monotonic() - started}, fh)


def _seed_deals(url, n):
    from crm.deals.records import create_deal
    from db.connection import open_database
    from db.models import database

    db = open_database(url)
    try:
        return [
            create_deal({"name": f"并发测试项目{i}", "amount": f"{i + 1}亿元", "signed_on": "2020-05-18"}).code
            for i in range(n)
        ]
    finally:
        db.close()
        database.initialize(None)


def _run_workers(url, codes, tmp_path, workers=WORKERS, stage_changes=STAGE_CHANGES, edits=EDITS):
    ctx = multiprocessing.get_context("spawn")
    paths = [tmp_path / f"worker-{i}.json" for i in range(workers)]
    procs = [
        ctx.Process(target=_worker, args=(url, i, codes, stage_changes, edits, str(paths[i]), 1000 + i))
        for i in range(workers)
    ]
    started = time.monotonic()
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=600)
    elapsed = time.monotonic() - started
    for p in procs:
        if p.is_alive():
            p.kill()
            p.join()
    assert [p.exitcode for p in procs] == [0] * workers, "a worker process died"
    results = []
    for path in paths:
        data = json.loads(path.read_text(encoding="utf-8"))
        results.extend(data["results"])
    return results, elapsed


def _check(url, codes, results):
    from db.connection import open_database
    from db.models import AuditEntry, Deal, StageChange, database

    # Nothing escaped as a traceback, nothing said "locked", every message is one line.
    assert_clean_outcomes(results)
    for r in results:
        if r["rc"] != 0:
            assert r["code"] in r["err"], r  # the message names the deal
    shows = [r for r in results if r["op"] == "show"]
    assert not shows, shows[:3]
    stage_results = [r for r in results if r["op"] == "stage"]
    edit_results = [r for r in results if r["op"] == "edit"]
    assert len(stage_results) == WORKERS * STAGE_CHANGES
    assert len(edit_results) == WORKERS * EDITS
    # A stage change is refused only when the deal is already at the target (exit 2);
    # an edit only as a conflict (exit 3).
    assert {r["rc"] for r in stage_results} <= {0, 2}
    assert {r["rc"] for r in edit_results} <= {0, 3}

    db = open_database(url)
    try:
        landed = {r["tag"] for r in stage_results if r["rc"] == 0}
        refused = {r["tag"] for r in stage_results if r["rc"] != 0}
        notes = {}
        for e in StageChange.select():
            notes[e.note] = notes.get(e.note, 0) + 1
        assert all(notes.get(tag) == 1 for tag in landed), "a stage change that succeeded is missing or doubled"
        assert not [tag for tag in refused if tag in notes], "a refused stage change is in the ledger"
        assert sum(notes.values()) == len(codes) + len(landed)  # plus each deal's first entry
        # Fewer than 1 in 3 refused: with 7 stages, 1 in 7 targets is the current stage.
        assert len(refused) < len(stage_results) / 3

        for code in codes:
            deal = Deal.get(Deal.code == code)
            entries = list(StageChange.select().where(StageChange.deal == deal).order_by(StageChange.id))
            for before, after in zip(entries, entries[1:]):
                assert after.from_stage == before.to_stage, (code, before.note, after.note)
            assert deal.stage == entries[-1].to_stage
            stage_audits = (
                AuditEntry.select()
                .where((AuditEntry.table == "deal") & (AuditEntry.row_id == deal.id) & (AuditEntry.field == "stage"))
                .count()
            )
            assert stage_audits == len(entries) - 1

            saved = [r for r in edit_results if r["code"] == code and r["rc"] == 0]
            assert deal.version == 1 + len(saved)
            audited = [
                a.new
                for a in AuditEntry.select().where(
                    (AuditEntry.table == "deal") & (AuditEntry.row_id == deal.id) & (AuditEntry.field == "notes")
                )
            ]
            assert sorted(audited) == sorted(r["tag"] for r in saved)
            # Each saved edit was based on a distinct version: none overwrote another silently.
            assert sorted(r["version"] for r in saved) == list(range(1, len(saved) + 1))
        conflicts = [r for r in edit_results if r["rc"] == 3]
        assert conflicts, "8 workers on 6 deals and not one conflict: the version check is not exercised"
        check_ledger(db)
    finally:
        db.close()
        database.initialize(None)
    return len(landed), len(refused), len(conflicts)


@pytest.mark.slow
def test_eight_processes_share_one_ledger(db_url, backend, tmp_path):
    codes = _seed_deals(db_url, DEALS)
    results, elapsed = _run_workers(db_url, codes, tmp_path)
    landed, refused, conflicts = _check(db_url, codes, results)
    print(
        f"\n{backend}: {WORKERS}×({STAGE_CHANGES} stage + {EDITS} edit) in {elapsed:.1f} s; "
        f"{landed} stage changes landed, {refused} refused as already there, {conflicts} edit conflicts"
    )
    assert elapsed < 300  # a hang (lock waits up to the 30 s busy timeout), not a slow shared machine


def _open_fresh(url, index, result_path):
    # `crm init`: the only command that makes a ledger in an empty database (the others refuse it)
    rc, out, err, tb = _cli(url, "init")
    with open(result_path, "w", encoding="utf-8") as fh:
        json.dump({"rc": rc, "err": err, "tb": tb}, fh)


def test_a_fresh_database_initialised_by_eight_processes_at_once_is_migrated_once(db_url, tmp_path):
    ctx = multiprocessing.get_context("spawn")
    paths = [tmp_path / f"open-{i}.json" for i in range(WORKERS)]
    procs = [ctx.Process(target=_open_fresh, args=(db_url, i, str(paths[i]))) for i in range(WORKERS)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    results = [json.loads(path.read_text(encoding="utf-8")) for path in paths]
    assert [r["rc"] for r in results] == [0] * WORKERS, results
    from db import migrate
    from db.connection import open_database
    from db.models import database

    db = open_database(db_url)
    try:
        assert [m.name for m in migrate.runner(db).status() if m.applied] == migrate.known()
    finally:
        db.close()
        database.initialize(None)


def test_a_department_edit_on_a_stale_version_is_refused(demo_url, run_cli):
    code, out, err = run_cli("--db", demo_url, "department", "show", "供电", "--format", "json")
    assert code == 0, err
    version = json.loads(out)["version"]
    code, out, err = run_cli(
        "--db", demo_url, "department", "edit", "供电", "--contact", "95598-1", "--if-version", version
    )
    assert code == 0, err
    # A second officer saves on the version she read before the first save.
    code, out, err = run_cli(
        "--db", demo_url, "department", "edit", "供电", "--contact", "95598-2", "--if-version", version
    )
    assert code == 3
    assert len(err.strip().splitlines()) == 1 and "测试员" in err  # who changed it
    code, out, err = run_cli("--db", demo_url, "department", "show", "供电", "--format", "json")
    shown = json.loads(out)
    assert shown["contact"] == "95598-1" and shown["version"] == version + 1
    # Renaming onto another department's name is refused, nothing changes.
    code, out, err = run_cli("--db", demo_url, "department", "edit", "供电", "--name", "保定市商务局")
    assert code == 2 and "保定市商务局" in err
    code, out, err = run_cli("--db", demo_url, "department", "show", "供电", "--format", "json")
    assert json.loads(out)["version"] == version + 1


def test_appends_are_not_held_up_by_an_edit_in_progress_on_postgresql(demo_url, backend, run_cli, monkeypatch):
    """An officer's edit holds its deal's row; funds and blockers for that deal still go in at once."""
    if backend != "postgresql":
        pytest.skip("SQLite has one writer at a time: appends wait for the edit's transaction (busy timeout)")
    import psycopg2

    from db.connection import lock_for_update, open_database
    from db.models import Deal, database

    db = open_database(demo_url)
    sql, params = lock_for_update(Deal.select(Deal.id).where(Deal.code == "ZS2020-0001")).sql()
    db.close()
    database.initialize(None)
    editing = psycopg2.connect(demo_url)
    try:
        with editing.cursor() as cur:  # the lock edit_deal / change_stage hold until they commit
            cur.execute(sql, params)
        monkeypatch.setenv("PGOPTIONS", "-c lock_timeout=5000")  # waiting would fail the command, not hang
        code, out, err = run_cli("--db", demo_url, "funds", "ZS2020-0001", "1000万")
        assert code == 0, err
        code, out, err = run_cli("--db", demo_url, "blocker", "add", "ZS2020-0001", "电力增容", "--department", "供电")
        assert code == 0, err
    finally:
        editing.rollback()
        editing.close()


def _waits_on_a_lock(url, process, timeout: float = 60.0) -> bool:
    """Whether `process` came to wait on a row lock in `url`'s database (polled) while still running.

    The server says so (pg_stat_activity): no fixed sleep that a slow start-up of the process could outlast.
    """
    import psycopg2

    watcher = psycopg2.connect(url)
    watcher.autocommit = True
    try:
        deadline = time.monotonic() + timeout
        while process.poll() is None and time.monotonic() < deadline:
            with watcher.cursor() as cur:
                cur.execute(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                )
                if cur.fetchone()[0]:
                    return process.poll() is None
            time.sleep(0.05)
        return False
    finally:
        watcher.close()


def test_a_payment_recorded_while_its_deal_changes_stage_is_counted_under_the_new_stage(demo_url, backend):
    """The KPIs' kept totals (PostgreSQL: funds per stage of their deal) stay right when the two cross.

    A stage change in progress holds its deal; a payment recorded for that deal
    meanwhile waits for it, then counts under the stage the deal moved to. Were
    it counted under the stage the deal was leaving, the kept totals would
    disagree with the rows for good.
    """
    if backend != "postgresql":
        pytest.skip("SQLite has one writer at a time: the payment waits for the whole transaction")
    import subprocess
    import sys

    import psycopg2

    from db.connection import open_database
    from db.models import database

    moving = psycopg2.connect(demo_url)
    try:
        with moving.cursor() as cur:  # the deal's row as change_stage writes it, not yet committed
            cur.execute("UPDATE deal SET stage = 'construction' WHERE code = 'ZS2020-0001' AND stage != 'construction'")
            assert cur.rowcount == 1
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        payment = subprocess.Popen(
            [sys.executable, "-m", "app", "--db", demo_url, "funds", "ZS2020-0001", "1000万"],
            cwd=root,
            env={**os.environ, "PYTHONPATH": root},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        waited = _waits_on_a_lock(demo_url, payment)
        moving.commit()
        out, err = payment.communicate(timeout=120)
        assert payment.returncode == 0, err
        assert waited, "the payment went in while its deal was changing stage"
    finally:
        moving.close()
    open_database(demo_url)
    try:
        assert db_kept_totals.agree()
    finally:
        database.obj.close()
        database.initialize(None)
