"""A page or count the user no longer wants is stopped, not waited for: typing
on in the search box interrupts the page query and the totals of what was
typed before (sqlite3 interrupt(), psycopg2 cancel()), and the newest answer is
the one shown."""

from __future__ import annotations

import asyncio
import threading

import pytest

from crm.foundation.errors import Interrupted
from crm.listing import pages as deal_pages
from db.connection import is_postgres
from db.models import database
from screens.app import CrmApp, Database
from screens.deal_list import DealList
from tests.tui_support import TODAY, pin_clock, run_async, settle, type_text


def _slow_statement() -> None:
    """A statement that runs for many seconds unless stopped."""
    if is_postgres():
        database.execute_sql("SELECT pg_sleep(30)")
    else:
        database.execute_sql(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000000) SELECT count(*) FROM n"
        ).fetchone()


async def _slow_aggregate(db: Database) -> asyncio.Future:
    """A slow statement started as the totals ("deal-count") of `db`, returned once it is running."""
    started = threading.Event()

    def slow():
        started.set()
        _slow_statement()

    task = asyncio.ensure_future(db.run_aggregate(slow, what="deal-count"))
    await asyncio.get_running_loop().run_in_executor(None, started.wait, 10)
    await asyncio.sleep(0.2)  # inside the statement
    return task


@run_async
async def test_stop_interrupts_the_running_aggregate_and_the_thread_goes_on(ledger):
    db = Database()
    try:
        task = await _slow_aggregate(db)
        db.stop("other")  # another kind of work: left alone
        assert not task.done()
        db.stop("deal-count")
        with pytest.raises(Interrupted):
            await asyncio.wait_for(task, 10)
        # the thread and its connection still serve the next call
        assert await db.run_aggregate(deal_pages.count, deal_pages.ListFilter(), what="deal-count") == 0
    finally:
        db.close()


@run_async
async def test_typing_on_stops_the_stale_total_and_shows_the_new_one(demo_ledger, monkeypatch):
    pin_clock()
    real = deal_pages.totals
    stopped = []

    def totals(flt):
        if flt.search == "涿":  # the first character: its total is slow, and stale once 州 is typed
            try:
                _slow_statement()
            except Exception as exc:
                stopped.append(exc)
                raise
        return real(flt)

    monkeypatch.setattr(deal_pages, "totals", totals)
    async with CrmApp(today=TODAY).run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await type_text(pilot, "涿")
        await asyncio.sleep(0.3)
        await type_text(pilot, "州")
        await settle(pilot)
        deal_list = pilot.app.screen.query_one(DealList)
        assert stopped, "the stale total was interrupted"
        assert (deal_list.totals.deals, str(deal_list.totals.total_cny)) == (3, "11778540000.00")
        assert not any(n.severity == "error" for n in pilot.app._notifications), "no error shown for it"


@run_async
async def test_stop_interrupts_a_named_page_read_and_skips_queued_stale_ones(ledger):
    db = Database()
    try:
        started = threading.Event()
        ran = []

        def slow():
            started.set()
            _slow_statement()

        current = {"generation": 1}
        task = asyncio.ensure_future(db.run(slow, what="deal-rows", wanted=lambda: current["generation"] == 1))
        queued = asyncio.ensure_future(
            db.run(ran.append, 2, what="deal-rows", wanted=lambda: current["generation"] == 2)
        )
        newest = asyncio.ensure_future(
            db.run(ran.append, 3, what="deal-rows", wanted=lambda: current["generation"] == 3)
        )
        await asyncio.get_running_loop().run_in_executor(None, started.wait, 10)
        await asyncio.sleep(0.2)  # inside the statement
        current["generation"] = 3  # two newer keys arrived
        db.stop("deal-count")  # the totals' name: the page read is left alone
        assert not task.done()
        db.stop("deal-rows")
        with pytest.raises(Interrupted):
            await asyncio.wait_for(task, 10)
        with pytest.raises(Interrupted):
            await asyncio.wait_for(queued, 10)
        await asyncio.wait_for(newest, 10)
        assert ran == [3], "the superseded read waiting its turn never ran"
        # the thread and its connection still serve pages
        assert await db.run(deal_pages.count, deal_pages.ListFilter(), what="deal-rows") == 0
    finally:
        db.close()


@run_async
async def test_typing_on_stops_the_stale_page_and_shows_the_newest_rows(demo_ledger, monkeypatch):
    pin_clock()
    real = deal_pages.fetch
    stopped = []

    def fetch(flt, order, request):
        if flt.search == "涿":  # the first character's page is slow, and stale once 州 is typed
            try:
                _slow_statement()
            except Exception as exc:
                stopped.append(exc)
                raise
        return real(flt, order, request)

    monkeypatch.setattr(deal_pages, "fetch", fetch)
    async with CrmApp(today=TODAY).run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await type_text(pilot, "涿")
        await asyncio.sleep(0.3)
        await type_text(pilot, "州")
        await settle(pilot)
        deal_list = pilot.app.screen.query_one(DealList)
        assert stopped, "the stale page query was interrupted"
        expected = [row.code for row in deal_pages.first_rows(deal_pages.ListFilter(search="涿州"), deal_list.order)]
        assert len(expected) == 3
        assert [deal_list._window.get(i).code for i in range(3)] == expected, "the newest search's rows are shown"
        assert deal_list._window.get(3) is None
        assert not any(n.severity == "error" for n in pilot.app._notifications), "no error shown for it"


@run_async
async def test_stop_returns_at_once_and_the_next_page_does_not_wait_for_the_interrupt(ledger, monkeypatch):
    """PostgreSQL's cancel is a round trip to the server: the new key's page is read while it travels, and the
    stopped thread's next statement starts only once it has landed (it could otherwise stop that one)."""
    import db.executor as executor

    real, landed = executor.interrupt, threading.Event()

    def slow_interrupt(connection):
        threading.Event().wait(0.5)  # a server far away
        real(connection)
        landed.set()

    monkeypatch.setattr(executor, "interrupt", slow_interrupt)
    db = Database()
    try:
        stale = await _slow_aggregate(db)
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        db.stop("deal-count")
        assert loop.time() - t0 < 0.2, "the key is not held up by the cancel's round trip"
        page = await db.run(deal_pages.count, deal_pages.ListFilter(), what="deal-rows")
        assert page == 0 and not landed.is_set(), "the new page was read while the cancel travelled"
        with pytest.raises(Interrupted):
            await asyncio.wait_for(stale, 10)
        assert await db.run_aggregate(deal_pages.count, deal_pages.ListFilter(), what="deal-count") == 0

        # A call that ends by itself while its cancel travels: the thread's next statement waits for the cancel.
        landed.clear()
        ending = asyncio.ensure_future(db.run_aggregate(threading.Event().wait, 0.2, what="deal-count"))
        await asyncio.sleep(0.05)
        db.stop("deal-count")

        def after() -> bool:
            return landed.is_set()

        await ending
        assert await db.run_aggregate(after, what="deal-count"), "the next call waited until the cancel landed"
    finally:
        db.close()


@run_async
async def test_a_new_search_does_not_stop_its_own_page(demo_ledger, monkeypatch):
    """A search typed with the cursor down the list asks for its page as the cursor goes back to the top; the
    stops of what was shown before come first, not after that page started (on a loaded machine they hit it)."""
    pin_clock()
    real_fetch, real_stop = deal_pages.fetch, Database.stop
    asked = []

    def fetch(flt, order, request):
        if flt.search == "涿州":
            asked.append(request)
            _slow_statement_of(0.3)
        return real_fetch(flt, order, request)

    def stop(self, what):
        threading.Event().wait(0.1)  # a busy main thread: the page's thread is into its statement by now
        real_stop(self, what)

    monkeypatch.setattr(deal_pages, "fetch", fetch)
    monkeypatch.setattr(Database, "stop", stop)
    async with CrmApp(today=TODAY).run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "down")
        await settle(pilot)
        await pilot.press("slash")
        pilot.app.screen.query_one("#search").value = "涿州"
        await settle(pilot)
        deal_list = pilot.app.screen.query_one(DealList)
        assert len(asked) == 1, "the page was read once, not stopped by its own search and read again"
        assert deal_list._window.get(0).code == deal_pages.first_rows(deal_list.filter, deal_list.order)[0].code


def _slow_statement_of(seconds: float) -> None:
    if is_postgres():
        database.execute_sql("SELECT pg_sleep(%s)", (seconds,))
    else:  # about as long: a count SQLite walks row by row (`now` is fixed within a statement)
        rows = int(seconds * 3_000_000)
        database.execute_sql(
            f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows}) SELECT count(*) FROM n"
        ).fetchone()
