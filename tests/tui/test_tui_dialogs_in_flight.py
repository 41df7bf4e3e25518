"""The small dialogs that write (stage, blocker, funds, progress, resolve, departments, investment, rate, a change
of several deals at once, the corrections, correcting a blocker, reverting an import) with their save held in the database thread, as a frozen
server holds it: each says 正在保存…, keeps its fields read-only, sends one write however often ctrl+s is pressed,
and on Esc stays open saying the save is sent (it may still be written); it closes once the write lands. A write
that fails gives the fields back, as typed, with the error.

The write is held where a frozen server holds it, in the database thread halfway through the save: another
officer's write transaction keeps the ledger's write lock (SQLite's BEGIN IMMEDIATE; the PostgreSQL server itself
is frozen in test_tui_frozen_server), so the dialog's write waits, and lands or fails once that one commits.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Input, Select, SelectionList, Static

from crm.deals.blockers import add_blocker
from crm.deals.stages import change_stage, ledger
from crm.foundation.i18n import _
from crm.importing.apply import run_import
from crm.importing.records import list_imports, revert_import
from crm.reference.lookup import deal_by_code
from crm.reference.registry import edit_department
from crm.reference.views import department_names
from db.connection import database
from db.models import Blocker, Deal, FundsArrived, FxRate, ImportRecord, InvestmentDone, Progress
from screens.app import CrmApp
from screens.bulk import BulkDialog
from screens.corrections import ArchiveDialog, BlockerEditDialog
from screens.deal_form import gone_text
from screens.dialogs import BlockerDialog, DepartmentsDialog, FundsDialog, RateDialog, ResolveDialog, StageDialog
from screens.forms import missing_rate_text
from screens.imports import RevertImportDialog
from screens.investment_dialog import InvestmentDialog
from screens.progress_dialog import ProgressDialog
from screens.sending import sent_text
from tests.tui.test_tui_connection import wait_until
from tests.tui_support import (
    TODAY,
    run_async,
    running,
    settle,
    sqlite_only,  # noqa: F401 — dialogs and keys: SQLite alone (the frozen PostgreSQL server: test_tui_frozen_server)
)

SIZE = (140, 40)
CODE = "ZS2020-0010"  # demo: 签约
SHEET = Path(__file__).resolve().parents[1] / "data" / "county_sheets" / "funds_cumulative_v1.xlsx"


def said(dialog) -> str:
    return str(dialog.query_one("#dialog-error", Static).render())


@contextlib.contextmanager
def frozen() -> Iterator[None]:
    """Another officer's write transaction, holding the write lock until the block ends and committing what the
    block writes: a save sent meanwhile waits in the database thread (well within the 30 s busy timeout)."""
    with database.obj.atomic("IMMEDIATE"):
        yield


async def opened(pilot, dialog):
    """`dialog` pushed over the deal list, its fields read."""
    await pilot.app.push_screen(dialog)
    await settle(pilot)
    assert pilot.app.screen is dialog
    return dialog


async def saving(pilot, dialog, *controls: str) -> None:
    """ctrl+s with the database held: the dialog says 正在保存… with `controls` read-only; a second ctrl+s sends
    nothing; Esc leaves it open, saying the save is sent."""
    await pilot.press("ctrl+s")
    assert await wait_until(lambda: said(dialog) == _("Saving…"), 10)
    for control in controls:
        assert dialog.query_one(control).disabled, f"{control} can be typed in while its save is in flight"
    assert dialog.query_one("#save").disabled and dialog.query_one("#cancel").disabled
    await pilot.press("ctrl+s")
    assert said(dialog) == _("Already saving: the save sent is waited for, not sent again")
    await pilot.press("escape")
    await pilot.pause(0.2)
    assert pilot.app.screen is dialog, "Esc closed the dialog while its save was in flight"
    assert said(dialog) == sent_text()


async def closed(pilot, dialog) -> None:
    """The write let go: the dialog closes as after any save."""
    assert await wait_until(lambda: pilot.app.screen is not dialog, 10), said(dialog)
    await settle(pilot)


def given_back(dialog, *controls: str) -> None:
    """The write failed: the dialog is open, its fields and buttons the officer's again."""
    assert dialog.is_attached and dialog.app.screen is dialog
    for control in (*controls, "#save", "#cancel"):
        assert not dialog.query_one(control).disabled, f"{control} stays read-only after the save failed"


# ---- stage, blocker, funds, progress: held, then written once; held, then refused ------------------------------


@run_async
async def test_a_held_stage_change_is_sent_once_and_closes_the_dialog_when_written(demo_ledger):
    before = len(ledger(deal_by_code(CODE)))
    async with running(CrmApp(today=TODAY, lang="en"), SIZE) as pilot:
        dialog = await opened(pilot, StageDialog(CODE))
        dialog.query_one("#stage-to", Select).value = "registered"
        dialog.query_one("#stage-note", Input).value = "营业执照已领取"
        with frozen():
            await saving(pilot, dialog, "#stage-to", "#stage-on", "#stage-note")
            assert len(ledger(deal_by_code(CODE))) == before  # held: not written yet
        await closed(pilot, dialog)
    entries = ledger(deal_by_code(CODE))
    assert len(entries) == before + 1 and (entries[-1].to_stage, entries[-1].note) == ("registered", "营业执照已领取")


@run_async
async def test_a_held_stage_change_refused_gives_the_fields_back_with_who_moved_the_deal(demo_ledger):
    async with running(CrmApp(today=TODAY, lang="en"), SIZE) as pilot:
        dialog = await opened(pilot, StageDialog(CODE))
        dialog.query_one("#stage-to", Select).value = "operating"
        dialog.query_one("#stage-note", Input).value = "一期竣工投产"
        with frozen():
            await saving(pilot, dialog)
            change_stage(CODE, "stalled", on=TODAY, note="企业资金链紧张，暂缓", actor="张敏")  # officer B, meanwhile
        assert await wait_until(lambda: said(dialog) not in (_("Saving…"), sent_text()), 10)
        await settle(pilot)
        given_back(dialog, "#stage-to", "#stage-on", "#stage-note")
        assert "张敏" in said(dialog)
        assert dialog.query_one("#stage-to", Select).value == "operating"
        assert dialog.query_one("#stage-note", Input).value == "一期竣工投产"
        assert deal_by_code(CODE).stage == "stalled"
        await pilot.press("ctrl+s")  # saved again, knowing: from 暂停 this time
        await closed(pilot, dialog)
    assert ledger(deal_by_code(CODE))[-1].from_stage == "stalled"


def _blockers() -> int:
    return Blocker.select().where(Blocker.deal == deal_by_code(CODE)).count()


async def _blocker_dialog(pilot):
    dialog = await opened(pilot, BlockerDialog(CODE))
    dialog.query_one("#blocker-text", Input).value = "用地指标未落实"
    dialog.query_one("#blocker-department", Select).value = department_names()[0]
    return dialog


@run_async
async def test_a_held_blocker_is_sent_once_and_closes_the_dialog_when_written(demo_ledger):
    before = _blockers()
    async with running(CrmApp(today=TODAY, lang="en"), SIZE) as pilot:
        dialog = await _blocker_dialog(pilot)
        with frozen():
            await saving(pilot, dialog, "#blocker-text", "#blocker-department", "#blocker-due")
        await closed(pilot, dialog)
    assert _blockers() == before + 1


@run_async
async def test_a_held_blocker_refused_gives_the_fields_back_with_the_reason(demo_ledger):
    before = _blockers()
    async with running(CrmApp(today=TODAY, lang="en"), SIZE) as pilot:
        dialog = await _blocker_dialog(pilot)
        chosen = dialog.query_one("#blocker-department", Select).value
        with frozen():
            await saving(pilot, dialog)
            edit_department(chosen, new_name="改名后的协调单位", actor="张敏")  # renamed meanwhile
        assert await wait_until(lambda: said(dialog) not in (_("Saving…"), sent_text()), 10)
        await settle(pilot)
        given_back(dialog, "#blocker-text", "#blocker-department", "#blocker-due")
        assert chosen in said(dialog), said(dialog)
        assert dialog.query_one("#blocker-text", Input).value == "用地指标未落实"
    assert _blockers() == before


def _funds() -> int:
    return FundsArrived.select().where(FundsArrived.deal == deal_by_code(CODE)).count()


async def _funds_dialog(pilot, amount: str):
    dialog = await opened(pilot, FundsDialog(CODE))
    dialog.query_one("#funds-amount", Input).value = amount
    dialog.query_one("#funds-on", Input).value = "2020-06-01"
    await settle(pilot)  # the amount's preview read before the thread is held
    return dialog


@run_async
async def test_held_funds_are_sent_once_and_ctrl_q_asks_until_they_are_written(demo_ledger):
    before = _funds()
    async with running(CrmApp(today=TODAY, lang="en"), SIZE) as pilot:
        dialog = await _funds_dialog(pilot, "5000万元")
        with frozen():
            await saving(pilot, dialog, "#funds-amount", "#funds-on", "#funds-note")
            await pilot.press("ctrl+q")
            assert await wait_until(lambda: type(pilot.app.screen).__name__ == "QuitWhileSavingDialog", 10)
        # written: the question and the dialog close, the program goes on
        await closed(pilot, dialog)
        assert len(pilot.app.screen_stack) == 1 and pilot.app.return_code is None
    assert _funds() == before + 1


@run_async
async def test_held_funds_refused_give_the_fields_back_with_where_to_add_the_rate(demo_ledger):
    before = _funds()
    async with running(CrmApp(today=TODAY, lang="en"), SIZE) as pilot:
        dialog = await _funds_dialog(pilot, "100万日元")  # no JPY rate in the ledger
        with frozen():
            await saving(pilot, dialog)
        assert await wait_until(lambda: said(dialog) == missing_rate_text("JPY", datetime.date(2020, 6, 1)), 10)
        given_back(dialog, "#funds-amount", "#funds-on", "#funds-note")
        assert dialog.query_one("#funds-amount", Input).value == "100万日元"
    assert _funds() == before


def _imported() -> tuple[int, str]:
    """The demo ledger with a county sheet imported: the import's number and a deal it created."""
    run_import(SHEET, today=TODAY, actor="test")
    record = ImportRecord.select().order_by(ImportRecord.id.desc()).first()
    return record.id, Deal.select(Deal.code).where(Deal.code.startswith("ZS2026")).order_by(Deal.code).first().code


@run_async
async def test_held_progress_is_sent_once_and_closes_the_dialog_when_written(demo_ledger):
    deal = deal_by_code(CODE)
    before = Progress.select().where(Progress.deal == deal).count()
    async with running(CrmApp(today=TODAY, lang="en"), SIZE) as pilot:
        dialog = await opened(pilot, ProgressDialog(CODE))
        dialog.query_one("#progress-text", Input).value = "施工图审查通过"
        with frozen():
            await saving(pilot, dialog, "#progress-text", "#progress-on")
        await closed(pilot, dialog)
    texts = [p.text for p in Progress.select().where(Progress.deal == deal)]
    assert len(texts) == before + 1 and texts.count("施工图审查通过") == 1


@run_async
async def test_held_progress_on_a_deal_reverted_meanwhile_gives_the_text_back_with_the_reason(demo_ledger):
    number, code = _imported()
    async with running(CrmApp(today=TODAY, lang="en"), SIZE) as pilot:
        dialog = await opened(pilot, ProgressDialog(code))
        dialog.query_one("#progress-text", Input).value = "主体封顶"
        with frozen():
            await saving(pilot, dialog)
            revert_import(number, "张敏")  # another officer undoes the import that made the deal
        assert await wait_until(lambda: said(dialog) not in (_("Saving…"), sent_text()), 10)
        given_back(dialog, "#progress-text", "#progress-on")
        assert said(dialog) == gone_text(code)  # its code, not the row id crm's check found gone
        assert dialog.query_one("#progress-text", Input).value == "主体封顶"
        assert pilot.app.focused is dialog.query_one("#progress-text", Input)  # where the officer was
    assert not Deal.select().where(Deal.code == code).exists()


# ---- the other dialogs that write: held, sent once, written when let go ----------------------------------------


async def _resolve(pilot):
    blocker = Blocker.select().where(Blocker.resolved_on.is_null(), Blocker.voided_at.is_null()).first()
    dialog = await opened(pilot, ResolveDialog(blocker.id, blocker.text, blocker.version))
    dialog.query_one("#resolve-note", Input).value = "已协调解决"
    return dialog, lambda: Blocker.get_by_id(blocker.id).version == blocker.version + 1


async def _departments(pilot):
    version = deal_by_code(CODE).version
    dialog = await opened(pilot, DepartmentsDialog(CODE))
    dialog.query_one("#supporting", SelectionList).select(department_names()[-1])
    return dialog, lambda: deal_by_code(CODE).version == version + 1


async def _investment(pilot):
    deal = deal_by_code(CODE)
    dialog = await opened(pilot, InvestmentDialog(CODE))
    dialog.query_one("#invest-period", Input).value = "2020-06"
    dialog.query_one("#invest-amount", Input).value = "1000万元"
    month = datetime.date(2020, 6, 1)
    return (
        dialog,
        lambda: InvestmentDone.select().where(InvestmentDone.deal == deal, InvestmentDone.month == month).exists(),
    )


async def _archive(pilot):
    dialog = await opened(pilot, ArchiveDialog(CODE, deal_by_code(CODE).name, None))
    dialog.query_one("#correction-note", Input).value = "重复录入"
    return dialog, lambda: deal_by_code(CODE).archived_on is not None


async def _blocker_edit(pilot):
    b = add_blocker(CODE, "环评批复未下达", department_names()[0], actor="test")
    dialog = await opened(pilot, BlockerEditDialog(b.id, b.text, department_names()[0], None, b.version))
    dialog.query_one("#edit-blocker-text", Input).value = "环评批复尚未下达"
    return dialog, lambda: Blocker.get_by_id(b.id).version == b.version + 1


async def _revert(pilot):
    number, _code = _imported()
    summary = next(s for s in list_imports() if s.id == number)
    dialog = await opened(pilot, RevertImportDialog(summary))
    return dialog, lambda: ImportRecord.get_by_id(number).reverted_at is not None


async def _bulk(pilot):
    codes = [CODE, "ZS2020-0009"]  # 签约 and 开工
    dialog = await opened(pilot, BulkDialog(codes))
    dialog.query_one("#bulk-stage", Select).value = "operating"
    dialog.query_one("#bulk-note", Input).value = "两个项目同日投产"
    return dialog, lambda: [deal_by_code(code).stage for code in codes] == ["operating", "operating"]


OTHERS = {
    "bulk": _bulk,
    "resolve": _resolve,
    "departments": _departments,
    "investment": _investment,
    "archive": _archive,
    "blocker-edit": _blocker_edit,
    "revert-import": _revert,
}


@pytest.mark.parametrize("case", list(OTHERS))
@run_async
async def test_every_other_dialog_that_writes_holds_its_save_in_view_until_written(demo_ledger, case):
    async with running(CrmApp(today=TODAY, lang="en"), SIZE) as pilot:
        dialog, written = await OTHERS[case](pilot)
        with frozen():
            await saving(pilot, dialog)
            assert not written()
        await closed(pilot, dialog)
    assert written()


@run_async
async def test_a_held_rate_is_sent_once_after_its_questions(demo_ledger):
    """The rate dialog reads its questions first (a read, which the write lock does not hold up), then writes."""
    before = FxRate.select().count()
    async with running(CrmApp(today=TODAY, lang="en"), SIZE) as pilot:
        dialog = await opened(pilot, RateDialog())
        dialog.query_one("#rate-value", Input).value = "6.6"
        with frozen():
            await saving(pilot, dialog, "#rate-currency", "#rate-on", "#rate-value", "#rate-source")
        await closed(pilot, dialog)
    assert FxRate.select().count() == before + 1
