"""Esc while the import dialog is importing stops the import, and says so: an import stopped among its rows is
rolled back and nothing of the file lands (before, Esc closed the dialog and the import went on writing in the
background). The dialog stays open with the file, to import again after a preview."""

from __future__ import annotations

import threading

from textual.widgets import Static

from crm.foundation.i18n import _
from crm.importing import importer
from db.models import Deal, ImportRecord
from screens.app import CrmApp
from screens.transfer import ImportDialog
from tests.tui.test_tui_connection import wait_until
from tests.tui.test_tui_import_columns import HEADER, SIZE, _preview
from tests.tui_support import TODAY, pin_clock, run_async, settle


def said(dialog) -> str:
    return str(dialog.query_one("#dialog-error", Static).render())


@run_async
async def test_esc_during_an_import_stops_it_and_nothing_lands(demo_ledger, tmp_path, monkeypatch):
    pin_clock()
    sheet = tmp_path / "一月.csv"
    sheet.write_text(HEADER + "定兴冷链仓储项目,某冷链集团,3.5亿元,2020-06-01,王芳\n", encoding="utf-8")
    real, pressed, started = importer.run_import, threading.Event(), threading.Event()

    def held(*args, dry_run: bool, **kwargs):
        """The import, held in the database thread until Esc has been pressed (a preview runs at once)."""
        if not dry_run:
            started.set()
            assert pressed.wait(10)
        return real(*args, dry_run=dry_run, **kwargs)

    monkeypatch.setattr(importer, "run_import", held)
    records = ImportRecord.select().count()
    async with CrmApp(today=TODAY).run_test(size=SIZE) as pilot:
        await settle(pilot)
        dialog = await _preview(pilot, sheet)
        await pilot.press("ctrl+s")
        assert await wait_until(started.is_set, 10)
        await pilot.press("escape")
        assert pilot.app.screen is dialog and said(dialog) == _("Cancelling…")
        pressed.set()
        assert await wait_until(lambda: said(dialog) == _("Import cancelled: nothing was written"), 10)
        assert isinstance(pilot.app.screen, ImportDialog)
        await pilot.press("escape")  # nothing running: Esc closes it
        await settle(pilot)
        assert not isinstance(pilot.app.screen, ImportDialog)
    assert not Deal.select().where(Deal.name == "定兴冷链仓储项目").exists()
    assert ImportRecord.select().count() == records
