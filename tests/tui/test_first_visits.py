"""First visits: the Dashboard shows its figures without waiting for the list
of cohorts to choose from, and that list (the signing years) is read from the
kept totals and still follows the deals."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from textual.widgets import Select

from crm.deals import records as deals
from crm.listing.pages import ListFilter
from crm.reporting import kpi
from crm.reporting.cohorts import signing_years
from db.models import Deal
from screens import dashboard
from screens.app import CrmApp
from tests.tui_support import TODAY, pin_clock, run_async, settle


def _years_of_the_deals() -> list[int]:
    years = {d.signed_on.year for d in Deal.select(Deal.signed_on) if d.signed_on is not None}
    return list(range(max(years), min(years) - 1, -1)) if years else []


def test_signing_years_follow_the_deals(demo_ledger):
    assert signing_years() == _years_of_the_deals() == [2020, 2019]
    code = deals.create_deal(
        {"name": "早年签约的测试项目", "amount": "1亿元", "region": "涿州市", "signed_on": "2011-03-02"}, actor="test"
    ).code
    assert signing_years() == _years_of_the_deals() == list(range(2020, 2010, -1))
    deals.edit_deal(code, {"signed_on": "2016-03-02"}, actor="test")
    assert signing_years() == _years_of_the_deals() == list(range(2020, 2015, -1))


def test_no_signed_deal_no_years(ledger):
    assert signing_years() == []


def _tile(app) -> str:
    return str(app.screen.query_one("#tile-deals").render())


def _figures_in(app) -> bool:
    """The Dashboard shows its figures (until then its tiles say they are being computed)."""
    return bool(str(app.screen.query_one("#dashboard-rates").render()).strip())


@run_async
async def test_dashboard_figures_do_not_wait_for_the_cohort_choices(demo_ledger, monkeypatch):
    pin_clock()
    real = dashboard._choices
    release = threading.Event()

    def slow_choices():
        release.wait(20)  # the list of cohorts takes long to read
        return real()

    monkeypatch.setattr(dashboard, "_choices", slow_choices)
    async with CrmApp(today=TODAY).run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        pilot.app.dashboard_cohort = "year:2020"  # as the Events screen leaves it
        await pilot.press("5")
        for _ in range(200):
            await pilot.pause(0.02)
            if isinstance(pilot.app.screen, dashboard.DashboardScreen) and _figures_in(pilot.app):
                break
        expected = kpi.compute(ListFilter(year=2020), TODAY)
        assert str(expected.deals) in _tile(pilot.app), "the chosen cohort's figures are shown before the choices"
        assert not release.is_set()
        release.set()
        await settle(pilot)
        select = pilot.app.screen.query_one("#cohort", Select)
        assert select.value == "year:2020", "the cohort shown is the one chosen once the choices are in"
        assert str(expected.deals) in _tile(pilot.app)
        await asyncio.sleep(0)


def _board_heads(app) -> list[str]:
    return [str(h.render()) for h in app.screen.query(".stage-head")]


@run_async
async def test_board_figures_do_not_wait_for_the_cards_lights(demo_ledger, monkeypatch):
    from screens import board

    pin_clock()
    real = board.card_lights
    release = threading.Event()

    def slow_lights(codes, day):
        release.wait(20)  # the lights of the cards take long to compute
        return real(codes, day)

    monkeypatch.setattr(board, "card_lights", slow_lights)
    async with CrmApp(today=TODAY).run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        for _ in range(200):
            await pilot.pause(0.02)
            if isinstance(pilot.app.screen, board.BoardScreen) and all(_board_heads(pilot.app)):
                break
        assert all(_board_heads(pilot.app)), "the stage totals are shown before the lights"
        assert not any(c.lights for c in pilot.app.screen.query(board.CardColumn))
        assert not release.is_set()
        release.set()
        await settle(pilot)
        assert any(c.lights for c in pilot.app.screen.query(board.CardColumn)), "then the cards get their lights"


@run_async
async def test_dashboard_figures_do_not_wait_for_the_lights_or_the_chart(demo_ledger, monkeypatch):
    pin_clock()
    real = dashboard.cohort_lights
    release = threading.Event()

    def slow_lights(*args):
        release.wait(20)
        return real(*args)

    monkeypatch.setattr(dashboard, "cohort_lights", slow_lights)
    async with CrmApp(today=TODAY).run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("5")
        for _ in range(200):
            await pilot.pause(0.02)
            if isinstance(pilot.app.screen, dashboard.DashboardScreen) and _figures_in(pilot.app):
                break
        assert "33" in _tile(pilot.app), "the figures are shown while the lights are still being counted"
        assert not pilot.app.screen.query("#plot-counts")
        release.set()
        await settle(pilot)
        assert pilot.app.screen.query("#plot-counts"), "then the lights and the monthly chart"
        assert "红灯" in str(pilot.app.screen.query_one("#dashboard-lights").render())


@pytest.mark.parametrize("first_visit", ["key", "events screen"])
@run_async
async def test_a_first_visit_builds_the_screen_while_its_figures_are_read(demo_ledger, monkeypatch, first_visit):
    """The Dashboard's first visit is built while its figures are read (a new screen has no older figures to show);
    a later visit waits for them before it switches, so that its first frame shows the new figures, whether the
    first visit came from its key or from the Events screen (which switches to it itself)."""
    from screens import app as app_module

    pin_clock()
    monkeypatch.setattr(app_module, "PREFETCH_WAIT", 10.0)  # the wait of a later visit ends with the figures alone
    real, compose = dashboard._dashboard, dashboard.DashboardScreen.compose
    built = threading.Event()
    reads: list[tuple[bool, str]] = []

    def composing(self):
        built.set()
        yield from compose(self)

    async with CrmApp(today=TODAY).run_test(size=(140, 40)) as pilot:

        def reading(*args):
            first = built.wait(5)
            time.sleep(0.2)  # time for a switch that does not wait for these figures to happen meanwhile
            # (was the screen built while these figures were read, the mode shown once they were)
            reads.append((first, pilot.app.current_mode))
            return real(*args)

        monkeypatch.setattr(dashboard.DashboardScreen, "compose", composing)
        monkeypatch.setattr(dashboard, "_dashboard", reading)
        await settle(pilot)
        expected = str(kpi.compute(ListFilter(), TODAY).deals)
        if first_visit == "key":
            await pilot.press("5")
        else:
            pilot.app.switch_mode("dashboard")  # as screens/events.py shows an event's deals on the Dashboard
        await settle(pilot)
        assert expected in _tile(pilot.app)
        await pilot.press("1")
        await settle(pilot)
        first_reads, reads[:] = list(reads), []
        await pilot.press("5")
        await settle(pilot)
        assert expected in _tile(pilot.app)
        assert reads and reads[-1][1] != "dashboard", "a later visit switched once its figures were in"
    if first_visit == "key":
        assert first_reads[0][0], "the first visit's screen was built while its figures were read"


@run_async
async def test_the_board_built_ahead_shows_its_figures_in_its_first_frame(demo_ledger, monkeypatch):
    """A Board visited after the app was idle a moment was built meanwhile: its first frame shows every stage's
    count and total (no empty board drawn first), and its figures are read once for the visit."""
    from textual.screen import Screen

    from crm.listing import groups
    from screens import board

    pin_clock()
    reads: list[int] = []
    real_board = groups.board
    monkeypatch.setattr(groups, "board", lambda *args: reads.append(1) or real_board(*args))
    first_frames: list[list[str]] = []
    refresh = Screen._compositor_refresh

    def drawn(screen) -> None:
        refresh(screen)
        heads = list(screen.query(".stage-head")) if isinstance(screen, board.BoardScreen) else []
        if heads and all(head.region.width for head in heads) and not first_frames:  # laid out and drawn
            first_frames.append(_board_heads(screen.app))

    monkeypatch.setattr(Screen, "_compositor_refresh", drawn)
    async with CrmApp(today=TODAY).run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        for _ in range(300):  # the warm-up's imports, then a moment idle, then the Board mounted
            if "board" in pilot.app._built_ahead and "board" in pilot.app.built_modes:
                break
            await pilot.pause(0.02)
        built = pilot.app._built_ahead.get("board")
        assert built is not None, "the Board was built while the app was idle"
        await pilot.press("2")
        await settle(pilot)
        assert pilot.app.screen is built
        expected = kpi.compute(ListFilter(), TODAY)
        assert first_frames and all(first_frames[0]), "the visit's first frame shows every stage's figures"
        assert sum(int(head.split()[1]) for head in first_frames[0]) == expected.deals
        assert reads == [1], "the figures are read once for the visit"


@run_async
async def test_nothing_is_built_ahead_while_the_officer_types(demo_ledger, monkeypatch):
    """The Board and the Dashboard are built ahead only once no key came for a moment: a search typed right after
    the list appeared never waits for a screen being built."""
    from screens import app as app_module

    pin_clock()
    monkeypatch.setattr(app_module, "BUILD_AHEAD_IDLE", 0.3)
    async with CrmApp(today=TODAY).run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        for char in "涿州市涿州市涿州市涿州市":  # a key every 0.1 s for 1.2 s, the warm-up's imports done meanwhile
            await pilot.press(char)
            await pilot.pause(0.1)
            assert not pilot.app._built_ahead, "nothing built while keys come"
        for _ in range(100):
            if len(pilot.app._built_ahead) == 2:
                break
            await pilot.pause(0.05)
        assert set(pilot.app._built_ahead) == {"board", "dashboard"}, "both built once the keys stopped"
