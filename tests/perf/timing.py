"""Timing helpers: repeated measurement, median and p95, and the raw-SQL floor.

The floor of an operation is the same SQL the application sent for it,
replayed through the bare driver (sqlite3 / psycopg2) on a connection of its
own: what the database alone costs. The ratio median ÷ floor is then what
Peewee, the application's Python and (for TUI rows) Textual add on top.
"""

from __future__ import annotations

import logging
import math
import os
import statistics
import time
from dataclasses import dataclass, field


def load_line() -> str:
    """The machine's 1-minute load average and the time (UTC), as the tools print them before and after a run."""
    return f"load {os.getloadavg()[0]:.2f} at {time.strftime('%H:%M:%S', time.gmtime())} UTC"


def medians(rounds: list[dict], keys) -> dict:
    """The median of each of `keys` over `rounds` (each round a dict of figures by key)."""
    return {k: statistics.median(r[k] for r in rounds) for k in keys}


def measure(fn, rounds: int, warmup: int = 1) -> list[float]:
    """Seconds taken by `fn()` in each of `rounds` runs, after `warmup` runs not counted."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def median(values):
    return statistics.median(values) if values else None


def p95(values):
    """The 95th percentile by nearest rank (the largest of fewer than 20 values)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.statements = []

    def emit(self, record):
        if record.name == "peewee" and isinstance(record.msg, tuple):
            self.statements.append(record.msg)


def captured_sql(fn) -> list[tuple[str, tuple]]:
    """The (sql, params) statements Peewee executed while `fn()` ran."""
    logger = logging.getLogger("peewee")
    handler, level = _Capture(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        fn()
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    return handler.statements


class RawConnection:
    """A bare driver connection to the benchmark database, for floors."""

    def __init__(self, url: str):
        self.url = url
        if url.startswith("postgres"):
            import psycopg2

            self.con = psycopg2.connect(url)
            self.con.autocommit = True
            self.postgres = True
        else:
            import sqlite3

            self.con = sqlite3.connect(url.removeprefix("sqlite:///"))
            self.postgres = False

    def run(self, statements) -> None:
        cur = self.con.cursor()
        for sql, params in statements:
            cur.execute(sql, tuple(params or ()))
            if cur.description is not None:
                cur.fetchall()
        cur.close()

    def close(self) -> None:
        self.con.close()


@dataclass
class Result:
    """One row of the benchmark table."""

    backend: str
    what: str
    target: float | None  # seconds (or bytes for memory)
    samples: list = field(default_factory=list)
    floor: list = field(default_factory=list)
    kind: str = "time"  # "time" or "memory"
    note: str = ""
    error: str = ""
    max_ratio: float | None = None  # a target stated against the floor (median ÷ floor ≤ this)
    memory_limit: int | None = None  # bytes the peak resident memory must stay within
    peak: int | None = None  # peak resident bytes, where measured

    @property
    def median(self):
        return median(self.samples)

    @property
    def p95(self):
        return p95(self.samples)

    @property
    def floor_median(self):
        return median(self.floor)

    @property
    def ratio(self):
        if not self.samples or not self.floor or not self.floor_median:
            return None
        return self.median / self.floor_median

    @property
    def met(self):
        if not self.samples or (self.target is None and self.max_ratio is None):
            return None
        ok = self.target is None or self.median <= self.target
        if self.max_ratio is not None:
            ok = ok and self.ratio is not None and self.ratio <= self.max_ratio
        if self.memory_limit is not None and self.peak is not None:
            ok = ok and self.peak <= self.memory_limit
        return ok
