"""db.reading: a query's rows fetched ahead by a reader thread (PostgreSQL's way; forced on SQLite) are the rows db.streaming.batches gives, in the
same batches; a reading stopped early leaves no thread and the connection usable; a failed query is raised in
the caller as one line; one_snapshot holds one snapshot (REPEATABLE READ on PostgreSQL). Both backends."""

import threading

import peewee
import pytest
from peewee import SQL

from db.connection import is_postgres
from db.models import Deal, database
from db.reading import batches_ahead, one_snapshot
from db.streaming import batches


def _readers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "crm-db-reader"]


@pytest.mark.parametrize("threaded", [True, False, None], ids=["threaded", "in-thread", "backend's-way"])
def test_rows_ahead_are_the_rows_in_the_same_batches(demo_ledger, threaded):
    query = Deal.select(Deal.id, Deal.code, Deal.signed_on).order_by(Deal.code)
    with one_snapshot():
        ahead = list(batches_ahead(query, 3, threaded=threaded))
    assert ahead == list(batches(query, 3)) and len(ahead) > 3
    assert [len(b) for b in ahead[:-1]] == [3] * (len(ahead) - 1)
    assert not _readers()


def test_a_reading_stopped_early_leaves_no_thread(demo_ledger):
    query = Deal.select(Deal.id).order_by(Deal.id)
    with one_snapshot():
        reading = batches_ahead(query, 1, ahead=1, threaded=True)
        assert next(reading) == [(Deal.select(peewee.fn.MIN(Deal.id)).scalar(),)]  # the connection answers meanwhile
        reading.close()
        assert not _readers()
        assert Deal.select().count() > 3


def test_a_failed_query_is_raised_in_the_caller_as_one_line(demo_ledger):
    wrong = SQL("CAST('x' AS integer)") if is_postgres() else SQL("json_extract('not json', '$')")
    with pytest.raises(peewee.DatabaseError) as failed:
        with one_snapshot():
            list(batches_ahead(Deal.select(Deal.id, wrong), 2, threaded=True))
    assert "\n" not in str(failed.value) and "Traceback" not in str(failed.value)
    assert not _readers()
    assert Deal.select().count() > 3  # the connection is usable after the rolled-back reading


def test_one_snapshot_is_one_transaction(demo_ledger):
    db = database.obj
    with one_snapshot():
        assert db.in_transaction()
        if is_postgres():
            assert db.execute_sql("SHOW transaction_isolation").fetchone()[0] == "repeatable read"
        with one_snapshot():  # nested: the same transaction
            assert db.in_transaction()
    assert not db.in_transaction()


@pytest.mark.parametrize("threaded", [True, False])
def test_each_batch_comes_with_its_follow_up_rows(demo_ledger, threaded):
    query = Deal.select(Deal.id).order_by(Deal.id)

    def codes_of(rows):
        return Deal.select(Deal.code).where(Deal.id.in_([r[0] for r in rows])).order_by(Deal.id)

    with one_snapshot():
        ahead = list(batches_ahead(query, 4, follow=codes_of, threaded=threaded))
    assert len(ahead) > 2
    for rows, codes in ahead:
        assert codes == [(Deal.get_by_id(deal_id).code,) for (deal_id,) in rows]
