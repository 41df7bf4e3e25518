"""Security basics: passwords never shown, owner-only files, who changed what.

- A password in a database URL appears in no error, no output and no log
  line — checked against a role that really authenticates with a password
  (SCRAM) on the test cluster, with a wrong password, a wrong host and a
  wrong database — and reaches pg_dump/pg_restore only through PGPASSWORD.
- New SQLite ledgers (and their -wal/-shm files) and backups are readable by
  their owner only, whatever the umask.
- The audit trail records the operating-system user, or the name in the
  config file, and `crm log CODE` shows who, when, field, old → new.
"""

import json
import logging
import os
import stat
import subprocess
from urllib.parse import quote

import pytest

PASSWORD = "Sekr3t-Pa55/世界@x:y"
ROLE = "crm_pw_officer"


def _no_password(*texts):
    for text in texts:
        assert PASSWORD not in text
        assert quote(PASSWORD, safe="") not in text
        assert "Sekr3t" not in text


def _url(cluster, password, host=None, dbname=None):
    base = cluster.url
    from urllib.parse import urlsplit

    parts = urlsplit(base)
    host = host or parts.hostname
    port = f":{parts.port}" if parts.port and host == parts.hostname else ""
    dbname = dbname or parts.path.lstrip("/")
    return f"postgresql://{ROLE}:{quote(password, safe='')}@{host}{port}/{dbname}"


@pytest.fixture(scope="module")
def password_role(pg_cluster):
    """A role that must log in with PASSWORD (SCRAM), owning a fresh migrated ledger database."""
    import psycopg2

    data_dir = getattr(pg_cluster, "data_dir", None)
    if data_dir is None:
        pytest.skip("needs the throwaway cluster (its pg_hba.conf) to require a password")
    hba = data_dir / "pg_hba.conf"
    original = hba.read_text()
    hba.write_text(f"host all {ROLE} 127.0.0.1/32 scram-sha-256\n" + original)  # first match wins
    conn = psycopg2.connect(pg_cluster.url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SET password_encryption = 'scram-sha-256'")
        cur.execute(f"DROP ROLE IF EXISTS {ROLE}")
        cur.execute(f"CREATE ROLE {ROLE} LOGIN PASSWORD %s", (PASSWORD,))
        cur.execute("SELECT pg_reload_conf()")
    url = pg_cluster.create_database()
    name = url.rsplit("/", 1)[1]
    with conn.cursor() as cur:
        cur.execute(f"ALTER DATABASE {name} OWNER TO {ROLE}")
    ledger_url = _url(pg_cluster, PASSWORD, dbname=name)
    yield pg_cluster, ledger_url, name
    pg_cluster.drop_database(name)
    hba.write_text(original)
    with conn.cursor() as cur:
        cur.execute(f"DROP ROLE IF EXISTS {ROLE}")
        cur.execute("SELECT pg_reload_conf()")
    conn.close()


def _assert_refused_without_password(result):
    code, out, err = result
    assert code == 2, (code, out, err)
    assert len(err.strip().splitlines()) == 1, err
    _no_password(out, err)
    return err


def test_the_right_password_works_and_a_wrong_one_is_refused_without_showing_either(password_role, run_cli, caplog):
    cluster, url, name = password_role
    caplog.set_level(logging.DEBUG)
    code, out, err = run_cli("--db", url, "init")
    assert code == 0, err
    code, out, err = run_cli("--db", url, "demo")
    assert code == 0, err
    _no_password(out, err)

    wrong = _url(cluster, "Sekr3t-wrong-guess", dbname=name)
    err = _assert_refused_without_password(run_cli("--db", wrong, "deals"))
    assert "***" in err and "密码错误" in err  # says why, masks what
    assert "Sekr3t-wrong-guess" not in err
    _assert_refused_without_password(run_cli("--db", _url(cluster, PASSWORD, host="no-such-host.invalid"), "deals"))
    _assert_refused_without_password(run_cli("--db", _url(cluster, PASSWORD, dbname="no_such_db"), "kpi"))
    _no_password(*(r.getMessage() for r in caplog.records), caplog.text)


def test_the_url_in_the_environment_is_masked_too(password_role, run_cli, monkeypatch):
    cluster, url, name = password_role
    monkeypatch.setenv("CRM_DATABASE_URL", _url(cluster, PASSWORD, dbname="no_such_db"))
    _assert_refused_without_password(run_cli("deals"))
    monkeypatch.setenv("CRM_DATABASE_URL", url)
    code, out, err = run_cli("show", "ZS9999-0001")  # an error after connecting
    assert code == 2
    _no_password(out, err)


def test_pg_dump_gets_the_password_in_its_environment_only(password_role, run_cli, tmp_path, monkeypatch):
    from db import dumps as backup

    cluster, url, name = password_role
    assert run_cli("--db", url, "init")[0] == 0
    calls = []
    real_run = subprocess.run

    def recording_run(argv, *args, **kwargs):
        calls.append((list(argv), dict(kwargs.get("env") or {})))
        return real_run(argv, *args, **kwargs)

    monkeypatch.setattr(backup.subprocess, "run", recording_run)
    path = tmp_path / "bureau.backup"
    code, out, err = run_cli("--db", url, "backup", path)
    assert code == 0, err
    _no_password(out, err)
    assert calls
    for argv, env in calls:
        _no_password(" ".join(argv))
        assert env.get("PGPASSWORD") == PASSWORD
    # A restore with a wrong password fails in one line, without the password either.
    wrong = _url(cluster, "Sekr3t-wrong-guess", dbname=name)
    _assert_refused_without_password(run_cli("--db", wrong, "restore", path, "--force"))
    # pg_dump's own refusal (here: the server turns its password down) is one masked line too.
    real_env = backup.pg_environment
    monkeypatch.setattr(backup, "pg_environment", lambda db=None: dict(real_env(db), PGPASSWORD="Sekr3t-wrong"))
    err = _assert_refused_without_password(run_cli("--db", url, "backup", tmp_path / "again.backup"))
    assert "pg_dump" in err and "Sekr3t-wrong" not in err
    assert not (tmp_path / "again.backup").exists()


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://officer:{pw}@db.bureau:abc/ledger",  # a port that is not a number
        "postgresql://officer:{pw}@[::1/ledger",  # broken IPv6
        "postgresql://officer:{pw}@db.bureau:99999/ledger",
        "postgresql://officer:{pw}@127.0.0.1:1/ledger",  # nothing listens
        "postgresql://officer:{pw}@127.0.0.1:1/ledger?sslmode=bogus",
        "postgresql://officer:{pw}@127.0.0.1:1/ledger?no_such_option=1",
        "postgresql://officer:{pw}@127.0.0.1:1/",  # no database named
        "mysql://officer:{pw}@db.bureau/ledger",
    ],
)
@pytest.mark.parametrize("encode", [True, False], ids=["encoded", "raw"])
def test_a_malformed_or_unreachable_url_never_shows_its_password(run_cli, url, encode):
    pw = quote(PASSWORD, safe="") if encode else PASSWORD
    _assert_refused_without_password(run_cli("--db", url.format(pw=pw), "deals"))


def test_masking_helpers():
    from db.connection import _clean, mask_password

    url = f"postgresql://officer:{quote(PASSWORD, safe='')}@db.bureau.gov.cn:5432/ledger"
    _no_password(mask_password(url))
    assert mask_password(url) == "postgresql://officer:***@db.bureau.gov.cn:5432/ledger"
    assert mask_password("postgresql://db/ledger") == "postgresql://db/ledger"
    _no_password(_clean(Exception(f"boom {PASSWORD} and {quote(PASSWORD, safe='')}"), url))


# ---- files readable by their owner only -------------------------------------------


def test_new_ledgers_and_backups_are_owner_only_whatever_the_umask(tmp_path, run_cli):
    old = os.umask(0)
    try:
        path = tmp_path / "ledger.sqlite3"
        code, out, err = run_cli("--db", path, "demo")
        assert code == 0, err
        from db.connection import open_database
        from db.models import database

        db = open_database(str(path))  # an open connection keeps -wal and -shm in place
        try:
            files = [p for p in tmp_path.iterdir() if p.name.startswith("ledger.sqlite3")]
            assert {p.name for p in files} >= {"ledger.sqlite3", "ledger.sqlite3-wal", "ledger.sqlite3-shm"}
            for p in files:
                assert stat.S_IMODE(p.stat().st_mode) == 0o600, p
        finally:
            db.close()
            database.initialize(None)
        backup = tmp_path / "ledger.backup"
        assert run_cli("--db", path, "backup", backup)[0] == 0
        assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    finally:
        os.umask(old)


def test_the_default_ledger_lives_in_the_user_data_dir_owner_only(run_cli):
    from db.connection import default_path

    code, out, err = run_cli("init")
    assert code == 0, err
    assert stat.S_IMODE(default_path().stat().st_mode) == 0o600


# ---- who changed what ---------------------------------------------------------------


def test_the_audit_trail_names_the_os_user_or_the_configured_name(demo_url, run_cli, monkeypatch):
    import getpass

    from crm.foundation.config import config_path

    monkeypatch.delenv("CRM_USER")
    code, out, err = run_cli("--db", demo_url, "stage", "ZS2020-0001", "stalled", "--note", "资金链紧张")
    assert code == 0, err
    config = config_path()
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('user = "王科长"\n', encoding="utf-8")
    code, out, err = run_cli("--db", demo_url, "edit", "ZS2020-0001", "--investor", "新投资方")
    assert code == 0, err

    code, out, err = run_cli("--db", demo_url, "log", "ZS2020-0001", "--format", "json")
    assert code == 0, err
    trail = json.loads(out)
    stage = [e for e in trail if e["field"] == "stage" and e["new"] == "stalled"][-1]
    assert stage["by"] == getpass.getuser()
    assert stage["old"] == "operating"
    investor = [e for e in trail if e["field"] == "investor"][-1]
    assert investor["by"] == "王科长" and investor["new"] == "新投资方"
    assert all(e["at"] for e in trail)
    assert trail == sorted(trail, key=lambda e: e["at"])  # oldest first

    code, out, err = run_cli("--db", demo_url, "log", "ZS2020-0001")
    assert code == 0, err
    assert "王科长" in out and "新投资方" in out and getpass.getuser() in out
    assert "暂停" in out  # stages shown by their names


def test_the_log_of_a_deal_includes_its_blockers_and_funds(demo_url, run_cli):
    code, out, err = run_cli(
        "--db", demo_url, "blocker", "add", "ZS2020-0002", "用地指标不足", "--department", "自然资源"
    )
    assert code == 0, err
    blocker = out.strip()
    assert run_cli("--db", demo_url, "blocker", "resolve", blocker, "--note", "已调剂指标")[0] == 0
    assert run_cli("--db", demo_url, "funds", "ZS2020-0002", "5000万")[0] == 0
    code, out, err = run_cli("--db", demo_url, "log", "ZS2020-0002", "--format", "json")
    trail = json.loads(out)
    tables = {(e["table"], e["field"]) for e in trail}
    assert {("blocker", "raised"), ("blocker", "resolution"), ("funds_arrived", "amount")} <= tables
    assert all(e["by"] == "测试员" for e in trail[-4:])
    # Another deal's log does not show them.
    code, out, err = run_cli("--db", demo_url, "log", "ZS2020-0003", "--format", "json")
    assert not [e for e in json.loads(out) if e["table"] == "blocker" and str(e["row_id"]) == blocker]


# ---- the roles the README asks a bureau to set up ------------------------------------

OWNER, OFFICER = "zs_owner_test", "zs_officer_test"


def _as(cluster, role, dbname):
    from urllib.parse import urlsplit

    parts = urlsplit(cluster.url)
    return f"postgresql://{role}@{parts.hostname}:{parts.port}/{dbname}"


@pytest.fixture
def bureau_database(pg_cluster, request):
    """A database set up exactly as README's "Sharing one ledger on PostgreSQL" says."""
    import psycopg2

    admin = psycopg2.connect(pg_cluster.url)
    admin.autocommit = True
    with admin.cursor() as cur:
        for role in (OFFICER, OWNER):
            cur.execute(f"DROP ROLE IF EXISTS {role}")
        cur.execute(f"CREATE ROLE {OWNER} LOGIN")
        cur.execute(f"CREATE ROLE {OFFICER} LOGIN")
    url = pg_cluster.create_database()
    name = url.rsplit("/", 1)[1]
    with admin.cursor() as cur:
        cur.execute(f"ALTER DATABASE {name} OWNER TO {OWNER}")
        cur.execute(f"REVOKE ALL ON DATABASE {name} FROM PUBLIC")
        cur.execute(f"GRANT CONNECT ON DATABASE {name} TO {OFFICER}")
    db = psycopg2.connect(url)
    db.autocommit = True
    with db.cursor() as cur:
        cur.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
        cur.execute(f"GRANT USAGE ON SCHEMA public TO {OFFICER}")
        cur.execute(f"SET ROLE {OWNER}")
        cur.execute(
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {OFFICER}"
        )
        cur.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {OFFICER}")
    db.close()

    def cleanup():
        from db.models import database

        if database.obj is not None and not database.obj.is_closed():
            database.obj.close()
        pg_cluster.drop_database(name)
        with admin.cursor() as cur:
            for role in (OFFICER, OWNER):
                cur.execute(f"DROP ROLE IF EXISTS {role}")
        admin.close()

    request.addfinalizer(cleanup)
    return _as(pg_cluster, OWNER, name), _as(pg_cluster, OFFICER, name)


def test_officers_work_with_the_documented_privileges_and_only_the_owner_migrates(bureau_database, run_cli, tmp_path):
    owner, officer = bureau_database
    # Before the owner has run `crm init`, an officer is told who must.
    code, out, err = run_cli("--db", officer, "deals")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "crm init" in err, err
    assert run_cli("--db", owner, "init")[0] == 0

    def ok(*args):
        code, out, err = run_cli("--db", officer, *args)
        assert code == 0, (args, err)
        return out

    ok("demo")
    ok("stage", "ZS2020-0001", "stalled", "--note", "资金链紧张")
    ok("edit", "ZS2020-0002", "--notes", "已约谈", "--supporting", "自然资源", "商务局")
    blocker = ok("blocker", "add", "ZS2020-0002", "用地指标不足", "--department", "自然资源").strip()
    ok("blocker", "resolve", blocker, "--note", "已调剂")
    ok("funds", "ZS2020-0002", "5000万")
    ok("fx", "set", "USD", "2021-06-01", "6.4")
    # an import and its revert hold the ledger's tables (LOCK TABLE needs UPDATE or DELETE, which officers hold)
    from tests.ledger.test_import_county import county_xlsx

    ok("import", county_xlsx(tmp_path / "县报.xlsx"))
    ok("import", "revert", "1")
    ok("department", "edit", "供电", "--contact", "95598-9")
    ok("log", "ZS2020-0002")
    backup = tmp_path / "bureau.backup"
    ok("backup", backup)  # pg_dump needs only SELECT

    # Restoring drops and recreates the tables: the owner's job, refused whole for an officer.
    code, out, err = run_cli("--db", officer, "restore", backup, "--force")
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert json.loads(ok("show", "ZS2020-0001", "--format", "json"))["stage"] == "stalled"
    code, out, err = run_cli("--db", owner, "restore", backup, "--force")
    assert code == 0, err
    # The restored tables are granted to officers again.
    ok("stage", "ZS2020-0001", "operating", "--note", "恢复生产")


def test_an_officer_meeting_an_earlier_ledger_is_refused_in_one_line_and_not_told_it_upgrades(bureau_database, run_cli):
    """A ledger of an earlier version that an officer opens first: refused in the one line naming the owner's
    `crm init`, without first saying it is being upgraded (the officer may not upgrade it); the owner's next
    command says it upgrades, and does, and the officer works again."""
    from db import migrate
    from db.connection import open_database
    from db.models import database

    owner, officer = bureau_database
    assert run_cli("--db", owner, "init")[0] == 0
    db = open_database(owner)
    migrate.runner(db).down("0022_deal_supporting_ids")
    db.close()
    database.initialize(None)

    code, out, err = run_cli("--db", officer, "deals")
    assert code == 2, err
    assert err.strip().splitlines() == [err.strip()] and "crm init" in err
    steps = len(migrate.known()) - migrate.known().index("0022_deal_supporting_ids")
    assert f"共 {steps} 步，最新为 {migrate.known()[-1]}" in err and "0022_deal_supporting_ids" not in err, err
    assert "升级台账" not in err, err
    code, out, err = run_cli("--db", owner, "deals")
    assert code == 0 and f"升级台账（{steps} 项变更）" in err.splitlines()[0], err
    code, out, err = run_cli("--db", officer, "deals")
    assert code == 0 and "升级台账" not in err, err
