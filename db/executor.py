"""The threads a long-running program (the TUI) talks to the database from.

Three threads, each with its own connection: one for pages and writes (fast,
in order), one for counts and totals (which may take longer on a large ledger
and must not hold up scrolling), one for long work (export, import). A named
read in either of the first two may be interrupted when no longer wanted. Callers await them from asyncio.

A lost connection (crm.foundation.errors.ConnectionLost) is reported to
`on_lost` before the caller gets the error, so that the program can treat it
as a state (the TUI shows a banner and retries `ping`); each thread then
reconnects at its next call (db.connection reconnects outside a transaction).

A call whose transaction lost a race on PostgreSQL (a serialization failure
or a deadlock: nothing of it was saved) is run again by the thread, with the
command line's policy (crm.foundation.errors.retry_transient), before the
screen sees a conflict.

The threads never hold up the program's exit: a call waiting on a server that
stopped answering (frozen, or its link gone without a word) is left to the
process, which ends without it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future

from peewee import InterfaceError, OperationalError

from crm.foundation.errors import ConnectionLost, Interrupted, retry_transient
from db.connection import _looks_lost as looks_lost
from db.connection import interrupt, was_interrupted
from db.models import database


def _close_connection() -> None:
    if database.obj is not None and not database.obj.is_closed():
        database.obj.close()


def connection_lost(exc: BaseException | None) -> bool:
    """True when `exc` (or what it wraps: a failed worker's error, a cause) is a lost database connection."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, ConnectionLost):
            return True
        if isinstance(exc, (OperationalError, InterfaceError)) and looks_lost(getattr(exc, "orig", exc)):
            return True  # a driver error raised outside a statement (connecting), not yet translated
        exc = getattr(exc, "error", None) or exc.__cause__ or exc.__context__
        seen += 1
    return False


def ping() -> None:
    """One trivial statement on this thread's connection (a new link if the old one went with the server)."""
    database.obj.execute_sql("SELECT 1")


class DaemonThreads(Executor):
    """`workers` daemon threads running the calls submitted, in order, started with the first call.

    ThreadPoolExecutor's threads are joined when the interpreter exits, so one
    blocked in the driver on a server that no longer answers kept the program
    from quitting (q left a blank screen until the server came back).
    """

    def __init__(self, workers: int, name: str) -> None:
        self._workers = workers
        self._name = name
        self._calls: queue.SimpleQueue = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._unfinished = 0  # calls submitted and not yet done
        self._shut = False

    def submit(self, fn, /, *args, **kwargs) -> Future:
        """Queue `fn(*args, **kwargs)`; its Future."""
        future: Future = Future()
        with self._lock:
            if self._shut:
                raise RuntimeError("cannot schedule new calls after shutdown")
            self._unfinished += 1
            if len(self._threads) < self._workers:
                thread = threading.Thread(target=self._serve, name=f"{self._name}_{len(self._threads)}", daemon=True)
                self._threads.append(thread)
                thread.start()
        self._calls.put((future, fn, args, kwargs))
        return future

    def _serve(self) -> None:
        while (call := self._calls.get()) is not None:
            future, fn, args, kwargs = call
            if future.set_running_or_notify_cancel():
                try:
                    result = fn(*args, **kwargs)
                except BaseException as exc:  # noqa: BLE001 — handed to the caller, as ThreadPoolExecutor does
                    future.set_exception(exc)
                else:
                    future.set_result(result)
            with self._lock:
                self._unfinished -= 1

    @property
    def busy(self) -> bool:
        """True while a call submitted has not finished (one may be waiting on a server that does not answer)."""
        return self._unfinished > 0

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """No more calls; with `cancel_futures` those not started are cancelled; with `wait`, wait for the rest."""
        with self._lock:
            first, self._shut = not self._shut, True
            threads = list(self._threads)
        if cancel_futures:
            self._cancel_queued()
        if first:
            for _thread in threads:
                self._calls.put(None)  # one stop for each thread, after the calls still queued
        if wait:
            for thread in threads:
                thread.join()

    def _cancel_queued(self) -> None:
        stops = 0  # the threads' stops taken out with the calls: put back
        with contextlib.suppress(queue.Empty):
            while True:
                call = self._calls.get_nowait()
                if call is None:
                    stops += 1
                    continue
                call[0].cancel()
                with self._lock:
                    self._unfinished -= 1
        for _stop in range(stops):
            self._calls.put(None)


class Database:
    """Runs crm/ calls in the app's database threads, each thread with its own connection."""

    def __init__(self) -> None:
        #: Called (in the event loop) with the error when a call finds the connection lost.
        self.on_lost: Callable[[BaseException], None] | None = None
        self._main = DaemonThreads(1, "crm-db")
        self._aggregate = DaemonThreads(1, "crm-db-totals")
        self._long = DaemonThreads(1, "crm-db-long")
        self._cancels = DaemonThreads(2, "crm-db-cancel")
        self._lock = threading.Lock()
        self._running: dict[str, tuple[str, object]] = {}  # thread → (what, driver connection) of its named call
        self._pending: dict[str, Future] = {}  # thread → the interrupt sent to its connection, until its next call

    def run(self, fn, *args, what: str = "", wanted: Callable[[], bool] | None = None, **kwargs) -> asyncio.Future:
        """`fn(*args, **kwargs)` in the main database thread (pages, details, every write), asked for now: await it.

        A read named by `what` may be interrupted by `stop(what)`; with `wanted`, a
        call whose turn comes when `wanted()` is false raises Interrupted without
        running. Writes are never named: nothing stops them halfway. The call is
        handed to the thread before this returns, not when the awaiting task next
        runs, so that a new key's page is read while the screen repaints.
        """
        call = functools.partial(self._stoppable, "main", what, wanted, fn, *args, **kwargs)
        return self._watched(self._main, call)

    def _watched(self, executor: Executor, call: Callable[[], object]) -> asyncio.Future:
        future = asyncio.get_running_loop().run_in_executor(executor, call)
        future.add_done_callback(self._reported)  # before any awaiting task's: on_lost hears first
        return future

    def _reported(self, future: asyncio.Future) -> None:
        if future.cancelled():
            return
        exc = future.exception()
        if exc is not None and self.on_lost is not None and connection_lost(exc):
            self.on_lost(exc)

    def run_aggregate(
        self, fn, *args, what: str = "", wanted: Callable[[], bool] | None = None, **kwargs
    ) -> asyncio.Future:
        """`fn(*args, **kwargs)` in the thread for counts, totals and KPIs; `stop(what)` may interrupt it."""
        call = functools.partial(self._stoppable, "aggregate", what, wanted, fn, *args, **kwargs)
        return self._watched(self._aggregate, call)

    def _stoppable(self, thread: str, what: str, wanted: Callable[[], bool] | None, fn, *args, **kwargs):
        try:
            conn = database.obj.connection() if what else None  # connects when the last link went with the server
        except Exception as exc:
            translate = getattr(database.obj, "_translate", None)
            raise (translate(exc) if translate else exc) from None
        self._cancelled(thread)
        with self._lock:
            if wanted is not None and not wanted():
                raise Interrupted(what)  # superseded while it waited its turn: not worth a statement
            if what:
                self._running[thread] = (what, conn)
        try:
            return retry_transient(functools.partial(fn, *args, **kwargs))
        except Exception as exc:
            if what and was_interrupted(exc):
                raise Interrupted(str(exc)) from exc
            raise
        finally:
            with self._lock:
                self._running.pop(thread, None)

    def _cancelled(self, thread: str) -> None:
        """Wait until an interrupt sent to `thread`'s connection is through, so that it cannot stop the next statement."""
        with self._lock:
            pending = self._pending.pop(thread, None)
        if pending is not None:
            with contextlib.suppress(Exception):  # interrupt() itself never raises; nothing to add if it did
                pending.result()

    def stop(self, what: str) -> None:
        """Interrupt the call started as `what`, in whichever thread it runs: its answer is no longer wanted.

        A fast typist's stale page and totals (a dense search reads every match)
        would otherwise hold up those of what is typed now. The interrupted call
        raises crm.foundation.errors.Interrupted. Returns at once: the interrupt is
        sent from another thread (PostgreSQL's cancel request is a round trip on a
        new connection, which the key's new page would wait for), and the stopped
        thread starts its next call only once it is through.
        """
        with self._lock:
            for thread, (name, connection) in self._running.items():
                if name == what and thread not in self._pending:
                    self._pending[thread] = self._cancels.submit(interrupt, connection)

    def run_long(self, fn, *args, **kwargs) -> asyncio.Future:
        """`fn(*args, **kwargs)` in the thread for long work (export, import), so nothing else waits for it."""
        return self._watched(self._long, functools.partial(retry_transient, functools.partial(fn, *args, **kwargs)))

    async def ping_all(self) -> None:
        """`ping` in each of the three threads: raises ConnectionLost while the server is away."""
        loop = asyncio.get_running_loop()
        for executor in (self._main, self._aggregate, self._long):
            await loop.run_in_executor(executor, ping)

    def close(self) -> None:
        """Close each thread's connection and stop the threads; returns at once for a thread still in a call.

        Such a thread waits on a server that stopped answering (which a cancel
        request cannot reach either): its connection goes when the call returns or
        the process ends, and the process's exit does not wait for it.
        """
        for executor in (self._main, self._aggregate, self._long):
            if executor.busy:
                executor.shutdown(wait=False, cancel_futures=True)  # what waits behind the call is not wanted now
                continue
            with contextlib.suppress(Exception):  # closing on the way out: nothing more to do
                executor.submit(_close_connection).result(timeout=30)
            executor.shutdown(wait=True)
        self._cancels.shutdown(wait=not self._cancels.busy, cancel_futures=True)
