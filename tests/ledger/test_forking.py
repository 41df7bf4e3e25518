"""db.forking.SharedSnapshot: a reading whose side threads (and forked child) see the same moment of the ledger,
on both backends; what a side thread raises is raised in its caller; SQLite's writers wait only while the
reading may still fork."""

import pytest

from crm.deals.records import create_deal
from crm.foundation.errors import InvalidInput
from db import forking
from db.connection import is_postgres
from db.models import Deal
from tests.ledger.test_weekly_split import _rename_from_another_connection


@pytest.fixture
def deal(ledger):
    return create_deal({"name": "共享快照项目", "amount": "1亿元", "signed_on": "2020-05-18"})


def _name(deal_id: int) -> str:
    return Deal.get_by_id(deal_id).name


def test_a_side_thread_reads_the_moment_the_reading_began(deal):
    with forking.SharedSnapshot() as shared:
        assert shared.can_fork
        assert _name(deal.id) == "共享快照项目"
        _rename_from_another_connection(deal.id)  # PostgreSQL: committed; SQLite: refused, the lock is held
        side = shared.side(lambda: _name(deal.id))
        assert side() == _name(deal.id) == "共享快照项目"
    assert (_name(deal.id) == "RENAMED") is is_postgres()


def test_what_a_side_thread_raises_is_raised_in_its_caller(deal):
    def refuse():
        raise InvalidInput("不行")

    with forking.SharedSnapshot() as shared:
        side = shared.side(refuse)
        with pytest.raises(InvalidInput, match="不行"):
            side()
        assert _name(deal.id) == "共享快照项目"  # the caller's reading goes on


def test_writers_come_in_once_the_reading_goes_on_alone(deal):
    if is_postgres():
        pytest.skip("SQLite's write lock")
    with forking.SharedSnapshot() as shared:
        shared.alone()
        assert not shared.can_fork and shared.fork() is None
        _rename_from_another_connection(deal.id)  # committed: the lock is gone
        assert _name(deal.id) == "共享快照项目"  # this reading's snapshot still
    assert _name(deal.id) == "RENAMED"


def test_inside_a_transaction_the_reading_is_not_shared(deal):
    from db.models import database

    with database.atomic():
        with forking.SharedSnapshot() as shared:
            assert not shared.can_fork
            assert shared.side(lambda: _name(deal.id))() == "共享快照项目"  # run in the caller's thread
            assert shared.fork() is None
