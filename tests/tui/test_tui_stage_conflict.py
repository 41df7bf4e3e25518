"""The stage dialog (`s`) saves from the stage it showed: when another officer moved the deal meanwhile, the save is
refused in the dialog, naming who and when, the dialog shows the stage the deal is at now, and the officer's
choice and note stay to save again. SQLite and PostgreSQL (the app's own connections beside the other officer's)."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Select, Static

from crm.deals.stages import change_stage, ledger
from crm.reference.lookup import deal_by_code
from screens.app import CrmApp
from screens.dialogs import StageDialog
from tests.conftest import BACKENDS
from tests.tui_support import TODAY, pin_clock, press, run_async, settle

CODE = "ZS2020-0010"  # demo: 签约


@pytest.mark.parametrize("backend", BACKENDS)
@run_async
async def test_a_stage_moved_meanwhile_is_not_overridden(demo_ledger):
    pin_clock()
    async with CrmApp(today=TODAY, lang="zh").run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.app.push_screen(StageDialog(CODE))
        await settle(pilot)
        dialog = pilot.app.screen
        assert "签约" in str(dialog.query_one("#stage-now", Static).render())
        dialog.query_one("#stage-to", Select).value = "operating"
        dialog.query_one("#stage-note", Input).value = "一期竣工投产"
        await settle(pilot)

        change_stage(CODE, "stalled", on=TODAY, note="企业资金链紧张，暂缓", actor="张敏")  # officer B, meanwhile
        entries = len(ledger(deal_by_code(CODE)))
        await press(pilot, "ctrl+s")

        assert pilot.app.screen is dialog, "refused: the dialog stays"
        error = str(dialog.query_one("#dialog-error", Static).render())
        assert "张敏" in error and "暂停" in error
        assert "暂停" in str(dialog.query_one("#stage-now", Static).render())  # what it shows as 当前为… now
        assert dialog.query_one("#stage-to", Select).value == "operating"
        assert dialog.query_one("#stage-note", Input).value == "一期竣工投产"
        deal = deal_by_code(CODE)
        assert (deal.stage, len(ledger(deal))) == ("stalled", entries)

        await press(pilot, "ctrl+s")  # saved again, knowing: from 暂停 this time
        assert pilot.app.screen is not dialog
    last = ledger(deal_by_code(CODE))[-1]
    assert (last.from_stage, last.to_stage, last.note) == ("stalled", "operating", "一期竣工投产")
