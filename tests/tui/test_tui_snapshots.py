"""Snapshots (pytest-textual-snapshot) of the main screens in Chinese and English.

Every screen is taken at 80×24 and 140×40, in Chinese and English. The demo ledger's clock-dependent values are pinned and the app is given a
fixed "today", so the pictures are the same on any day. After an intended
change of a screen, review the difference and update with
`pytest tests/tui/test_tui_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from screens.app import CrmApp
from tests.tui_support import TODAY, pin_clock, settle, type_text

SIZE = (140, 40)
SIZES = {"80x24": (80, 24), "140x40": (140, 40)}  # the standard terminal, and a large one
LANGUAGES = ["zh", "en"]
#: A test taken in each language at each size, its id `zh-80x24` as the snapshot files are named.
EVERY_LANGUAGE_AND_SIZE = pytest.mark.parametrize(
    ("lang", "size"), [(lang, size) for lang in LANGUAGES for size in SIZES]
)


@pytest.fixture
def backend():
    """Pictures of the screen do not depend on the database: SQLite only."""
    return "sqlite"


@pytest.fixture
def pinned(demo_ledger):
    pin_clock()
    yield demo_ledger


def crm_app(lang: str) -> CrmApp:
    return CrmApp(today=TODAY, lang=lang)


def snap(snap_compare, lang: str, size: str, run_before) -> bool:
    """The app in `lang` at `size`, after `run_before`, against its snapshot."""
    return snap_compare(crm_app(lang), terminal_size=SIZES[size], run_before=run_before)


def steady_cursor(pilot) -> None:
    """No blinking cursor in a picture: it would be on or off depending on the moment."""
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False


def go(*keys: str):
    async def run_before(pilot) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run_before


@EVERY_LANGUAGE_AND_SIZE
def test_deals(pinned, snap_compare, lang, size):
    assert snap(snap_compare, lang, size, go())


def test_deals_searched_and_filtered(pinned, snap_compare):
    async def run_before(pilot):
        await settle(pilot)
        pilot.app.screen.query_one("#filter-region").value = "高碑店市"
        await pilot.press("slash")
        await type_text(pilot, "gd")
        steady_cursor(pilot)
        await settle(pilot)

    assert snap_compare(crm_app("zh"), terminal_size=SIZE, run_before=run_before)


@EVERY_LANGUAGE_AND_SIZE
def test_deal_detail(pinned, snap_compare, lang, size):
    async def run_before(pilot):
        from screens.detail import DealDetailScreen

        await settle(pilot)
        await pilot.app.push_screen(DealDetailScreen("ZS2019-0003"))
        await settle(pilot)

    assert snap(snap_compare, lang, size, run_before)


@EVERY_LANGUAGE_AND_SIZE
def test_board(pinned, snap_compare, lang, size):
    assert snap(snap_compare, lang, size, go("2"))


@EVERY_LANGUAGE_AND_SIZE
def test_blockers(pinned, snap_compare, lang, size):
    assert snap(snap_compare, lang, size, go("3"))


@EVERY_LANGUAGE_AND_SIZE
def test_events(pinned, snap_compare, lang, size):
    assert snap(snap_compare, lang, size, go("4"))


@EVERY_LANGUAGE_AND_SIZE
def test_dashboard(pinned, snap_compare, lang, size):
    assert snap(snap_compare, lang, size, go("5"))


@EVERY_LANGUAGE_AND_SIZE
def test_rates(pinned, snap_compare, lang, size):
    assert snap(snap_compare, lang, size, go("6"))


@EVERY_LANGUAGE_AND_SIZE
def test_keys_panel(pinned, snap_compare, lang, size):
    assert snap(snap_compare, lang, size, go("question_mark"))


@EVERY_LANGUAGE_AND_SIZE
def test_export_dialog_from_a_filtered_list(pinned, snap_compare, lang, size):
    async def run_before(pilot):
        from screens.transfer import ExportDialog

        await settle(pilot)
        pilot.app.screen.query_one("#filter-region").value = "高碑店市"
        await settle(pilot)
        await pilot.app.push_screen(ExportDialog(directory=Path("/srv/exports")))
        steady_cursor(pilot)
        await settle(pilot)

    assert snap(snap_compare, lang, size, run_before)


@EVERY_LANGUAGE_AND_SIZE
def test_bulk_dialog(pinned, snap_compare, lang, size):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("space", "space", "space", "B")
        steady_cursor(pilot)
        await settle(pilot)

    assert snap(snap_compare, lang, size, run_before)


@EVERY_LANGUAGE_AND_SIZE
def test_new_deal_form_with_an_amount_in_us_dollars(pinned, snap_compare, lang, size):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        form = pilot.app.screen
        form.query_one("#f-name", Input).value = "涿州智能制造产业园项目"
        form.query_one("#f-signed_on", Input).value = "2020-05-18"
        form.query_one("#f-amount", Input).focus()
        await type_text(pilot, "1.8亿美元")
        steady_cursor(pilot)
        await settle(pilot)

    assert snap(snap_compare, lang, size, run_before)


@EVERY_LANGUAGE_AND_SIZE
def test_stage_dialog_asks_for_a_note_going_backwards(pinned, snap_compare, lang, size):
    async def run_before(pilot):
        from screens.dialogs import StageDialog

        await settle(pilot)
        await pilot.app.push_screen(StageDialog("ZS2020-0001", "construction"))
        await settle(pilot)

    assert snap(snap_compare, lang, size, run_before)


@EVERY_LANGUAGE_AND_SIZE
def test_deal_detail_timeline(pinned, snap_compare, lang, size):
    """The timeline of a deal with every kind of event and correction, scrolled into view."""
    from db.models import AuditEntry, Deal, FundsArrived, InvestmentDone, InvestmentPlan, Progress, StageChange
    from tests.tui.test_tui_timeline import CODE, history
    from tests.tui_support import NOW

    history()
    # what the corrections took from the real clock, pinned like the demo's
    AuditEntry.update(at=NOW).execute()
    StageChange.update(recorded_at=NOW).execute()
    Progress.update(recorded_at=NOW).execute()
    FundsArrived.update(voided_at=NOW).where(FundsArrived.voided_at.is_null(False)).execute()
    InvestmentDone.update(voided_at=NOW).where(InvestmentDone.voided_at.is_null(False)).execute()
    InvestmentPlan.update(recorded_at=NOW).execute()
    Deal.update(updated_at=NOW).execute()

    async def run_before(pilot):
        from screens.detail import DealDetailScreen

        await settle(pilot)
        await pilot.app.push_screen(DealDetailScreen(CODE))
        await settle(pilot)
        pilot.app.screen.query_one("#detail").scroll_to_widget(
            pilot.app.screen.query_one("#detail-timeline"), top=True, animate=False
        )
        await settle(pilot)

    assert snap(snap_compare, lang, size, run_before)


@EVERY_LANGUAGE_AND_SIZE
def test_progress_dialog_asks_before_discarding(pinned, snap_compare, lang, size):
    """p on the Detail, a line typed, Esc: the question over the dialog."""

    async def run_before(pilot):
        from screens.detail import DealDetailScreen

        await settle(pilot)
        await pilot.app.push_screen(DealDetailScreen("ZS2019-0003"))
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        await type_text(pilot, "施工图审查通过")
        await pilot.press("escape")
        steady_cursor(pilot)
        await settle(pilot)

    assert snap(snap_compare, lang, size, run_before)


@EVERY_LANGUAGE_AND_SIZE
def test_void_dialog(pinned, snap_compare, lang, size):
    """v on the Detail of a deal with two funds entries and a month invested: the entry to choose, the note."""
    from crm.deals import funds, investment

    funds.record_funds("ZS2019-0003", "5000万元", on=TODAY.replace(month=2, day=10), actor="李明")
    funds.record_funds("ZS2019-0003", "8000万元", on=TODAY.replace(month=3, day=15), actor="李明")
    investment.record_invest("ZS2019-0003", "1亿元", TODAY.replace(month=3, day=1), actor="李明")

    async def run_before(pilot):
        from screens.detail import DealDetailScreen

        await settle(pilot)
        await pilot.app.push_screen(DealDetailScreen("ZS2019-0003"))
        await settle(pilot)
        await pilot.press("v")
        steady_cursor(pilot)
        await settle(pilot)

    assert snap(snap_compare, lang, size, run_before)


@EVERY_LANGUAGE_AND_SIZE
def test_report(pinned, snap_compare, lang, size):
    assert snap(snap_compare, lang, size, go("7"))


@EVERY_LANGUAGE_AND_SIZE
def test_report_of_a_filtered_list_by_lead_unit(pinned, snap_compare, lang, size):
    async def run_before(pilot):
        await settle(pilot)
        pilot.app.screen.query_one("#filter-region").value = "涿州市"
        await settle(pilot)
        for key in ("7", "g"):
            await pilot.press(key)
            await settle(pilot)
        steady_cursor(pilot)

    assert snap(snap_compare, lang, size, run_before)


# 140×40 only: at 80 columns plotext's bars came out split into differently grouped segments from run to run
# (the same picture, another SVG); test_dashboard covers the Dashboard at 80×24.
@pytest.mark.parametrize("size", ["140x40"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_dashboard_monthly_chart(pinned, snap_compare, lang, size):
    async def run_before(pilot):
        await settle(pilot)
        pilot.app.dashboard_cohort = "year:2020"  # a year of the demo's signings
        await pilot.press("5")
        await settle(pilot)
        assert pilot.app.screen.query("#plot-counts"), "the chart is in before the screen is scrolled to it"
        pilot.app.screen.query_one("#dashboard").scroll_end(animate=False)  # the chart is below the tiles and bars
        await settle(pilot)
        await pilot.pause(0.5)  # the plots drawn at their final size

    assert snap(snap_compare, lang, size, run_before)
