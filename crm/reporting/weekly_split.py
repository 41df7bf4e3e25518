"""A large weekly table's rows in two processes (crm.reporting.weekly): the machine's second core writes the
second range of the listed rows while this process writes the first.

The writer (exports/) asks for it with WeeklyTable.split(write, waiting) before it reads the rows; the table's
row_batches() then begins its reading (db.forking.SharedSnapshot) with what both processes need, read once: the
week's events and the names here, the supporting departments and the week-end KPIs on side threads. Then, when
wanted() (a core beside this process idle meanwhile: Load), it forks a child that inherits all that, reads at
the same snapshot on its own connection, and calls `write(batches, report)` on the second range's RowBatches
(about PARENT_SHARE of the listed rows, by an estimate of them, stay with the parent), numbered on from the
first; it sends back the sums of its rows and today's KPIs. The parent's RowBatches stop where the child's
begin; once they are read, the parent waits for the child (calling `waiting(rows)` with the child's rows so
far), adds its sums and makes the summary. Tables of fewer than SPLIT_FROM deals stay in one process (the fork
would cost more than it saves); so do tables on a machine without an idle core (IDLE_CORE), where the two
processes would take turns on one, unless the environment's CRM_WEEKLY_SPLIT says otherwise (0: never split, 1:
split whatever the load).

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
#: The idle share of a second core (beside the one this process runs on) over the reading before the fork (at least
#: IDLE_SAMPLE_S), without which the table stays in one process: on a machine whose other core is busy the two
#: processes take turns on one, and the split costs more than it saves (BENCHMARKS.md, eleventh session).
IDLE_CORE = 0.7
IDLE_SAMPLE_S = 0.1
#: The parent's share of the listed rows: it also writes the tail, the child skips the parent's rows first; the
#: share at which the two ended together at 1,000,000 deals (BENCHMARKS.md, twelfth session).
PARENT_SHARE = 0.55

#: Cores (this process's) from which each of a split table's two processes also fetches its next rows on a reader
#: thread (db.reading.batches_ahead): below, the two processes and the database's backends already keep every core
#: busy, and a reader thread beside each only adds turns at the GIL (BENCHMARKS.md, twenty-third session).
READERS_FROM = 4

Write = Callable[[Iterable["RowBatch"], Callable[[int], None]], None]


#: The environment variable that overrides the load: "0" keeps every table in one process, "1" splits a large
#: table whatever the load (benchmarks compare the two ways with it).
ENV = "CRM_WEEKLY_SPLIT"


def may_split(rows: int) -> bool:
    """Whether a table of `rows` deals may be split: one of SPLIT_FROM deals or more, in a process that may fork
    (no other thread runs, the TUI's for one: a lock another thread held at the fork would stay locked in the
    child), unless ENV says never. Whether it is split is known once the reading has begun (wanted())."""
    if rows < SPLIT_FROM or not hasattr(os, "fork") or threading.active_count() > 1:
        return False
    return os.environ.get(ENV, "").strip() != "0"


def wanted(load: Load) -> bool:
    """Whether to fork now: when ENV says so, else when this process may run on two cores and a core beside
    it has been idle (IDLE_CORE) since `load` began."""
    forced = os.environ.get(ENV, "").strip()
    if forced in ("0", "1"):
        return forced == "1"
    return _cores() >= 2 and load.idle() >= 1.0 + IDLE_CORE


def _cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def reader_threads() -> bool | None:
    """db.reading.batches_ahead's `threaded` for the two processes of a split table: None (a reader thread where
    it would use one) with READERS_FROM cores or more, else False (each process fetches its own rows)."""
    return None if _cores() >= READERS_FROM else False


def _cpu_times() -> tuple[int, int] | None:
    """(idle, total) clock ticks of every core since boot (Linux's /proc/stat), or None where there is none."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            ticks = [int(t) for t in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    return ticks[3] + (ticks[4] if len(ticks) > 4 else 0), sum(ticks[:8])


def _process_times(pid: int) -> tuple[float, float, int]:
    """(CPU seconds the process `pid` of this machine has run, those of its children it has reaped, its parent's
    pid); (0.0, 0.0, 0) when it cannot be read (it has ended)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        tick = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / tick, (int(fields[13]) + int(fields[14])) / tick, int(fields[1])
    except (OSError, ValueError, IndexError):
        return 0.0, 0.0, 0


class Load:
    """The machine's cores from now on: `idle()` is how many were idle beside this process and its helpers, on
    average since the Load was made (at least IDLE_SAMPLE_S: it waits for the rest). The reading goes on
    meanwhile: what it runs is ours, not load.

    The helpers are the database server's processes reading for it when they run on this machine: `helpers()`
    gives the pids of the backends serving its connections, asked now and again at the end (one started
    meanwhile counts from its start); what the server's processes that ended meanwhile ran (a side thread's
    backend, the parallel workers of a query) is counted from what their parent, the server, has reaped."""

    def __init__(self, helpers: Callable[[], Iterable[int]] = list) -> None:
        self.helpers = helpers
        self.began = time.monotonic()
        self.ticks = _cpu_times()
        self.ours = time.process_time()
        self.theirs: dict[int, float] = {}
        self.reaped: dict[int, float] = {}  # the helpers' parents: what they had reaped
        for pid in helpers():
            self.theirs[pid], _reaped, parent = _process_times(pid)
            if parent > 1 and parent not in self.reaped:
                self.reaped[parent] = _process_times(parent)[1]

    def _ours_since(self) -> float:
        """CPU seconds this process and its helpers have run since the Load was made."""
        theirs = sum(_process_times(pid)[0] - self.theirs.get(pid, 0.0) for pid in self.helpers())
        reaped = sum(_process_times(parent)[1] - before for parent, before in self.reaped.items())
        return time.process_time() - self.ours + theirs + reaped

    def idle(self) -> float:
        """Cores idle beside this process and its helpers since the Load was made; 0.0 where it cannot be
        known."""
        time.sleep(max(0.0, self.began + IDLE_SAMPLE_S - time.monotonic()))
        after, ours, wall = _cpu_times(), self._ours_since(), time.monotonic() - self.began
        if self.ticks is None or after is None or after[1] <= self.ticks[1] or wall <= 0:
            return 0.0
        cores = os.cpu_count() or 1  # /proc/stat's first line sums every core of the machine
        idle = cores * (after[0] - self.ticks[0]) / (after[1] - self.ticks[1])
        return min(float(cores), idle + ours / wall)


class Part:
    """The second range of a table's rows, written by a child process with `write(batches, report)`;
    `waiting(rows)` is called now and then while the parent waits for it with the child's rows so far."""

    def __init__(self, write: Write, waiting: Callable[[int], None] | None = None) -> None:
        self.write, self.waiting = write, waiting
        self.pid = 0
        self.rows = 0  # the child's rows, once it has finished
        self.peak_kib = 0  # the child's peak resident memory (KiB), once it has finished
        self.failed = False  # the child stopped at an error (raised in the parent), after the rows before it
        self.extra: Any = None  # what the child's `then()` worked out (run_child), once it has finished
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

    def ready(self) -> bool:
        """True when the child has sent its end (its sums, or its error): result() would not wait."""
        assert self._ours is not None
        return self._ours.poll(0)

    def result(self) -> Any:
        """Wait for the child, reporting its progress; its rows' sums (raises the child's error). What its `then()`
        worked out is `extra` from here on."""
        assert self._ours is not None
        while not self._ours.poll(0.2):
            if self.waiting:
                self.waiting(self.done())
        rows, sums, peak, self.extra = self._receive("done")
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
            self.failed = True
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

    def run_child(self, batches: Iterator[RowBatch], sums, then: Callable[[], Any] | None = None) -> None:
        """In the child: write `batches` with the writer and send the rows' sums (`sums()`, which count the rows
        too) and what `then()` works out once they are written (the parent's `extra`), or the error that stopped
        it (the child then ends)."""
        assert self._theirs is not None and self._ours is not None
        self._ours.close()
        try:
            self.write(batches, lambda rows: struct.pack_into("q", self._counter, 0, rows))
            counted = sums()
            extra = then() if then is not None else None
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            self._theirs.send(("done", (counted.rows, counted, peak, extra)))
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
