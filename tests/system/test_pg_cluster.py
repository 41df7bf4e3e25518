"""The throwaway PostgreSQL server used by the suite (tests/pg_cluster.py)."""

from __future__ import annotations

import os
from pathlib import Path

import psycopg2
import pytest

from tests.pg_cluster import (
    ClusterError,
    PostgresNotInstalled,
    ThrowawayCluster,
    _in_ci,
    find_bin_dir,
)


def _query(url: str, sql: str, params=()):
    conn = psycopg2.connect(url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall() if cur.description else None
    finally:
        conn.close()


def _postmaster_alive(data_dir: Path) -> bool:
    pid_file = data_dir / "postmaster.pid"
    if not pid_file.exists():
        return False
    pid = int(pid_file.read_text().split("\n", 1)[0])
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def server_binaries():
    try:
        return find_bin_dir()
    except PostgresNotInstalled as exc:
        if _in_ci():
            raise
        pytest.skip(str(exc))


def test_server_is_postgres_15(pg_cluster):
    [(version,)] = _query(pg_cluster.url, "SELECT version()")
    assert version.startswith("PostgreSQL 15"), version
    [(num,)] = _query(pg_cluster.url, "SHOW server_version_num")
    assert int(num) // 10000 == 15
    [(db, enc)] = _query(
        pg_cluster.url,
        "SELECT current_database(), pg_encoding_to_char(encoding) FROM pg_database WHERE datname = current_database()",
    )
    assert (db, enc) == (pg_cluster.url.rsplit("/", 1)[1], "UTF8")


def test_pg_trgm_extension(pg_cluster):
    url = pg_cluster.create_database()
    _query(url, "CREATE EXTENSION IF NOT EXISTS pg_trgm")
    _query(url, "CREATE EXTENSION IF NOT EXISTS pg_trgm")  # idempotent
    [(sim,)] = _query(url, "SELECT similarity('招商引资台账', '招商台账')")
    assert sim > 0.2
    if isinstance(pg_cluster, ThrowawayCluster):
        # Our cluster uses a UTF-8 ctype so trigrams include CJK characters.
        [(trgms,)] = _query(url, "SELECT show_trgm('招商')")
        assert trgms, "pg_trgm ignores CJK text: cluster locale is not UTF-8 aware"


def test_create_database_is_independent(pg_cluster):
    a = pg_cluster.create_database()
    b = pg_cluster.create_database()
    assert len({a, b, pg_cluster.url}) == 3
    _query(a, "CREATE TABLE company (id serial PRIMARY KEY, name text)")
    _query(a, "INSERT INTO company (name) VALUES (%s)", ["甲公司"])
    assert _query(a, "SELECT name FROM company") == [("甲公司",)]
    assert _query(b, "SELECT to_regclass('company')") == [(None,)]
    assert _query(pg_cluster.url, "SELECT to_regclass('company')") == [(None,)]
    [(db_a,)] = _query(a, "SELECT current_database()")
    [(db_b,)] = _query(b, "SELECT current_database()")
    assert db_a != db_b

    named = pg_cluster.create_database("crm_test_named_db")
    assert named.endswith("/crm_test_named_db")
    with pytest.raises(psycopg2.errors.DuplicateDatabase):
        pg_cluster.create_database("crm_test_named_db")
    pg_cluster.drop_database("crm_test_named_db")
    with pytest.raises(ValueError):
        pg_cluster.create_database("Robert'); DROP TABLE students;--")


def test_cluster_lifecycle_leaves_nothing_behind(server_binaries):
    with ThrowawayCluster("lifecycle_db") as pg:
        assert pg.startup_seconds is not None
        assert pg.url == f"postgresql://postgres@127.0.0.1:{pg.port}/lifecycle_db"
        assert pg.bin_dir == server_binaries
        base, data = pg.base_dir, pg.data_dir
        assert _postmaster_alive(data)
        assert _query(
            pg.url,
            "SELECT current_setting('fsync'), current_setting('max_connections'), current_setting('listen_addresses')",
        ) == [("off", "200", "127.0.0.1")]
        assert (base / f".s.PGSQL.{pg.port}").exists()  # unix socket lives in the temp dir
    assert not base.exists()
    with pytest.raises(psycopg2.OperationalError):
        psycopg2.connect(pg.url, connect_timeout=3)


def test_cleanup_on_exception_inside_block(server_binaries):
    with pytest.raises(KeyboardInterrupt):
        with ThrowawayCluster() as pg:
            base = pg.base_dir
            raise KeyboardInterrupt
    assert not base.exists()


def test_failed_start_reports_server_log(server_binaries, monkeypatch):
    made = []
    real_mkdtemp = __import__("tempfile").mkdtemp

    def spy(*a, **kw):
        made.append(real_mkdtemp(*a, **kw))
        return made[-1]

    monkeypatch.setattr("tests.pg_cluster.tempfile.mkdtemp", spy)
    with pytest.raises(ClusterError) as info:
        ThrowawayCluster(settings={"shared_buffers": "'not-a-size'"}).start()
    msg = str(info.value)
    assert "failed to start" in msg
    assert "tail of" in msg and "shared_buffers" in msg  # the server's own complaint
    assert made and not Path(made[0]).exists()
