"""Opening databases: URLs, migrations, refusing what is not (or is newer than) our ledger."""

import os
import stat
from pathlib import Path

import pytest

from crm.foundation.errors import DatabaseError
from db import migrate
from db.connection import database_for, default_path, open_database
from db.models import MODELS, Deal, database


def _one_line_error(run_cli, *args):
    code, out, err = run_cli(*args)
    assert code == 2, (out, err)
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


# ---- migrations (SQLite and PostgreSQL) ----------------------------------------------


def test_fresh_database_gets_the_schema(db_url):
    db = open_database(db_url)
    try:
        tables = set(db.get_tables())
        assert {m._meta.table_name for m in MODELS} <= tables
        assert migrate.pending(db) == []
        assert migrate.upgrade(db) == []  # opening again applies nothing
        assert Deal.select().count() == 0
    finally:
        db.close()
        database.initialize(None)


def test_crm_init_creates_then_reports_up_to_date(db_url, run_cli):
    scripts = len(list(migrate.DIRECTORY.glob("[0-9][0-9][0-9][0-9]_*.py")))
    code, out, err = run_cli("--db", db_url, "init")
    assert code == 0, err
    assert out.startswith("已创建数据库结构") and str(scripts) in out  # every migration applied now
    assert migrate.pending(database.obj) == []
    code, out, err = run_cli("--db", db_url, "init")
    assert code == 0, err
    assert out.strip() == "数据库结构已是最新"


def test_database_with_an_unknown_migration_is_refused_as_newer(db_url, run_cli):
    db = open_database(db_url)
    migrate.runner(db).History.create(name="0099_from_the_future")
    db.close()
    with pytest.raises(DatabaseError) as err:
        open_database(db_url)
    assert "0099_from_the_future" in str(err.value)
    assert "\n" not in str(err.value)
    for command in (["deals"], ["init"], ["add", "--name", "项目", "--amount", "1亿元"]):
        assert "0099_from_the_future" in _one_line_error(run_cli, "--db", db_url, *command)
    db = open_database(db_url, migrate_schema=False)
    assert Deal.select().count() == 0  # the refused `add` wrote nothing
    db.close()


def test_a_ledger_upgraded_on_opening_says_so_first_and_a_new_or_current_one_does_not(db_url, run_cli):
    """A command that opens a ledger of an earlier version upgrades it: one line on stderr before, since on a large
    ledger that takes minutes; creating a ledger, or opening a current one, says nothing of the kind."""
    code, _out, err = run_cli("--db", db_url, "init")
    assert code == 0 and "升级台账" not in err, err  # created: nothing upgraded
    code, _out, err = run_cli("--db", db_url, "deals")
    assert code == 0 and "升级台账" not in err, err  # current: nothing upgraded
    added = _an_earlier_version(db_url)
    code, out, err = run_cli("--db", db_url, "deals")
    assert code == 0, err
    assert err.splitlines()[0] == UPGRADING
    assert added in out  # the ledger's deals, after the upgrade
    code, _out, err = run_cli("--db", db_url, "deals")
    assert code == 0 and "升级台账" not in err, err


def _an_earlier_version(db_url) -> str:
    """The ledger at `db_url` with a deal, stepped down to before migration 0021 (as an earlier program left it)."""
    db = open_database(db_url)
    added = create_deal_row()
    migrate.runner(db).down("0021_stage_change_effective_on")
    db.close()
    database.initialize(None)
    return added


#: What a ledger stepped down to before 0021 is told: every migration since is a change.
STEPS = len(migrate.known()) - migrate.known().index("0021_stage_change_effective_on")
UPGRADING = f"crm: 正在为此版本的程序升级台账（{STEPS} 项变更）；台账很大时可能需要几分钟，请勿中断"


def test_crm_init_and_a_restore_say_they_upgrade_an_earlier_ledger(db_url, backend, run_cli, tmp_path):
    """A SQLite backup of an earlier version restored whole is then upgraded (PostgreSQL copies its rows into
    the current schema: nothing to upgrade, nothing said); `crm init` on an earlier ledger says it too."""
    said = [UPGRADING] if backend == "sqlite" else []
    backup = tmp_path / "旧台账.sqlite3"
    earlier = open_database(str(backup))  # a SQLite backup of an earlier version's ledger
    create_deal_row()
    migrate.runner(earlier).down("0021_stage_change_effective_on")
    earlier.close()
    database.initialize(None)
    code, out, err = run_cli("--db", db_url, "restore", str(backup))
    assert code == 0, err
    assert err.splitlines() == said
    code, _out, err = run_cli("--db", db_url, "restore", str(backup), "--force")
    assert code == 0 and err.splitlines() == said, err
    db = open_database(db_url, migrate_schema=False)
    migrate.runner(db).down("0021_stage_change_effective_on")
    db.close()
    database.initialize(None)
    code, out, err = run_cli("--db", db_url, "init")
    assert code == 0 and err.splitlines() == [UPGRADING], err
    assert out.startswith("已升级数据库结构"), out


def test_the_tuis_opening_of_a_server_ledger_says_it_upgrades(db_url):
    """The TUI opens a server's ledger on a thread (db.opening.Opening) while it starts: told the same."""
    from db.opening import Opening

    _an_earlier_version(db_url)
    told = []
    Opening(db_url, notice=told.append).wait().close()
    database.initialize(None)
    assert told == [migrate.known()[-STEPS:]] and told[0][0] == "0021_stage_change_effective_on"
    told.clear()
    Opening(db_url, notice=told.append).wait().close()
    database.initialize(None)
    assert told == []


def create_deal_row() -> str:
    from crm.deals.records import create_deal

    return create_deal({"name": "升级前的项目", "amount": "1亿元"}).code


# ---- SQLite files -------------------------------------------------------------------


def test_new_sqlite_file_is_owner_only(tmp_path, run_cli):
    path = tmp_path / "new" / "dir" / "ledger.sqlite3"
    old = os.umask(0)
    try:
        code, out, err = run_cli("--db", path, "init")
    finally:
        os.umask(old)
    assert code == 0, err
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_sqlite_is_opened_with_wal_and_foreign_keys(tmp_path):
    db = open_database(str(tmp_path / "ledger.sqlite3"), create=True)
    try:
        assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
        assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] > 0
    finally:
        db.close()
        database.initialize(None)


def test_sqlite_url_form(tmp_path, run_cli):
    path = tmp_path / "url.sqlite3"
    code, out, err = run_cli("--db", f"sqlite:///{path}", "init")
    assert code == 0, err
    assert path.exists()


def test_file_that_is_not_a_database(tmp_path, run_cli):
    path = tmp_path / "notes.txt"
    path.write_bytes("这不是数据库,是一份周报。\n".encode() * 200)
    before = path.read_bytes()
    with pytest.raises(DatabaseError) as err:
        open_database(str(path))
    assert str(path) in str(err.value) and "\n" not in str(err.value)
    for command in (["deals"], ["init"], ["demo"]):
        assert str(path) in _one_line_error(run_cli, "--db", path, *command)
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    "url, shown",
    [
        ("{tmp}", "{tmp}"),  # a directory
        ("sqlite://relative.db", "sqlite://relative.db"),
        ("mysql://crm:s3cret@localhost/ledger", "mysql://crm:***@localhost/ledger"),
        ("postgresql://crm:s3cret@127.0.0.1:1/ledger", "127.0.0.1"),  # nothing listens on port 1
        ("postgresql://crm:s3cret@127.0.0.1:1", "postgresql://crm:***@127.0.0.1:1"),  # no database name
    ],
)
def test_bad_database_urls_give_one_line_without_the_password(tmp_path, run_cli, url, shown):
    url, shown = url.format(tmp=tmp_path), shown.format(tmp=tmp_path)
    err = _one_line_error(run_cli, "--db", url, "deals")
    assert shown in err
    assert "s3cret" not in err


# ---- where the ledger lives without --db ----------------------------------------------


def test_default_file_is_in_the_user_data_directory(run_cli):
    path = default_path()
    assert str(path).startswith(os.environ["XDG_DATA_HOME"])  # tests never touch the real one
    code, out, err = run_cli("init")
    assert code == 0, err
    assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600


def test_environment_url_and_db_option(tmp_path, monkeypatch, run_cli):
    env, option = tmp_path / "env.sqlite3", tmp_path / "option.sqlite3"
    monkeypatch.setenv("CRM_DATABASE_URL", str(env))
    assert run_cli("init")[0] == 0
    assert env.exists() and not default_path().exists()
    assert run_cli("--db", option, "init")[0] == 0  # --db wins over the environment
    assert option.exists()
    assert run_cli("init", "--db", Path(tmp_path / "after.sqlite3"))[0] == 0  # --db after the command too
    assert (tmp_path / "after.sqlite3").exists()


@pytest.mark.parametrize(
    "url, expected",
    [
        ("postgresql://postgres@127.0.0.1:45717/ledger", ("ledger", "postgres", None, "127.0.0.1", "45717", None)),
        (
            "postgresql://user:pa%40ss%2Fw%3Ard@db.example.org/zhaoshang",
            ("zhaoshang", "user", "pa@ss/w:rd", "db.example.org", None, None),
        ),
        (
            "postgres://%E5%BC%A0:secret@localhost:5433/crm?sslmode=require",
            ("crm", "张", "secret", "localhost", "5433", "require"),
        ),
        ("postgresql://u@[::1]:5432/d", ("d", "u", None, "::1", "5432", None)),
    ],
)
def test_a_postgresql_url_is_read_as_libpq_reads_it(url, expected):
    db = database_for(url)
    read = [db.connect_params.get(k) for k in ("user", "password", "host", "port", "sslmode")]
    assert (db.database, *read) == expected


@pytest.mark.parametrize("url", ["postgresql://crm:Sekr3t/x@host/d", "postgresql://crm:s3cret@h/d?no_such_option=1"])
def test_an_unreadable_postgresql_url_gives_the_rule_without_the_password(url):
    with pytest.raises(DatabaseError) as err:
        database_for(url)
    assert "%40" in str(err.value) and "Sekr3t" not in str(err.value) and "s3cret" not in str(err.value)
