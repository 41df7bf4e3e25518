"""Launch → first rows, for the app and for a bare Textual app showing the same first page.

    python -m tests.perf.launch crm  --db URL --spawned-at EPOCH
    python -m tests.perf.launch bare --db URL --spawned-at EPOCH

`crm` goes through the real entry point (app.main, argument parsing, opening
the database, CrmApp) with App.run replaced by a headless run that stops at
the first frame showing rows; `bare` is the floor: Textual, the bare driver and
one DataTable of the same 100 rows, nothing else. Each prints one JSON line:
seconds from the process being spawned to that frame, the top-level
packages, the project's modules and every module imported by then (what the test of the first screen's
imports reads).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

SIZE = (140, 40)
FIRST_PAGE_SQL = (
    "SELECT code, name, region, signed_on, amount, currency, stage FROM deal ORDER BY signed_on DESC, id DESC LIMIT 100"
)


async def _until_frame(app, shown) -> tuple[float, list[str]]:
    """Run `app` headless until a frame is painted at which `shown(app)` holds; the time of that frame and the
    modules imported by then."""
    hit: list[float] = []
    loaded: list[str] = []
    original = app._display

    def display(screen, renderable):
        if renderable is not None and not hit:
            try:
                if shown(app):
                    hit.append(time.time())
                    loaded.extend(sys.modules)
            except Exception:  # noqa: BLE001 — widgets not mounted yet: not this frame
                pass
        return original(screen, renderable)

    app._display = display
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(3000):
            if hit:
                break
            await pilot.pause(0.005)
    if not hit:
        raise SystemExit("no rows were painted")
    return hit[0], loaded


def _report(spawned_at: float, painted: tuple[float, list[str]]) -> None:
    at, loaded = painted
    packages = sorted({name.split(".")[0] for name in loaded})
    ours = sorted(name for name in loaded if name.split(".")[0] in ("cli", "screens", "exports", "crm", "db"))
    print(json.dumps({"seconds": at - spawned_at, "packages": packages, "modules": ours, "loaded": sorted(loaded)}))


def crm(argv: list[str], spawned_at: float) -> None:
    import app as entry
    import screens.app

    def headless(self, *args, **kwargs):
        def shown(a) -> bool:
            from screens.deal_list import DealList

            return a.screen.query_one(DealList)._window.get(0) is not None

        _report(spawned_at, asyncio.run(_until_frame(self, shown)))

    screens.app.CrmApp.run = headless
    import cli.main

    cli.main._has_terminal = lambda: True  # the headless run stands in for the terminal
    entry.main(argv)


def bare(url: str, spawned_at: float) -> None:
    from textual.app import App
    from textual.widgets import DataTable

    if url.startswith("postgres"):
        import psycopg2

        con = psycopg2.connect(url)
    else:
        import sqlite3

        con = sqlite3.connect(url.removeprefix("sqlite:///"))

    class Bare(App):
        def compose(self):
            yield DataTable()

        def on_mount(self) -> None:
            cur = con.cursor()
            cur.execute(FIRST_PAGE_SQL)
            table = self.query_one(DataTable)
            table.add_columns(*(d[0] for d in cur.description))
            table.add_rows([[str(v) for v in row] for row in cur.fetchall()])

    _report(spawned_at, asyncio.run(_until_frame(Bare(), lambda a: a.query_one(DataTable).row_count > 0)))


def main(argv: list[str]) -> None:
    which, rest = argv[0], argv[1:]
    at = rest.index("--spawned-at")
    spawned_at = float(rest[at + 1])
    rest = rest[:at] + rest[at + 2 :]
    if which == "crm":
        crm(rest, spawned_at)
    else:
        bare(rest[rest.index("--db") + 1], spawned_at)


if __name__ == "__main__":
    main(sys.argv[1:])
