"""What a first visit of the Board is made of, step by step (issue 16: first visits ≤ 300 ms).

    python -m tests.perf.visit_trace --db URL [--rounds 3] [--not-built-ahead]

Each round, in a fresh process: the TUI headless at 140×40 (tests/perf/first_visits.py's visit: the list's
rows, then first_visits.WARM_UP_WAIT idle), then key 2, and the milliseconds from the key to each step: the
board's query started and ended (in the totals thread), the figures taken on the switch (and whether their
query was done), the figures shown, each resume of the screen, each time Textual drew the screen (with the UI
thread's CPU for it), and the frame that first showed every stage's figures. `--not-built-ahead` turns the
building ahead off (screens.app `_build_ahead`), as the code before it behaved.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _instrument(marks: list) -> None:
    """Wrap the steps of a visit so that each appends (perf_counter, what) to `marks`."""
    from textual.screen import Screen

    import crm.listing.groups as groups
    import screens.arrival as arrival
    import screens.board as board

    def mark(what: str) -> None:
        marks.append((time.perf_counter(), what))

    switched_to, show = arrival.FiguresOnArrival._switched_to, board.BoardScreen._show
    resume = board.BoardScreen.on_screen_resume
    refresh, query = Screen._compositor_refresh, groups.board

    def traced_switched_to(self, screen):
        if screen is self:
            pending = self.app._prefetched.get(self.MODE)
            mark(f"switched to the Board (its query done: {pending[1].done() if pending else None})")
        return switched_to(self, screen)

    def traced_show(self, columns):
        mark("figures being shown")
        show(self, columns)
        mark("figures shown")

    def traced_resume(self):
        mark(f"resumed (figures from the switch: {self._arrived})")
        resume(self)

    def traced_refresh(self):
        if not isinstance(self, board.BoardScreen):
            return refresh(self)
        wall, cpu = time.perf_counter(), time.thread_time()
        refresh(self)
        mark(
            f"drawn: {(time.perf_counter() - wall) * 1000:.1f} ms, UI thread CPU {(time.thread_time() - cpu) * 1000:.1f} ms"
        )

    def traced_query(*args, **kwargs):
        mark("query started (totals thread)")
        out = query(*args, **kwargs)
        mark("query ended (totals thread)")
        return out

    arrival.FiguresOnArrival._switched_to = traced_switched_to
    board.BoardScreen._show = traced_show
    board.BoardScreen.on_screen_resume = traced_resume
    Screen._compositor_refresh = traced_refresh
    groups.board = traced_query


async def _visit(db_url: str, built_ahead: bool) -> list[str]:
    from db.connection import open_database

    open_database(db_url)
    from screens.app import CrmApp
    from tests.perf.first_visits import WARM_UP_WAIT
    from tests.perf.tui_driver import _Run, _settle, listed

    if not built_ahead:
        CrmApp._build_ahead = lambda self: None
    marks: list = []
    _instrument(marks)
    app = CrmApp()
    async with listed(app) as (pilot, frames):
        await asyncio.sleep(WARM_UP_WAIT)
        ready = _Run(app, pilot, frames, 1, {"actions": {}})._board_ready

        def ready_at_frame() -> bool:
            if ready():
                marks.append((time.perf_counter(), "the frame showing every stage's figures"))
                return True
            return False

        frames.expect(ready_at_frame)
        marks.clear()
        start = time.perf_counter()
        await pilot.press("2")
        await frames.wait(start)
        await pilot.press("1")
        await _settle(pilot)
    return [f"{(at - start) * 1000:7.1f} ms  {what}" for at, what in marks]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--not-built-ahead", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print("\n".join(asyncio.run(_visit(args.db, not args.not_built_ahead))))
        return 0
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CRM_USER": "bench"}
    child = [sys.executable, "-m", "tests.perf.visit_trace", "--db", args.db, "--child"]
    for n in range(args.rounds):
        out = subprocess.run(
            child + (["--not-built-ahead"] if args.not_built_ahead else []),
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        print(f"visit {n + 1} (load average {os.getloadavg()[0]:.2f}):\n{out.stdout}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
