"""A large weekly table's rows in two processes (crm.reporting.weekly): the machine's second core writes the
second range of the listed rows while this process writes the first.

The writer (exports/) asks for it with WeeklyTable.split(write, waiting) before it reads the rows; the table's
row_batches() then forks a child (db.forking: its own connection, the same snapshot of the ledger) that reads
the week's events and names itself, counts the listed rows, tells the parent where the second range begins
(PARENT_SHARE of them stay with the parent), and calls `write(batches, report)` on the second range's
RowBatches, numbered on from the first; it sends back the sums of its rows. The parent's RowBatches stop
where the child's begin; once they are read, the parent waits for the child (calling `waiting(rows)` with the
child's rows so far), adds its sums and makes the summary. Tables of fewer than SPLIT_FROM deals stay in one
process: the fork and the second reading of the week's events would cost more than they save; so do tables
on a machine without an idle core (IDLE_CORE), where the two processes would take turns on one, unless the
environment's CRM_WEEKLY_SPLIT says otherwise (0: never split, 1: split whatever the load).

An error in the child (a missing exchange rate in its range, a database error) is raised in the parent as the
same error, after the parent's own rows (whose errors come first in the table's order). If the parent stops
early (its own error, Ctrl-C), the child is killed. A bug in the child is raised as a RuntimeError carrying
its traceback.
"""

from __future__ import annotations

import mmap
import os
import pickle
import resource
import signal
import struct
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection, Pipe
from typing import TYPE_CHECKING, Any

from crm.foundation.errors import CrmError

if TYPE_CHECKING:
    from crm.reporting.weekly_model import RowBatch

#: Deals in the cohort from which a table's rows are split between two processes.
SPLIT_FROM = 50_000
#: The idle share of a second core (beside the one this process runs on, idle while it samples) over IDLE_SAMPLE_S
#: before the fork, without which the table stays in one process: on a machine whose other core is busy the two
#: processes take turns on one, and the split costs more than it saves (BENCHMARKS.md, eleventh session).
IDLE_CORE = 0.7
IDLE_SAMPLE_S = 0.1
#: The parent's share of the listed rows: it also reads the KPIs and writes the tail, the child counts the rows and
#: skips the parent's; 0.58 gave the shortest wall at 1,000,000 deals on a quiet machine (BENCHMARKS.md, eleventh
#: session's review).
PARENT_SHARE = 0.58

Write = Callable[[Iterable["RowBatch"], Callable[[int], None]], None]


#: The environment variable that overrides the load: "0" keeps every table in one process, "1" splits a large
#: table whatever the load (benchmarks compare the two ways with it).
ENV = "CRM_WEEKLY_SPLIT"


def wanted(rows: int) -> bool:
    """Whether a table of `rows` deals is split now: one of SPLIT_FROM deals or more, in a process that may fork
    (no other thread runs, the TUI's for one: a lock another thread held at the fork would stay locked in the
    child), when ENV says so, else when a core is idle (IDLE_CORE)."""
    if rows < SPLIT_FROM or not hasattr(os, "fork") or threading.active_count() > 1:
        return False
    forced = os.environ.get(ENV, "").strip()
    if forced in ("0", "1"):
        return forced == "1"
    ours = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return ours >= 2 and idle_cores() >= 1.0 + IDLE_CORE


def _cpu_times() -> tuple[int, int] | None:
    """(idle, total) clock ticks of every core since boot (Linux's /proc/stat), or None where there is none."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            ticks = [int(t) for t in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    return ticks[3] + (ticks[4] if len(ticks) > 4 else 0), sum(ticks[:8])


def idle_cores(seconds: float = IDLE_SAMPLE_S) -> float:
    """How many cores were idle (on average) over the next `seconds`; 0.0 where it cannot be known."""
    before = _cpu_times()
    if before is None:
        return 0.0
    time.sleep(seconds)
    after = _cpu_times()
    if after is None or after[1] <= before[1]:
        return 0.0
    cores = os.cpu_count() or 1  # /proc/stat's first line sums every core of the machine
    return cores * (after[0] - before[0]) / (after[1] - before[1])


class Part:
    """The second range of a table's rows, written by a child process with `write(batches, report)`;
    `waiting(rows)` is called now and then while the parent waits for it with the child's rows so far."""

    def __init__(self, write: Write, waiting: Callable[[int], None] | None = None) -> None:
        self.write, self.waiting = write, waiting
        self.pid = 0
        self.rows = 0  # the child's rows, once it has finished
        self.peak_kib = 0  # the child's peak resident memory (KiB), once it has finished
        self._counter = mmap.mmap(-1, 8)  # the child's rows so far, shared
        self._ours: Connection | None = None
        self._theirs: Connection | None = None

    # ---- the parent's side ----

    def open(self) -> None:
        """Make the pipe the child answers on (before the fork)."""
        self._ours, self._theirs = Pipe(duplex=False)

    def started(self, pid: int) -> None:
        """The child `pid` runs: the parent keeps its end of the pipe only."""
        self.pid = pid
        assert self._theirs is not None
        self._theirs.close()
        self._theirs = None

    def done(self) -> int:
        """The rows the child has written so far."""
        return struct.unpack_from("q", self._counter)[0]

    def first(self) -> int:
        """The number of rows the parent writes: those before the child's range (waits for the child's count)."""
        return self._receive("first")

    def result(self) -> Any:
        """Wait for the child, reporting its progress; its rows' sums (raises the child's error)."""
        assert self._ours is not None
        while not self._ours.poll(0.2):
            if self.waiting:
                self.waiting(self.done())
        rows, sums, peak = self._receive("done")
        self.rows, self.peak_kib = rows, peak
        os.waitpid(self.pid, 0)
        self.pid = 0
        return sums

    def _receive(self, expected: str) -> Any:
        assert self._ours is not None
        try:
            kind, value = self._ours.recv()
        except EOFError:
            _pid, status = os.waitpid(self.pid, 0)
            self.pid = 0
            raise RuntimeError(f"the weekly table's second process ended without its rows (status {status})") from None
        if kind == "error":
            raise value if isinstance(value, BaseException) else RuntimeError(value)
        assert kind == expected, kind
        return value

    def stop(self) -> None:
        """Kill the child if it still runs (the parent stopped early) and let go of the pipe."""
        if self.pid:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.pid = 0
        for end in (self._ours, self._theirs):
            if end is not None and not end.closed:
                end.close()
        self._ours = self._theirs = None

    # ---- the child's side ----

    def run_child(self, first_rows: Callable[[], int], batches: Callable[[int], Iterator[RowBatch]], sums) -> None:
        """In the child: send `first_rows()` (where its range begins), write `batches(first)` with the writer
        and send the rows' sums (`sums()`, which count the rows too), or the error that stopped it (the child then
        ends)."""
        assert self._theirs is not None and self._ours is not None
        self._ours.close()
        try:
            first = first_rows()
            self._theirs.send(("first", first))
            self.write(batches(first), lambda rows: struct.pack_into("q", self._counter, 0, rows))
            counted = sums()
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            self._theirs.send(("done", (counted.rows, counted, peak)))
        except BaseException as exc:  # noqa: BLE001 — every error goes to the parent, which raises it
            self._send_error(exc)

    def _send_error(self, exc: BaseException) -> None:
        assert self._theirs is not None
        if isinstance(exc, CrmError):
            try:
                pickle.loads(pickle.dumps(exc))
                error: object = exc
            except Exception:  # noqa: BLE001 — a class made at run time (db.connection's): its message is enough
                error = next(c for c in type(exc).__mro__ if c.__module__ == CrmError.__module__)(str(exc))
        else:
            error = "".join(traceback.format_exception(exc))
        try:
            self._theirs.send(("error", error))
        except OSError:
            pass  # the parent is gone
