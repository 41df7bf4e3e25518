"""Importing a county's cumulative-funds sheets from the TUI, and undoing an import there.

The preview and the result say what an import records besides the deals (funds arrived, progress, the totals row
checked, the import's number), as `crm import` does; the palette's 撤销导入 lists the imports and reverts the one
chosen after a dialog says what it undoes; the palette names a key only where the screen has it.
"""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Static

from db.models import Deal, FundsArrived, ImportRecord
from screens.app import CrmApp
from tests.tui_support import TODAY, press, run_async, running, settle, type_text

SIZE = (140, 40)
SHEETS = Path(__file__).resolve().parents[1] / "data" / "county_sheets"


async def _preview(pilot, path: Path):
    await press(pilot, "i")
    dialog = pilot.app.screen
    dialog.query_one("#import-path", Input).value = str(path)
    await press(pilot, "enter")
    return dialog


def _report(dialog) -> str:
    return str(dialog.query_one("#import-text", Static).render())


def _toasts(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def _palette(pilot, query: str) -> list[tuple[str, str]]:
    """(title, help) of each command the palette offers for `query`."""
    await press(pilot, "ctrl+p")
    await type_text(pilot, query)
    await pilot.pause(0.5)
    await settle(pilot)
    commands = pilot.app.screen.query_one("CommandList")
    found = []
    for i in range(commands.option_count):
        prompt = commands.get_option_at_index(i).prompt
        lines = str(getattr(prompt, "renderable", prompt)).splitlines() or [""]
        found.append((lines[0], " ".join(lines[1:])))
    return found


@run_async
async def test_the_preview_and_the_toast_name_the_funds_the_totals_row_and_the_import(demo_ledger):
    async with running(CrmApp(today=TODAY, lang="zh"), SIZE) as pilot:
        dialog = await _preview(pilot, SHEETS / "funds_cumulative_v1.xlsx")
        first = _report(dialog)
        assert "记录到位资金 5 笔" in first, first
        assert "合计行 11" in first and "各行相加为 1188500" in first, first
        await press(pilot, "ctrl+s")
        number = ImportRecord.select().order_by(ImportRecord.id.desc()).first().id
        toast = _toasts(pilot.app)[-1]
        assert str(number) in toast and "记录到位资金 5 笔" in toast, toast

        dialog = await _preview(pilot, SHEETS / "funds_cumulative_v2.xlsx")
        second = _report(dialog)
        # v2 changes one deal's note and raises four deals' cumulative funds: the preview says it records them
        assert "更新 1 个" in second and "记录到位资金 5 笔" in second, second
        assert "ZS2026-0001" in second and "8000万元" in second, second  # row by row, in 亿/万
        assert "个未变" in second  # the same word as the result's (个未变), not 个不变
        footer_save = [b.description for (_n, b, _e, _t) in dialog.active_bindings.values() if b.key == "ctrl+s"]
        assert footer_save == [str(dialog.query_one("#save").label)] == ["导入"]


@run_async
async def test_english_preview_lists_columns_with_a_comma(demo_ledger):
    async with running(CrmApp(today=TODAY, lang="en"), SIZE) as pilot:
        dialog = await _preview(pilot, SHEETS / "funds_cumulative_v1.xlsx")
        used = next(line for line in _report(dialog).splitlines() if line.startswith("Columns used:"))
        items = used.removeprefix("Columns used: ").split(", ")
        # one column→field per item: joined by ", " (a header's own 、, as in 县（市、区）, stays in it)
        assert len(items) > 3 and all(item.count("→") == 1 for item in items), used


@run_async
async def test_the_palette_reverts_an_import_after_saying_what_it_undoes(demo_ledger):
    before = Deal.select().count()
    async with running(CrmApp(today=TODAY, lang="en"), SIZE) as pilot:
        await _preview(pilot, SHEETS / "funds_cumulative_v1.xlsx")
        await press(pilot, "ctrl+s")
        created = list(Deal.select(Deal.code).where(Deal.code.startswith("ZS2026")).scalars())
        assert len(created) == 5 and Deal.select().count() == before + 5
        record = ImportRecord.select().order_by(ImportRecord.id.desc()).first()

        assert f"as import {record.id}:" in _toasts(pilot.app)[-1]  # the number the list below shows
        commands = await _palette(pilot, "revert")
        assert any(title == "Revert an import" for title, _help in commands), commands
        await press(pilot, "enter")
        listing = pilot.app.screen
        assert type(listing).__name__ == "ImportsDialog"
        shown = str(listing.query_one("#imports-list").get_option_at_index(0).prompt)
        assert shown.startswith(f"{record.id} ") and "funds_cumulative_v1.xlsx" in shown, shown
        await press(pilot, "enter")
        confirm = pilot.app.screen
        assert type(confirm).__name__ == "RevertImportDialog"
        what = str(confirm.query_one("#revert-what", Static).render())
        assert "funds_cumulative_v1.xlsx" in what and "deletes the deals it created (5)" in what, what
        assert Deal.select().count() == before + 5  # asking reverted nothing
        await press(pilot, "ctrl+s")
        assert type(pilot.app.screen).__name__ == "DealsScreen"
        toast = _toasts(pilot.app)[-1]
        assert f"Import {record.id} (funds_cumulative_v1.xlsx" in toast and "reverted: 5 deals removed" in toast, toast
    assert Deal.select().where(Deal.code.in_(created)).count() == 0
    assert Deal.select().count() == before
    assert FundsArrived.select().join(Deal).where(Deal.code.in_(created)).count() == 0
    assert ImportRecord.get_by_id(record.id).reverted_at is not None


@run_async
async def test_escape_on_the_question_keeps_the_import(demo_ledger):
    async with running(CrmApp(today=TODAY, lang="zh"), SIZE) as pilot:
        await _preview(pilot, SHEETS / "funds_cumulative_v1.xlsx")
        await press(pilot, "ctrl+s")
        count = Deal.select().count()
        dialog = await _preview(pilot, SHEETS / "funds_cumulative_v2.xlsx")
        await press(pilot, "ctrl+l")  # from the Import dialog too
        assert type(pilot.app.screen).__name__ == "ImportsDialog"
        await press(pilot, "enter", "escape", "escape")
        assert pilot.app.screen is dialog
    assert Deal.select().count() == count
    assert ImportRecord.select().where(ImportRecord.reverted_at.is_null(False)).count() == 0


@run_async
async def test_the_palette_names_the_export_key_only_where_it_works(demo_ledger):
    async with running(CrmApp(today=TODAY, lang="en"), SIZE) as pilot:
        on_list = dict(await _palette(pilot, "Export weekly"))
        assert on_list["Export weekly table"].endswith("(x)"), on_list
        await press(pilot, "escape")
        for screen in ("5", "7"):  # x does nothing on the Dashboard and exports the report on the Report
            await press(pilot, screen)
            elsewhere = dict(await _palette(pilot, "Export weekly"))
            assert "(x)" not in elsewhere["Export weekly table"], (screen, elsewhere)
            await press(pilot, "escape")
