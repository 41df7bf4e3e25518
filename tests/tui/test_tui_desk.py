"""The TUI as a desk tool (issue 15): every key findable in the current language,
80×24, search and export that agree, the small traps, clipboard and editor.

Each test drives the app with Pilot, as an officer would with the keyboard,
and checks what the screen shows and what the database holds.
"""

from __future__ import annotations

import datetime
import os
import stat
from decimal import Decimal

import pytest
from textual.widgets import DataTable, Input, Select

from crm.listing.filters import DealFilter
from crm.reference import fx
from crm.reporting import weekly
from db.models import Blocker, Deal, FxRate
from screens.app import CrmApp
from screens.deal_list import DealList, DealListHeader
from tests.conftest import BACKENDS
from tests.tui_support import (
    LARGE,
    SMALL,
    TODAY,
    pin_clock,
    press,
    run_async,
    running,
    settle,
    sqlite_only,  # noqa: F401 — keys, dialogs and layout: SQLite alone
    type_text,
)


def crm_app(lang: str = "zh", demo: bool = False) -> CrmApp:
    return CrmApp(today=TODAY, lang=lang, demo=demo)


def keys_panel_text(app) -> str:
    from textual.widgets._key_panel import BindingsTable

    table = app.screen.query_one(BindingsTable).render_bindings_table()
    return " ".join(str(cell) for column in table.columns for cell in column._cells)


def shown_deals(app) -> list[str]:
    deal_list = app.screen.query_one(DealList)
    return [deal_list._window.get(i).code for i in range(deal_list.row_count)]


# ---- keys, in the current language --------------------------------------------------


@run_async
async def test_question_mark_shows_every_key_in_chinese_textuals_own_included(demo_ledger):
    async with running(crm_app("zh"), LARGE) as pilot:
        footer = pilot.app.screen.query_one("KeysFooter")
        assert (
            "question_mark" in {b.key for (_n, b, _e, _t) in pilot.app.screen.active_bindings.values() if b.show}
            and footer is not None
        )
        await press(pilot, "question_mark")
        text = keys_panel_text(pilot.app)
        # keys the footer has no room for: funds, import, departments, reverse sort, the screens, copy
        for label in ("到位资金", "导入", "部门", "倒序", "看板", "复制摘要"):
            assert label in text, label
        # Textual's own bindings (tab: Focus Next) are not ours: not listed, in any language
        assert "下一个字段" not in text and "Focus Next" not in text
        assert "Scroll" not in text and "Quit the app" not in text
        await press(pilot, "question_mark")
        assert not pilot.app.screen.query("HelpPanel")


@run_async
async def test_enter_says_what_it_opens_on_the_blockers_and_events_screens(demo_ledger):
    async with running(crm_app("zh"), LARGE) as pilot:
        for key, label in (("3", "打开项目"), ("4", "活动看板")):
            await press(pilot, key)
            enter = [b for (_n, b, _e, _t) in pilot.app.screen.active_bindings.values() if b.key == "enter"]
            assert enter and enter[0].description == label and enter[0].show


@run_async
async def test_the_palette_and_select_menus_speak_chinese(demo_ledger):
    async with running(crm_app("zh"), LARGE) as pilot:
        await press(pilot, "ctrl+p")
        palette_input = pilot.app.screen.query_one("CommandInput", Input)
        assert palette_input.placeholder == "搜索命令…"
        await type_text(pilot, "qqqqzzzz")
        await pilot.pause(0.8)
        await settle(pilot)
        options = pilot.app.screen.query_one("CommandList")
        assert "没有匹配项" in str(options.get_option_at_index(0).prompt.renderable)
        await press(pilot, "escape")
        # an open quick filter's menu: its dismiss key in Chinese in the footer
        pilot.app.screen.query_one("#filter-stage", Select).focus()
        await press(pilot, "enter")
        labels = {b.description for (_n, b, _e, _t) in pilot.app.screen.active_bindings.values()}
        assert "关闭菜单" in labels and "Dismiss menu" not in labels


@run_async
async def test_the_demo_says_it_is_the_demo(demo_ledger):
    async with running(crm_app("zh", demo=True), SMALL) as pilot:
        assert pilot.app.screen.title == "演示台账"
    async with running(crm_app("zh"), SMALL) as pilot:
        assert pilot.app.screen.title == "招商台账"


# ---- 80×24 ---------------------------------------------------------------------------


@run_async
async def test_at_80_columns_stage_days_and_blockers_show_and_the_name_gives_way(demo_ledger):
    for lang, must in (
        ("zh", ("阶段", "天数", "问题", "编号", "项目名称")),
        ("en", ("Stage", "Days", "Issues", "Code")),
    ):
        async with running(crm_app(lang), SMALL) as pilot:
            header = pilot.app.screen.query_one(DealListHeader).render()
            for label in must:
                assert label in header, (lang, label, header)
            assert ("县(市、区)" not in header) and ("Region" not in header)  # region gave way
            row = pilot.app.screen.query_one(DealList).render_line(0).text
            assert row.startswith("ZS2020-0010") and "签约" in row or "Signed" in row
    async with running(crm_app("zh"), LARGE) as pilot:
        header = pilot.app.screen.query_one(DealListHeader).render()
        assert "县(市、区)" in header and "牵头单位" in header  # room enough: every column


# ---- search and export agree -------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)  # region and lead-unit search is the dialect's own
@run_async
async def test_search_finds_region_and_lead_unit_and_escape_clears_it(demo_ledger):
    in_zhuozhou = {d.code for d in Deal.select().where(Deal.region == "涿州市")}
    async with running(crm_app("zh"), LARGE) as pilot:
        everything = len(shown_deals(pilot.app))
        await pilot.press("slash")
        await type_text(pilot, "涿州市")
        await settle(pilot)
        assert set(shown_deals(pilot.app)) == in_zhuozhou and len(in_zhuozhou) == 3
        pilot.app.screen.query_one("#search", Input).value = "商务局"
        await settle(pilot)
        by_lead = {
            d.code
            for d in Deal.select()
            .join_from(Deal, Deal.lead_unit.rel_model)
            .where(Deal.lead_unit.rel_model.name == "保定市商务局")
        }
        assert set(shown_deals(pilot.app)) == by_lead and by_lead
        await press(pilot, "escape")
        assert pilot.app.screen.query_one("#search", Input).value == ""
        assert len(shown_deals(pilot.app)) == everything
        assert pilot.app.screen.focused is pilot.app.screen.query_one(DealList)


@run_async
async def test_an_export_from_a_filtered_list_writes_that_list_and_says_so(demo_ledger, tmp_path):
    from screens.transfer import ExportDialog

    async with running(crm_app("zh"), LARGE) as pilot:
        pilot.app.screen.query_one("#filter-region", Select).value = "高碑店市"
        await settle(pilot)
        assert len(shown_deals(pilot.app)) == 5
        notes = []
        await pilot.app.push_screen(ExportDialog(directory=tmp_path), notes.append)
        await settle(pilot)
        dialog = pilot.app.screen
        assert dialog.query_one("#export-scope").value is True  # the filtered list, unless unticked
        dialog.query_one("#export-format", Select).value = "csv"
        await settle(pilot)
        dialog.query_one("#export-week", Input).value = "2020-W40"
        await settle(pilot)
        await press(pilot, "ctrl+s")
        expected = weekly.build(
            weekly.resolve_week("2020-W40", today=TODAY), DealFilter(region="高碑店市"), today=TODAY
        ).summary.rows
        everyone = weekly.build(weekly.resolve_week("2020-W40", today=TODAY), None, today=TODAY).summary.rows
        assert 0 < expected < everyone
        assert notes and f"{expected} 个项目" in notes[0] and "仅筛选后的列表：高碑店市" in notes[0], notes
        written = (tmp_path / "周报-2020-W40.csv").read_text(encoding="utf-8-sig")
        codes = {d.code for d in Deal.select().where(Deal.region == "高碑店市")}
        assert sum(code in written for code in codes) == expected
        assert written.count("ZS20") == expected


@run_async
async def test_the_export_path_can_be_emptied_and_defaults_outside_the_working_directory(demo_ledger):
    async with running(crm_app("zh"), LARGE) as pilot:
        await press(pilot, "x")
        path = pilot.app.screen.query_one("#export-path", Input)
        assert not path.value.startswith(os.getcwd())
        path.focus()
        await press(pilot, "ctrl+a", "ctrl+k")
        assert path.value == ""
        await type_text(pilot, "/tmp/a.xlsx")
        await settle(pilot)
        assert path.value == "/tmp/a.xlsx"  # not appended to a default that came back
        pilot.app.screen.query_one("#export-week", Input).value = "2020-W21"
        await settle(pilot)
        assert path.value == "/tmp/a.xlsx"


@run_async
async def test_the_board_and_the_dashboard_follow_the_list_filter(demo_ledger):
    async with running(crm_app("zh"), LARGE) as pilot:
        pilot.app.screen.query_one("#filter-region", Select).value = "高碑店市"
        await settle(pilot)
        await press(pilot, "5")
        screen = pilot.app.screen
        assert screen.query_one("#cohort", Select).value == "list"
        assert "高碑店市" in screen.sub_title
        assert "[b]5[/]" in str(screen.query_one("#tile-deals").content)


# ---- the small traps ------------------------------------------------------------------------


@run_async
async def test_1_from_a_deal_returns_to_the_list(demo_ledger):
    async with running(crm_app("zh"), LARGE) as pilot:
        await press(pilot, "enter")
        assert type(pilot.app.screen).__name__ == "DealDetailScreen"
        await press(pilot, "1")
        assert type(pilot.app.screen).__name__ == "DealsScreen"


@run_async
async def test_the_cursor_stays_in_place_after_resolving_a_blocker(demo_ledger):
    pin_clock()
    async with running(crm_app("zh"), LARGE) as pilot:
        await press(pilot, "3")
        table = pilot.app.screen.query_one(DataTable)
        await pilot.press("down", "down")
        while pilot.app.screen._selected() is None:
            await pilot.press("down")
        await settle(pilot)
        row = table.cursor_row
        chosen = pilot.app.screen._selected()
        assert chosen is not None and row > 1
        await press(pilot, "r")
        await type_text(pilot, "已协调解决")
        await press(pilot, "ctrl+s")
        assert Blocker.get_by_id(chosen.id).resolved_on is not None
        assert abs(table.cursor_row - row) <= 1 and table.cursor_row > 1
        assert pilot.app.screen._selected() is not None


@run_async
async def test_a_dialog_error_goes_once_the_field_is_changed(demo_ledger):
    async with running(crm_app("zh"), LARGE) as pilot:
        await press(pilot, "b")
        await pilot.press("ctrl+s")  # no text: refused
        await settle(pilot)
        error = pilot.app.screen.query_one("#dialog-error")
        assert str(error.content)
        await type_text(pilot, "土地指标")
        await settle(pilot)
        assert not str(error.content)


@run_async
async def test_rates_typed_per_100_or_far_off_ask_and_replacing_names_the_old_rate(demo_ledger):
    from screens.dialogs import RateDialog

    newest = FxRate.select().where(FxRate.currency == "USD").order_by(FxRate.on.desc()).first()
    async with running(crm_app("zh"), LARGE) as pilot:
        results = []
        await pilot.app.push_screen(RateDialog(), results.append)
        await settle(pilot)
        dialog = pilot.app.screen
        dialog.query_one("#rate-on", Input).value = "2026-06-01"
        dialog.query_one("#rate-value", Input).value = fx.rate_text(newest.rate * 100)
        await settle(pilot)
        await press(pilot, "ctrl+s")
        error = str(dialog.query_one("#dialog-error").content)
        assert "每 100" in error and not FxRate.select().where(FxRate.on == datetime.date(2026, 6, 1)).exists()
        dialog.query_one("#rate-value", Input).value = fx.rate_text(newest.rate * Decimal("1.5"))
        await settle(pilot)
        await press(pilot, "ctrl+s")
        assert "20%" in str(dialog.query_one("#dialog-error").content)
        await pilot.press("ctrl+s")  # asked once: saved as typed
        await settle(pilot)
        assert FxRate.get(
            (FxRate.currency == "USD") & (FxRate.on == datetime.date(2026, 6, 1))
        ).rate == newest.rate * Decimal("1.5")
        await pilot.app.push_screen(RateDialog(), results.append)
        await settle(pilot)
        dialog = pilot.app.screen
        dialog.query_one("#rate-on", Input).value = "2026-06-01"
        dialog.query_one("#rate-value", Input).value = fx.rate_text(newest.rate * Decimal("1.45"))
        await settle(pilot)
        await press(pilot, "ctrl+s")
        assert fx.rate_text(newest.rate * Decimal("1.5")) in str(dialog.query_one("#dialog-error").content)


@run_async
async def test_a_bare_amount_under_10000_asks_yuan_or_wan(demo_ledger):
    code = "ZS2020-0010"
    before = Deal.get(Deal.code == code).amount
    async with running(crm_app("zh"), LARGE) as pilot:
        await press(pilot, "e")
        form = pilot.app.screen
        form.query_one("#f-amount", Input).value = "35"
        await settle(pilot)
        assert "元？万元？" in str(form.query_one("#hint-amount").content)
        await press(pilot, "ctrl+s")
        assert "35万元" in str(form.query_one("#dialog-error").content)
        assert Deal.get(Deal.code == code).amount == before
        form.query_one("#f-amount", Input).value = "35万元"
        await settle(pilot)
        await press(pilot, "ctrl+s")
        assert Deal.get(Deal.code == code).amount == Decimal("350000")


# ---- clipboard and editor ---------------------------------------------------------------------


@run_async
async def test_y_copies_the_deals_one_line_summary(demo_ledger):
    async with running(crm_app("zh"), LARGE) as pilot:
        await press(pilot, "y")
        line = pilot.app.clipboard
        deal = Deal.get(Deal.code == "ZS2020-0010")
        assert line.startswith("ZS2020-0010  " + deal.name)
        assert "3000万美元" in line and "签约" in line and "未办结问题 0 个" in line
        assert (deal.lead_unit.name if deal.lead_unit else "无牵头单位") in line


@run_async
async def test_ctrl_e_writes_a_long_note_in_the_editor(demo_ledger, tmp_path, monkeypatch):
    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nprintf '环评批复延期,需联合会商' > \"$1\"\n", encoding="utf-8")
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("VISUAL", str(editor))
    async with running(crm_app("zh"), LARGE) as pilot:
        await press(pilot, "b")
        field = pilot.app.screen.query_one("#blocker-text", Input)
        assert pilot.app.screen.focused is field
        await press(pilot, "ctrl+e")
        assert field.value == "环评批复延期,需联合会商"


# ---- bulk changes and saved views -------------------------------------------------------------


@run_async
async def test_space_selects_deals_and_b_moves_them_all_to_a_stage_in_one_change(demo_ledger):
    async with running(crm_app("zh"), LARGE) as pilot:
        codes = shown_deals(pilot.app)[:2]  # ZS2020-0010 签约, ZS2020-0009 开工
        await press(pilot, "space", "space")
        deal_list = pilot.app.screen.query_one(DealList)
        assert deal_list.selected == set(codes)
        assert "已选 2 个" in str(pilot.app.screen.query_one("#deal-status").content)
        assert "✓" in deal_list.render_line(0).text
        await press(pilot, "B")
        dialog = pilot.app.screen
        dialog.query_one("#bulk-stage", Select).value = "operating"
        dialog.query_one("#bulk-on", Input).value = "2026-06-01"
        dialog.query_one("#bulk-note", Input).value = "集中投产"
        await settle(pilot)
        await press(pilot, "ctrl+s")
        assert type(pilot.app.screen).__name__ == "DealsScreen"
        for code in codes:
            deal = Deal.get(Deal.code == code)
            assert deal.stage == "operating" and deal.stage_since == datetime.date(2026, 6, 1)
        assert not pilot.app.screen.query_one(DealList).selected


@run_async
async def test_a_bulk_lead_unit_that_one_deal_refuses_changes_none(demo_ledger):
    async with running(crm_app("zh"), LARGE) as pilot:
        await pilot.press("space", "space")
        await press(pilot, "B")
        dialog = pilot.app.screen
        dialog.query_one("#bulk-kind", Select).value = "lead_unit"
        await settle(pilot)
        assert dialog.query_one("#bulk-value", Input).parent.display
        dialog.query_one("#bulk-value", Input).value = "没有这个部门"
        await settle(pilot)
        before = {d.code: d.lead_unit_id for d in Deal.select()}
        await press(pilot, "ctrl+s")
        assert str(dialog.query_one("#dialog-error").content)  # stays open with the error
        assert {d.code: d.lead_unit_id for d in Deal.select()} == before
        dialog.query_one("#bulk-value", Input).value = "保定市商务局"
        await settle(pilot)
        await press(pilot, "ctrl+s")
        assert Deal.get(Deal.code == "ZS2020-0010").lead_unit.name == "保定市商务局"


@run_async
async def test_a_named_view_is_saved_and_recalled_from_the_palette(demo_ledger, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    async with running(crm_app("zh"), LARGE) as pilot:
        pilot.app.screen.query_one("#filter-region", Select).value = "高碑店市"
        await settle(pilot)
        await pilot.press("o")  # the next sort column
        await settle(pilot)
        saved_order = pilot.app.screen.order
        await press(pilot, "ctrl+w")
        await type_text(pilot, "高碑店")
        await press(pilot, "enter")
        assert (tmp_path / "zhaoshang-taizhang" / "views.json").exists()
        await pilot.press("escape")  # clear every filter
        await settle(pilot)
        assert len(shown_deals(pilot.app)) == 33
        await press(pilot, "ctrl+p")
        await type_text(pilot, "视图：高碑店")
        await pilot.pause(0.5)
        await settle(pilot)
        await press(pilot, "enter")
        screen = pilot.app.screen
        assert screen.filter.region == "高碑店市" and screen.order == saved_order
        assert len(shown_deals(pilot.app)) == 5
        assert screen.query_one("#filter-region", Select).value == "高碑店市"


def test_the_import_preview_names_fields_by_their_labels(ledger, tmp_path):
    from crm.foundation.i18n import set_language
    from crm.importing import importer
    from screens.transfer import report_text

    sheet = tmp_path / "台账.csv"
    sheet.write_text(
        "序号,项目名称,投资方,总投资(亿元),县(市、区),牵头单位,占地面积\n"
        "1,涿州智能制造产业园项目,某集团,25,涿州市,,1000\n",
        encoding="utf-8",
    )
    set_language("zh")
    text = report_text(importer.run_import(sheet, dry_run=True))
    line = next(line for line in text.splitlines() if "→" in line)
    assert "序号→行号（仅核对）" in line and "项目名称→项目名称" in line and "总投资(亿元)→投资额" in line
    for internal in ("seq", "name", "amount", "region", "investor"):
        assert f"→{internal}" not in line, line


def test_the_import_preview_says_how_many_warnings_and_problems_it_leaves_out():
    from crm.foundation.i18n import set_language
    from crm.importing import importer
    from screens.transfer import report_text

    set_language("zh")
    report = importer.Report(source="台账.xlsx", sheet="", dry_run=True, rows_read=300)
    report.warnings = [f"第 {n} 行：重复的项目" for n in range(3, 108)]
    report.problems = [f"第 {n} 行：缺少投资额" for n in range(3, 104)]
    lines = report_text(report).splitlines()
    assert "  第 102 行：重复的项目" in lines and "  第 103 行：重复的项目" not in lines
    assert lines.count("  … 另有 5 个") == 1 and lines.count("  … 另有 1 个") == 1, lines[-5:]  # warnings, problems


@run_async
async def test_an_unticked_box_is_empty_and_the_theme_picker_speaks_chinese(demo_ledger):
    from screens.forms import CheckBox

    async with running(crm_app("zh"), LARGE) as pilot:
        await pilot.press("x")  # the list is not filtered: the box is unticked (and disabled)
        await settle(pilot)
        box = pilot.app.screen.query_one("#export-scope", CheckBox)
        assert box.value is False and "X" not in box._button.plain
        box.disabled = False
        box.value = True
        await settle(pilot)
        assert "X" in box._button.plain
        await press(pilot, "escape")
        pilot.app.search_themes()
        await settle(pilot)
        assert pilot.app.screen.query_one("CommandInput", Input).placeholder == "搜索主题…"
