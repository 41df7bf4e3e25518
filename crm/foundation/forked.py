"""Pure-Python work run in a forked child process, on the machine's other core.

Reading a ledger of 100,000 rows is some 6 s of Python, which one process
runs on one core however many the machine has. A forked child starts with a
copy of everything read so far (no re-reading, no pickling of the input),
works out its part and sends the result back pickled through a pipe.

Forking is only safe in a process with a single thread (a thread holding a
lock at the fork leaves it held for ever in the child): the TUI, which
imports in a worker thread, works in one process. So does anyone on a
machine with one core, or where fork is missing.
"""

from __future__ import annotations

import os
import pickle
import signal
import threading

#: Set to False to never fork (tests compare both ways).
ENABLED = True


def can_fork() -> bool:
    """Whether `start` would fork here: a single thread, fork available and a core to spare."""
    return (
        ENABLED
        and hasattr(os, "fork")
        and threading.active_count() == 1
        and len(os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else range(os.cpu_count() or 1)) > 1
    )


class Child:
    """work(), running in a forked child; `result()` waits for it."""

    def __init__(self, work):
        self._read, write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: work, send, leave without running the parent's exit handlers
            status = 1
            try:
                os.close(self._read)
                data = pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write, "wb") as out:
                    out.write(data)
                status = 0
            finally:
                os._exit(status)
        os.close(write)

    def result(self):
        """What work() returned; raises ChildFailed when the child failed (the caller then works it out itself)."""
        try:
            with os.fdopen(self._read, "rb") as source:
                data = source.read()
        finally:
            _pid, status = os.waitpid(self.pid, 0)
        if status != 0:
            raise ChildFailed(f"exit status {status}")
        return pickle.loads(data)

    def cancel(self) -> None:
        """Stop the child (the parent failed meanwhile) and reap it."""
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            os.close(self._read)
        except OSError:
            pass
        os.waitpid(self.pid, 0)


class ChildFailed(Exception):
    """The child process ended without a result."""
