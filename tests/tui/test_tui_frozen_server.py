"""The deal form and quitting with the shared PostgreSQL server frozen (`kill -STOP` of the postmaster and its
children, as a tester did) or stopped, and with the deal deleted under an open form.

A save in flight says 正在保存…, is sent once, and Esc does not pretend to discard it (a cancel cannot reach a
frozen server): the form stays open until the server answers, and the save is then written once. ctrl+q asks,
then quits at once, the database call still hanging; q quits at once while a page read and the cancel request
stopping it hang. A form opened during an outage can be typed in at once and
reads its choices when the server is back. A deal deleted under the form is said so in the TUI's words.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from textual.widgets import Input, Select, SelectionList, Static

from crm.foundation.i18n import _
from screens.app import CrmApp
from screens.deal_form import gone_text
from screens.sending import sent_text
from tests.system.test_faults import _pg_ctl, own_cluster  # noqa: F401 — the fixture
from tests.tui.test_tui_connection import banners, served, wait_until  # noqa: F401 — the fixture
from tests.tui_support import ROOT, TODAY, crm, press, run_async, running, search, settle, type_text

SIZE = (140, 40)
SHEETS = Path(__file__).resolve().parents[1] / "data" / "county_sheets"


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            if int(stat.read_text().rpartition(")")[2].split()[1]) == pid:
                found.append(int(stat.parent.name))
    return found


class Frozen:
    """The server's processes stopped with SIGSTOP (the postmaster first: it forks no more) until thaw(), or until
    a watchdog process thaws them after WATCHDOG seconds: a test that waits for the server then fails rather than
    waiting for ever (a process of its own, which runs even while this one cannot)."""

    WATCHDOG = 60

    def __init__(self, cluster) -> None:
        self.cluster = cluster
        self.stopped: list[int] = []
        self.watchdog: subprocess.Popen | None = None

    def __enter__(self) -> Frozen:
        postmaster = int((self.cluster.data_dir / "postmaster.pid").read_text().split("\n", 1)[0])
        os.kill(postmaster, signal.SIGSTOP)
        self.stopped.append(postmaster)
        for pid in _children(postmaster):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGSTOP)
                self.stopped.append(pid)
        wake = (
            "import contextlib, os, signal, sys, time; time.sleep(float(sys.argv[1]))\n"
            "for pid in sys.argv[2:]:\n    with contextlib.suppress(OSError): os.kill(int(pid), signal.SIGCONT)"
        )
        self.watchdog = subprocess.Popen([sys.executable, "-c", wake, str(self.WATCHDOG), *map(str, self.stopped)])
        return self

    @property
    def fired(self) -> bool:
        """True when the watchdog thawed the server (the test waited for it all that time)."""
        return self.watchdog is not None and self.watchdog.poll() == 0

    def thaw(self) -> None:
        """SIGCONT to every process stopped."""
        if self.watchdog is not None and self.watchdog.poll() is None:
            self.watchdog.terminate()
            self.watchdog.wait()
        for pid in self.stopped:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)

    def __exit__(self, *exc) -> None:
        self.thaw()

    start = __enter__  # within a block of until_the_app_ended: frozen from here on


@contextlib.contextmanager
def until_the_app_ended(served, what: str):  # noqa: F811 — the fixture imported above
    """A Frozen the block starts (start(): once the app is running), thawed only when the block ends (after the app
    has ended, so that its shutdown meets the frozen server too); the test fails when the watchdog had to thaw the
    server: `what` waited for it."""
    freeze = Frozen(served)
    try:
        yield freeze
        assert not freeze.fired, f"{what} waited for the server"
    finally:
        freeze.thaw()


def screen_name(pilot) -> str:
    return type(pilot.app.screen).__name__


def said(form) -> str:
    return str(form.query_one("#dialog-error", Static).render())


def offered(form, field: str) -> int:
    """How many names the form's chooser `field` offers (an event, a lead unit), its blank left out."""
    chooser = form.query_one(f"#f-{field}", Select)
    return chooser.query_one("SelectOverlay").option_count - (0 if chooser._allow_blank is False else 1)


async def _edit_first_deal(pilot, investor: str):
    """`e` on the list's first deal, `investor` typed into 投资方: the form, the deal's code and version."""
    from db.models import Deal

    await press(pilot, "e")
    form = pilot.app.screen
    assert screen_name(pilot) == "DealForm"
    field = form.query_one("#f-investor", Input)
    field.focus()
    field.value = ""
    await type_text(pilot, investor)
    return form, form.code, Deal.get(Deal.code == form.code).version


@run_async
async def test_a_save_to_a_frozen_server_says_so_is_sent_once_and_esc_does_not_pretend_to_discard_it(served):  # noqa: F811 — the fixture imported above
    from db.models import Deal

    app = CrmApp(today=TODAY, lang="en")
    async with running(app, SIZE) as pilot:
        form, code, version = await _edit_first_deal(pilot, "冻结时的投资方")
        with Frozen(served):  # noqa: F811 — the fixture imported above
            await pilot.press("ctrl+s")
            assert await wait_until(lambda: said(form) == _("Saving…"), 10)
            assert form.query_one("#f-investor", Input).disabled  # what is typed now would not be in the save
            await pilot.press("ctrl+s")  # a second write of the same version: refused as a conflict with the first
            assert said(form).startswith("Already saving")
            await pilot.press("escape")
            await pilot.pause(0.3)
            assert pilot.app.screen is form, "Esc closed the form while its save was in flight"
            assert said(form) == sent_text()
            await pilot.press("ctrl+q")
            assert await wait_until(lambda: screen_name(pilot) == "QuitWhileSavingDialog", 10)
        # the server answers (the question still open): the save is written, once, and the question and the form
        # close as after any save; the program goes on
        assert await wait_until(lambda: screen_name(pilot) == "DealsScreen", 30)
        await settle(pilot)
        assert len(pilot.app.screen_stack) == 1 and pilot.app.return_code is None
    deal = Deal.get(Deal.code == code)
    assert deal.investor == "冻结时的投资方" and deal.version == version + 1


@run_async
async def test_ctrl_q_during_a_frozen_save_asks_then_quits_at_once(served):  # noqa: F811 — the fixture imported above
    app = CrmApp(today=TODAY, lang="en")
    with until_the_app_ended(served, "quitting") as freeze:
        async with running(app, SIZE) as pilot:
            await _edit_first_deal(pilot, "退出前的投资方")
            freeze.start()
            await pilot.press("ctrl+s")
            assert await wait_until(lambda: said(pilot.app.screen) == _("Saving…"), 10)
            await pilot.press("ctrl+q")
            await pilot.pause(0.3)
            assert screen_name(pilot) == "QuitWhileSavingDialog"
            question = str(pilot.app.screen.query_one("#quit-saving-question").render())
            assert "may still be written" in question, question
            await pilot.press("n")  # wait after all
            await pilot.pause(0.3)
            assert screen_name(pilot) == "DealForm" and pilot.app.return_code is None
            await pilot.press("ctrl+q")
            await pilot.pause(0.3)
            assert screen_name(pilot) == "QuitWhileSavingDialog"
            await pilot.press("y")
    assert app.return_code == 0


@run_async
async def test_q_quits_at_once_while_the_frozen_server_holds_the_list_and_its_cancel(served):  # noqa: F811
    """A page read again (r, ctrl+r) stops the read before it with a cancel request, which a frozen server does not
    answer either: the program still reads q and ends."""
    app = CrmApp(today=TODAY, lang="en")
    with until_the_app_ended(served, "quitting") as freeze:
        async with running(app, SIZE) as pilot:
            freeze.start()
            await pilot.press("r")  # the list in reverse: its page is a read the server holds
            await pilot.press("ctrl+r")  # read again: the held read is cancelled first
            await pilot.pause(0.5)
            await pilot.press("q")
    assert app.return_code == 0


@run_async
async def test_a_form_opened_on_a_frozen_server_takes_typing_at_once_and_esc_still_works(served):  # noqa: F811 — the fixture imported above
    app = CrmApp(today=TODAY, lang="en")
    async with running(app, SIZE) as pilot:
        with Frozen(served):  # noqa: F811 — the fixture imported above
            await pilot.press("n")
            assert await wait_until(lambda: screen_name(pilot) == "DealForm", 10)
            form = pilot.app.screen
            assert pilot.app.focused is form.query_one("#f-name", Input)
            await type_text(pilot, "冻结时的新项目")
            assert form.query_one("#f-name", Input).value == "冻结时的新项目"
            await pilot.press("escape")
            assert await wait_until(lambda: screen_name(pilot) == "DiscardDialog", 10)
            await pilot.press("y")
            assert await wait_until(lambda: screen_name(pilot) == "DealsScreen", 10)
        await settle(pilot)


@run_async
async def test_a_form_opened_while_the_server_is_down_reads_its_choices_when_it_is_back(served):  # noqa: F811 — the fixture imported above
    app = CrmApp(today=TODAY, lang="en")
    app.pauses = (0.2, 0.5)
    async with running(app, SIZE) as pilot:
        _pg_ctl(served, "stop")
        await pilot.press("n")
        assert await wait_until(lambda: screen_name(pilot) == "DealForm", 10)
        form = pilot.app.screen
        assert pilot.app.focused is form.query_one("#f-name", Input)
        await type_text(pilot, "断线时的项目")
        assert form.query_one("#f-name", Input).value == "断线时的项目"
        assert await wait_until(lambda: "cannot be read" in said(form), 10)
        assert "not read yet" in str(form.query_one("#hint-event", Static).render())
        assert offered(form, "event") == 0 and form.query_one("#f-supporting", SelectionList).option_count == 0

        _pg_ctl(served, "start")
        supporting = form.query_one("#f-supporting", SelectionList)
        assert await wait_until(lambda: supporting.option_count > 0, 30)
        assert offered(form, "event") > 0 and offered(form, "lead_unit") == supporting.option_count
        assert said(form) == "" and str(form.query_one("#hint-event", Static).render()) == ""
        assert form.query_one("#f-name", Input).value == "断线时的项目"
        assert await wait_until(lambda: not banners(pilot.app), 30)


@run_async
async def test_an_edit_opened_while_the_server_is_down_is_filled_when_it_is_back(served):  # noqa: F811
    from db.models import Deal

    app = CrmApp(today=TODAY, lang="en")
    app.pauses = (0.2, 0.5)
    async with running(app, SIZE) as pilot:
        _pg_ctl(served, "stop")
        await pilot.press("e")
        assert await wait_until(lambda: screen_name(pilot) == "DealForm", 10)
        form = pilot.app.screen
        assert await wait_until(lambda: "cannot be read" in said(form), 10)
        name = form.query_one("#f-name", Input)
        assert name.is_disabled and name.value == ""  # nothing typed here that the deal's values would replace
        await pilot.press("ctrl+s")
        assert not form.query_one("#save").disabled  # no save sent without the version the deal was read at

        _pg_ctl(served, "start")
        assert await wait_until(lambda: name.value != "", 30)
        assert name.value == Deal.get(Deal.code == form.code).name and not name.is_disabled
        assert pilot.app.focused is name and said(form) == ""
        await pilot.press("escape")  # untouched: closes at once
        assert await wait_until(lambda: screen_name(pilot) == "DealsScreen", 10)


@pytest.mark.parametrize("backend", ["sqlite"])
def test_q_quits_the_program_while_a_database_call_hangs(demo_url, backend):
    """The database threads do not hold up the exit: q with a call its server never answers ends the process."""
    script = f"""
import asyncio, threading
from db.connection import open_database
open_database({demo_url!r})
from screens.app import CrmApp

async def main():
    app = CrmApp(lang="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.db.run(threading.Event().wait)  # a call the server never answers
        await pilot.pause(0.2)
        await pilot.press("q")
    print("closed", app.return_code, flush=True)

asyncio.run(main())
"""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        done = subprocess.run(
            [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=90
        )
    except subprocess.TimeoutExpired:
        pytest.fail("q did not end the program while a database call hung")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["closed", "0"], done.stdout


@run_async
async def test_a_deal_deleted_under_the_form_is_said_so_and_what_was_typed_stays(demo_ledger, demo_url):
    from db.models import Deal, ImportRecord

    crm(demo_url, "import", str(SHEETS / "funds_cumulative_v1.xlsx"))  # another officer's import …
    record = ImportRecord.select().order_by(ImportRecord.id.desc()).first()
    code = Deal.select(Deal.code).where(Deal.code.startswith("ZS2026")).order_by(Deal.code).first().code
    async with running(CrmApp(today=TODAY, lang="en"), SIZE) as pilot:
        await search(pilot, code)
        await press(pilot, "enter")
        form, _code, _version = await _edit_first_deal(pilot, "抄下来的投资方")
        assert form.code == code
        crm(demo_url, "import", "revert", str(record.id))  # … reverted while the form is open
        await press(pilot, "ctrl+s")
        assert pilot.app.screen is form
        assert said(form) == gone_text(code)
        assert "crm deals" not in said(form) and "no longer exists" in said(form)
        investor = form.query_one("#f-investor", Input)
        assert investor.value == "抄下来的投资方" and not investor.disabled
    assert not Deal.select().where(Deal.code == code).exists()
