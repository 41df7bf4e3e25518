"""Two officers saving the same deal on PostgreSQL at once: the transaction that loses the race
(a serialization failure, SQLSTATE 40001: nothing of it was saved) is run again by the database
thread the screens use (crm.runtime.Database), so the TUI shows the saved change, not a conflict;
the command line already ran such a command again (tests/system/test_faults.py)."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

pytestmark = pytest.mark.parametrize("backend", ["postgresql"])


def _waiting_for_a_lock(url: str) -> bool:
    import psycopg2

    watcher = psycopg2.connect(url)
    try:
        with watcher.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            return cur.fetchone()[0] > 0
    finally:
        watcher.close()


def _other_officer(url: str, deal_id: int):
    """Another officer's open transaction that has changed the deal (and holds its row lock)."""
    import psycopg2

    other = psycopg2.connect(url)
    with other.cursor() as cur:
        cur.execute("UPDATE deal SET notes = %s WHERE id = %s", ("另一位科员的备注", deal_id))
    return other


def _commit_once_ours_waits(url: str, other) -> None:
    """Commit the other officer's change once our transaction (snapshot taken) waits for its row lock.

    Both run at REPEATABLE READ (the database's default here), where PostgreSQL refuses the
    transaction that took its snapshot before the other committed: a serialization failure.
    """
    try:
        deadline = time.monotonic() + 30
        while not _waiting_for_a_lock(url):
            assert time.monotonic() < deadline, "our transaction never waited for the other's row lock"
            time.sleep(0.05)
        other.commit()
    finally:
        other.close()


@pytest.fixture
def racing_ledger(demo_ledger, demo_url):
    """The demo ledger on PostgreSQL with every new session at REPEATABLE READ; a signed deal to move."""
    from db.models import Deal

    name = demo_url.rsplit("/", 1)[1]
    demo_ledger.execute_sql(f"ALTER DATABASE \"{name}\" SET default_transaction_isolation TO 'repeatable read'")
    demo_ledger.close()  # the next statement connects again, at the new default
    deal = Deal.select().where(Deal.stage == "signed").order_by(Deal.id).first()
    return deal


def _stage_changes(deal_id: int, note: str) -> int:
    from db.models import StageChange

    return StageChange.select().where((StageChange.deal == deal_id) & (StageChange.note == note)).count()


def test_without_a_retry_the_race_is_a_serialization_failure(racing_ledger, demo_url):
    """The scenario really forces the failure: the bare call (no retry) loses with the conflict's exit 3."""
    from crm.deals.stages import change_stage
    from crm.foundation.errors import DatabaseError

    outcome: dict = {}

    def ours():
        try:
            change_stage(racing_ledger.code, "registered", note="并发一")
        except DatabaseError as exc:
            outcome["error"] = exc

    other = _other_officer(demo_url, racing_ledger.id)
    thread = threading.Thread(target=ours)
    thread.start()
    _commit_once_ours_waits(demo_url, other)
    thread.join(timeout=30)
    error = outcome.get("error")
    assert error is not None and getattr(error, "transient", False) and error.exit_code == 3
    assert getattr(error.orig, "pgcode", None) == "40001"
    assert _stage_changes(racing_ledger.id, "并发一") == 0


def test_the_screens_database_thread_runs_the_losing_stage_change_again(racing_ledger, demo_url):
    from crm.deals.stages import change_stage
    from crm.runtime import Database, saved
    from db.models import Deal

    attempts: list[int] = []

    def stage_change() -> object:
        attempts.append(1)
        return saved(change_stage, racing_ledger.code, "registered", note="并发二")

    async def scenario() -> object:
        runner = Database()
        other = _other_officer(demo_url, racing_ledger.id)
        try:
            task = asyncio.ensure_future(runner.run(stage_change))
            await asyncio.get_running_loop().run_in_executor(None, _commit_once_ours_waits, demo_url, other)
            return await asyncio.wait_for(task, 60)
        finally:
            runner.close()

    assert asyncio.run(scenario()) is True
    assert len(attempts) == 2  # the first lost the race, the second saved
    assert _stage_changes(racing_ledger.id, "并发二") == 1
    deal = Deal.get_by_id(racing_ledger.id)
    assert deal.stage == "registered" and deal.notes == "另一位科员的备注"  # both officers' changes kept


def test_a_deadlock_is_run_again_and_both_officers_changes_are_kept(demo_ledger, demo_url):
    """Our bulk stage change holds deal A and waits for B, which another officer holds and who then
    asks for A: PostgreSQL ends ours with a deadlock (SQLSTATE 40P01: nothing of it saved) and the
    screens' database thread runs it again once the other has committed."""
    import psycopg2

    from crm.deals.bulk import bulk_change
    from crm.runtime import Database, saved
    from db.models import Deal

    first, second = Deal.select().where(Deal.stage == "signed").order_by(Deal.id).limit(2)
    attempts: list[int] = []

    def both_registered() -> object:
        attempts.append(1)
        return saved(bulk_change, [first.code, second.code], "stage", "registered", note="死锁重试")

    other = psycopg2.connect(demo_url)
    with other.cursor() as cur:
        cur.execute("SET deadlock_timeout = '20s'")  # ours, waiting first, is the one PostgreSQL ends
        cur.execute("UPDATE deal SET notes = %s WHERE id = %s", ("另一位科员", second.id))

    def others_second_step() -> None:
        deadline = time.monotonic() + 30
        while not _waiting_for_a_lock(demo_url):
            assert time.monotonic() < deadline, "our change never waited for the other's row lock"
            time.sleep(0.05)
        with other.cursor() as cur:
            cur.execute("UPDATE deal SET notes = %s WHERE id = %s", ("另一位科员", first.id))
        other.commit()
        other.close()

    async def scenario() -> object:
        runner = Database()
        try:
            task = asyncio.ensure_future(runner.run(both_registered))
            await asyncio.get_running_loop().run_in_executor(None, others_second_step)
            return await asyncio.wait_for(task, 60)
        finally:
            runner.close()

    asyncio.run(scenario())
    assert len(attempts) == 2  # the first ended in the deadlock, the second saved
    for deal in (first, second):
        row = Deal.get_by_id(deal.id)
        assert row.stage == "registered" and row.notes == "另一位科员"
        assert _stage_changes(deal.id, "死锁重试") == 1
