"""A blocker entered wrongly, corrected from the TUI: voided from the Detail screen's `v` dialog, or its text,
department and due date corrected from the Blockers screen's `e`; checked on screen and with `crm`."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Select

from crm.deals import blockers
from db.models import Blocker, Department
from screens.app import CrmApp
from tests.conftest import BACKENDS
from tests.tui.test_tui_timeline import CODE, cli_json, cli_text, open_detail
from tests.tui_support import TODAY, press, run_async, settle, type_text

MISTAKE = "重复录入的供电问题"


def choose(dialog, label_part: str) -> None:
    """Pick the void dialog's entry whose label holds `label_part`."""
    select = dialog.query_one("#void-entry", Select)
    (index,) = [n for n, (label, _key) in enumerate(dialog.entries) if label_part in label]
    select.value = index


@pytest.mark.parametrize("backend", BACKENDS)
@run_async
async def test_voiding_a_blocker_from_the_detail_screen_takes_it_out_of_every_count(demo_ledger, demo_url):
    mistaken = blockers.add_blocker(CODE, MISTAKE, "供电", raised=TODAY, actor="李明")
    before = cli_json(demo_url, "kpi")
    async with CrmApp(today=TODAY, lang="zh").run_test(size=(140, 40)) as pilot:
        screen = await open_detail(pilot)
        await press(pilot, "v")
        dialog = pilot.app.screen
        assert type(dialog).__name__ == "VoidDialog"
        choose(dialog, MISTAKE)
        await settle(pilot)
        said = str(dialog.query_one("#correction-what").render())
        assert MISTAKE in said and str(mistaken.id) in said  # says which blocker goes before it goes
        dialog.query_one("#correction-note", Input).focus()
        await press(pilot, "ctrl+s")
        assert pilot.app.screen is dialog  # no reason given: nothing voided
        assert Blocker.get_or_none(Blocker.id == mistaken.id) is not None
        await type_text(pilot, "与4号重复")
        await press(pilot, "ctrl+s")
        assert pilot.app.screen is screen
    after = cli_json(demo_url, "kpi")
    assert after["blockers_open"] == before["blockers_open"] - 1
    assert after["blockers_raised"] == before["blockers_raised"] - 1
    shown = cli_json(demo_url, "show", CODE)
    assert MISTAKE not in [b["text"] for b in shown["blockers"]]
    assert [(v["text"], v["note"]) for v in shown["voided_blockers"]] == [(MISTAKE, "与4号重复")]
    assert "与4号重复" in cli_text(demo_url, "log", CODE)


@run_async
async def test_correcting_a_blocker_from_the_blockers_screen(demo_ledger, demo_url):
    async with CrmApp(today=TODAY, lang="zh").run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "3")
        screen = pilot.app.screen
        assert type(screen).__name__ == "BlockersScreen"
        table = screen.query_one("DataTable")
        table.move_cursor(row=table.get_row_index("4"))
        await press(pilot, "e")
        dialog = pilot.app.screen
        assert type(dialog).__name__ == "BlockerEditDialog"
        assert dialog.query_one("#edit-blocker-text", Input).value == "环评批复尚未取得"
        await press(pilot, "ctrl+s")
        assert pilot.app.screen is dialog  # nothing changed: said so, nothing saved
        dialog.query_one("#edit-blocker-text", Input).value = "环评批复待省厅出具"
        dialog.query_one("#edit-blocker-department", Select).value = "保定市自然资源和规划局"
        dialog.query_one("#edit-blocker-due", Input).value = "2099-01-31"
        await press(pilot, "ctrl+s")
        assert pilot.app.screen is screen
        await settle(pilot)
        assert screen.blockers["4"].text == "环评批复待省厅出具"
    b = Blocker.get_by_id(4)
    assert (b.text, Department.get_by_id(b.department_id).name, b.due_on.isoformat()) == (
        "环评批复待省厅出具",
        "保定市自然资源和规划局",
        "2099-01-31",
    )
    log = cli_text(demo_url, "log", CODE)
    assert "环评批复待省厅出具" in log and "2099-01-31" in log
