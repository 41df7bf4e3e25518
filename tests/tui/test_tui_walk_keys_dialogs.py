"""What testers found walking the TUI at 80×24 and 140×40: ctrl+r on the Dashboard reading the lights and the
monthly chart again, the stage dialog sending the focus to 说明 when it asks for one, the progress and blocker
dialogs' hints, the import dialog fitting both sizes, the keys in the footers and the keys panel, Esc clearing a
selection, and the region quick filter in pinyin order."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from pypinyin import lazy_pinyin
from rich.cells import cell_len
from textual.widgets import Input, Select, Static
from textual.widgets._select import SelectOverlay

from crm.foundation.i18n import _
from crm.listing.pages import ListFilter
from crm.reporting import lights
from crm.values.dates import parse_date
from screens import charts
from screens.app import CrmApp
from screens.dashboard import DashboardScreen
from screens.deal_list import DealList
from screens.dialogs import due_example
from tests.conftest import BACKENDS
from tests.tui_support import (
    LARGE,
    SMALL,
    TODAY,
    crm,
    pin_clock,
    press,
    run_async,
    settle,
    sqlite_only,  # noqa: F401 — keys, dialogs and layout: SQLite alone
    type_text,
)

BOTH_SIZES = pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "140x40"])
SHEET = Path(__file__).resolve().parents[1] / "data" / "county_sheets" / "county_weekly.xlsx"


def crm_app() -> CrmApp:
    return CrmApp(today=TODAY, lang="zh")


def screen_text(app) -> str:
    """Every line the terminal gets for the screen shown."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def text_in(app, region) -> list[str]:
    """The lines drawn inside `region` of the screen shown (cells, not characters: a Chinese one takes two)."""
    strips = app.screen._compositor.render_strips()
    return [strip.crop(region.x, region.right).text for strip in strips[region.y : region.bottom]]


def footer_keys(app) -> dict[str, str]:
    """The keys the footer shows, each with its description, and that none runs under the palette's key."""
    footer = app.screen.query_one("Footer")
    keys = {item.key: item for item in footer.query("FooterKey")}
    palette = keys.pop("ctrl+p")
    for key, item in keys.items():
        assert item.region.right <= palette.region.x, (key, "drawn under ^p")
    return {key: item.description for key, item in keys.items()}


# ---- 1. ctrl+r on the Dashboard ----------------------------------------------------------------------------


def _red_deal_to_start() -> str:
    """A deal red on TODAY that a forward move to 开工 turns green (no note needed)."""
    from db.models import Deal

    red = [
        c
        for c, d in lights.deal_lights([d.code for d in Deal.select(Deal.code)], TODAY).items()
        if d.light == lights.RED
    ]
    return Deal.select(Deal.code).where(Deal.code.in_(red), Deal.stage.in_(["signed", "registered"])).first().code


@run_async
async def test_ctrl_r_on_the_dashboard_reads_the_lights_the_chart_and_the_cohorts_again(
    demo_ledger, demo_url, monkeypatch
):
    pin_clock()
    code = _red_deal_to_start()
    drawn: list[charts.MonthSeries] = []
    month_plots = charts.month_plots
    monkeypatch.setattr(charts, "month_plots", lambda series: drawn.append(series) or month_plots(series))
    before = lights.counts(ListFilter(), TODAY)[None]
    async with crm_app().run_test(size=LARGE) as pilot:
        await settle(pilot)
        await press(pilot, "5")
        screen = pilot.app.screen
        assert isinstance(screen, DashboardScreen)
        assert f"红灯 {before.red} 个" in str(screen.query_one("#dashboard-lights").render())
        started_in_june = drawn[-1].starts[5]

        # another officer, in another shell
        crm(demo_url, "stage", code, "started", "--on", TODAY.replace(day=15).isoformat())
        crm(demo_url, "event", "add", "第三届京津冀产业合作洽谈会", "--on", "2026-05-20")
        await press(pilot, "ctrl+r")
        line = str(screen.query_one("#dashboard-lights").render())
        assert f"红灯 {before.red - 1} 个" in line and f"绿灯 {before.green + 1} 个" in line, line
        assert drawn[-1].starts[5] == started_in_june + 1, "the monthly chart counts the new start"
        assert "第三届京津冀产业合作洽谈会 (2026)" in [
            str(label) for label, _key in screen.query_one("#cohort")._options
        ]


# ---- 2. the stage dialog's refusal sends the focus to 说明 -------------------------------------------------------


@run_async
async def test_a_move_backwards_without_a_note_puts_the_cursor_in_the_note(demo_ledger):
    async with crm_app().run_test(size=SMALL) as pilot:
        await settle(pilot)
        code = pilot.app.screen.query_one(DealList).current_row().code  # ZS2020-0010, 签约
        await press(pilot, "s")
        dialog = pilot.app.screen
        dialog.query_one("#stage-to", Select).value = "negotiating"
        await settle(pilot)
        await press(pilot, "ctrl+s")
        assert "请填写说明" in str(dialog.query_one("#dialog-error", Static).render())
        assert dialog.focused is dialog.query_one("#stage-note", Input)
        await type_text(pilot, "投资方撤回")
        assert dialog.query_one("#stage-note", Input).value == "投资方撤回"
        assert dialog.query_one("#stage-on", Input).value == TODAY.isoformat(), "the date kept as it was"
        await press(pilot, "ctrl+s")
        assert pilot.app.screen is not dialog, "saved with the note"
    from crm.listing import views

    assert views.detail(code)["stage"] == "negotiating"


# ---- 3. the progress and blocker dialogs' hints -------------------------------------------------------------------


@BOTH_SIZES
@run_async
async def test_the_progress_dialogs_placeholder_and_editor_tip_are_whole(demo_ledger, size):
    async with crm_app().run_test(size=size) as pilot:
        await settle(pilot)
        await press(pilot, "p")
        field = pilot.app.screen.query_one("#progress-text", Input)
        assert cell_len(field.placeholder) <= field.content_size.width, "a longer placeholder is cut at its space"
        assert field.placeholder in screen_text(pilot.app)
        tip = pilot.app.screen.query_one("#hint-text", Static)
        assert str(tip.render()) == _("ctrl+e: write it in an editor")
        assert "".join(text_in(pilot.app, tip.region)).replace(" ", "") == str(tip.render()).replace(" ", "")


@BOTH_SIZES
@run_async
async def test_the_blocker_dialogs_due_date_shows_how_to_type_one_and_no_value(demo_ledger, size):
    async with crm_app().run_test(size=size) as pilot:
        await settle(pilot)
        await press(pilot, "b")
        dialog = pilot.app.screen
        due = dialog.query_one("#blocker-due", Input)
        assert due.value == "" and due.placeholder == "", "nothing in the field that reads as a date filled in"
        hint = dialog.query_one("#hint-due", Static)
        example = due_example(TODAY)
        assert str(hint.render()) == example and not hint.has_class("-error")
        assert "".join(text_in(pilot.app, hint.region)).replace(" ", "") == example.replace(" ", "")
        iso = example.split()[-1]
        assert parse_date(iso) >= TODAY, "the example is no overdue day"
        due.value = "6月1日"
        await settle(pilot)
        assert hint.has_class("-error"), "a past day is still flagged"
        due.value = ""
        await settle(pilot)
        assert str(hint.render()) == example


def test_the_due_example_is_ahead_and_in_this_year():
    for today in (datetime.date(2026, 6, 30), datetime.date(2026, 12, 7), datetime.date(2026, 1, 31)):
        day = parse_date(due_example(today).split()[-1])
        assert today <= day and day.year == today.year, (today, day)


# ---- 4. the import dialog at both sizes ---------------------------------------------------------------------------


async def _preview(pilot):
    await press(pilot, "i")
    dialog = pilot.app.screen
    dialog.query_one("#import-path", Input).value = str(SHEET)
    await pilot.click("#preview")
    await settle(pilot)
    return dialog


@BOTH_SIZES
@run_async
async def test_a_column_chooser_opens_inside_the_dialog_clear_of_the_status_line(demo_ledger, size):
    async with crm_app().run_test(size=size) as pilot:
        await settle(pilot)
        dialog = await _preview(pilot)
        box = dialog.query_one(".dialog").region
        for index in (0, len(dialog.column_labels) - 1):  # the first and the last column's
            chooser = dialog.query_one(f"#import-col-{index}", Select)
            chooser.scroll_visible(animate=False)
            chooser.focus()
            await settle(pilot)
            await press(pilot, "enter")
            overlay = chooser.query_one(SelectOverlay)
            assert chooser.expanded
            assert box.y < overlay.region.y and overlay.region.bottom < box.bottom, (overlay.region, box)
            assert not overlay.region.overlaps(chooser.region), "the chooser's own line stays in sight"
            await press(pilot, "escape")


@run_async
async def test_at_80x24_the_preview_takes_the_rows_under_it(demo_ledger):
    async with crm_app().run_test(size=SMALL) as pilot:
        await settle(pilot)
        dialog = await _preview(pilot)
        report = dialog.query_one("#import-report").region
        assert report.height - 2 >= 6, "six lines of the report inside its border"
        assert dialog.query_one(".dialog-buttons").region.y == report.bottom, "no blank rows between"
        dialog.query_one("#import-path", Input).value = "/no/such/file.xlsx"
        await pilot.click("#preview")
        await settle(pilot)
        error = dialog.query_one("#dialog-error", Static)
        assert error.region.height >= 1 and str(error.render()), "an error still has its line"


@BOTH_SIZES
@run_async
async def test_the_undo_import_confirmation_keeps_each_count_with_its_words(demo_ledger, size):
    async with crm_app().run_test(size=size) as pilot:
        await settle(pilot)
        await _preview(pilot)
        await pilot.click("#save")
        await settle(pilot)
        await press(pilot, "i")
        await press(pilot, "ctrl+l")
        await press(pilot, "enter")
        what = pilot.app.screen.query_one("#revert-what", Static)
        lines = [line.rstrip() for line in text_in(pilot.app, what.region)]
        joined = "".join(lines)
        assert "它新建的 10 个项目将被删除" in joined and "它更新的 2 个项目" in joined, lines
        for line, after in zip(lines, lines[1:]):
            assert not (line[-1:].isdigit() and after.lstrip().startswith("个")), (line, after)
        assert all(cell_len(line) <= what.region.width for line in lines)


# ---- 5. keys: the footers, the keys panel, esc on a selection -----------------------------------------------------


@run_async
async def test_the_list_footer_shows_import_and_the_filters_key_as_the_width_allows(demo_ledger):
    async with crm_app().run_test(size=SMALL) as pilot:
        await settle(pilot)
        keys = footer_keys(pilot.app)
        assert keys.get("i") == "导入" and "question_mark" in keys
    async with crm_app().run_test(size=LARGE) as pilot:
        await settle(pilot)
        keys = footer_keys(pilot.app)
        for key in ("i", "F", "space", "e", "B", "question_mark"):
            assert key in keys, (key, keys)
        await press(pilot, "F")
        assert pilot.app.screen.focused is pilot.app.screen.query_one("#filter-stage", Select)
        await press(pilot, "escape")
        assert isinstance(pilot.app.screen.focused, DealList)


@BOTH_SIZES
@run_async
async def test_the_detail_footer_shows_the_stage_reversal_and_more_as_the_width_allows(demo_ledger, size):
    async with crm_app().run_test(size=size) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        keys = footer_keys(pilot.app)
        assert keys.get("u") == "撤销阶段" and "question_mark" in keys, keys
        if size == LARGE:
            assert {"a", "v", "o", "i"} <= set(keys), keys


@BOTH_SIZES
@run_async
async def test_esc_clears_a_selection_and_the_footer_says_so_while_there_is_one(demo_ledger, size):
    async with crm_app().run_test(size=size) as pilot:
        await settle(pilot)
        deal_list = pilot.app.screen.query_one(DealList)
        await press(pilot, "space", "space")
        assert len(deal_list.selected) == 2
        assert "escape" in footer_keys(pilot.app)
        await press(pilot, "escape")
        assert not deal_list.selected
        assert "escape" not in footer_keys(pilot.app)
        assert "已选" not in str(pilot.app.screen.query_one("#deal-status", Static).render())

        await press(pilot, "space", "slash")
        await type_text(pilot, "涿州")
        await press(pilot, "escape")  # in the search box: the search is cleared, the selection kept
        assert deal_list.selected and pilot.app.screen.query_one("#search", Input).value == ""


@run_async
async def test_the_keys_panel_wraps_what_a_key_does_rather_than_cut_it(demo_ledger):
    async with crm_app().run_test(size=LARGE) as pilot:
        await settle(pilot)
        await press(pilot, "question_mark")
        panel = pilot.app.screen.query_one("KeysPanel")
        shown = "".join(text_in(pilot.app, panel.region))
        assert "…" not in shown
        # the panel's border and scrollbar off, the lines joined
        whole = "".join(ch for ch in shown if ch not in "▏▁▂▃▄▅▆▇█" and not ch.isspace())
        for tooltip in (
            _("Select or unselect the deal for a bulk change (B)"),
            _("Change stage, lead unit, liaison or tag of the selected deals"),
        ):
            assert "".join(tooltip.split()) in whole, tooltip


# ---- 6. the region quick filter in pinyin order ------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_region_and_industry_choices_come_in_pinyin_order(demo_ledger):
    from crm.listing import pages

    regions = pages.regions()
    assert regions.index("安国市") < regions.index("保定高新区") < regions.index("定兴县") < regions.index("涿州市")
    assert regions == sorted(regions, key=lazy_pinyin), "as a reader looks a county up, not by code point"
    industries = pages.industries()
    assert industries == sorted(industries, key=lazy_pinyin) and len(industries) == len(set(industries))


@run_async
async def test_the_region_quick_filter_lists_the_counties_in_pinyin_order(demo_ledger):
    async with crm_app().run_test(size=SMALL) as pilot:
        await settle(pilot)
        region = pilot.app.screen.query_one("#filter-region", Select)
        offered = [str(label) for label, _value in region._options if _value is not Select.NULL]
        assert offered == sorted(offered, key=lazy_pinyin) and offered.index("安国市") < offered.index("保定高新区")
