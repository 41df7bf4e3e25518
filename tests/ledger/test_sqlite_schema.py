"""db.sqlite_schema: what a bulk write reads of SQLite's indexes and triggers to drop them and make them again."""

import pytest

from db import sqlite_schema
from db.models import database

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])


def _names(rows):
    return [name for name, _sql in rows]


def test_the_deal_tables_indexes_are_read_in_the_order_they_were_made_and_made_again_alike(ledger):
    db = database.obj
    indexes = sqlite_schema.made(db, "index", tables=["deal"])
    order = [r[0] for r in db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'deal'")]
    assert _names(indexes) == [n for n in order if not n.startswith("sqlite_autoindex")]
    assert len(indexes) > 10 and all(sql.upper().startswith("CREATE") for _name, sql in indexes)
    plain = sqlite_schema.plain_indexes(db, "deal")
    assert plain and plain < set(_names(indexes))  # the unique ones (the deal's code) are not plain
    aside = [(name, sql) for name, sql in indexes if name in plain]
    with db.atomic() as transaction:
        sqlite_schema.drop(db, "index", _names(aside))
        assert set(_names(sqlite_schema.made(db, "index", tables=["deal"]))) == set(_names(indexes)) - plain
        for _name, sql in aside:
            db.execute_sql(sql)
        assert sqlite_schema.made(db, "index", tables=["deal"]) == indexes
        transaction.rollback()


def test_triggers_by_table_and_by_name(ledger):
    db = database.obj
    on_deals = sqlite_schema.made(db, "trigger", tables=["deal"])
    assert on_deals and all(" ON deal " in sql or ' ON "deal" ' in sql for _name, sql in on_deals)
    first, last = on_deals[0][0], on_deals[-1][0]
    assert _names(sqlite_schema.made(db, "trigger", names=[last, first])) == [first, last]  # in the order made
    both = sqlite_schema.made(db, "trigger", tables=["blocker"], names=[first])
    assert first in _names(both) and len(both) > 1
    assert len(sqlite_schema.made(db, "trigger")) > len(on_deals)
    with pytest.raises(ValueError):
        sqlite_schema.made(db, "view")


def test_statistics(ledger):
    db = database.obj
    assert not sqlite_schema.has_statistics(db)
    db.execute_sql("ANALYZE")
    assert sqlite_schema.has_statistics(db)


def test_an_index_whose_name_holds_a_quote_is_dropped_by_its_statement(ledger):
    db = database.obj
    with db.atomic() as transaction:
        db.execute_sql('CREATE INDEX "deal ""odd"" name" ON deal (region)')
        statement = sqlite_schema.drop_statement("index", 'deal "odd" name')
        db.execute_sql(statement)  # as crm/samples/synthetic.py runs it after a bulk load
        assert 'deal "odd" name' not in _names(sqlite_schema.made(db, "index", tables=["deal"]))
        transaction.rollback()
    with pytest.raises(ValueError):
        sqlite_schema.drop_statement("view", "x")
