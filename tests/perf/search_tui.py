"""The TUI's search rows of `make bench` alone: key → rows for each search, a paste, a burst, a broad prefix.

    python -m tests.perf.search_tui --db URL [--rounds 15] [--tree DIR] [--heavy-code ZS2023-0123] [--gc]

Drives the real app headless with tests/perf/tui_driver.py's session (its `searching` and `pasting`
parts only, bench.py's searches), in this process, and prints median and p95 per row with the load
average. Each search is typed rounds // 3 times; the paste, the burst and the broad prefix are measured every round,
as in `make bench`.
--tree runs another checkout's code (e.g. /work/main) on the same ledger, so that before and after
can be run in turn. --gc also prints the garbage collector's pauses of this process (every thread waits for them)
and its peak resident memory; --garbage what those collections found unreachable, by type (the measured rows are
then slower: everything unreachable is kept until the end).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import gc
import os
import resource
import statistics
import sys
import time
from pathlib import Path


async def _session(url: str, rounds: int, heavy_code: str, garbage: bool = False) -> dict:
    from db.connection import open_database

    open_database(url)
    from screens.app import CrmApp
    from tests.perf import bench, tui_driver

    out: dict = {"actions": {}, "errors": {}}
    app = CrmApp()
    frames = tui_driver.Frames(app)
    frames.expect(lambda: tui_driver._rows_shown(app.screen.query_one(tui_driver._deal_list_class())))
    t_start = time.perf_counter()
    async with app.run_test(size=tui_driver.SIZE) as pilot:
        await frames.wait(t_start)
        await tui_driver._settle(pilot)
        session = tui_driver._Run(app, pilot, frames, rounds, out)
        if garbage:
            gc.collect()
            gc.set_debug(gc.DEBUG_SAVEALL)  # what the collector finds unreachable is kept in gc.garbage
        await session.searching(bench.SEARCHES_TUI)
        await session.pasting(heavy_code)
        if garbage:
            gc.collect()
            gc.set_debug(0)
            out["garbage"] = collections.Counter(f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.garbage)
            gc.garbage.clear()
    return out


def _pauses() -> list[tuple[int, float]]:
    """(generation, seconds) of each collection from now on, as the collector reports them."""
    pauses: list[tuple[int, float]] = []
    started = [0.0]

    def timed(phase: str, info: dict) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            pauses.append((info["generation"], time.perf_counter() - started[0]))

    gc.callbacks.append(timed)
    return pauses


def _print_pauses(pauses: list[tuple[int, float]]) -> None:
    print("collection\tn\ttotal ms\tmedian ms\tslowest ms")
    for generation in (0, 1, 2):
        times = sorted(t for g, t in pauses if g == generation)
        if times:
            total, median, slowest = sum(times) * 1e3, statistics.median(times) * 1e3, times[-1] * 1e3
            print(f"generation {generation}\t{len(times)}\t{total:.1f}\t{median:.1f}\t{slowest:.1f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="a SQLite ledger (a copy) or a PostgreSQL URL")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--tree", help="run this checkout's code (default: the one this file is in)")
    parser.add_argument("--heavy-code", default="ZS2023-0123", help="the code pasted and typed in a burst")
    parser.add_argument("--gc", action="store_true", help="also print the garbage collector's pauses")
    parser.add_argument(
        "--garbage",
        action="store_true",
        help="also print the types of the objects the collector found unreachable (cycles) in the session",
    )
    args = parser.parse_args(argv)
    if args.tree:
        sys.path.insert(0, str(Path(args.tree).resolve()))
        for name in [m for m in sys.modules if m.split(".")[0] in ("crm", "db", "screens", "tests")]:
            del sys.modules[name]
    os.environ.setdefault("CRM_USER", "bench")
    start = os.getloadavg()[0]
    pauses = _pauses() if args.gc else None
    out = asyncio.run(_session(args.db, args.rounds, args.heavy_code, args.garbage))
    print(f"load average: start {start:.2f}, end {os.getloadavg()[0]:.2f}")
    print("row\tn\tmedian ms\tp95 ms")
    for action, samples in out["actions"].items():
        ordered = sorted(samples)
        p95 = ordered[max(0, -(-len(ordered) * 95 // 100) - 1)]
        print(f"{action}\t{len(samples)}\t{statistics.median(samples) * 1e3:.1f}\t{p95 * 1e3:.1f}")
    for action, error in out["errors"].items():
        print(f"{action}\tERROR {error}")
    if "garbage" in out:
        print(f"unreachable objects found: {sum(out['garbage'].values())}; the most frequent types:")
        for name, count in out["garbage"].most_common(15):
            print(f"{count}\t{name}")
    if pauses is not None:
        _print_pauses(pauses)
        print(
            f"peak resident memory of the process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
