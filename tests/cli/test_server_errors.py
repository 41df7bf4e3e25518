"""PostgreSQL's refusals told to officers in one Chinese line that says what to do (db/server_errors.py).

The roles are set up as the README's "Sharing one ledger on PostgreSQL" does — an owner who creates the
schema, officers granted rows, and a read-only role — on the throwaway cluster, with passwords (SCRAM) required
of them. Each mistake is made for real: a wrong or missing password, a closed port, a missing database, SSL
asked of a server without it, a read-only role writing, an officer creating, upgrading or restoring the ledger.
The password never shows; the driver's English words show only in English mode, after the explanation.
"""

from urllib.parse import quote, urlsplit

import pytest

from tests.cli.test_no_ledger import NO_LEDGER, tables

PASSWORD = "Zs-0wner/pw"
OWNER, OFFICER, READER, OFFICERS = "f4_owner", "f4_officer", "f4_reader", "f4_officers"


@pytest.fixture(scope="module")
def bureau(pg_cluster):
    """The roles of the README, each logging in with PASSWORD; yields url(role, database=None, password=…)."""
    import psycopg2

    data_dir = getattr(pg_cluster, "data_dir", None)
    if data_dir is None:
        pytest.skip("needs the throwaway cluster (its pg_hba.conf) to require a password")
    hba = data_dir / "pg_hba.conf"
    original = hba.read_text()
    hba.write_text(f"host all {OWNER},{OFFICER},{READER} 127.0.0.1/32 scram-sha-256\n" + original)
    conn = psycopg2.connect(pg_cluster.url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SET password_encryption = 'scram-sha-256'")
        for role in (OWNER, OFFICER, READER):
            cur.execute(f"DROP ROLE IF EXISTS {role}")
            cur.execute(f"CREATE ROLE {role} LOGIN PASSWORD %s", (PASSWORD,))
        cur.execute(f"DROP ROLE IF EXISTS {OFFICERS}")
        cur.execute(f"CREATE ROLE {OFFICERS} NOLOGIN")
        cur.execute(f"GRANT {OFFICERS} TO {OFFICER}")
        cur.execute("SELECT pg_reload_conf()")
    parts = urlsplit(pg_cluster.url)

    def url(role, database="postgres", password=PASSWORD, port=None, encode=True):
        secret = quote(password, safe="") if encode else password
        return f"postgresql://{role}:{secret}@{parts.hostname}:{port or parts.port}/{database}"

    yield url
    hba.write_text(original)
    with conn.cursor() as cur:
        cur.execute("SELECT pg_reload_conf()")
    conn.close()


@pytest.fixture
def shared_db(pg_cluster, bureau, run_cli):
    """new(initialised) -> a database set up for the bureau as the README's SQL does, its ledger made by the
    owner's `crm init` when `initialised`; dropped after the test. Returns its name."""
    import psycopg2

    made = []

    def new(initialised: bool = False) -> str:
        name = pg_cluster.create_database().rsplit("/", 1)[1]
        made.append(name)
        admin = psycopg2.connect(pg_cluster.url)
        admin.autocommit = True
        with admin.cursor() as cur:
            cur.execute(f"ALTER DATABASE {name} OWNER TO {OWNER}")
            cur.execute(f"REVOKE ALL ON DATABASE {name} FROM PUBLIC")
            cur.execute(f"GRANT CONNECT ON DATABASE {name} TO {OFFICERS}, {READER}")
        admin.close()
        conn = psycopg2.connect(pg_cluster.url_for(name))
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
            cur.execute(f"GRANT USAGE ON SCHEMA public TO {OFFICERS}, {READER}")
            cur.execute(f"SET ROLE {OWNER}")
            cur.execute(
                f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {OFFICERS}"
            )
            cur.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {OFFICERS}")
            cur.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO {READER}")
        conn.close()
        if initialised:
            code, _out, err = run_cli("--db", bureau(OWNER, name), "init")
            assert code == 0, err
        return name

    yield new
    from db.models import database

    if database.obj is not None and not database.obj.is_closed():
        database.obj.close()
    for name in made:
        pg_cluster.drop_database(name)


@pytest.fixture(autouse=True)
def _no_stored_password(monkeypatch, tmp_path):
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no.pgpass"))


def one_line(run_cli, *args) -> str:
    code, out, err = run_cli(*args)
    assert code == 2, (args, out, err)
    assert out == "" and err.endswith("\n") and err.count("\n") == 1, (args, err)
    assert "Traceback" not in err
    assert PASSWORD not in err and quote(PASSWORD, safe="") not in err and "0wner" not in err, err
    return err


def chinese_only(err: str) -> None:
    """No English sentence of the driver's in the line (names, URLs and SQL words are fine)."""
    for english in ("failed", "does not exist", "refused", "permission denied", "password authentication", "SSL was"):
        assert english not in err, err


def test_connection_mistakes_are_said_in_chinese_with_what_to_do(bureau, shared_db, run_cli):
    name = shared_db(initialised=True)
    server = urlsplit(bureau(OFFICER)).netloc.split("@")[1]
    err = one_line(run_cli, "--db", bureau(OFFICER, name, password="not-it"), "deals")
    assert f"密码错误；用户 {OFFICER} 无法登录 {server}" in err and ":***@" in err, err
    chinese_only(err)
    err = one_line(run_cli, "--db", bureau(OFFICER, name).replace(f":{quote(PASSWORD, safe='')}", ""), "deals")
    assert f"要求用户 {OFFICER} 提供密码" in err and "~/.pgpass" in err, err
    chinese_only(err)
    err = one_line(run_cli, "--db", bureau(OFFICER, name, port=1), "deals")  # nothing listens on port 1
    assert "无法连接服务器 127.0.0.1:1（连接被拒绝）：请确认服务器已启动" in err, err
    chinese_only(err)
    err = one_line(run_cli, "--db", bureau(OFFICER, "nosuchdb"), "deals")
    assert "数据库 nosuchdb 不存在" in err, err
    chinese_only(err)
    err = one_line(run_cli, "--db", bureau(OFFICER, name) + "?sslmode=require", "deals")
    assert "不支持 SSL" in err, err
    chinese_only(err)
    err = one_line(run_cli, "--db", bureau(OFFICER, name, port=99999), "deals")
    assert "端口 99999 无效" in err, err
    chinese_only(err)


def test_english_mode_keeps_the_drivers_words_after_the_explanation(bureau, shared_db, run_cli):
    name = shared_db(initialised=True)
    err = one_line(run_cli, "--lang", "en", "--db", bureau(OFFICER, name, password="not-it"), "deals")
    assert f"Wrong password: the user {OFFICER} cannot log in" in err, err
    assert err.rstrip().endswith(f'password authentication failed for user "{OFFICER}")'), err


def test_an_at_sign_left_in_a_password_gets_the_percent_encoding_rule(bureau, run_cli):
    url = bureau(OFFICER, "ledger", password="pass@word", encode=False)
    err = one_line(run_cli, "--db", url, "deals")
    assert "%40" in err and "word@" not in err and "pass" not in err, err


def test_a_read_only_role_is_told_it_may_only_read(bureau, shared_db, run_cli):
    name = shared_db(initialised=True)
    code, out, err = run_cli("--db", bureau(OFFICER, name), "add", "--name", "官员录入的项目", "--amount", "2亿元")
    assert code == 0, err  # an officer writes
    deal = out.strip()
    code, out, err = run_cli("--db", bureau(READER, name), "show", deal)
    assert code == 0 and deal in out, err  # the reader reads
    for args in (["add", "--name", "只读角色的项目", "--amount", "1亿元"], ["stage", deal, "签约"]):
        err = one_line(run_cli, "--db", bureau(READER, name), *args)
        assert f"当前角色 {READER} 对表 deal 只有只读权限，不能修改" in err, err
        chinese_only(err)


def test_an_officer_cannot_create_a_ledger_and_is_told_who_can(bureau, shared_db, run_cli):
    name = shared_db()
    url = bureau(OFFICER, name)
    err = one_line(run_cli, "--db", url, "deals")
    assert err == f"crm: 数据库 {url.replace(quote(PASSWORD, safe=''), '***')} {NO_LEDGER}\n", err
    err = one_line(run_cli, "--db", url, "init")
    assert "创建台账需由可建表的角色" in err and "0001_initial" not in err, err
    assert tables(bureau(OWNER, name)) == []


def test_an_officer_told_of_an_upgrade_hears_how_many_steps_not_every_name(bureau, shared_db, run_cli):
    from db import migrate
    from db.connection import open_database
    from db.models import database

    name = shared_db(initialised=True)
    db = open_database(bureau(OWNER, name))
    migrate.runner(db).down("0021_stage_change_effective_on")  # as an earlier version of the program left it
    db.close()
    database.initialize(None)
    newest = migrate.known()[-1]
    steps = len(migrate.known()) - migrate.known().index("0021_stage_change_effective_on")
    err = one_line(run_cli, "--db", bureau(OFFICER, name), "deals")
    assert f"需要升级数据库结构（共 {steps} 步，最新为 {newest}），当前角色无权执行" in err, err
    assert "0021_" not in err and "0001_" not in err, err
    code, out, err = run_cli("--db", bureau(OWNER, name), "init")
    assert code == 0, err
    code, out, err = run_cli("--db", bureau(OFFICER, name), "deals")
    assert code == 0, err


def test_an_officers_restore_is_told_the_owner_restores(bureau, shared_db, run_cli, tmp_path):
    source, target = shared_db(initialised=True), shared_db()
    path = tmp_path / "bureau.backup"
    code, out, err = run_cli("--db", bureau(OFFICER, source), "backup", path)
    assert code == 0, err  # any officer may back up
    err = one_line(run_cli, "--db", bureau(OFFICER, target), "restore", path)
    assert "恢复、创建或升级台账需由台账所有者角色（如 zs_owner）执行" in err, err
    chinese_only(err)
    assert tables(bureau(OWNER, target)) == []
    code, out, err = run_cli("--db", bureau(OWNER, target), "restore", path)
    assert code == 0, err
