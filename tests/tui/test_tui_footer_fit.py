"""At 80 columns every screen's footer shows its keys and `?` (the keys panel) clear of the command
palette's key, which Textual docks at the right edge over whatever runs under it — in both languages."""

from __future__ import annotations

import pytest

from screens.app import CrmApp
from tests.tui_support import TODAY, press, run_async, running, settle


@pytest.fixture
def backend():
    """What the footer shows does not depend on the database."""
    return "sqlite"


@pytest.mark.parametrize("lang", ["zh", "en"])
@run_async
async def test_every_footer_shows_the_keys_panel_key_at_80_columns(demo_ledger, lang):
    async with running(CrmApp(today=TODAY, lang=lang), (80, 24)) as pilot:
        await settle(pilot)
        for key in (None, "2", "3", "4", "5", "6", "7", "1", "enter"):
            if key:
                await press(pilot, key)
            screen = pilot.app.screen
            keys = {item.key: item.region for item in screen.query_one("Footer").query("FooterKey")}
            palette = keys.pop("ctrl+p")
            assert "question_mark" in keys, (type(screen).__name__, sorted(keys))
            for name, region in keys.items():
                assert region.right <= palette.x, (lang, type(screen).__name__, name, "runs under ^p")


@pytest.mark.parametrize(("lang", "size"), [("en", (80, 24)), ("zh", (80, 24)), ("en", (140, 40)), ("zh", (140, 40))])
@run_async
async def test_the_deal_lists_footer_shows_import_and_search_where_there_is_room(demo_ledger, lang, size):
    """`i Import` is in the deal list's footer at 80 columns in English too: `/ Search` gives way to it there (the
    search box on screen already says "/ Search"), and comes back where there is room for both."""
    async with running(CrmApp(today=TODAY, lang=lang), size) as pilot:
        await settle(pilot)
        keys = [item.key for item in pilot.app.screen.query_one("Footer").query("FooterKey")]
        assert "i" in keys and "question_mark" in keys, (lang, size, keys)
        assert ("slash" in keys) == (lang == "zh" or size[0] > 80), (lang, size, keys)
