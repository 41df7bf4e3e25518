"""A database with no ledger in it is refused, not filled: only `crm init` (and demo, synthetic, restore) make one.

Every other command, and the TUI, on an empty PostgreSQL database or an existing empty SQLite file says in one
line that there is no ledger there and to run `crm init`, exits 2, and leaves the database exactly as it was —
no tables, no bytes written. An empty --db is refused before anything is opened.
"""

import sqlite3

import pytest

from db.connection import default_path

NO_LEDGER = "中没有台账：新台账请先运行 crm init"


def tables(url: str) -> list[str]:
    """The tables `url` holds, read without the program's own opening (which is what is under test)."""
    if url.startswith("postgresql://"):
        import psycopg2

        conn = psycopg2.connect(url)
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
                return [row[0] for row in cur.fetchall()]
        finally:
            conn.close()
    conn = sqlite3.connect(f"file:{url}?mode=ro", uri=True)
    try:
        return [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1")]
    finally:
        conn.close()


def refused_for_no_ledger(run_cli, url, *args):
    code, out, err = run_cli(*args)
    assert code == 2, (args, out, err)
    assert out == "" and err.count("\n") == 1 and err.endswith("\n"), (args, err)
    assert err == f"crm: 数据库 {url} {NO_LEDGER}\n", (args, err)
    return err


COMMANDS = [
    ["show", "ZS2020-0001"],
    ["kpi"],
    ["deals"],
    ["add", "--name", "误入的项目", "--amount", "1亿元"],
    ["blocker", "list"],
    ["fx", "list"],
    ["report", "regions"],
    ["log", "ZS2020-0001"],
]


def test_commands_on_a_database_without_a_ledger_refuse_and_create_nothing(db_url, backend, run_cli, tmp_path):
    before = None if backend == "postgresql" else open(db_url, "rb").read()
    for args in COMMANDS:
        refused_for_no_ledger(run_cli, db_url, "--db", db_url, *args)
    refused_for_no_ledger(run_cli, db_url, "--db", db_url, "backup", tmp_path / "copy.backup")
    assert not (tmp_path / "copy.backup").exists()
    assert tables(db_url) == []
    if before is not None:  # not a byte written, no journal left beside it
        assert open(db_url, "rb").read() == before == b""
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith("ledger.sqlite3")] == ["ledger.sqlite3"]


def test_the_url_in_the_environment_is_refused_the_same_way(db_url, run_cli, monkeypatch):
    monkeypatch.setenv("CRM_DATABASE_URL", db_url)
    refused_for_no_ledger(run_cli, db_url, "kpi")
    assert tables(db_url) == []


def test_the_tui_refuses_a_database_without_a_ledger(db_url, run_cli, monkeypatch):
    """The screens open through the same door (db.opening for a server, open_database for a file)."""
    import cli.main

    monkeypatch.setattr(cli.main, "_has_terminal", lambda: True)
    refused_for_no_ledger(run_cli, db_url, "--db", db_url)
    assert tables(db_url) == []


def test_crm_init_makes_the_ledger_the_others_then_use(db_url, run_cli):
    code, out, err = run_cli("--db", db_url, "init")
    assert code == 0, err
    assert "deal" in tables(db_url)
    code, out, err = run_cli("--db", db_url, "kpi", "--format", "json")
    assert code == 0, err


def test_an_sqlite_file_with_a_header_but_no_tables_is_refused_untouched(tmp_path, run_cli):
    path = tmp_path / "空.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 7")  # a valid database file of one page, holding nothing
    conn.close()
    before = path.read_bytes()
    assert before
    refused_for_no_ledger(run_cli, str(path), "--db", path, "deals")
    assert path.read_bytes() == before and tables(str(path)) == []


def test_a_database_holding_another_programs_tables_is_left_alone(db_url, backend, run_cli):
    """A superuser's URL pointing at the wrong database: its tables stay as they were, none is added."""
    if backend == "postgresql":
        import psycopg2

        conn = psycopg2.connect(db_url)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("CREATE TABLE orders (id int)")
        conn.close()
    else:
        conn = sqlite3.connect(db_url)
        conn.execute("CREATE TABLE orders (id int)")
        conn.commit()
        conn.close()
    code, out, err = run_cli("--db", db_url, "kpi")
    assert code == 2 and err.count("\n") == 1, err
    if backend == "postgresql":
        assert NO_LEDGER in err, err  # a server's database may hold other programs' tables beside a ledger
    else:
        assert "orders" in err and "不是台账" in err, err  # a file with tables but no ledger history
    assert tables(db_url) == ["orders"]


def test_an_empty_db_option_is_refused_before_anything_is_opened(run_cli, monkeypatch):
    import cli.main

    monkeypatch.setattr(cli.main, "_has_terminal", lambda: True)
    for args in (["--db", "", "deals"], ["deals", "--db", " "], ["--db", ""], ["--db=", "init"]):
        code, out, err = run_cli(*args)
        assert code == 2 and out == "" and err.count("\n") == 1, (args, err)
        assert "--db 为空" in err, (args, err)
    assert not default_path().exists()  # the officer's own ledger was not opened in its place


@pytest.mark.parametrize("command", [["demo"], ["synthetic", "3"]])
def test_demo_and_synthetic_make_a_ledger_of_their_own(db_url, run_cli, command):
    code, out, err = run_cli("--db", db_url, *command)
    assert code == 0, err
    assert "deal" in tables(db_url)
