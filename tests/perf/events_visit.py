"""The Events screen (key 4): key → the frame showing every event's figures, over fresh processes.

    python -m tests.perf.events_visit --db URL [--processes 3]

Each process launches the TUI headless (tests/perf/tui_driver.py's frame watcher, 140×40), waits for the deal
list's rows, presses 4 and times two frames: the first at which the events on screen show their figures
(`first`), and the first at which every event does and the progress bar is gone (`visit`). Beside it, in the same
process, the crm/ call behind all the figures timed alone (crm.reporting.cohorts.event_kpis of every event).
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import statistics
import subprocess
import sys
import time


async def _visit(db_url: str) -> dict:
    from db.connection import open_database

    open_database(db_url)
    from crm.reference.views import event_infos
    from crm.reporting.cohorts import event_kpis
    from screens.app import CrmApp
    from tests.perf.tui_driver import listed

    events = len(event_infos())
    app = CrmApp()
    async with listed(app) as (pilot, frames):

        def shown() -> bool:
            table = app.screen.query_one("#events-table")
            return table.row_count == events and not app.screen.query_one("#events-progress").display

        def on_screen() -> bool:  # the last row on screen has its figures
            table = app.screen.query_one("#events-table")
            rows = min(events, table.size.height - table.header_height)
            return table.row_count == events and rows > 0 and str(table.get_row_at(rows - 1)[-1]) != "…"

        frames.expect(shown, first=on_screen)
        t0 = time.perf_counter()
        await pilot.press("4")
        first = await frames.wait(t0, "first", timeout=120)
        seconds = await frames.wait(t0, timeout=120)
    t0 = time.perf_counter()
    event_kpis(datetime.date.today())
    return {"events": events, "first": first, "visit": seconds, "event_kpis": time.perf_counter() - t0}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)  # a spawned process's own visit
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(asyncio.run(_visit(args.db))))
        return 0
    runs = [
        json.loads(
            subprocess.run(
                [sys.executable, "-m", "tests.perf.events_visit", "--db", args.db, "--one"],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        for _ in range(args.processes)
    ]
    print(
        json.dumps(
            {
                "events": runs[0]["events"],
                "first_median": statistics.median(r["first"] for r in runs),
                "firsts": [round(r["first"], 3) for r in runs],
                "visit_median": statistics.median(r["visit"] for r in runs),
                "visits": [round(r["visit"], 3) for r in runs],
                "event_kpis_median": statistics.median(r["event_kpis"] for r in runs),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
