"""The Dashboard on a later visit: what changed in the ledger meanwhile (a stage moved, completed investment
recorded) is in the lights and the monthly chart as in the tiles, without ctrl+r; a visit with nothing changed
counts them no second time. While its first figures are still being read (a slow or frozen server) the tiles say
so and the keys work: ?, switching screens, q."""

from __future__ import annotations

import datetime
import threading

from crm.deals import investment
from crm.deals.stages import change_stage
from crm.listing.pages import ListFilter
from crm.reporting import kpi, lights
from db.models import Deal
from screens import charts, dashboard
from screens.app import CrmApp
from tests.system.test_faults import own_cluster  # noqa: F401 — the fixture
from tests.tui.test_tui_connection import served, wait_until  # noqa: F401 — the fixture
from tests.tui.test_tui_frozen_server import screen_name, until_the_app_ended
from tests.tui.test_tui_walk_keys_dialogs import _red_deal_to_start
from tests.tui_support import LARGE, TODAY, pin_clock, press, run_async, running

COMPUTING = "计算中…"


def _lights_line(app) -> str:
    return str(app.screen.query_one("#dashboard-lights").render())


def _shows(line: str, counts: lights.LightCounts) -> bool:
    return f"黄灯 {counts.yellow} 个" in line and f"红灯 {counts.red} 个" in line and f"绿灯 {counts.green} 个" in line


def _charted(monkeypatch) -> list[charts.MonthSeries]:
    """The monthly series the Dashboard draws, each as it is drawn."""
    drawn: list[charts.MonthSeries] = []
    month_plots = charts.month_plots
    monkeypatch.setattr(charts, "month_plots", lambda series: drawn.append(series) or month_plots(series))
    return drawn


async def _revisit(pilot) -> None:
    """Leave the Dashboard for the deal list and come back with its key."""
    await press(pilot, "1")
    await press(pilot, "5")
    assert isinstance(pilot.app.screen, dashboard.DashboardScreen)


@run_async
async def test_a_stage_moved_meanwhile_is_in_the_lights_and_the_chart_of_the_next_visit(demo_ledger, monkeypatch):
    pin_clock()
    code = _red_deal_to_start()
    drawn = _charted(monkeypatch)
    before = lights.counts(ListFilter(), TODAY)[None]
    async with running(CrmApp(today=TODAY), LARGE) as pilot:
        await press(pilot, "5")
        assert _shows(_lights_line(pilot.app), before)
        started_in_june = drawn[-1].starts[5]

        await press(pilot, "1")
        change_stage(code, "construction", on=TODAY.replace(day=15), actor="test")
        await press(pilot, "5")
        after = lights.counts(ListFilter(), TODAY)[None]
        assert (after.red, after.green) == (before.red - 1, before.green + 1)
        assert _shows(_lights_line(pilot.app), after), _lights_line(pilot.app)
        assert drawn[-1].starts[5] == started_in_june + 1, "the monthly chart counts the new start"
        assert drawn[-1] == dashboard.month_series("all", TODAY)


@run_async
async def test_completed_investment_recorded_meanwhile_is_in_the_lights_and_the_chart(demo_ledger, monkeypatch):
    """Recording completed investment leaves every tile as it was: the lights and the chart follow it all the same."""
    pin_clock()
    code = "ZS2019-0003"
    Deal.update(planned_start=None).where(Deal.code == code).execute()
    investment.set_plan(code, TODAY.year, "10亿元", actor="test")  # nothing completed by June: red
    drawn = _charted(monkeypatch)
    async with running(CrmApp(today=TODAY), LARGE) as pilot:
        await press(pilot, "5")
        before = lights.counts(ListFilter(), TODAY)[None]
        assert _shows(_lights_line(pilot.app), before)
        tiles = [str(t.render()) for t in pilot.app.screen.query(".tile")]
        in_may = drawn[-1].invest_yi[4]

        await press(pilot, "1")
        investment.record_invest(code, "5亿元", datetime.date(TODAY.year, 5, 1), actor="test")
        await press(pilot, "5")
        assert [str(t.render()) for t in pilot.app.screen.query(".tile")] == tiles, "no tile counts investment"
        after = lights.counts(ListFilter(), TODAY)[None]
        assert (after.red, after.green) == (before.red - 1, before.green + 1), "half the plan by June is on time"
        assert _shows(_lights_line(pilot.app), after), _lights_line(pilot.app)
        assert drawn[-1].invest_yi[4] == in_may + 5.0


@run_async
async def test_a_visit_with_nothing_changed_counts_the_lights_and_the_chart_no_second_time(demo_ledger, monkeypatch):
    pin_clock()
    counted: list[str] = []
    for name in ("cohort_lights", "month_series"):
        real = getattr(dashboard, name)
        monkeypatch.setattr(dashboard, name, lambda *a, real=real, name=name: counted.append(name) or real(*a))
    async with running(CrmApp(today=TODAY), LARGE) as pilot:
        await press(pilot, "5")
        shown = _lights_line(pilot.app)
        assert counted == ["cohort_lights", "month_series"] and "红灯" in shown
        await _revisit(pilot)
        await _revisit(pilot)
        assert counted == ["cohort_lights", "month_series"], "nothing changed: nothing counted again"
        assert _lights_line(pilot.app) == shown and pilot.app.screen.query("#plot-counts")

        investment.set_plan("ZS2019-0003", TODAY.year, "10亿元", actor="test")
        await _revisit(pilot)
        assert counted[2:] == ["cohort_lights", "month_series"], "a change: counted again"


def _tile(app) -> str:
    return str(app.screen.query_one("#tile-deals").render())


@run_async
async def test_keys_work_while_the_first_figures_are_held_and_the_tiles_say_they_are_being_computed(
    demo_ledger, monkeypatch
):
    pin_clock()
    release = threading.Event()
    real = dashboard._dashboard

    def held(*args):
        release.wait(30)  # a server that does not answer yet
        return real(*args)

    monkeypatch.setattr(dashboard, "_dashboard", held)
    try:
        async with running(CrmApp(today=TODAY), LARGE) as pilot:
            await pilot.press("5")
            assert await wait_until(lambda: screen_name(pilot) == "DashboardScreen", 10)
            assert "签约项目" in _tile(pilot.app) and COMPUTING in _tile(pilot.app)
            await pilot.press("question_mark")
            assert await wait_until(lambda: bool(pilot.app.screen.query("HelpPanel")), 10), "? shows the keys"
            await pilot.press("question_mark")
            await pilot.press("1")
            assert await wait_until(lambda: screen_name(pilot) == "DealsScreen", 10)
            await pilot.press("5")
            assert await wait_until(lambda: screen_name(pilot) == "DashboardScreen", 10)
            assert not release.is_set() and COMPUTING in _tile(pilot.app)

            release.set()
            expected = kpi.compute(ListFilter(), TODAY)
            assert await wait_until(
                lambda: f"[b]{expected.deals}[/]" in str(pilot.app.screen.query_one("#tile-deals").content), 10
            )
            assert COMPUTING not in _tile(pilot.app)
    finally:
        release.set()


@run_async
async def test_q_quits_while_the_first_figures_are_held(demo_ledger, monkeypatch):
    release = threading.Event()
    monkeypatch.setattr(dashboard, "_dashboard", lambda *args: release.wait(30))
    app = CrmApp(today=TODAY)
    try:
        async with running(app, LARGE) as pilot:
            await pilot.press("5")
            assert await wait_until(lambda: screen_name(pilot) == "DashboardScreen", 10)
            await pilot.press("q")
        assert app.return_code == 0 and not release.is_set(), "quit while the read was held"
    finally:
        release.set()


@run_async
async def test_on_a_frozen_server_the_dashboard_says_it_computes_and_takes_keys(served):  # noqa: F811
    app = CrmApp(today=TODAY, lang="en")
    with until_the_app_ended(served, "the keys") as freeze:
        async with running(app, LARGE) as pilot:
            freeze.start()
            await pilot.press("5")
            assert await wait_until(lambda: screen_name(pilot) == "DashboardScreen", 10)
            assert "Computing…" in _tile(pilot.app)
            await pilot.press("1")
            assert await wait_until(lambda: screen_name(pilot) == "DealsScreen", 10)
            await pilot.press("5")
            assert await wait_until(lambda: screen_name(pilot) == "DashboardScreen", 10)
            await pilot.press("q")
    assert app.return_code == 0
