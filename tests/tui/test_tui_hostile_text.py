"""Text from the ledger reaches the terminal inert on every screen: a ledger whose names, notes
and blockers hold ESC sequences, bidi overrides, C0/C1 controls and Rich/Textual markup (an old
ledger, another program writing the database) is shown with each control as a visible escape
and the markup as the literal brackets, on the deal list, Board, Blockers, Events, Dashboard,
Rates, Detail, the dialogs and the notifications."""

from __future__ import annotations

import datetime
import unicodedata

from screens.app import CrmApp
from tests.tui_support import TODAY, pin_clock, run_async, settle

SIZE = (160, 50)
CODE = "ZS2020-0004"  # a signed demo deal with a lead unit, an event and open blockers
#: Each starts with a marker that is visible only when the markup after it is not interpreted.
NAME = "[b]恶意项目[/b]\x1b[2J\x1b]0;标题\x07\u202e反向\x9b31m[/]"
DEPARTMENT = "[i]恶意部门\x1b[5m\u2066"
EVENT = "[u]恶意活动\x1b[0m\u202d"
BLOCKER = "[b]恶意问题\x1b[31m\x85"
NOTE = "[@click=app.quit]恶意备注[/]\x1b[1m"
INVESTOR = "[reverse]恶意投资方\x1b[7m"
SOURCE = "[b]恶意来源\x1b[4m"
MARKERS = {"[b]恶意项目", "[i]恶意部门", "[u]恶意活动", "[b]恶意问题", "[reverse]恶意投资方"}


def _poison() -> None:
    """Write hostile text straight into the database, past the checks that refuse it at entry."""
    from db.models import Blocker, Deal, Department, Event, FxRate, Progress, StageChange

    deal = Deal.get(Deal.code == CODE)
    Deal.update(name=NAME, notes=NOTE, investor=INVESTOR).where(Deal.id == deal.id).execute()
    Department.update(name=DEPARTMENT).where(Department.id == deal.lead_unit_id).execute()
    Event.update(name=EVENT).where(Event.id == deal.event_id).execute()
    Blocker.update(text=BLOCKER, department=deal.lead_unit_id, resolved_on=None).where(Blocker.deal == deal).execute()
    StageChange.update(note=NOTE).where(StageChange.deal == deal).execute()
    Progress.create(deal=deal, on=datetime.date(2026, 6, 1), text=NOTE, author="[b]作者\x1b[1m")
    FxRate.update(source=SOURCE).execute()


def _screen_text(app) -> str:
    """Every line the terminal would get for the screen shown (toasts included), as text."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def _toasts_text(app) -> str:
    """The text of the notifications raised so far, as a toast shows each (its markup read when it has some)."""
    from textual.content import Content

    return "\n".join(Content.from_markup(n.message).plain if n.markup else n.message for n in app._notifications)


def _unsafe(text: str) -> list[str]:
    return sorted(
        {f"U+{ord(ch):04X}" for ch in text if ch != "\n" and unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")}
    )


def _check(app, where: str, expected: set[str]) -> None:
    shown = _screen_text(app)
    raw = [line for line in shown.splitlines() if _unsafe(line)]
    assert _unsafe(shown) == [], f"{where}: raw control characters reach the terminal: {raw}"
    missing = {m for m in expected if m not in shown}
    assert not missing, f"{where}: {missing} not shown literally (markup interpreted, or not shown):\n{shown}"


@run_async
async def test_hostile_ledger_text_is_inert_on_every_screen(demo_ledger, tmp_path):
    pin_clock()
    _poison()
    app = CrmApp(today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        for ch in CODE:
            await pilot.press(ch)
        await pilot.press("enter")  # to the list, on the one deal found
        await settle(pilot)
        _check(app, "deal list", {"[b]恶意项目"})
        await pilot.press("y")  # copy the deal's line: a notification quoting its name
        await settle(pilot)
        toasts = _toasts_text(app)
        assert "[b]恶意项目" in toasts and _unsafe(toasts) == [], toasts
        for key, where, expected in (
            ("2", "board", {"[b]恶意项目"}),
            ("3", "blockers", {"[b]恶意问题", "[i]恶意部门"}),
            ("4", "events", {"[u]恶意活动"}),
            ("5", "dashboard", set()),
            ("6", "rates", {"[b]恶意来源"}),
        ):
            await pilot.press(key)
            await settle(pilot)
            _check(app, where, expected)
        from screens.detail import open_deal

        open_deal(app, CODE)
        await settle(pilot)
        _check(app, "detail", {"[b]恶意项目", "[reverse]恶意投资方", "[b]恶意问题", "[@click=app.quit]恶意备注"})
        for key, where, expected in (
            ("s", "stage dialog", {"[b]恶意项目"}),
            ("r", "resolve dialog", {"[b]恶意问题"}),
        ):
            await pilot.press(key)
            await settle(pilot)
            _check(app, where, expected)
            await pilot.press("escape")
            await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        # a spreadsheet from elsewhere: its header and cells quoted in the import preview
        sheet = tmp_path / "恶意.csv"
        sheet.write_text(
            "项目名称,投资额(亿元),签约日期,[b]恶意列\x1b[31m[/]\n[u]恶意导入\x1b[2J[/],3,2021-04-01,x\n",
            encoding="utf-8",
        )
        app.action_import_ledger()
        await settle(pilot)
        await pilot.press(*str(sheet), "enter")  # enter previews
        await settle(pilot)
        _check(app, "import preview", {"[b]恶意列"})
        assert app.is_running  # [@click=app.quit] never became a link that quits
