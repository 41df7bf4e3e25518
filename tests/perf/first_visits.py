"""First visits of the Board and the Dashboard (issue #16: ≤ 300 ms in a fresh process), each in processes of its own.

    python -m tests.perf.first_visits --db URL [--processes 5]

Each process launches the TUI headless (tests/perf/tui_driver.py's frame watcher, 140×40), waits for the
deal list's rows and totals, then WARM_UP_WAIT idle as an officer looking at the list would (the screens' modules
imported in the background meanwhile, and the Board and the Dashboard built ahead: screens.app `_build_ahead`),
then times key → the first frame showing the screen's figures once: the Board
(2) in one set of processes, the Dashboard (5) in another, so each visit is the process's first of any
screen but the list. Beside them, in the same processes, the floor: the crm/ call behind the screen
(crm.listing.groups.board, screens.dashboard._dashboard) timed alone, and the UI thread's CPU time from the
key to that frame (less inflated than the wall clock when other work shares the cores; the query runs in
another thread). Prints one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WARM_UP_WAIT = 3.0  # seconds idle after the list settled: the screens' modules imported, the screens built ahead


async def _visit(db_url: str, key: str) -> dict:
    from db.connection import open_database

    open_database(db_url)
    from screens.app import CrmApp
    from tests.perf.tui_driver import _Run, _settle, listed

    app = CrmApp()
    async with listed(app) as (pilot, frames):
        await asyncio.sleep(WARM_UP_WAIT)
        session = _Run(app, pilot, frames, 1, {"actions": {}})
        ready = session._board_ready if key == "2" else session._dashboard_ready
        shown: dict = {}

        def ready_at_frame() -> bool:  # evaluated in the frame's paint, on the UI thread
            if ready():
                shown.setdefault("cpu", time.thread_time())
                return True
            return False

        frames.expect(ready_at_frame)
        c0, t0 = time.thread_time(), time.perf_counter()
        await pilot.press(key)
        seconds = await frames.wait(t0)
        cpu = shown["cpu"] - c0  # the UI thread's CPU time to that frame: less inflated by other work than the clock
        await pilot.press("1")
        await _settle(pilot)
    return {"seconds": seconds, "cpu": cpu, "floor": _floor(key, app.today)}


def _floor(key: str, today: datetime.date) -> float:
    """Seconds of the crm/ call behind the screen's figures (second call: the first one warmed what it reads)."""
    from crm.listing.pages import ListFilter

    if key == "2":
        from crm.listing import groups
        from screens.board import CARDS_PER_STAGE

        def call():
            return groups.board(ListFilter(), CARDS_PER_STAGE)
    else:
        from screens.dashboard import _dashboard

        def call():
            return _dashboard("all", today)

    call()
    t0 = time.perf_counter()
    call()
    return time.perf_counter() - t0


def _child(db_url: str, key: str) -> None:
    sys.stdout.write(json.dumps(asyncio.run(_visit(db_url, key))) + "\n")


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--processes", type=int, default=5)
    parser.add_argument("--child", choices=["2", "5"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.db, args.child)
        return 0
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CRM_USER": "bench"}
    out: dict = {"load_average_1min": os.getloadavg()[0]}
    for key, name in (("2", "board"), ("5", "dashboard")):
        runs = []
        for _ in range(args.processes):
            proc = subprocess.run(
                [sys.executable, "-m", "tests.perf.first_visits", "--db", args.db, "--child", key],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
            )
            if proc.returncode != 0:
                raise SystemExit(proc.stderr[-2000:])
            runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        seconds = [r["seconds"] for r in runs]
        floors = [r["floor"] for r in runs]
        cpu = [r["cpu"] for r in runs]
        out[name] = {
            "first_visit_ms": [round(s * 1000, 1) for s in seconds],
            "median_ms": round(statistics.median(seconds) * 1000, 1),
            "p95_ms": round(_p95(seconds) * 1000, 1),
            "over_300_ms": sum(1 for s in seconds if s > 0.3),
            "cpu_median_ms": round(statistics.median(cpu) * 1000, 1),
            "floor_median_ms": round(statistics.median(floors) * 1000, 1),
            "ratio": round(statistics.median(seconds) / statistics.median(floors), 1),
        }
    out["load_average_1min_end"] = os.getloadavg()[0]
    sys.stdout.write(json.dumps(out, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
