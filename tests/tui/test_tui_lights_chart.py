"""Lights (issue #13) on the Board's cards and counted on the Dashboard; the Dashboard's monthly chart."""

from __future__ import annotations

import collections
import datetime

from crm.deals import investment
from crm.listing.pages import ListFilter
from crm.reporting import lights
from db.models import Deal
from screens.board import BoardScreen
from screens.card_column import STRIPE, CardColumn
from screens.dashboard import DashboardScreen, month_series
from tests.tui_support import (
    TODAY,
    pin_clock,
    run_async,
    settle,
    sqlite_only,  # noqa: F401 — keys, dialogs and layout: SQLite alone
)


def _card_text(column: CardColumn, index: int) -> list[str]:
    """The three lines of card `index` as drawn (the column scrolled to it)."""
    column.scroll_to_region_of(index)
    top = int(column.scroll_offset.y)
    return ["".join(s.text for s in column.render_line(index * 4 + part - top)) for part in (1, 2, 3)]


@run_async
async def test_board_cards_show_the_deals_lights(demo_ledger):
    pin_clock()
    from screens.app import CrmApp

    async with CrmApp(today=TODAY).run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert isinstance(pilot.app.screen, BoardScreen)
        columns = list(pilot.app.screen.query(CardColumn))
        codes = [row.code for column in columns for row in column.rows]
        expected = {c: d.light for c, d in lights.deal_lights(codes, TODAY).items() if d.light != lights.GREEN}
        assert expected, "the demo has deals whose planned start passed without 开工"
        marked = 0
        for column in columns:
            for index, row in enumerate(column.rows):
                lines = _card_text(column, index)
                light = expected.get(row.code)
                if light is None:
                    assert not lines[0].startswith(STRIPE) and "●" not in lines[2], row.code
                    continue
                marked += 1
                assert all(line.startswith(STRIPE) for line in lines), (row.code, lines)
                assert ("● 红" if light == lights.RED else "● 黄") in lines[2], (row.code, lines)
        assert marked == len(expected)
        status = str(pilot.app.screen.query_one("#board-status").render())
        red = sum(1 for light in expected.values() if light == lights.RED)
        assert f"红灯 {red} 个" in status


@run_async
async def test_board_lights_follow_a_plan_and_investment(demo_ledger):
    """A deal on plan turns green once the investment completed keeps up with the 序时进度."""
    pin_clock()
    from screens.app import CrmApp

    code = "ZS2019-0003"
    Deal.update(planned_start=None).where(Deal.code == code).execute()
    investment.set_plan(code, TODAY.year, "10亿元")
    async with CrmApp(today=TODAY).run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        column = next(c for c in pilot.app.screen.query(CardColumn) if any(r.code == code for r in c.rows))
        assert column.lights.get(code) == lights.RED, "nothing completed by June: 50 points behind"
        investment.record_invest(code, "5亿元", datetime.date(TODAY.year, 5, 1))
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        column = next(c for c in pilot.app.screen.query(CardColumn) if any(r.code == code for r in c.rows))
        assert code not in column.lights, "half the plan by June is on schedule"


@run_async
async def test_dashboard_counts_the_lights_and_charts_the_months(demo_ledger):
    pin_clock()
    from screens.app import CrmApp

    counts = lights.counts(ListFilter(), TODAY)[None]
    async with CrmApp(today=TODAY).run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        assert isinstance(pilot.app.screen, DashboardScreen)
        line = str(pilot.app.screen.query_one("#dashboard-lights").render())
        assert f"黄灯 {counts.yellow} 个" in line and f"红灯 {counts.red} 个" in line, line
        assert counts.red > 0
        assert pilot.app.screen.query("#plot-counts") and pilot.app.screen.query("#plot-invest")
        assert "2026 年逐月" in str(pilot.app.screen.query_one("#month-legend").render())

        pilot.app.screen.query_one("#cohort").value = "year:2020"
        await settle(pilot)
        assert "2020 年逐月" in str(pilot.app.screen.query_one("#month-legend").render())
        counts_2020 = lights.counts(ListFilter(year=2020), TODAY)[None]
        line = str(pilot.app.screen.query_one("#dashboard-lights").render())
        assert f"红灯 {counts_2020.red} 个" in line


def test_month_series_counts_signings_starts_and_investment(demo_ledger):
    signed = collections.Counter(
        d.signed_on.month for d in Deal.select(Deal.signed_on) if d.signed_on and d.signed_on.year == 2020
    )
    # completed investment counts from the deal's signing: the year's first deal, signed by May
    code = Deal.select(Deal.code).where(Deal.signed_on.year == 2020).order_by(Deal.signed_on).first().code
    investment.record_invest(code, "3亿元", datetime.date(2020, 5, 1))
    investment.record_invest(code, "1亿元", datetime.date(2020, 7, 1))
    months = month_series("year:2020", TODAY)
    assert months.year == 2020 and months.months == list(range(1, 13))
    assert months.signings == [signed.get(m, 0) for m in range(1, 13)]
    assert months.invest_yi == [3.0 if m == 5 else 1.0 if m == 7 else 0.0 for m in range(1, 13)]
    assert sum(months.starts) >= 0
    this_year = month_series("all", datetime.date(2026, 6, 30))
    assert this_year.year == 2026 and this_year.months == [1, 2, 3, 4, 5, 6], "up to this month only"


@run_async
async def test_the_dashboards_figures_keep_their_width_when_the_lights_and_the_monthly_chart_come(
    demo_ledger, monkeypatch
):
    """The lights and the monthly chart mount after the first figures and make the page scroll: the scrollbar's
    room is kept from the start, so no tile or bar chart already on screen narrows by a column as they come."""
    pin_clock()
    from screens.app import CrmApp

    monkeypatch.setattr(DashboardScreen, "_ask_the_rest", lambda self: None)  # the figures alone, for now
    async with CrmApp(today=TODAY).run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, DashboardScreen)
        shown = ("#tile-deals", "#tile-resolution", "#chart-stage", "#chart-region")
        before = {name: screen.query_one(name).size.width for name in shown}
        assert not screen.query_one("#dashboard").show_vertical_scrollbar  # everything fits until they come
        await screen._mount_extras()
        await settle(pilot)
        assert screen.query_one("#dashboard").show_vertical_scrollbar
        assert {name: screen.query_one(name).size.width for name in shown} == before
