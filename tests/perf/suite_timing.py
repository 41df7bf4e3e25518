"""A pytest plugin for finding where `make test`'s wall time goes: per test, its wall time and the CPU time
of the worker and of the processes it waited for, one file per xdist worker.

    scripts/time-tests -p tests.perf.suite_timing            # writes suite-timing-<worker>.tsv
    CRM_SUITE_TIMING=/tmp/run1 scripts/time-tests -p tests.perf.suite_timing

Columns: node id, start (epoch s), wall s, worker CPU s, waited-for children's CPU s. A test whose wall time
is far above its CPU time waited (a server, a disk, a sleep) or was starved (compare with the load average).
"""

from __future__ import annotations

import os
import resource
import time

import pytest

_out = None


def _cpu() -> tuple[float, float]:
    me = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, children.ru_utime + children.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Time the whole protocol of `item`: setup, call and teardown."""
    global _out
    if _out is None:
        prefix = os.environ.get("CRM_SUITE_TIMING", "suite-timing")
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        _out = open(f"{prefix}-{worker}.tsv", "a", buffering=1, encoding="utf-8")  # noqa: SIM115 — the session's
    started, (own, waited) = time.time(), _cpu()
    yield
    wall, (own_after, waited_after) = time.time() - started, _cpu()
    _out.write(f"{item.nodeid}\t{started:.3f}\t{wall:.3f}\t{own_after - own:.3f}\t{waited_after - waited:.3f}\n")
