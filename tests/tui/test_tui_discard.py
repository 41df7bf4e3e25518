"""Forms ask before discarding typed text (issues 14 D and 15): Esc or ctrl+q
in a half-filled form or dialog asks 放弃已输入的内容？; an untouched one
closes at once; nothing is saved either way."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from screens.app import CrmApp
from tests.tui_support import (
    TODAY,
    press,
    run_async,
    settle,
    sqlite_only,  # noqa: F401 — keys, dialogs and layout: SQLite alone
    type_text,
)


def screen_name(pilot) -> str:
    return type(pilot.app.screen).__name__


async def asked(pilot) -> bool:
    await settle(pilot)
    if screen_name(pilot) != "DiscardDialog":
        return False
    question = str(pilot.app.screen.query_one("#discard-question").render())
    assert question == "放弃已输入的内容？"
    return True


@run_async
async def test_esc_in_a_half_filled_deal_form_asks_and_keeps_the_typing_on_no(demo_ledger):
    from db.models import Deal

    before = Deal.select().count()
    async with CrmApp(today=TODAY, lang="zh").run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "n")
        assert screen_name(pilot) == "DealForm"
        await type_text(pilot, "涿州智能制造")
        await pilot.press("escape")
        assert await asked(pilot)
        await pilot.press("n")  # keep editing
        await settle(pilot)
        assert screen_name(pilot) == "DealForm"
        assert pilot.app.screen.query_one("#f-name", Input).value == "涿州智能制造"
        await pilot.press("escape")
        assert await asked(pilot)
        await pilot.press("escape")  # Esc in the question is "keep editing" too
        await settle(pilot)
        assert screen_name(pilot) == "DealForm"
        await pilot.press("escape")
        assert await asked(pilot)
        await press(pilot, "y")
        assert screen_name(pilot) == "DealsScreen"
    assert Deal.select().count() == before


@run_async
async def test_an_untouched_form_closes_at_once(demo_ledger):
    async with CrmApp(today=TODAY, lang="zh").run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        for key in ("n", "e", "b", "f", "p", "s", "d", "x", "i", "ctrl+w"):
            await press(pilot, key)
            assert screen_name(pilot) != "DealsScreen", key
            await press(pilot, "escape")
            # the edit form is filled with the deal, the stage and funds dialogs with today: none of it typed
            assert screen_name(pilot) == "DealsScreen", key
        await pilot.press("6", "a")  # the rates screen's new rate
        await settle(pilot)
        assert screen_name(pilot) == "RateDialog"
        await press(pilot, "escape")
        assert screen_name(pilot) == "RatesScreen"


@pytest.mark.parametrize(
    "key, field",
    [("b", "#blocker-text"), ("p", "#progress-text"), ("f", "#funds-amount"), ("e", "#f-investor")],
)
@run_async
async def test_typing_in_any_dialog_is_asked_about(demo_ledger, key, field):
    async with CrmApp(today=TODAY, lang="zh").run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await press(pilot, key)
        pilot.app.screen.query_one(field, Input).focus()
        await type_text(pilot, "8")
        await pilot.press("escape")
        assert await asked(pilot), key
        await press(pilot, "y")
        assert screen_name(pilot) == "DealsScreen"


@run_async
async def test_ctrl_q_in_a_half_filled_dialog_asks_before_quitting(demo_ledger):
    from db.models import Blocker

    before = Blocker.select().count()
    async with CrmApp(today=TODAY, lang="zh").run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "b")
        await type_text(pilot, "用地指标未落实")
        await pilot.press("ctrl+q")
        assert await asked(pilot)
        await press(pilot, "n")
        assert screen_name(pilot) == "BlockerDialog"
        assert pilot.app.return_code is None
        await pilot.press("ctrl+q")
        assert await asked(pilot)
        await press(pilot, "y")
        assert pilot.app.return_code == 0  # the app is quitting
    assert Blocker.select().count() == before


@run_async
async def test_ctrl_q_in_an_untouched_dialog_quits_at_once(demo_ledger):
    async with CrmApp(today=TODAY, lang="zh").run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "b")
        await press(pilot, "ctrl+q")
        assert screen_name(pilot) != "DiscardDialog"
        assert pilot.app.return_code == 0


@pytest.mark.parametrize(
    "opener, dialog, field",
    [("n", "DealForm", "#f-name"), ("p", "ProgressDialog", "#progress-text"), ("b", "BlockerDialog", "#blocker-text")],
)
@run_async
async def test_keys_typed_right_after_the_key_that_opens_a_form_land_in_its_first_field(
    demo_ledger, opener, dialog, field
):
    """The key that opens a form and the next letters can reach the app in one read of the terminal, while the
    form reads its choices from the ledger: the letters are the form's first field (not lost, not keys of the
    list), and Esc then asks before discarding them."""
    from textual import events

    async with CrmApp(today=TODAY, lang="zh").run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        for key, character in ((opener, opener), ("测", "测"), ("s", "s"), ("b", "b"), ("试", "试")):
            pilot.app.post_message(events.Key(key, character))  # queued together, as one read delivers them
        await settle(pilot)
        assert screen_name(pilot) == dialog
        assert len(pilot.app.screen_stack) == 2, "no other dialog opened by the letters"
        assert pilot.app.screen.query_one(field, Input).value == "测sb试"
        await pilot.press("escape")
        assert await asked(pilot)
