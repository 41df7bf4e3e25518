"""Fixtures shared by the system tests.

`ledgers`: the two synthetic SQLite ledgers (10,000 and 50,000 deals) of the memory tests, defined here
once so that test_export_memory.py and test_import_memory.py share one build: a session fixture imported
into two modules is two fixtures, and each built both ledgers (over a minute of make test).
"""

import datetime

import pytest

AS_OF = datetime.date(2026, 6, 30)
SMALL, LARGE = 10_000, 50_000


@pytest.fixture(scope="session")
def ledgers(tmp_path_factory):
    """{deals: path} of two synthetic SQLite ledgers, built once per test session (per xdist worker)."""
    from crm.samples import synthetic
    from db.connection import open_database
    from db.models import database

    out = {}
    for deals in (SMALL, LARGE):
        path = tmp_path_factory.mktemp("memory") / f"ledger-{deals}.sqlite3"
        open_database(str(path))
        try:
            synthetic.generate(synthetic.Spec(deals=deals, seed=3, heavy_every=10_000, as_of=AS_OF))
        finally:
            database.obj.close()
            database.initialize(None)
        out[deals] = path
    return out
