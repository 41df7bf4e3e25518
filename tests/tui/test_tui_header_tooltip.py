"""The tooltip of the header's icon (it opens the command palette), which Textual sets in English as the icon mounts,
is shown in the language of the TUI: on the deal list (whose header mounts its parts after the first frame) and on
another screen's header."""

from __future__ import annotations

import pytest
from textual.widgets._tooltip import Tooltip

from screens.app import CrmApp
from tests.tui_support import (
    SMALL,
    TODAY,
    press,
    run_async,
    settle,
    sqlite_only,  # noqa: F401 — a tooltip: SQLite alone
)


async def icon_tooltip(pilot) -> str:
    """What the tooltip says once the mouse has rested on the header's icon ("" when none is shown)."""
    await pilot.hover("HeaderIcon")
    await pilot.pause(pilot.app.TOOLTIP_DELAY + 0.3)
    await settle(pilot)
    tooltip = pilot.app.screen.get_child_by_type(Tooltip)
    text = str(tooltip.render()) if tooltip.display else ""
    await pilot.hover("Footer")  # away, so that the next screen's icon is entered anew
    return text


@pytest.mark.parametrize(("lang", "says"), [("zh", "打开命令面板"), ("en", "Open the command palette")])
@run_async
async def test_the_header_icons_tooltip_is_in_the_language_shown(demo_ledger, lang, says):
    async with CrmApp(today=TODAY, lang=lang).run_test(size=SMALL, tooltips=True) as pilot:  # shown, as in use
        await settle(pilot)
        assert await icon_tooltip(pilot) == says
        await press(pilot, "2")  # the Board: a plain Header
        assert await icon_tooltip(pilot) == says
