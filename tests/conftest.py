"""Shared fixtures: every database test runs on SQLite and again on PostgreSQL.

- `db_url`: a fresh, empty ledger database URL (SQLite file or PostgreSQL db);
- `ledger`: that database opened and migrated (the models are bound to it);
- `demo_ledger`: a database holding the demo ledger;
- `@filled_ledger(...)`: a test module's fixture that writes its own ledger, written once and copied.
Migrated and demo databases are copies of templates built once per session (per
xdist worker) and backend: a file copy for SQLite, CREATE DATABASE … TEMPLATE for
PostgreSQL — migrating or loading the demo for every test was most of their time.
Tests never touch the real user data directory: XDG paths point into tmp.
Temporary folders (tmp_path, and TMPDIR for the processes tests start) are on a RAM disk when there is
one (`pytest_configure`): SQLite's syncs to a real disk were most of a small database test's time.
Under `make test` (xdist, --dist loadfile) the longest units of work start first (tests/xdist_balance.py).
"""

import copy
import os
import shutil
import tempfile
from collections.abc import Callable

import pytest

from crm.foundation.i18n import set_language

pytest_plugins = ["tests.pg_cluster"]


def pytest_xdist_make_scheduler(config, log):
    """`--dist loadfile` (make test) hands out the longest units first: see tests/xdist_balance.py."""
    if config.getvalue("dist") != "loadfile":
        return None
    from tests.xdist_balance import LongestFirst

    return LongestFirst(config, log)


BACKENDS = ["sqlite", "postgresql"]

#: Where temporary folders go unless CRM_TEST_TMPDIR, TMPDIR or --basetemp says otherwise: a RAM disk.
RAM_DISK = "/dev/shm"
RAM_DISK_MIN_FREE = 2 << 30


def _ram_temp_root() -> str | None:
    """CRM_TEST_TMPDIR if set, else /dev/shm when it is a writable tmpfs with 2 GiB free, else None."""
    explicit = os.environ.get("CRM_TEST_TMPDIR")
    if explicit:
        return explicit
    try:
        stats = os.statvfs(RAM_DISK)
    except OSError:
        return None
    roomy = stats.f_bavail * stats.f_frsize >= RAM_DISK_MIN_FREE
    return RAM_DISK if roomy and os.access(RAM_DISK, os.W_OK | os.X_OK) else None


def pytest_configure(config):
    """Temporary folders on a RAM disk: a test's ledger file, its WAL and its syncs never wait on a disk.

    Only the temporary folders move; the code under test still syncs as it would on a bureau's disk.
    An explicit --basetemp or TMPDIR is kept. Set in the xdist workers too (each reads this conftest)
    and inherited by the processes the tests start.
    """
    if config.option.basetemp or os.environ.get("TMPDIR"):
        return
    root = _ram_temp_root()
    if root:
        os.environ["TMPDIR"] = root
        tempfile.tempdir = None  # gettempdir() reads TMPDIR again


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
def db_url(backend, request, tmp_path, _templates):
    """URL of a fresh, empty database on the current backend.

    When the test also takes `ledger`, the same database already migrated (a copy of the migrated template),
    or, when it takes a `@filled_ledger()` fixture, a copy of that fixture's filled ledger.
    """
    if "ledger" in request.fixturenames:
        kind = _filled_kind(request, "migrated")
        return _new_db(backend, request, tmp_path, template=_templates(kind, backend, request)[0])
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


#: A `@filled_ledger()` fixture's name -> (the template it starts from, the function that fills it).
_FILLED: dict[str, tuple[str, Callable[[], object]]] = {}


def filled_ledger(base: str = "ledger"):
    """Decorator: a fixture that writes a ledger for a module's tests, written once per session and backend.

    The decorated function takes no arguments: it writes into the open database (a migrated one, or the demo
    ledger with base="demo_ledger") and returns what the tests receive. Each test gets a copy of the database
    as it left it, opened as `ledger` / `demo_ledger` (and `db_url` / `demo_url` name the copy), and a deep copy
    of the value; a function returning None gives the opened database. Rewriting the same rows for every test
    was most of these tests' time; a test still writes only into its own copy.
    """
    if base not in ("ledger", "demo_ledger"):
        raise ValueError(f"filled_ledger(base=...) is 'ledger' or 'demo_ledger', not {base!r}")

    def decorate(fill: Callable[[], object]):
        name = fill.__name__
        known = _FILLED.get(name)
        if known and (known[1].__module__, known[1].__qualname__) != (fill.__module__, fill.__qualname__):
            raise ValueError(f"two @filled_ledger() fixtures are named {name}: their templates would be one")
        _FILLED[name] = ("migrated" if base == "ledger" else "demo", fill)

        def given(database, backend, request, _templates):
            value = _templates(name, backend, request)[1]
            return database if value is None else copy.deepcopy(value)

        # The base is a parameter, not looked up, so that `db_url` / `demo_url` see it among the test's fixtures.
        if base == "ledger":

            def filled(ledger, backend, request, _templates):
                return given(ledger, backend, request, _templates)
        else:

            def filled(demo_ledger, backend, request, _templates):
                return given(demo_ledger, backend, request, _templates)

        filled.__doc__ = fill.__doc__
        return pytest.fixture(name=name)(filled)

    return decorate


def _filled_kind(request, base_kind: str) -> str:
    """The template a test's `base_kind` database is copied from: its `@filled_ledger()` fixture's, if any."""
    for name in request.fixturenames:
        if _FILLED.get(name, ("", None))[0] == base_kind:
            return name
    return base_kind


def _fill(kind: str) -> object:
    """What a template of `kind` holds beyond the one it is copied from; the value a filled ledger gives tests."""
    if kind == "demo":
        from crm.samples.demo import load_demo

        load_demo()
    elif kind in _FILLED:
        return _FILLED[kind][1]()
    return None


@pytest.fixture(scope="session")
def _templates(tmp_path_factory):
    """build(kind, backend, request) -> (template, value): the template of `kind` ('migrated', 'demo' or a
    `@filled_ledger()` fixture's name), made on first use, and the value its filling returned.

    A template is a file path for SQLite, a database name for PostgreSQL (with the xdist worker in it, so that
    workers sharing one server, CRM_TEST_PG_URL, do not collide). A filled template starts as a copy of its base.
    """
    built = {}
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")

    def build(kind, backend, request):
        if (kind, backend) in built:
            return built[kind, backend]
        base = _FILLED[kind][0] if kind in _FILLED else None
        source = build(base, backend, request)[0] if base else None
        if backend == "sqlite":
            url = str(tmp_path_factory.mktemp(kind) / f"{kind}.sqlite3")
            if source:
                shutil.copyfile(source, url)
            template = url
        else:
            template = f"{kind}_template_{worker}"
            url = request.getfixturevalue("pg_cluster").create_database(template, template=source)
        for _db in _open(url):
            value = _fill(kind)
        built[kind, backend] = template, value
        return built[kind, backend]

    return build


@pytest.fixture
def demo_url(backend, request, tmp_path, _templates):
    """URL of a database holding the demo ledger (a fresh copy per test), or a `@filled_ledger("demo_ledger")`."""
    kind = _filled_kind(request, "demo")
    return _new_db(backend, request, tmp_path, template=_templates(kind, backend, request)[0])


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
