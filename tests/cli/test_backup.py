"""`crm backup PATH` and `crm restore PATH [--force]`, on SQLite and PostgreSQL.

Includes a backup taken while four processes keep writing, restored into a
fresh database that must pass every ledger and KPI check.
"""

import json
import os
import sqlite3
import stat

import pytest

from tests.ledger_checks import assert_clean_outcomes, check_ledger, start_storm


@pytest.fixture
def fresh_url(backend, request, tmp_path):
    """A second empty database on the same backend (restores go here)."""
    if backend == "sqlite":
        path = tmp_path / "restored.sqlite3"
        path.touch(mode=0o600)  # an empty ledger file, as PostgreSQL gets an empty database
        return str(path)
    cluster = request.getfixturevalue("pg_cluster")
    url = cluster.create_database()
    request.addfinalizer(lambda: cluster.drop_database(url.rsplit("/", 1)[1]))
    return url


def _snapshot(run_cli, url):
    """What a user sees of a ledger: KPIs and the deal list, as JSON."""
    code, kpis, err = run_cli("--db", url, "kpi", "--format", "json")
    assert code == 0, err
    code, deals, err = run_cli("--db", url, "deals", "--format", "json", "--sort", "code")
    assert code == 0, err
    return json.loads(kpis), [{k: v for k, v in d.items() if k != "days_in_stage"} for d in json.loads(deals)]


def _counts(url):
    from crm.backup.copies import ledger_counts
    from db.connection import open_database
    from db.models import database

    db = open_database(url, migrate_schema=False)
    try:
        return ledger_counts(db)
    finally:
        db.close()
        database.initialize(None)


def test_backup_then_restore_gives_the_same_ledger(demo_url, fresh_url, backend, tmp_path, run_cli):
    path = tmp_path / "ledger.backup"
    code, out, err = run_cli("--db", demo_url, "backup", path)
    assert code == 0, err
    assert out.strip() == str(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]  # no temporary left behind

    code, out, err = run_cli("--db", fresh_url, "restore", path)
    assert code == 0, err
    assert _snapshot(run_cli, fresh_url) == _snapshot(run_cli, demo_url)
    assert _counts(fresh_url) == _counts(demo_url)
    # The restored ledger keeps working: new rows get new ids.
    code, out, err = run_cli(
        "--db", fresh_url, "add", "--name", "恢复后新增项目", "--amount", "3亿元", "--signed", "2021-03-01"
    )
    assert code == 0, err
    code, out, err = run_cli("--db", fresh_url, "stage", out.strip(), "registered")
    assert code == 0, err


def test_a_backup_into_a_folder_gets_a_dated_name(demo_url, tmp_path, run_cli):
    folder = tmp_path / "backups"
    folder.mkdir()
    code, out, err = run_cli("--db", demo_url, "backup", folder)
    assert code == 0, err
    written = list(folder.iterdir())
    assert [str(p) for p in written] == [out.strip()]
    assert written[0].name.startswith("ledger-")


def test_backup_does_not_overwrite_a_file_without_force(demo_url, tmp_path, run_cli):
    path = tmp_path / "ledger.backup"
    path.write_text("an older backup")
    code, out, err = run_cli("--db", demo_url, "backup", path)
    assert code == 2 and str(path) in err and len(err.strip().splitlines()) == 1
    assert path.read_text() == "an older backup"
    code, out, err = run_cli("--db", demo_url, "backup", path, "--force")
    assert code == 0, err
    assert path.read_bytes()[:5] in (b"SQLit", b"PGDMP")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_restore_refuses_a_ledger_that_is_not_empty_without_force(demo_url, fresh_url, tmp_path, run_cli):
    path = tmp_path / "ledger.backup"
    assert run_cli("--db", demo_url, "backup", path)[0] == 0
    # The target holds one deal of its own.
    assert run_cli("--db", fresh_url, "init")[0] == 0
    code, out, err = run_cli("--db", fresh_url, "add", "--name", "另一台账的项目", "--amount", "1亿元")
    assert code == 0, err
    before = _counts(fresh_url)
    code, out, err = run_cli("--db", fresh_url, "restore", path)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "--force" in err
    assert _counts(fresh_url) == before
    code, out, err = run_cli("--db", fresh_url, "restore", path, "--force")
    assert code == 0, err
    assert _snapshot(run_cli, fresh_url) == _snapshot(run_cli, demo_url)


def _newer_schema_backup(backend, demo_url, tmp_path, run_cli, pg_cluster_or_none):
    """A backup whose migration history names a migration this program does not have."""
    from db.connection import open_database
    from db.models import database

    db = open_database(demo_url)
    db.execute_sql("INSERT INTO schema_migration (name, applied) VALUES ('9999_from_the_future', '2030-01-01')")
    db.close()
    database.initialize(None)
    path = tmp_path / "future.backup"
    # `crm backup` itself refuses to open a newer database: copy it by other means.
    if backend == "sqlite":
        src = sqlite3.connect(demo_url)
        dst = sqlite3.connect(path)
        src.backup(dst)
        dst.close()
        src.close()
    else:
        import subprocess

        from db.dumps import pg_tool

        with open(path, "wb") as out:
            subprocess.run([pg_tool("pg_dump"), "--format=custom", demo_url], stdout=out, check=True)
    return path


def test_restore_refuses_bad_backups_and_leaves_the_database_as_it_was(
    demo_url, fresh_url, backend, tmp_path, run_cli, request
):
    cases = {}
    cases["missing"] = tmp_path / "no-such.backup"
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"PK\x03\x04 this is a zip, not a backup" * 10)
    cases["junk"] = junk
    other = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    cases["not a ledger"] = other
    truncated = tmp_path / "truncated.backup"
    good = tmp_path / "good.backup"
    assert run_cli("--db", demo_url, "backup", good)[0] == 0
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 3])
    cases["truncated"] = truncated
    cases["newer schema"] = _newer_schema_backup(backend, demo_url, tmp_path, run_cli, None)

    assert run_cli("--db", fresh_url, "init")[0] == 0
    before = _counts(fresh_url)
    for what, path in cases.items():
        code, out, err = run_cli("--db", fresh_url, "restore", path)
        assert code == 2, (what, err)
        assert len(err.strip().splitlines()) == 1, (what, err)
        assert str(path) in err or "9999_from_the_future" in err, (what, err)
        assert "Traceback" not in err
        assert _counts(fresh_url) == before, what


def test_a_backup_taken_during_a_write_storm_restores_to_a_consistent_ledger(demo_url, fresh_url, tmp_path, run_cli):
    from db.connection import open_database
    from db.models import Deal, Department, database

    db = open_database(demo_url)
    codes = [d.code for d in Deal.select().where(Deal.stage != "negotiating").order_by(Deal.code).limit(8)]
    departments = [d.name for d in Department.select().limit(4)]
    db.close()
    database.initialize(None)

    stop = start_storm(demo_url, codes, departments, tmp_path, workers=4)
    try:
        from tests.ledger_checks import wait_for

        # Let the storm get going, then back up in the middle of it.
        wait_for(lambda: _counts(demo_url)["audit_entry"] > 160, timeout=60)
        paths = []
        for i in range(3):
            path = tmp_path / f"storm-{i}.backup"
            code, out, err = run_cli("--db", demo_url, "backup", path)
            assert code == 0, err
            paths.append(path)
        during = _counts(demo_url)["audit_entry"]
        # The storm goes on after the last backup: it was taken mid-storm.
        wait_for(lambda: _counts(demo_url)["audit_entry"] > during + 40, timeout=60)
    finally:
        results = stop()
    assert_clean_outcomes(results)
    assert sum(1 for r in results if r["rc"] == 0) > 40

    for path in paths:
        code, out, err = run_cli("--db", fresh_url, "restore", path, "--force")
        assert code == 0, err
        db = open_database(fresh_url)
        try:
            counts = check_ledger(db)
        finally:
            db.close()
            database.initialize(None)
        assert counts["stage_changes"] >= 94  # the demo's, at least
    # And the live ledger itself came through the storm whole.
    db = open_database(demo_url)
    try:
        check_ledger(db)
    finally:
        db.close()
        database.initialize(None)


def test_a_single_officers_sqlite_backup_restores_into_postgresql(tmp_path, request, run_cli):
    """How a bureau moves one officer's ledger onto the shared server."""
    cluster = request.getfixturevalue("pg_cluster")
    sqlite_url = str(tmp_path / "officer.sqlite3")
    code, out, err = run_cli("--db", sqlite_url, "demo")
    assert code == 0, err
    path = tmp_path / "officer.backup"
    assert run_cli("--db", sqlite_url, "backup", path)[0] == 0
    pg_url = cluster.create_database()
    request.addfinalizer(lambda: cluster.drop_database(pg_url.rsplit("/", 1)[1]))
    code, out, err = run_cli("--db", pg_url, "restore", path)
    assert code == 0, err
    assert _snapshot(run_cli, pg_url) == _snapshot(run_cli, sqlite_url)
    # Sequences continue after the copied ids.
    code, out, err = run_cli("--db", pg_url, "add", "--name", "迁移后新增项目", "--amount", "2亿元")
    assert code == 0, err
    code, out, err = run_cli(
        "--db", pg_url, "blocker", "add", out.strip(), "用地指标未落实", "--department", "自然资源"
    )
    assert code == 0, err
    # A PostgreSQL backup cannot go into a SQLite file: said in one line.
    pg_backup = tmp_path / "bureau.backup"
    assert run_cli("--db", pg_url, "backup", pg_backup)[0] == 0
    code, out, err = run_cli("--db", str(tmp_path / "new.sqlite3"), "restore", pg_backup)
    assert code == 2 and len(err.strip().splitlines()) == 1 and str(pg_backup) in err


def test_a_backup_restores_into_a_freshly_initialised_ledger(demo_url, fresh_url, tmp_path, run_cli):
    path = tmp_path / "ledger.backup"
    assert run_cli("--db", demo_url, "backup", path)[0] == 0
    assert run_cli("--db", fresh_url, "init")[0] == 0  # empty, but with every table, index and trigger
    code, out, err = run_cli("--db", fresh_url, "restore", path)
    assert code == 0, err
    assert _snapshot(run_cli, fresh_url) == _snapshot(run_cli, demo_url)


def test_the_summaries_name_what_was_copied_in_the_readers_language(demo_url, fresh_url, backend, tmp_path, run_cli):
    """Backup and restore count the rows by what they are (部门 12、人员 5 …), not by table names (department 12)."""
    path = tmp_path / "ledger.backup"
    code, out, err = run_cli("--db", demo_url, "backup", path)
    assert code == 0, err
    if backend == "sqlite":  # pg_dump's rows are not counted
        assert "部门 " in err and "、项目 33" in err and "department" not in err and ", " not in err, err
    code, out, err = run_cli("--db", fresh_url, "restore", path)
    assert code == 0, err
    summary = out.split("（", 1)[1]
    assert summary.startswith("部门 ") and "、项目 33、" in summary and "阶段变化 " in summary, out
    assert not any(table in summary for table in ("department", "stage_change", "deal ", ", ")), out
    code, out, err = run_cli("--lang", "en", "--db", fresh_url, "restore", path, "--force")
    assert code == 0, err
    assert "(departments " in out and ", deals 33, " in out and "stage changes " in out, out
