"""The threads a long-running program (the TUI) talks to the database from.

Three threads, each with its own connection: one for pages and writes (fast,
in order), one for counts and totals (which may take longer on a large ledger
and must not hold up scrolling), one for long work (export, import). A named
read in either of the first two may be interrupted when no longer wanted. Callers await them from asyncio.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from crm.foundation.errors import Interrupted
from db.connection import interrupt, was_interrupted
from db.models import database


def _close_connection() -> None:
    if database.obj is not None and not database.obj.is_closed():
        database.obj.close()


class Database:
    """Runs crm/ calls in the app's database threads, each thread with its own connection."""

    def __init__(self) -> None:
        self._main = ThreadPoolExecutor(1, thread_name_prefix="crm-db")
        self._aggregate = ThreadPoolExecutor(1, thread_name_prefix="crm-db-totals")
        self._long = ThreadPoolExecutor(1, thread_name_prefix="crm-db-long")
        self._lock = threading.Lock()
        self._running: dict[str, tuple[str, object]] = {}  # thread → (what, driver connection) of its named call

    async def run(self, fn, *args, what: str = "", wanted: Callable[[], bool] | None = None, **kwargs):
        """`fn(*args, **kwargs)` in the main database thread (pages, details, every write).

        A read named by `what` may be interrupted by `stop(what)`; with `wanted`, a
        call whose turn comes when `wanted()` is false raises Interrupted without
        running. Writes are never named: nothing stops them halfway.
        """
        loop = asyncio.get_running_loop()
        call = functools.partial(self._stoppable, "main", what, wanted, fn, *args, **kwargs)
        return await loop.run_in_executor(self._main, call)

    async def run_aggregate(self, fn, *args, what: str = "", wanted: Callable[[], bool] | None = None, **kwargs):
        """`fn(*args, **kwargs)` in the thread for counts, totals and KPIs; `stop(what)` may interrupt it."""
        loop = asyncio.get_running_loop()
        call = functools.partial(self._stoppable, "aggregate", what, wanted, fn, *args, **kwargs)
        return await loop.run_in_executor(self._aggregate, call)

    def _stoppable(self, thread: str, what: str, wanted: Callable[[], bool] | None, fn, *args, **kwargs):
        with self._lock:
            if wanted is not None and not wanted():
                raise Interrupted(what)  # superseded while it waited its turn: not worth a statement
            if what:
                self._running[thread] = (what, database.obj.connection())
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            if what and was_interrupted(exc):
                raise Interrupted(str(exc)) from exc
            raise
        finally:
            with self._lock:
                self._running.pop(thread, None)

    def stop(self, what: str) -> None:
        """Interrupt the call started as `what`, in whichever thread it runs: its answer is no longer wanted.

        A fast typist's stale page and totals (a dense search reads every match)
        would otherwise hold up those of what is typed now. The interrupted call
        raises crm.foundation.errors.Interrupted.
        """
        with self._lock:  # held while interrupting: the next call cannot start its statement meanwhile
            for name, connection in self._running.values():
                if name == what:
                    interrupt(connection)

    async def run_long(self, fn, *args, **kwargs):
        """`fn(*args, **kwargs)` in the thread for long work (export, import), so nothing else waits for it."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._long, functools.partial(fn, *args, **kwargs))

    def close(self) -> None:
        """Close each thread's connection and stop the threads."""
        for executor in (self._main, self._aggregate, self._long):
            try:
                executor.submit(_close_connection).result(timeout=30)
            except Exception:  # noqa: BLE001 — closing on the way out: nothing more to do
                pass
            executor.shutdown(wait=True, cancel_futures=True)
