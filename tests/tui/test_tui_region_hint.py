"""The deal form saves a region nobody knows as typed, then warns of it with the name it may have meant."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Input

from db.models import Deal
from screens.app import CrmApp
from tests.tui_support import (
    LARGE,
    TODAY,
    press,
    run_async,
    running,
    settle,
    sqlite_only,  # noqa: F401 — a form's save: SQLite alone (the hint itself runs on both in tests/cli)
)

CODE = "ZS2020-0010"  # demo: the list's first deal, 保定高新区


def warnings(app) -> list[str]:
    return [
        Content.from_markup(n.message).plain if n.markup else n.message
        for n in app._notifications
        if n.severity == "warning"
    ]


async def save_region(pilot, region: str) -> None:
    await press(pilot, "e")
    form = pilot.app.screen
    assert type(form).__name__ == "DealForm"
    form.query_one("#f-region", Input).value = region
    await settle(pilot)
    await press(pilot, "ctrl+s")
    assert type(pilot.app.screen).__name__ != "DealForm"  # saved and closed: a word, not a refusal


@run_async
async def test_a_mistyped_county_is_saved_and_warned_of(demo_ledger):
    async with running(CrmApp(today=TODAY, lang="zh"), LARGE) as pilot:
        await save_region(pilot, "涿洲市")
        assert Deal.get(Deal.code == CODE).region == "涿洲市"
        said = [w for w in warnings(pilot.app) if "涿洲市" in w]
        assert len(said) == 1 and "涿州市" in said[0], warnings(pilot.app)


@run_async
async def test_a_known_county_is_saved_without_a_word(demo_ledger):
    async with running(CrmApp(today=TODAY, lang="zh"), LARGE) as pilot:
        await save_region(pilot, "清苑县")
        assert Deal.get(Deal.code == CODE).region == "清苑县"
        assert warnings(pilot.app) == []
