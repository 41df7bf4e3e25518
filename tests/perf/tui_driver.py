"""Drive the real TUI headless on a big ledger and time key press → screen showing the result.

Run by tests/perf/bench.py in a fresh process (so that launch time and peak
memory are those of a TUI process of its own):

    python -m tests.perf.tui_driver --db URL --spawned-at EPOCH --rounds N

and prints one JSON object on stdout: for each measured action a list of
seconds, the launch time, and the peak resident memory of the process.

How "the screen shows the result" is detected: the app's frame output
(App._display, called with each compositor update even when headless) is
wrapped, and at each frame a condition on the screen's state is evaluated
(e.g. "the rows at the new cursor position are in the list's window"). The
latency is the time from just before the key press to the first frame at
which the condition holds: that frame is the repaint that shows the result.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import resource
import sys
import time

SIZE = (140, 40)
BROAD_PREFIX = "ZS2021"  # a code prefix a tenth of the ledger matches
TIMEOUT = 30.0


class Frames:
    """Timestamps of the frames an app paints, and conditions checked at each.

    Several conditions can be watched at once (rows painted, then totals
    painted, after one key press): each records the first frame at which it held.
    """

    def __init__(self, app):
        self.app = app
        self.conditions: dict = {}
        self.hits: dict = {}
        self.count = 0
        original = app._display

        def display(screen, renderable):
            if renderable is not None:
                now = time.perf_counter()
                self.count += 1
                for name, condition in list(self.conditions.items()):
                    if name in self.hits:
                        continue
                    try:
                        if condition():
                            self.hits[name] = now
                    except Exception:  # noqa: BLE001 — widgets not mounted yet: not this frame
                        pass
            return original(screen, renderable)

        app._display = display

    def expect(self, condition=None, **named) -> None:
        """Watch for the first frame from now on at which each condition holds (unnamed: "result")."""
        self.hits = {}
        self.conditions = dict(named)
        if condition is not None:
            self.conditions["result"] = condition

    async def wait(self, since: float, name: str = "result", timeout: float = TIMEOUT) -> float:
        """Seconds from `since` to the frame that satisfied the condition `name`."""
        deadline = time.perf_counter() + timeout
        while name not in self.hits:
            if time.perf_counter() > deadline:
                self.conditions.pop(name, None)
                raise TimeoutError(f"the screen never showed {name}")
            await asyncio.sleep(0.0005)
        self.conditions.pop(name, None)
        return self.hits[name] - since


def _deal_list(app):
    from screens.deal_list import DealList

    return app.screen.query_one(DealList)


def _visible_loaded(dl) -> bool:
    top = int(dl.scroll_offset.y)
    bottom = min(top + dl.size.height, dl.row_count)
    return all(dl._window.get(i) is not None for i in range(top, bottom))


def _rows_shown(dl, generation=None) -> bool:
    if generation is not None and dl._generation != generation:
        return False
    if dl._window.count == 0:
        return True
    return dl._window.get(0) is not None and _visible_loaded(dl)


async def _settle(pilot, dl=None, timeout=TIMEOUT):
    """Wait until the list has its rows and totals (between measurements; not timed)."""
    deadline = time.perf_counter() + timeout
    while True:
        await pilot.pause()
        dl = _deal_list(pilot.app)
        if dl.totals is not None and _rows_shown(dl):
            return dl
        if time.perf_counter() > deadline:
            raise TimeoutError("the list did not settle")
        await asyncio.sleep(0.01)


@contextlib.asynccontextmanager
async def listed(app):
    """Run `app` headless at SIZE until its deal list shows its first rows and their totals: (pilot, frames)."""
    frames = Frames(app)
    frames.expect(lambda: _rows_shown(app.screen.query_one(_deal_list_class())))
    async with app.run_test(size=SIZE) as pilot:
        await frames.wait(time.perf_counter())
        await _settle(pilot)
        yield pilot, frames


async def _timed_list_change(pilot, frames, act, check=None):
    """Time `act()` (a key press or a value set) → rows painted, and → count and total painted.

    Both are taken from the frames (Pilot's press may return only once the
    screen is idle, i.e. after the totals): rows = the first frame showing the
    new list's rows, totals = the first frame after which its count and total are
    shown in the status line.
    """
    app = pilot.app
    before = _deal_list(app)._generation

    def rows_ready():
        d = _deal_list(app)
        return d._generation != before and _rows_shown(d) and (check is None or check(d))

    def totals_ready():
        d = _deal_list(app)
        return d._generation != before and d.totals is not None and (check is None or check(d))

    t0 = time.perf_counter()
    frames.expect(rows=rows_ready, totals=totals_ready)
    await act()
    rows = await frames.wait(t0, "rows")
    totals = await frames.wait(t0, "totals")
    return rows, max(totals, rows)


class _Run:
    """One driven session of the TUI: the app, its pilot, the frame watcher and what was measured."""

    def __init__(self, app, pilot, frames, rounds: int, out: dict) -> None:
        self.app, self.pilot, self.frames, self.rounds, self.out = app, pilot, frames, rounds, out

    def record(self, name: str, value: float) -> None:
        self.out["actions"].setdefault(name, []).append(value)

    async def press(self, key: str) -> None:
        await self.pilot.press(key)

    async def paging(self) -> None:
        """Page down, then jumps to the end and back to the start."""
        app, frames = self.app, self.frames
        for _ in range(self.rounds):
            dl = _deal_list(app)
            target = min(dl.cursor + max(dl.size.height - 1, 1), dl.row_count - 1)
            frames.expect(lambda target=target: _deal_list(app).cursor == target and _visible_loaded(_deal_list(app)))
            t0 = time.perf_counter()
            await self.press("pagedown")
            self.record("page_down", await frames.wait(t0))
        for _ in range(self.rounds):
            dl = _deal_list(app)
            dl.load(dl.filter, dl.order)  # forget the fetched rows, so the jump has to query (not timed)
            dl = await _settle(self.pilot)
            last = dl.row_count - 1
            frames.expect(lambda last=last: _deal_list(app).cursor == last and _visible_loaded(_deal_list(app)))
            t0 = time.perf_counter()
            await self.press("end")
            self.record("jump_to_end", await frames.wait(t0))
            frames.expect(lambda: _deal_list(app).cursor == 0 and _visible_loaded(_deal_list(app)))
            t0 = time.perf_counter()
            await self.press("home")
            self.record("jump_to_start", await frames.wait(t0))

    async def searching(self, searches: list) -> None:
        """Search as you type, a character at a time."""
        for kind, text in searches:
            for _ in range(max(1, self.rounds // 3)):
                await self.press("slash")
                for n, char in enumerate(text, 1):
                    await self._type(kind, text[:n], char, n)
                await self.press("escape")  # leave the search box
                await self.press("escape")  # clear the search
                await _settle(self.pilot)

    async def _type(self, kind: str, typed: str, char: str, n: int) -> None:
        async def type_char() -> None:
            await self.pilot.press(char)

        rows, totals = await _timed_list_change(
            self.pilot, self.frames, type_char, check=lambda d: (d.filter.search or "") == typed.strip()
        )
        label = (
            kind
            if kind in ("code", "pinyin")
            else ("chinese_1" if n == 1 else "chinese_2" if n == 2 else "chinese_3plus")
        )
        self.record(f"search_{label}", rows)
        self.record(f"search_{label}_totals_after_rows", totals - rows)

    async def _clear_search(self) -> None:
        await self.press("escape")  # leave the search box
        await self.press("escape")  # clear the search
        await _settle(self.pilot)

    async def pasting(self, heavy_code: str) -> None:
        """A pasted code, a burst of keys, a broad prefix: rows after the last key."""
        from textual import events as textual_events

        app, pilot = self.app, self.pilot
        # every round (a median of three was one slow round from a miss either way), unlike the searches' rows,
        # whose every key is a sample
        for _ in range(self.rounds):
            await self.press("slash")

            async def paste():
                app.screen.query_one("#search").post_message(textual_events.Paste(heavy_code))

            rows, _totals = await _timed_list_change(
                pilot, self.frames, paste, check=lambda d: d.filter.search == heavy_code
            )
            self.record("search_paste", rows)
            await self._clear_search()
            for burst, action in ((heavy_code, "search_burst"), (BROAD_PREFIX, "search_broad_prefix")):
                await self.press("slash")
                await pilot.press(*burst[:-1])  # back to back: each key's queries are still running

                async def last_key(char=burst[-1]):
                    await pilot.press(char)

                rows, _totals = await _timed_list_change(
                    pilot, self.frames, last_key, check=lambda d, burst=burst: d.filter.search == burst
                )
                self.record(action, rows)
                await self._clear_search()

    async def filtering(self, filters: dict) -> None:
        """The quick filters, one at a time."""
        from textual.widgets import Select

        for name, value in filters.items():
            for _ in range(self.rounds):
                select = self.app.screen.query_one(f"#filter-{name}", Select)

                async def choose(select=select, value=value):
                    select.value = value

                field = "event_id" if name == "event" else name
                rows, totals = await _timed_list_change(
                    self.pilot,
                    self.frames,
                    choose,
                    check=lambda d, field=field, value=value: getattr(d.filter, field) == value,
                )
                self.record(f"filter_{name}", rows)
                self.record(f"filter_{name}_totals_after_rows", totals - rows)
                select.clear()
                await _settle(self.pilot)

    async def reloading(self) -> None:
        """The unfiltered list's count and total after a launch-like reload."""
        for _ in range(self.rounds):
            dl = _deal_list(self.app)

            async def reload(dl=dl):
                dl.load(dl.filter, dl.order)

            rows, totals = await _timed_list_change(self.pilot, self.frames, reload)
            self.record("list_reload", rows)
            self.record("list_totals_after_rows", totals - rows)
            await _settle(self.pilot)

    async def visiting(self) -> None:
        """Board and Dashboard, each visit seen once it has painted anew."""
        for key, name, ready in (("2", "board", self._board_ready), ("5", "dashboard", self._dashboard_ready)):
            for n in range(self.rounds):
                self.frames.expect(ready)
                t0 = time.perf_counter()
                await self.press(key)
                # the first visit of the process builds the screen (and imports its modules)
                self.record(name if n else f"{name}_first_visit", await self.frames.wait(t0))
                # blank what was shown, so that the next visit is seen only once it has painted anew
                for widget in self.app.screen.query(".stage-head, #board-status, #tile-deals, #dashboard-rates"):
                    widget.update("")
                await self.press("1")
                await _settle(self.pilot)

    def _board_ready(self) -> bool:
        from screens.board import BoardScreen

        screen = self.app.screen
        if not isinstance(screen, BoardScreen):
            return False
        heads = [str(h.render()) for h in screen.query(".stage-head")]
        status = str(screen.query_one("#board-status").render())
        return bool(heads) and all(heads) and bool(status.strip())

    def _dashboard_ready(self) -> bool:
        from screens.dashboard import DashboardScreen

        screen = self.app.screen
        if not isinstance(screen, DashboardScreen):
            return False
        return bool(str(screen.query_one("#tile-deals").render()).strip()) and bool(
            str(screen.query_one("#dashboard-rates").render()).strip()
        )

    async def opening(self, heavy_code: str) -> None:
        """Open a deal with 200 ledger entries and 50 blockers."""
        from screens.detail import DealDetailScreen

        app = self.app
        await self.press("slash")
        for char in heavy_code:
            await self.pilot.press(char)
        await self.press("enter")  # leave the search box for the list
        await _settle(self.pilot)
        for _ in range(self.rounds):
            self.frames.expect(lambda: isinstance(app.screen, DealDetailScreen) and app.screen.deal is not None)
            t0 = time.perf_counter()
            await self.press("enter")
            self.record("open_heavy_deal", await self.frames.wait(t0))
            self.out["heavy_deal_ledger"] = len(app.screen.deal["ledger"])
            self.out["heavy_deal_blockers"] = len(app.screen.deal["blockers"])
            await self.press("escape")
            await _settle(self.pilot)


async def run(db_url: str, spawned_at: float, rounds: int, heavy_code: str, searches: list, filters: dict) -> dict:
    from db.connection import open_database

    open_database(db_url)
    from screens.app import CrmApp

    out: dict = {"actions": {}, "errors": {}}
    app = CrmApp()
    frames = Frames(app)
    frames.expect(lambda: _rows_shown(app.screen.query_one(_deal_list_class())))
    t_start = time.perf_counter()
    async with app.run_test(size=SIZE) as pilot:
        first = await frames.wait(t_start)
        out["launch_to_first_page"] = time.time() - spawned_at - (time.perf_counter() - t_start - first)
        out["app_start_to_first_page"] = first
        await _settle(pilot)
        session = _Run(app, pilot, frames, rounds, out)
        await session.paging()
        await session.searching(searches)
        await session.pasting(heavy_code)
        await session.filtering(filters)
        await session.reloading()
        await session.visiting()
        await session.opening(heavy_code)
        out["frames"] = frames.count
    out["peak_rss_bytes"] = own_peak_bytes()
    return out


def own_peak_bytes() -> int:
    """This process's peak resident memory: VmHWM, its own address space's high-water mark. getrusage's ru_maxrss
    also keeps the mark of the process that started this one (Linux carries it across the exec): `make bench`,
    larger than the TUI by the time its PostgreSQL part runs."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _deal_list_class():
    from screens.deal_list import DealList

    return DealList


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--spawned-at", type=float, required=True)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--heavy-code", required=True)
    parser.add_argument("--searches", required=True, help="JSON list of [kind, text]")
    parser.add_argument("--filters", required=True, help="JSON object {select name: value}")
    args = parser.parse_args(argv)
    result = asyncio.run(
        run(args.db, args.spawned_at, args.rounds, args.heavy_code, json.loads(args.searches), json.loads(args.filters))
    )
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
