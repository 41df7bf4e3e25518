"""Launch: the first frame the app paints already shows the first deals, however
slow the database threads are, and what it reads early never stands in for
a different list; what the launch leaves out or puts off (a second parse of the
stylesheets, the quick filters' drop-down lists, a second styling, the garbage
collector) changes nothing on screen and comes back when needed."""

from __future__ import annotations

import asyncio
import gc

import pytest
from rich.style import Style
from textual.app import App

from crm.listing import pages as deal_pages
from screens import deal_list
from screens.app import CrmApp
from screens.deal_list import DealList
from tests.tui_support import TODAY, pin_clock, run_async, settle

SIZE = (140, 40)


def _first_frame_rows(app: CrmApp) -> list[list]:
    """Patch `app` so that the deal list's rows at each frame it paints are recorded."""
    frames: list[list] = []
    original = app._display

    def display(screen, renderable):
        if renderable is not None:
            try:
                shown = app.screen.query_one(DealList)
            except Exception:  # noqa: BLE001 — the list is not mounted yet in this frame
                frames.append([])
            else:
                frames.append([row.code for row in (shown._window.get(i) for i in range(3)) if row is not None])
        return original(screen, renderable)

    app._display = display
    return frames


def _slow_threads(app: CrmApp, seconds: float) -> None:
    """Every call of the app's database threads waits `seconds` first (a busy server, a loaded machine)."""
    run, run_aggregate = app.db.run, app.db.run_aggregate

    async def slow_run(*args, **kwargs):
        await asyncio.sleep(seconds)
        return await run(*args, **kwargs)

    async def slow_aggregate(*args, **kwargs):
        await asyncio.sleep(seconds)
        return await run_aggregate(*args, **kwargs)

    app.db.run, app.db.run_aggregate = slow_run, slow_aggregate


def _newest_codes(n: int) -> list[str]:
    rows = deal_pages.fetch(deal_pages.ListFilter(), deal_pages.Order(), deal_pages.PageRequest("first", 0, n))
    return [row.code for row in rows]


@run_async
async def test_the_first_frame_shows_the_first_deals(demo_ledger):
    pin_clock()
    app = CrmApp(today=TODAY)
    frames = _first_frame_rows(app)
    _slow_threads(app, 1.0)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(100):
            if frames:
                break
            await pilot.pause(0.01)
        assert frames, "a frame was painted"
        assert frames[0] == _newest_codes(3), "the first frame already shows the newest deals"
        await settle(pilot)


@run_async
async def test_the_first_frame_shows_the_page_read_as_the_ledger_opened(demo_ledger, monkeypatch):
    pin_clock()
    flt, order, request, rows = deal_pages.home_page()
    read_early = (flt, order, request, rows[:2])  # two rows: so the frame can only have them from here
    asked = []
    real = deal_pages.fetch

    def fetch(*args, **kwargs):
        asked.append(args[2].kind)
        return real(*args, **kwargs)

    monkeypatch.setattr(deal_pages, "fetch", fetch)
    app = CrmApp(today=TODAY, home_page=lambda: read_early)
    frames = _first_frame_rows(app)
    _slow_threads(app, 1.0)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(100):
            if frames and frames[-1]:
                break
            await pilot.pause(0.01)
        assert [f for f in frames if f][0] == [row.code for row in rows[:2]]
        assert "first" not in asked, "the app did not read the first page again"
        await settle(pilot)


@run_async
async def test_a_failed_early_read_leaves_the_list_to_its_thread(demo_ledger, monkeypatch):
    pin_clock()
    real = deal_pages.fetch
    calls = []

    def fails_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the server went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(deal_pages, "fetch", fails_once)
    app = CrmApp(today=TODAY)
    assert app.take_first_page() is None, "nothing read early"
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = app.screen.query_one(DealList)
        assert [shown._window.get(i).code for i in range(3)] == _newest_codes(3)
        assert len(calls) >= 2, "the list asked its thread"


@run_async
async def test_the_early_page_is_only_taken_once(demo_ledger, monkeypatch):
    app = CrmApp(today=TODAY)
    first = app.take_first_page()
    assert first is not None and first.rows
    assert app.take_first_page() is None
    other = deal_pages.ListFilter(stage="signed")
    assert not first.answers(other, first.order, first.request), "another filter is fetched, not taken"
    assert not first.answers(first.filter, first.order.reversed(), first.request), "so is another order"
    later = deal_pages.PageRequest("after", 100, 100, first.rows[-1].key)
    assert not first.answers(first.filter, first.order, later), "and another page"
    assert deal_list.read_first_page() is not None


@run_async
async def test_each_stylesheet_source_is_parsed_once_and_again_for_a_new_theme(demo_ledger, monkeypatch):
    from textual.css import stylesheet

    parsed: list = []
    real = stylesheet.parse

    def counted(scope, css, read_from, **kwargs):
        parsed.append((read_from, scope, kwargs.get("tie_breaker")))  # a base class's CSS is parsed per tie-breaker
        return real(scope, css, read_from, **kwargs)

    monkeypatch.setattr(stylesheet, "parse", counted)
    app = CrmApp(today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        once = [source for source in set(parsed) if parsed.count(source) > 1]
        assert not once, f"parsed more than once: {once}"
        status = app.screen.query_one("#deal-status")
        before = status.styles.background
        parsed.clear()
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await settle(pilot)
        assert parsed, "a new theme parses the sources again, with its colours"
        assert status.styles.background != before


def _cells(strip) -> list[tuple[str, object]]:
    """What a strip shows: each character with its colours and attributes (not the mouse's offsets, not links;
    a blank shows its background only)."""
    cells = []
    for segment in strip:
        style = segment.style.clear_meta_and_links()
        for char in segment.text:
            blank = char == " " and not (style.underline or style.strike or style.reverse or style.overline)
            cells.append((char, Style(bgcolor=style.bgcolor) if blank else style))
    return cells


@run_async
async def test_the_quick_filters_look_the_same_before_their_choices_are_built(demo_ledger):
    from textual.widgets import Select
    from textual.widgets._select import SelectOverlay

    app = CrmApp(today=TODAY)

    def take():
        bar = app.screen.query_one("#filter-bar")
        return app.screen._compositor.render_strips()[bar.region.y], len(app.screen.query(SelectOverlay))

    first = _on_first_frame(app, "#filter-bar", take)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        bar = app.screen.query_one("#filter-bar")
        strip, lists = first[0]
        assert lists == 0, "no drop-down list was built before the first frame"
        assert len(app.screen.query(SelectOverlay)) == 5, "each quick filter has its list once the rows are in"
        settled = app.screen._compositor.render_strips()[bar.region.y]
        assert strip.text == settled.text and "阶段" in strip.text and "▼" in strip.text
        x = app.screen.query_one("#filter-stage").region.x  # the search box before it: focused in the first frame
        assert _cells(strip.crop(x)) == _cells(settled.crop(x)), "the same cells in the same colours"
        stage = app.screen.query_one("#filter-stage", Select)
        stage.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert stage.expanded and app.screen.query_one("#filter-stage SelectOverlay").display
        await pilot.press("down", "enter")
        await settle(pilot)
        from crm.deals.stages import BY_KEY

        assert stage.value in BY_KEY, "a stage was chosen from the list"
        assert BY_KEY[stage.value].label() in str(app.screen.query_one("#deal-status").render()), "and filters"


@run_async
async def test_the_title_bar_looks_the_same_before_its_parts_are_mounted(demo_ledger):
    from textual.widgets._header import HeaderIcon, HeaderTitle

    app = CrmApp(today=TODAY)
    first = _on_first_frame(
        app, "#deal-list", lambda: (app.screen._compositor.render_strips()[0], len(app.screen.query(HeaderTitle)))
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        strip, titles = first[0]
        assert titles == 0, "the title bar was one widget in the first frame"
        settled = app.screen._compositor.render_strips()[0]
        assert "招商台账" in strip.text and "⭘" in strip.text
        assert _cells(strip) == _cells(settled), "the same cells in the same colours"
        app.screen.sub_title = "变了"
        await settle(pilot)
        assert "变了" in app.screen._compositor.render_strips()[0].text, "the title follows the screen's"
        await pilot.click(HeaderIcon)
        await settle(pilot)
        assert app.screen.query("CommandInput"), "the icon opens the command palette"


@run_async
async def test_a_view_applied_before_the_quick_filters_are_mounted_shows_in_them(demo_ledger):
    from textual.widgets import Select

    from crm.deals.stages import STAGES

    stage = STAGES[1].key
    app = CrmApp(today=TODAY)
    original = app._display
    applied: list = []

    def display(screen, renderable):
        if renderable is not None and not applied and app.screen.query("#deal-list"):
            applied.append(not app.screen.query("#filter-stage"))
            app.screen.apply_view(deal_pages.ListFilter(stage=stage), deal_pages.Order())
        return original(screen, renderable)

    app._display = display
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert applied == [True], "the view came before the quick filters"
        assert app.screen.query_one("#filter-stage", Select).value == stage
        shown = app.screen.query_one(DealList)
        expected = deal_pages.fetch(
            deal_pages.ListFilter(stage=stage), deal_pages.Order(), deal_pages.PageRequest("first", 0, 3)
        )
        assert [shown._window.get(i).code for i in range(len(expected))] == [row.code for row in expected]


@run_async
async def test_quitting_as_the_first_frame_is_painted_leaves_no_error(demo_ledger):
    # As the launch harness does: the app closes as soon as the first rows are painted, while the parts put in
    # after that frame (the quick filters, the title bar's) find the screen going.
    app = CrmApp(today=TODAY)
    frames = _first_frame_rows(app)
    async with app.run_test(size=SIZE) as pilot:
        while not any(frames):
            await pilot.pause(0.005)
    assert app._exception is None and app.return_code in (0, None)


@run_async
async def test_a_quick_filter_set_before_its_choices_are_built():
    from textual.widgets import Select
    from textual.widgets._select import SelectOverlay

    from screens.quick_filter import QuickFilter

    class One(App):
        def compose(self):
            yield QuickFilter([("甲", "a"), ("乙", "b")], id="q", prompt="选")

        def on_mount(self) -> None:
            select = self.query_one("#q", Select)
            assert not self.query(SelectOverlay), "built after the first frame"
            select.value = "b"  # before the first frame: builds what it needs at once

    async with One().run_test() as pilot:
        await pilot.pause()
        select = pilot.app.query_one("#q", Select)
        assert select.value == "b" and select.query_one(SelectOverlay).highlighted == 2
        assert "乙" in str(select.query_one("#label").render())


@run_async
async def test_a_quick_filter_going_away_builds_no_list():
    # Its choices are built after the first frame; an app closing then (its widgets being removed) mounts nothing.
    from screens.quick_filter import QuickFilter

    class One(App):
        def compose(self):
            yield QuickFilter([("甲", "a")], id="q", prompt="选")

    async with One().run_test() as pilot:
        select = pilot.app.query_one("#q", QuickFilter)
        removed = select.remove()
        from textual._context import active_message_pump

        token = active_message_pump.set(select)  # as when it runs its own after-frame callback
        try:
            select.build_choices()  # raised NoMatches (no drop-down list to fill) before
        finally:
            active_message_pump.reset(token)
        await removed
        assert not pilot.app.query("#q")


@run_async
async def test_the_first_showing_is_styled_as_a_full_restyle_would_style_it(demo_ledger):
    # The deal list's first showing skips Textual's restyle of every widget: their styles as mounted must be final.
    app = CrmApp(today=TODAY)
    seen: list = []
    original = app._display

    def styles() -> dict:
        return {
            (type(w).__name__, id(w)): (str(w.rich_style), w.styles.css)
            for w in app.screen.walk_children(with_self=True)
        }

    def display(screen, renderable):
        if renderable is not None and not seen and app.screen.query("#deal-list"):
            seen.append(styles())
            app.screen.update_node_styles(animate=False)
            seen.append(styles())
        return original(screen, renderable)

    app._display = display
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
    as_mounted, restyled = seen
    assert (
        len(as_mounted) >= 9
    )  # the screen, title bar, filter bar, search box, quick filters' line, list header, list, status, footer
    assert as_mounted == restyled


@run_async
async def test_the_filter_choices_arriving_as_the_app_closes_are_dropped(demo_ledger):
    app = CrmApp(today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        real = app.db.run_aggregate

        async def closing(fn, *args, **kwargs):
            await screen.query_one("#filter-bar").remove()  # as the app's closing removes the screen's widgets
            return await real(fn, *args, **kwargs)

        app.db.run_aggregate = closing
        await screen._fill_filters()  # the choices arrive after the quick filters went: nothing to fill, no error


@run_async
async def test_the_collector_is_back_on_once_the_first_frame_is_painted(demo_ledger):
    gc.disable()  # as run_tui leaves it while the app starts
    try:
        app = CrmApp(today=TODAY)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert gc.isenabled()
    finally:
        gc.enable()


def test_the_collector_is_back_on_when_the_app_cannot_start(tmp_path):
    import app as entry
    from crm.foundation.errors import DatabaseError

    with pytest.raises(DatabaseError):
        entry.run_tui(str(tmp_path / "no such folder" / "ledger.sqlite3"))
    assert gc.isenabled()


def test_a_launch_on_either_backend_imports_no_playhouse_module(demo_url):
    # playhouse.db_url imports every backend's extension module: a PostgreSQL URL is read by the driver (libpq).
    import json
    import os
    import subprocess
    import sys
    import time
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    launched = subprocess.run(
        [sys.executable, "-m", "tests.perf.launch", "crm", "--db", demo_url, "--spawned-at", repr(time.time())],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root), "CRM_USER": "test"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert launched.returncode == 0, launched.stderr
    loaded = json.loads(launched.stdout.strip().splitlines()[-1])["loaded"]
    assert "screens.deal_list" in loaded, "the first rows were painted"
    assert not [name for name in loaded if name.split(".")[0] == "playhouse"]
    assert ("psycopg2" in loaded) == demo_url.startswith("postgres")


def _on_first_frame(app, ready: str, take) -> list:
    """A list that gets what `take()` gives at the first frame painted once `ready` (a selector) is on screen."""
    first: list = []
    original = app._display

    def display(screen, renderable):
        if renderable is not None and not first and app.screen.query(ready):
            first.append(take())
        return original(screen, renderable)

    app._display = display
    return first
