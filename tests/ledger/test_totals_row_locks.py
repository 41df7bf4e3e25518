"""Migration 0018 (PostgreSQL): a deal's funds and blockers, and the deal moving them to another key, take turns
by the deal's row lock, so one transaction may record for, move or delete any number of deals.

Before it, each deal took an advisory lock held to the transaction's end: more deals than the server's lock
table holds failed with "out of shared memory" (`crm import revert` of a 100,000-row import), and wrote nothing.
That an edit keeping the deal's key does not hold a payment back is tests/system/test_concurrency.py's.
"""

import datetime
from decimal import Decimal

import pytest
from peewee import chunked

from crm.deals.blockers import add_blocker, resolve_blocker
from crm.deals.funds import record_funds
from crm.deals.stages import change_stage
from db import kept_totals
from db.kept_later import KEPT_LATER
from db.models import Blocker, Deal, Department, FundsArrived, StageChange, database
from tests.ledger_checks import one_deal, while_open

pytestmark = pytest.mark.parametrize("backend", ["postgresql"])

D = datetime.date
YI = Decimal(100_000_000)
DEPARTMENT = "涿州市人民政府"


def _seed(name: str = "行锁检查项目") -> str:
    code = one_deal(name, "涿州市", DEPARTMENT)
    add_blocker(code, "用地指标不足", DEPARTMENT)
    return code


def _lock_table_size() -> int:
    """How many locks the server's shared lock table holds: max_locks_per_transaction for each process slot."""
    slots = " + ".join(
        f"current_setting('{name}')::int"
        for name in (
            "max_connections",
            "autovacuum_max_workers",
            "max_worker_processes",
            "max_wal_senders",
            "max_prepared_transactions",
        )
    )
    return database.execute_sql(f"SELECT current_setting('max_locks_per_transaction')::int * ({slots} + 1)").fetchone()[
        0
    ]


def _copies_of(code: str, n: int) -> None:
    """`n` copies of deal `code` (codes code-1 … code-n) with its stage history, their kept totals filled after."""
    columns = [f.column_name for f in Deal._meta.sorted_fields if f.name not in ("id", "code")]
    history = [f.column_name for f in StageChange._meta.sorted_fields if f.name not in ("id", "deal")]
    with database.atomic():
        database.execute_sql(f"SET LOCAL {KEPT_LATER} = 'on'")  # as a first import: filled once, below
        database.execute_sql(
            f"INSERT INTO deal (code, {', '.join(columns)}) "
            f"SELECT d.code || '-' || g, {', '.join('d.' + c for c in columns)} "
            "FROM deal d, generate_series(1, %s) g WHERE d.code = %s",
            (n, code),
        )
        database.execute_sql(
            f"INSERT INTO stage_change (deal_id, {', '.join(history)}) "
            f"SELECT copy.id, {', '.join('s.' + c for c in history)} FROM stage_change s "
            "JOIN deal d ON d.id = s.deal_id JOIN deal copy ON copy.code LIKE d.code || '-%%' WHERE d.code = %s",
            (code,),
        )
    kept_totals.rebuild()


def test_one_transaction_records_for_moves_and_deletes_more_deals_than_the_lock_table_holds(ledger):
    code = _seed()
    n = 2 * _lock_table_size()  # the table has some slack: twice its size failed before 0018
    _copies_of(code, n)
    copies = [d.id for d in Deal.select(Deal.id).where(Deal.code.startswith(f"{code}-"))]
    department = Department.get(Department.name == DEPARTMENT)
    with database.atomic():  # a payment and a blocker for each copy, in one transaction
        for ids in chunked(copies, 2000):
            FundsArrived.insert_many(
                {"deal": i, "arrived_on": D(2020, 9, 1), "amount": YI, "currency": "CNY", "amount_cny": YI} for i in ids
            ).execute()
            Blocker.insert_many(
                {"deal": i, "text": "环评未批", "department": department, "raised_on": D(2020, 8, 1)} for i in ids
            ).execute()
    assert kept_totals.agree()
    with database.atomic():  # every copy moved to another region: its funds and blocker go with it
        moved = Deal.update(region="高碑店市").where(Deal.code.startswith(f"{code}-")).execute()
    assert moved == n and kept_totals.agree()
    with database.atomic():  # and deleted: their funds and blockers given back
        Deal.delete().where(Deal.code.startswith(f"{code}-")).execute()
    assert Deal.select().count() == 1 and kept_totals.agree()


def test_a_payment_recorded_while_a_colleague_moves_the_deal_waits_and_counts_under_its_new_key(ledger):
    code = _seed()
    # the deal's key changes; the payment waits for the move rather than counting under the old key
    while_open(lambda: change_stage(code, "注册"), lambda: record_funds(code, "1亿元"))
    assert kept_totals.agree()


def test_a_deal_moved_while_a_colleague_records_a_blocker_waits_and_takes_the_blocker_along(ledger):
    code = _seed()
    while_open(lambda: add_blocker(code, "供电线路未接入", DEPARTMENT), lambda: change_stage(code, "注册"))
    assert kept_totals.agree()


def test_a_blocker_resolved_while_a_colleague_moves_the_deal_waits_and_counts_under_its_new_key(ledger):
    # Resolving checks no foreign key: the totals' trigger alone locks the deal. It waited for the move, but
    # read the deal as its lock found it, from before the move: the blocker came out of the old key, which
    # the move had already emptied, and the open count drifted by one in each of the two stages.
    code = _seed()
    blocker = Blocker.get()
    while_open(lambda: change_stage(code, "注册"), lambda: resolve_blocker(blocker.id, "已协调解决"))
    assert kept_totals.agree()
