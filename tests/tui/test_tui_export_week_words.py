"""The export dialog reads its week as `crm export weekly --week` does: 本周 / 上周 are the week of the app's today
and the one before it (TODAY, 2026-06-30, is in 2026-W27)."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Select, Static

from screens.app import CrmApp
from tests.tui_support import TODAY, pin_clock, press, run_async, running, settle


@pytest.fixture
def backend():
    return "sqlite"


@pytest.mark.parametrize("words, key", [("本周", "2026-W27"), ("上周", "2026-W26"), ("last week", "2026-W26")])
@run_async
async def test_this_and_last_week_name_the_file_and_the_hint(demo_ledger, words, key):
    pin_clock()
    async with running(CrmApp(today=TODAY), (140, 40)) as pilot:
        await press(pilot, "x")
        dialog = pilot.app.screen
        dialog.query_one("#export-week", Input).value = words
        dialog.query_one("#export-format", Select).value = "csv"
        await settle(pilot)
        assert dialog.query_one("#export-path", Input).value.endswith(f"-{key}.csv")
        hint = str(dialog.query_one("#hint-week", Static).render())
        assert ("第27周" if key.endswith("27") else "第26周") in hint, hint
