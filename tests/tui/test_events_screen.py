"""The Events screen on a ledger of hundreds of events: every event shows at once, its figures pending (…); the
figures of the events on screen come first, the rest after them with a progress bar, and each event's are its
own cohort's."""

from __future__ import annotations

import threading

from textual.widgets import DataTable, ProgressBar

from crm.deals.records import create_deal
from crm.reference.views import event_infos
from crm.reporting import cohorts
from screens import events as events_screen
from screens.app import CrmApp
from tests.many_events import AS_OF
from tests.many_events import many_events as many_events_fixture  # noqa: F401  (the fixture many_events)
from tests.tui_support import LARGE, pin_clock, press, run_async, running, sqlite_only  # noqa: F401


def _figures(table: DataTable, key: str) -> list[str]:
    return [str(cell) for cell in table.get_row(key)[events_screen.FIGURES_FROM :]]


def _shown_rows(table: DataTable) -> list[str]:
    """The keys of the rows that the table's body shows from its top (rows 0, 1, … as long as they fit)."""
    room, shown = table.size.height - table.header_height, []
    for row in table.ordered_rows:
        if room <= 0:
            break
        shown.append(row.key.value)
        room -= row.height
    return shown


async def _until(pilot, done, seconds: float = 20.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if done():
            return
        await pilot.pause(0.02)
    raise AssertionError("the screen never got there")


@run_async
async def test_the_events_on_screen_get_their_figures_first_and_the_rest_follow(many_events, monkeypatch):
    pin_clock(AS_OF)
    reads: list = []
    later = threading.Event()
    read = cohorts.event_kpis

    def held(today, ids=None):  # the reads after the first wait, as a large ledger's do
        reads.append(None if ids is None else list(ids))
        if len(reads) > 1:
            later.wait(30)
        return read(today, ids)

    monkeypatch.setattr(events_screen, "event_kpis", held)
    keys = [str(e.id) for e in event_infos()]
    async with running(CrmApp(), LARGE) as pilot:
        await pilot.press("4")
        screen = pilot.app.screen
        table = screen.query_one(DataTable)
        await _until(pilot, lambda: table.row_count == len(keys) and _figures(table, keys[0])[0] != "…")
        on_screen = _shown_rows(table)
        assert [str(i) for i in reads[0]] == on_screen  # the first read is the rows shown, and only them
        assert all("…" not in _figures(table, key) for key in on_screen)
        assert _figures(table, keys[-1]) == events_screen.PENDING  # the rest wait, the screen already usable
        assert screen.query_one(ProgressBar).display
        later.set()
        await _until(pilot, lambda: not screen.query_one(ProgressBar).display)
        assert all("…" not in _figures(table, key) for key in keys)
        whole = read(screen.today)
        for key in keys[::41]:
            assert _figures(table, key) == events_screen._cells(whole.get(int(key), events_screen.kpi.Kpis())), key
        await press(pilot, "ctrl+end")  # the cursor on the last event: a refresh reads the rows around it first
        assert table.cursor_row == len(keys) - 1
        reads.clear()
        later.clear()
        later.set()
        await press(pilot, "ctrl+r")
        assert keys[-1] in map(str, reads[0]) and keys[0] not in map(str, reads[0])
        assert table.cursor_row == len(keys) - 1


@run_async
async def test_an_event_whose_figures_cannot_be_computed_says_why_in_its_row_and_the_others_show_theirs(demo_ledger):
    pin_clock()
    fair = event_infos()[1]
    create_deal(
        {"name": "日资精密部件项目", "amount": "3亿日元", "signed_on": "2020-05-18", "event": fair.name},
        require_rate=False,
    )
    keys = [str(e.id) for e in event_infos()]
    async with running(CrmApp(), LARGE) as pilot:
        await press(pilot, "4")
        screen = pilot.app.screen
        table = screen.query_one(DataTable)
        await _until(pilot, lambda: not screen.query_one(ProgressBar).display)
        said = _figures(table, str(fair.id))
        assert "JPY" in said[0] and "crm fx set JPY 2020-05-18" in said[0], said
        others = [key for key in keys if key != str(fair.id)]
        assert others and all(_figures(table, key)[0].isdigit() for key in others)
        assert int(_figures(table, keys[0])[0]) > 0
