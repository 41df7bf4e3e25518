"""One visit of the Events screen (key 4), read by read: when each read of figures ended, how many events it
held and how long it took, and when every figure was shown.

    python -m tests.perf.events_trace --db URL

Launches the TUI headless (tests/perf/tui_driver.py, 140×40) in this process, waits for the deal list's rows,
presses 4, and prints one line per read of crm.reporting.cohorts.event_kpis the screen made (a read that failed,
for a missing rate, prints as failed), then the seconds from the key to the last figure. Nothing is written.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time


async def _visit(db_url: str) -> None:
    from db.connection import open_database

    open_database(db_url)
    from screens import events
    from screens.app import CrmApp
    from tests.perf.tui_driver import listed

    t0 = [time.perf_counter()]
    read = events.event_kpis

    def traced(today, ids=None):
        start = time.perf_counter()
        size = "every event" if ids is None else f"{len(list(ids))} events"
        try:
            found = read(today, ids)
        except Exception:
            print(f"{start - t0[0]:7.3f} s  read of {size} failed after {time.perf_counter() - start:.3f} s")
            raise
        print(f"{start - t0[0]:7.3f} s  read of {size}: {time.perf_counter() - start:.3f} s")
        return found

    events.event_kpis = traced
    app = CrmApp()
    async with listed(app) as (pilot, _frames):
        t0[0] = time.perf_counter()
        await pilot.press("4")
        while app.screen.query_one("#events-progress").display or not app.screen.query_one("#events-table").row_count:
            await asyncio.sleep(0.01)
        print(f"every figure shown {time.perf_counter() - t0[0]:.3f} s after the key")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    args = parser.parse_args(argv)
    asyncio.run(_visit(args.db))
    return 0


if __name__ == "__main__":
    sys.exit(main())
