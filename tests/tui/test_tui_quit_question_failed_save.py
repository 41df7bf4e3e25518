"""ctrl+q while a save is in flight asks "the save may still be written… quit without waiting?". When the save then
fails (here: an amount in yen, which no exchange rate of the ledger converts), the open question no longer says it
may be written: it says the save failed, that nothing was written and why, and n (Esc) goes back to the form with
what was typed; y still quits. Held in the SQLite database thread (another officer's write lock) and on a frozen
PostgreSQL server (`kill -STOP`)."""

from __future__ import annotations

import datetime

import pytest
from textual.widgets import Input, Static

from crm.foundation.i18n import _
from db.models import FundsArrived
from screens.app import CrmApp
from screens.dialogs import FundsDialog
from screens.forms import missing_rate_text
from tests.system.test_faults import own_cluster  # noqa: F401 — the fixture
from tests.tui.test_tui_connection import served, wait_until  # noqa: F401 — the fixture
from tests.tui.test_tui_dialogs_in_flight import CODE, frozen, given_back, opened, said
from tests.tui.test_tui_frozen_server import Frozen, _edit_first_deal
from tests.tui_support import TODAY, crm, run_async, running, settle

SIZE = (140, 40)


def no_rate() -> str:
    """Why the save is refused, in the language of the app running (chosen when it starts)."""
    return missing_rate_text("JPY", datetime.date(2020, 6, 1))


def question_text(app) -> str:
    """The question's words and its reason line, as shown."""
    screen = app.screen
    words = str(screen.query_one("#quit-saving-question").render())
    why = screen.query_one("#quit-saving-why", Static)
    return words + ("\n" + str(why.render()) if why.display else "")


def footer(app) -> dict[str, str]:
    return {item.key: item.description for item in app.screen.query_one("Footer").query("FooterKey")}


async def asked_while_saving(pilot) -> FundsDialog:
    """The funds dialog with 100万日元 typed, its save sent and held, and ctrl+q's question open over it."""
    dialog = await opened(pilot, FundsDialog(CODE))
    dialog.query_one("#funds-amount", Input).value = "100万日元"
    dialog.query_one("#funds-on", Input).value = "2020-06-01"
    await settle(pilot)  # the amount's preview read before the save is held
    await pilot.press("ctrl+s")
    assert await wait_until(lambda: said(dialog) == _("Saving…"), 10), said(dialog)
    await pilot.press("ctrl+q")
    assert await wait_until(lambda: type(pilot.app.screen).__name__ == "QuitWhileSavingDialog", 10)
    assert "may still be written" in question_text(pilot.app)
    return dialog


async def told_it_failed(pilot) -> None:
    """The question, still open, says the save failed and why; n is now "Back"."""
    assert await wait_until(lambda: "failed" in question_text(pilot.app), 10), question_text(pilot.app)
    await settle(pilot)
    assert type(pilot.app.screen).__name__ == "QuitWhileSavingDialog"
    shown = question_text(pilot.app)
    assert "may still be written" not in shown and "nothing was written" in shown, shown
    assert no_rate() in " ".join(shown.split()), shown
    assert footer(pilot.app)["n"] == "Back"
    assert str(pilot.app.screen.query_one("#quit-no").label) == "Back (n)"


@pytest.mark.parametrize("backend", ["sqlite"])
@run_async
async def test_a_save_failing_under_the_quit_question_says_so_and_n_goes_back_to_the_form(demo_ledger):
    before = FundsArrived.select().count()
    async with running(CrmApp(today=TODAY, lang="en"), SIZE) as pilot:
        with frozen():
            dialog = await asked_while_saving(pilot)
        await told_it_failed(pilot)
        await pilot.press("n")
        await settle(pilot)
        given_back(dialog, "#funds-amount", "#funds-on", "#funds-note")
        assert dialog.query_one("#funds-amount", Input).value == "100万日元" and said(dialog) == no_rate()
        assert pilot.app.return_code is None
    assert FundsArrived.select().count() == before


@run_async
async def test_on_a_frozen_server_an_edit_refused_under_the_quit_question_says_so_and_y_quits(served):  # noqa: F811
    """The deal form's save sent to a frozen server, after another officer changed the deal: when the server answers
    it refuses the save (the deal changed since the form read it), and the question says so with the form's reason."""
    from db.models import Deal

    app = CrmApp(today=TODAY, lang="en")
    async with running(app, SIZE) as pilot:
        form, code, version = await _edit_first_deal(pilot, "冻结时的投资方")
        crm(served.url, "edit", code, "--notes", "另一位同事刚改过")  # officer B, before the save is sent
        with Frozen(served):
            await pilot.press("ctrl+s")
            assert await wait_until(lambda: said(form) == _("Saving…"), 10), said(form)
            await pilot.press("ctrl+q")
            assert await wait_until(lambda: type(pilot.app.screen).__name__ == "QuitWhileSavingDialog", 10)
            assert "may still be written" in question_text(pilot.app)
        # the server answers: refused
        assert await wait_until(lambda: "failed" in question_text(pilot.app), 30), question_text(pilot.app)
        await settle(pilot)
        shown = " ".join(question_text(pilot.app).split())
        assert "may still be written" not in shown and "nothing was written" in shown, shown
        assert _("Not saved: the deal was changed by someone else") in shown, shown  # the form's reason
        await pilot.press("y")
        await pilot.pause(0.3)
    assert app.return_code == 0
    deal = Deal.get(Deal.code == code)
    assert deal.investor != "冻结时的投资方" and deal.version == version + 1  # officer B's change alone
