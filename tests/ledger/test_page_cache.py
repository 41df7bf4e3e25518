"""db.page_cache: SQLite's page cache sized for an import and put back; PostgreSQL's connection left as it is."""

from db import page_cache
from db.connection import is_postgres
from db.models import database


def _cache_size() -> int:
    return database.obj.execute_sql("PRAGMA cache_size").fetchone()[0]


def test_the_cache_is_sized_inside_resized_on_demand_and_put_back_after(ledger):
    if is_postgres():
        with page_cache.sized(4096):  # nothing sent: PRAGMA is no PostgreSQL statement
            page_cache.resize(2048)
        database.obj.execute_sql("SELECT 1")  # and the connection is not left in a failed transaction
        return
    before = _cache_size()
    try:
        with page_cache.sized(4096):
            assert _cache_size() == -4096
            page_cache.resize(2048)
            assert _cache_size() == -2048
            raise KeyError("an import that fails")
    except KeyError:
        pass
    assert _cache_size() == before
