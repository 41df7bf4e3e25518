"""What a tester found in tmux at 80×24 and 140×40: Textual's own English notices in the Chinese TUI (ctrl+c, the
palette's screenshot, which failed on a fresh account without ~/Downloads), the Chinese search hint shown as "/"
alone, and the Events headings broken in the middle of a word (签约项 / 目数)."""

from __future__ import annotations

import asyncio

import pytest
from textual.content import Content
from textual.widgets import DataTable

from screens.app import CrmApp
from screens.events import narrow_label
from screens.search_box import SearchBox
from tests.tui_support import (
    LARGE,
    SMALL,
    TODAY,
    press,
    run_async,
    running,
    settle,
    sqlite_only,  # noqa: F401 — keys, notices and layout: SQLite alone
    type_text,
)


def screen_text(app) -> str:
    """Every line the terminal gets for the screen shown, one text."""
    return " ".join(" ".join(strip.text.split()) for strip in app.screen._compositor.render_strips())


def notices(app) -> str:
    """The title and the text of every notification raised so far, as a toast shows them."""
    return "\n".join(
        f"{n.title} {Content.from_markup(n.message).plain if n.markup else n.message}" for n in app._notifications
    )


async def notice_with(pilot, words: str, limit: float = 10.0) -> str:
    """The notifications once one has `words` (a file is written in a thread of its own)."""
    waited = 0.0
    while waited < limit and words not in notices(pilot.app):
        await settle(pilot)
        await asyncio.sleep(0.05)
        waited += 0.05
    return notices(pilot.app)


# ---- ctrl+c ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "title", "says"),
    [("zh", "要退出程序吗？", "按 ctrl+q 退出程序"), ("en", "Quit the program?", "Press ctrl+q to quit the program")],
)
@run_async
async def test_ctrl_c_in_the_deal_list_says_how_to_quit_in_the_language_shown(demo_ledger, lang, title, says):
    async with running(CrmApp(today=TODAY, lang=lang), SMALL) as pilot:
        await press(pilot, "ctrl+c")
        shown = await notice_with(pilot, title)
        assert f"{title} {says}" in shown, shown
        assert "Do you want to quit" not in shown and "to quit the app" not in shown
        assert pilot.app.is_running  # ctrl+c does not quit


# ---- the palette's screenshot -----------------------------------------------------------------------------


async def screenshot_from_the_palette(pilot, name: str) -> None:
    await press(pilot, "ctrl+p")
    await type_text(pilot, name)
    await settle(pilot)
    await press(pilot, "enter")


@pytest.mark.parametrize(("lang", "name", "saved"), [("zh", "截图", "已保存到"), ("en", "Screenshot", "Saved to")])
@run_async
async def test_a_screenshot_on_a_fresh_account_is_saved_and_says_where(
    demo_ledger, tmp_path, monkeypatch, lang, name, saved
):
    home = tmp_path / "fresh-home"  # no Downloads, no Documents
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for var in ("XDG_DOWNLOAD_DIR", "XDG_DOCUMENTS_DIR"):
        monkeypatch.delenv(var, raising=False)
    async with running(CrmApp(today=TODAY, lang=lang), LARGE) as pilot:
        await screenshot_from_the_palette(pilot, name)
        shown = await notice_with(pilot, saved)
        files = list(home.glob("*.svg"))
        assert len(files) == 1 and "<svg" in files[0].read_text(encoding="utf-8")
        assert saved in shown and str(files[0]) in shown, shown
        assert "Failed to save screenshot" not in shown and "Saved screenshot" not in shown
        assert not (home / "Downloads").exists()


@run_async
async def test_a_screenshot_that_cannot_be_written_says_why_in_chinese(demo_ledger, tmp_path, monkeypatch):
    missing = tmp_path / "gone"
    monkeypatch.setattr("screens.transfer.default_export_directory", lambda: missing)
    async with running(CrmApp(today=TODAY, lang="zh"), LARGE) as pilot:
        await screenshot_from_the_palette(pilot, "截图")
        shown = await notice_with(pilot, "截图未保存")
        assert "截图未保存" in shown and str(missing) in shown, shown
        assert "Failed to save screenshot" not in shown and "Errno" not in shown


# ---- the search hint ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "size", "hint"),
    [
        ("zh", SMALL, "/ 搜索：编号、名称、拼音首字母"),
        ("zh", LARGE, "/ 搜索：编号、名称、投资方、拼音首字母"),
        ("en", SMALL, "/ Search: code, name, initials"),
        ("en", LARGE, "/ Search: code, name, investor, initials"),
    ],
)
@run_async
async def test_the_search_hint_is_shown_whole_at_either_width(demo_ledger, lang, size, hint):
    async with running(CrmApp(today=TODAY, lang=lang), size) as pilot:
        box = pilot.app.screen.query_one("#search", SearchBox)
        line = pilot.app.screen._compositor.render_strips()[box.region.y].text
        assert box.placeholder == hint and hint in line, line


@run_async
async def test_the_search_hint_follows_the_terminal_width(demo_ledger):
    async with running(CrmApp(today=TODAY), SMALL) as pilot:
        box = pilot.app.screen.query_one("#search", SearchBox)
        assert box.placeholder == "/ 搜索：编号、名称、拼音首字母"
        await pilot.resize_terminal(*LARGE)
        await settle(pilot)
        assert box.placeholder == "/ 搜索：编号、名称、投资方、拼音首字母"
        await press(pilot, "question_mark")  # the keys panel beside the list: a narrower box
        assert box.placeholder == "/ 搜索：编号、名称"
        await press(pilot, "question_mark")
        await pilot.resize_terminal(200, 40)
        await settle(pilot)
        assert box.placeholder == "/ 搜索：编号、名称、投资方、县区、牵头单位、拼音首字母"


# ---- the Events headings ----------------------------------------------------------------------------------------


def headings(app) -> list[str]:
    return [str(column.label) for column in app.screen.query_one(DataTable).columns.values()]


@run_async
async def test_events_headings_at_80_columns_break_between_words(demo_ledger):
    async with running(CrmApp(today=TODAY), SMALL) as pilot:
        await press(pilot, "4")
        shown = headings(pilot.app)
        for heading in (
            "签约\n项目数",
            "总投资\n(亿元)",
            "开工\n占比",
            "资金\n到位率",
            "未办结\n问题",
            "履约率",
            "办结率",
        ):
            assert heading in shown, shown
        table = pilot.app.screen.query_one(DataTable)
        lines = [strip.text for strip in pilot.app.screen._compositor.render_strips()]
        top, below = lines[table.region.y], lines[table.region.y + 1]  # the headings' two lines
        assert "签约 " in top and "资金 " in top and "项目数" in below and "到位率" in below, (top, below)

    async with running(CrmApp(today=TODAY), LARGE) as pilot:
        await press(pilot, "4")
        assert {"签约项目数", "资金到位率", "未办结问题"} <= set(headings(pilot.app))  # room: one line each


@run_async
async def test_events_headings_at_80_columns_in_english_keep_whole_words(demo_ledger):
    async with running(CrmApp(today=TODAY, lang="en"), SMALL) as pilot:
        await press(pilot, "4")
        shown = headings(pilot.app)
        for heading in ("Deals\nsigned", "Total\n(100m CNY)", "Fulfilment\nrate", "Funds\nrate", "Open\nblockers"):
            assert heading in shown, shown


def test_a_heading_without_its_two_line_form_is_still_halved():
    """A catalog that lacks a heading's two-line form (its English comes back) still gets the heading in two."""
    assert narrow_label("签约项目数", 1, "Deals\nsigned") == (6, "签约项\n目数")
    assert narrow_label("签约项目数", 1, "签约\n项目数") == (6, "签约\n项目数")
    assert narrow_label("履约率", 5, "履约率") == (6, "履约率")
    assert narrow_label("履约率", 7, "履约率") == (7, "履约率")
