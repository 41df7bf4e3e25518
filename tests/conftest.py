"""Shared fixtures: every database test runs on SQLite and again on PostgreSQL.

- `db_url`: a fresh, empty ledger database URL (SQLite file or PostgreSQL db);
- `ledger`: that database opened and migrated (the models are bound to it);
- `demo_ledger`: a database holding the demo ledger, copied from a template
  built once per session and backend.
Tests never touch the real user data directory: XDG paths point into tmp.
"""

import os
import shutil

import pytest

from crm.foundation.i18n import set_language

pytest_plugins = ["tests.pg_cluster"]

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(autouse=True)
def _isolated_user(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("CRM_USER", "测试员")
    monkeypatch.delenv("CRM_DATABASE_URL", raising=False)
    set_language("zh")
    yield
    set_language("zh")


def _new_db(backend, request, tmp_path, template=None):
    if backend == "sqlite":
        path = tmp_path / "ledger.sqlite3"
        if template:
            shutil.copyfile(template, path)
            os.chmod(path, 0o600)
        else:
            # An empty file, as PostgreSQL gets an empty database: commands refuse a path with no ledger.
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        return str(path)
    cluster = request.getfixturevalue("pg_cluster")
    url = cluster.create_database(template=template)
    name = url.rsplit("/", 1)[1]

    def drop():
        from db.models import database

        if database.obj is not None and not database.obj.is_closed():
            database.obj.close()
        cluster.drop_database(name)

    request.addfinalizer(drop)
    return url


@pytest.fixture
def english():
    """For tests that read the English wording of a message (the Chinese is checked by the catalog tests)."""
    set_language("en")


@pytest.fixture(params=BACKENDS)
def backend(request):
    """'sqlite' or 'postgresql'."""
    return request.param


@pytest.fixture
def db_url(backend, request, tmp_path):
    """URL of a fresh, empty database on the current backend."""
    return _new_db(backend, request, tmp_path)


def _open(url):
    from db.connection import open_database
    from db.models import database

    db = open_database(url, create=True)
    yield db
    if not db.is_closed():
        db.close()
    database.initialize(None)


@pytest.fixture
def ledger(db_url):
    """The fresh database, opened and migrated."""
    yield from _open(db_url)


@pytest.fixture(scope="session")
def _demo_templates(tmp_path_factory):
    built = {}

    def build(backend, request):
        if backend in built:
            return built[backend]
        from crm.samples.demo import load_demo

        if backend == "sqlite":
            url = str(tmp_path_factory.mktemp("demo") / "demo.sqlite3")
            template = url
        else:
            cluster = request.getfixturevalue("pg_cluster")
            url = cluster.create_database("demo_template")
            template = "demo_template"
        for _db in _open(url):
            load_demo()
        built[backend] = template
        return template

    return build


@pytest.fixture
def demo_url(backend, request, tmp_path, _demo_templates):
    """URL of a database holding the demo ledger (a fresh copy per test)."""
    return _new_db(backend, request, tmp_path, template=_demo_templates(backend, request))


@pytest.fixture
def demo_ledger(demo_url):
    """The demo ledger, opened."""
    yield from _open(demo_url)


@pytest.fixture
def run_cli(capsys):
    """Run `crm ARGS…` in-process; returns (exit code, stdout, stderr)."""
    from app import main

    def run(*args):
        code = main([str(a) for a in args])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run
