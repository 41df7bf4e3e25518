"""The threads a long-running program (the TUI) talks to the database from.

Three threads, each with its own connection: one for pages and writes (fast,
in order), one for counts and totals (which may take longer on a large ledger
and must not hold up scrolling, and may be interrupted when no longer
wanted), one for long work (export, import). Callers await them from asyncio.
"""

from __future__ import annotations

import asyncio
import functools
import threading
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
        self._running: tuple[str, object] | None = None  # (what, driver connection) of the aggregate running

    async def run(self, fn, *args, **kwargs):
        """`fn(*args, **kwargs)` in the main database thread (pages, details, every write)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._main, functools.partial(fn, *args, **kwargs))

    async def run_aggregate(self, fn, *args, what: str = "", **kwargs):
        """`fn(*args, **kwargs)` in the thread for counts, totals and KPIs; `stop(what)` may interrupt it."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._aggregate, functools.partial(self._aggregating, what, fn, *args, **kwargs))

    def _aggregating(self, what: str, fn, *args, **kwargs):
        with self._lock:
            self._running = (what, database.obj.connection()) if what else None
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            if what and was_interrupted(exc):
                raise Interrupted(str(exc)) from exc
            raise
        finally:
            with self._lock:
                self._running = None

    def stop(self, what: str) -> None:
        """Interrupt the aggregate started as `what`, if it is running: its answer is no longer wanted.

        A fast typist's stale totals (a dense search reads every match) would
        otherwise hold up the totals of what is typed now. The interrupted call raises crm.foundation.errors.Interrupted.
        """
        with self._lock:  # held while interrupting: the next call cannot start its statement meanwhile
            if self._running is not None and self._running[0] == what:
                interrupt(self._running[1])

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
