"""The deal list as a desk (issues 13 and 15): the 最近进展 column, stale marks and lights; saved views
renamed and deleted; bulk changes picked from the ledger's names; a keys panel with only our keys.

Each test drives the app with Pilot and checks what the screen shows and what the database holds.
"""

from __future__ import annotations

import datetime
import json

from textual.widgets import Input, OptionList, Select

from crm.deals.progress import record_progress
from db.models import AuditEntry, Deal, DealTag, Person, Tag
from screens.app import CrmApp
from screens.deal_list import DealList, DealListHeader
from tests.tui_support import (
    LARGE,
    SMALL,
    TODAY,
    press,
    run_async,
    settle,
    sqlite_only,  # noqa: F401 — keys, dialogs and layout: SQLite alone
    type_text,
)


def crm_app(lang: str = "zh") -> CrmApp:
    return CrmApp(today=TODAY, lang=lang)


def row_text(app, code: str) -> str:
    deal_list = app.screen.query_one(DealList)
    for i in range(deal_list.row_count):
        if deal_list._window.get(i).code == code:
            deal_list.scroll_to(y=i, animate=False, immediate=True)
            return deal_list.render_line(i - int(deal_list.scroll_offset.y)).text
    raise AssertionError(code)


def mark_style(app, code: str):
    """The style of the light glyph on `code`'s row."""
    deal_list = app.screen.query_one(DealList)
    index = next(i for i in range(deal_list.row_count) if deal_list._window.get(i).code == code)
    strip = deal_list._render_row(deal_list._window.get(index), index, deal_list.size.width, False)
    return next(s.style for s in strip if s.text == "●")


def _light_and_progress_fixture() -> None:
    """ZS2020-0010 (签约) planned to start in February: 4 months late on 30 June, red; ZS2020-0004 (签约) planned
    for May: 1 month late, yellow; ZS2020-0009 gets a progress entry on 28 June, so it is not stale."""
    Deal.update(planned_start=datetime.date(2026, 2, 1)).where(Deal.code == "ZS2020-0010").execute()
    Deal.update(planned_start=datetime.date(2026, 5, 1)).where(Deal.code == "ZS2020-0004").execute()
    deal = Deal.get(Deal.code == "ZS2020-0009")
    record_progress(deal.id, "施工图审查通过", datetime.date(2026, 6, 1), "测试")
    record_progress(deal.id, "主体结构封顶\n下周验收", datetime.date(2026, 6, 28), "测试")


@run_async
async def test_the_list_shows_the_latest_progress_stale_marks_and_lights(demo_ledger, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    _light_and_progress_fixture()
    async with crm_app("zh").run_test(size=(180, 40)) as pilot:
        await settle(pilot)
        header = pilot.app.screen.query_one(DealListHeader).render()
        assert "最近进展" in header
        busy = row_text(pilot.app, "ZS2020-0009")
        assert "主体结构封顶 下周验收" in busy  # the newest entry, on one line
        assert "滞" not in busy  # something recorded two days ago
        quiet = row_text(pilot.app, "ZS2020-0007")  # 开工 since 2020, nothing since
        assert "滞" in quiet and "●" not in quiet
        assert "●" in row_text(pilot.app, "ZS2020-0010") and "●" in row_text(pilot.app, "ZS2020-0004")
        red, yellow = mark_style(pilot.app, "ZS2020-0010"), mark_style(pilot.app, "ZS2020-0004")
        assert red.color != yellow.color  # red and yellow lights differ
        assert "●" not in row_text(pilot.app, "ZS2020-0001")  # 投产: no light, never stale
        assert "滞" not in row_text(pilot.app, "ZS2020-0001")
        status = str(pilot.app.screen.query_one("#deal-status").content)
        assert "●滞后计划 滞：30天无记录" in status
    # The stale days come from config.toml; the progress column gives way before the name at 80 columns.
    (tmp_path / "zhaoshang-taizhang").mkdir(exist_ok=True)
    (tmp_path / "zhaoshang-taizhang" / "config.toml").write_text("stale_days = 5000\n", encoding="utf-8")
    async with crm_app("zh").run_test(size=SMALL) as pilot:
        await settle(pilot)
        header = pilot.app.screen.query_one(DealListHeader).render()
        assert "最近进展" not in header
        for label in ("阶段", "天数", "问题", "项目名称"):
            assert label in header
        assert "滞" not in row_text(pilot.app, "ZS2020-0007")
        assert "●" in row_text(pilot.app, "ZS2020-0010")
        assert "滞：5000天无记录" in str(pilot.app.screen.query_one("#deal-status").content)


def test_the_progress_column_gives_way_before_the_name():
    from crm.foundation.i18n import set_language
    from screens.deal_list import COLUMNS, MIN_NAME, NAME_WANT, column_widths

    keys = [c.key for c in COLUMNS]
    # from the narrowest list that holds the columns that always show (the keys panel open at 80 columns) up
    for lang, narrowest in (("zh", 44), ("en", 60)):
        set_language(lang)
        _check_widths(keys, range(narrowest, 260), column_widths, MIN_NAME, NAME_WANT)
    set_language("zh")


def _check_widths(keys, totals, column_widths, MIN_NAME, NAME_WANT):  # noqa: N803
    for total in totals:
        widths = dict(zip(keys, column_widths(total)))
        assert sum(widths.values()) + sum(1 for w in widths.values() if w) - 1 <= total
        for key in ("code", "stage", "days", "blockers", "marks"):
            assert widths[key], (total, key)
        if widths["progress"]:
            assert widths["name"] >= NAME_WANT  # the name keeps its room while the progress shows
        if widths["name"] < MIN_NAME:
            assert not widths["progress"]
        if not widths["region"]:
            assert not widths["progress"]


# ---- bulk changes picked from the ledger's names -----------------------------------------------


async def _bulk_dialog(pilot, kind: str):
    await settle(pilot)
    await pilot.press("space", "space")
    await press(pilot, "B")
    dialog = pilot.app.screen
    dialog.query_one("#bulk-kind", Select).value = kind
    await settle(pilot)
    dialog.query_one("#bulk-value", Input).focus()
    await settle(pilot)
    return dialog


def listed(dialog) -> list[str]:
    names = dialog.query_one("#bulk-names", OptionList)
    return [str(names.get_option_at_index(i).prompt) for i in range(names.option_count)]


@run_async
async def test_the_latest_progress_shows_at_a_desk_terminal_in_both_languages(demo_ledger, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    _light_and_progress_fixture()
    for lang, heading, event in (("zh", "最近进展", "活动"), ("en", "Latest progress", "Event")):
        async with crm_app(lang).run_test(size=(140, 40)) as pilot:
            await settle(pilot)
            header = str(pilot.app.screen.query_one(DealListHeader).render())
            assert heading in header, header
            assert "主体结构" in row_text(pilot.app, "ZS2020-0009")  # its newest entry, as much as fits
            # English words are wider: there the event's column gives way to the progress, in Chinese both show
            assert (event in header) == (lang == "zh"), header


@run_async
async def test_a_bulk_liaison_is_picked_from_the_leaders_by_typing(demo_ledger):
    async with crm_app("zh").run_test(size=SMALL) as pilot:
        dialog = await _bulk_dialog(pilot, "liaison")
        assert listed(dialog) == sorted(p.name for p in Person.select())
        await type_text(pilot, "振")
        await settle(pilot)
        assert listed(dialog) == ["张振华"]
        await pilot.press("enter")  # takes the highlighted name
        await settle(pilot)
        assert dialog.query_one("#bulk-value", Input).value == "张振华"
        assert pilot.app.screen is dialog
        before = AuditEntry.select().count()
        await pilot.press("enter")  # a whole name: saves
        await settle(pilot)
        assert type(pilot.app.screen).__name__ == "DealsScreen"
        for code in ("ZS2020-0010", "ZS2020-0009"):
            assert Deal.get(Deal.code == code).liaison.name == "张振华"
        assert AuditEntry.select().count() > before


@run_async
async def test_a_bulk_lead_unit_not_in_the_ledger_is_refused_and_down_picks_another(demo_ledger):
    async with crm_app("zh").run_test(size=SMALL) as pilot:
        dialog = await _bulk_dialog(pilot, "lead_unit")
        before = {d.code: d.lead_unit_id for d in Deal.select()}
        await type_text(pilot, "没有这个部门")
        await settle(pilot)
        assert listed(dialog) == [] and "台账中没有这个名称" in str(dialog.query_one("#hint-value").content)
        await press(pilot, "ctrl+s")
        assert str(dialog.query_one("#dialog-error").content)
        assert {d.code: d.lead_unit_id for d in Deal.select()} == before
        dialog.query_one("#bulk-value", Input).value = "保定市"
        await settle(pilot)
        shown = listed(dialog)
        assert len(shown) > 2 and all("保定市" in n for n in shown)
        await pilot.press("down")
        await press(pilot, "enter")
        assert dialog.query_one("#bulk-value", Input).value == shown[1]
        await press(pilot, "enter")
        assert Deal.get(Deal.code == "ZS2020-0010").lead_unit.name == shown[1]


@run_async
async def test_a_bulk_tag_may_be_new(demo_ledger):
    Tag.create(name="市重点")
    async with crm_app("zh").run_test(size=SMALL) as pilot:
        dialog = await _bulk_dialog(pilot, "tag")
        assert listed(dialog) == ["市重点"]
        await type_text(pilot, "京津合作")
        await settle(pilot)
        assert listed(dialog) == ["新标签：京津合作"]
        await press(pilot, "enter")
        assert type(pilot.app.screen).__name__ == "DealsScreen"
        tagged = {d.deal.code for d in DealTag.select().join(Tag).where(Tag.name == "京津合作")}
        assert tagged == {"ZS2020-0010", "ZS2020-0009"}
        assert AuditEntry.select().where((AuditEntry.table == "deal") & (AuditEntry.field == "tag")).count() == 2


# ---- the keys panel ----------------------------------------------------------------------------


@run_async
async def test_the_keys_panel_lists_only_our_keys_in_chinese(demo_ledger):
    from textual.widgets._key_panel import BindingsTable

    async with crm_app("zh").run_test(size=SMALL) as pilot:
        await settle(pilot)
        await press(pilot, "question_mark")
        table = pilot.app.screen.query_one(BindingsTable).render_bindings_table()
        text = " ".join(str(cell) for column in table.columns for cell in column._cells)
        for ours in ("打开", "到位资金", "倒序", "批量修改", "保存视图", "退出", "命令"):
            assert ours in text, ours
        for theirs in ("Scroll", "Focus", "Quit the app", "向左滚动", "下一个字段", "复制所选文字", "向左翻页"):
            assert theirs not in text, theirs
        # at 80×24 every key fits without scrolling: two columns
        assert len(table.columns) == 4 and "汇率" in text and "驾驶舱" in text
        panel = pilot.app.screen.query_one("OurKeyPanel")
        assert panel.max_scroll_y == 0 and panel.size.height >= 17
    async with crm_app("en").run_test(size=LARGE) as pilot:
        await settle(pilot)
        await press(pilot, "question_mark")
        table = pilot.app.screen.query_one(BindingsTable).render_bindings_table()
        text = " ".join(str(cell) for column in table.columns for cell in column._cells)
        assert len(table.columns) == 2 and "Bulk change" in text and "Rates" in text  # tall enough: one a line
        assert "Scroll" not in text and "Focus Next" not in text


def _saved(tmp_path) -> dict:
    return json.loads((tmp_path / "zhaoshang-taizhang" / "views.json").read_text(encoding="utf-8"))


# ---- saved views: shown, renamed, deleted -------------------------------------------------------


@run_async
async def test_saved_views_are_renamed_and_deleted_after_asking(demo_ledger, tmp_path, monkeypatch):
    from crm.foundation import config
    from crm.listing.pages import ListFilter, Order
    from screens.saved_views import view_of

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    config.save_view("高碑店", view_of(ListFilter(region="高碑店市"), Order("amount")))
    config.save_view("涿州", view_of(ListFilter(region="涿州市"), Order()))
    async with crm_app("zh").run_test(size=SMALL) as pilot:
        await settle(pilot)
        await press(pilot, "V")
        dialog = pilot.app.screen
        assert type(dialog).__name__ == "ViewsDialog"
        assert dialog.query_one(".dialog").outer_size.width == 64  # a list of names, not a full-width form
        footer = {b.description for (_n, b, _e, _t) in dialog.active_bindings.values() if b.show}
        assert {"显示", "重命名", "删除", "关闭"} <= footer
        # rename 高碑店 (typed letters r and d go into the name, not to the keys)
        await press(pilot, "r")
        field = dialog.query_one("#view-rename", Input)
        assert pilot.app.focused is field and field.value == "高碑店"
        field.value = ""
        await type_text(pilot, "dr高碑店")
        await press(pilot, "enter")
        assert list(_saved(tmp_path)) == ["dr高碑店", "涿州"]
        assert _saved(tmp_path)["dr高碑店"]["filter"]["region"] == "高碑店市"
        assert "已重命名" in str(dialog.query_one("#views-line").content)
        # a name taken: refused, nothing changed
        await pilot.press("r")
        field.value = "涿州"
        await press(pilot, "enter")
        assert "已有" in str(dialog.query_one("#views-line").content)
        await pilot.press("escape")  # keep the old name
        await settle(pilot)
        assert list(_saved(tmp_path)) == ["dr高碑店", "涿州"] and pilot.app.screen is dialog
        # delete 涿州: the first d asks, the second deletes
        await press(pilot, "down", "d")
        assert "再按 d" in str(dialog.query_one("#views-line").content)
        assert list(_saved(tmp_path)) == ["dr高碑店", "涿州"]
        await press(pilot, "d")
        assert list(_saved(tmp_path)) == ["dr高碑店"]
        # enter shows the view that is left
        await press(pilot, "enter")
        screen = pilot.app.screen
        assert type(screen).__name__ == "DealsScreen"
        assert screen.filter.region == "高碑店市" and screen.order == Order("amount")
        # the palette recalls it under its new name
        await press(pilot, "ctrl+p")
        await type_text(pilot, "视图：dr")
        await pilot.pause(0.5)
        await settle(pilot)
        commands = pilot.app.screen.query_one("CommandList")
        prompts = [str(commands.get_option_at_index(i).prompt) for i in range(commands.option_count)]
        assert any("dr高碑店" in p for p in prompts) and not any("视图：涿州" in p for p in prompts)


@run_async
async def test_a_first_d_on_one_view_then_d_on_another_only_asks_again(demo_ledger, tmp_path, monkeypatch):
    from crm.foundation import config
    from crm.listing.pages import ListFilter, Order
    from screens.saved_views import view_of

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    for name in ("甲", "乙"):
        config.save_view(name, view_of(ListFilter(search=name), Order()))
    async with crm_app("zh").run_test(size=SMALL) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+p")
        await type_text(pilot, "已保存的视图")
        await pilot.pause(0.5)
        await settle(pilot)
        await press(pilot, "enter")
        assert type(pilot.app.screen).__name__ == "ViewsDialog"
        await press(pilot, "d", "down", "d")
        assert list(_saved(tmp_path)) == ["甲", "乙"]  # the second d was about another view: it asked again
        await press(pilot, "escape")
        assert type(pilot.app.screen).__name__ == "DealsScreen"
        assert list(_saved(tmp_path)) == ["甲", "乙"]
