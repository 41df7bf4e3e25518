"""The TUI with its PostgreSQL server stopped and started again (issue 14): a banner, retries, the
screen reloaded when the server answers, and never an exit. A server of the test's own is stopped."""

from __future__ import annotations

import asyncio

import pytest

from screens.app import CrmApp
from screens.connection import ConnectionBanner
from screens.deal_list import DealList
from tests.system.test_faults import _pg_ctl, own_cluster  # noqa: F401 — the fixture
from tests.tui_support import TODAY, pin_clock, press, run_async, running, settle

SIZE = (140, 40)


@pytest.fixture
def served(own_cluster):  # noqa: F811 — the fixture imported above
    """The demo ledger on a PostgreSQL server this test may stop; the cluster."""
    from crm.samples.demo import load_demo
    from db.connection import open_database
    from db.models import database

    db = open_database(own_cluster.url, create=True)
    load_demo()
    pin_clock()
    yield own_cluster
    if not db.is_closed():
        db.close()
    database.initialize(None)


def banners(app) -> list[str]:
    return [str(b.render()) for b in app.screen.query(ConnectionBanner)]


async def wait_until(condition, seconds: float = 30.0) -> bool:
    """Poll `condition` while the app runs (Pilot's own waits would wait for the retrying worker to end)."""
    for _ in range(int(seconds * 10)):
        if condition():
            return True
        await asyncio.sleep(0.1)
    return condition()


@run_async
async def test_a_stopped_server_is_a_banner_and_the_screen_comes_back_with_it(served):
    app = CrmApp(today=TODAY, lang="en")
    app.pauses = (0.2, 0.5)
    async with running(app, SIZE) as pilot:
        assert pilot.app.screen.query_one(DealList).row_count == 33

        _pg_ctl(served, "stop")
        pilot.app.set_timer(0.01, lambda: pilot.app.run_action("show_screen('dashboard')"))  # key 5: needs the server
        assert await wait_until(lambda: type(pilot.app.screen).__name__ == "DashboardScreen" and banners(pilot.app))
        assert "cannot be reached" in banners(pilot.app)[0]
        await asyncio.sleep(1.5)  # several failed tries: still running, still one banner
        assert pilot.app.is_running and len(banners(pilot.app)) == 1 and pilot.app.connection_down

        _pg_ctl(served, "start")
        assert await wait_until(lambda: not pilot.app.connection_down and not banners(pilot.app))
        await settle(pilot)
        assert pilot.app.is_running
        assert "33" in " ".join(str(s.render()) for s in pilot.app.screen.query("Static"))  # reloaded figures
        await press(pilot, "1")
        assert pilot.app.screen.query_one(DealList).row_count == 33 and not banners(pilot.app)
    assert app.return_code in (None, 0)
