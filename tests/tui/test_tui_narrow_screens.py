"""What a tester found at 80×24 (and checked at 140×40), in both languages: the departments dialog's unticked rows,
the keys panel squeezing a screen, footnotes and tiles cut at the right edge, board heads broken mid-word, the
deal list's filters off the edge, and the words: 在谈 in English, the list's count beside the Dashboard's, English
amounts, the report's file name and its one group."""

from __future__ import annotations

import re

import pytest
from textual.widgets import Input, SelectionList

from crm.deals.records import create_deal
from crm.deals.stages import STAGES
from screens.app import CrmApp
from tests.tui_support import (
    LARGE,
    SMALL,
    TODAY,
    open_deal,
    pin_clock,
    press,
    run_async,
    running,
    settle,
    sqlite_only,  # noqa: F401 — keys, dialogs and layout: SQLite alone
)

CJK = re.compile(r"[\u4e00-\u9fff]")


def screen_lines(app) -> list[str]:
    """Every line the terminal gets for the screen shown."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def joined(lines: list[str]) -> str:
    """The lines as one text, as a reader reads a note wrapped over several lines."""
    return " ".join(" ".join(line.split()) for line in lines)


# ---- the departments dialog -------------------------------------------------------------------------------


@run_async
async def test_an_unticked_supporting_department_shows_an_empty_box(demo_ledger):
    async with running(CrmApp(today=TODAY), SMALL) as pilot:
        await open_deal(pilot, "ZS2020-0007")  # supporting: 保定市生态环境局 alone
        await press(pilot, "d")
        chooser = pilot.app.screen.query_one("#supporting", SelectionList)
        rows = [line for line in screen_lines(pilot.app) if "▐" in line and "▌" in line]
        names = [str(chooser.get_option_at_index(i).prompt) for i in range(chooser.option_count)]
        assert len(rows) > 2 and any("保定市生态环境局" in line for line in rows)  # a scrolling list: those shown
        for line in rows:
            box = line[line.index("▐") : line.index("▐") + 3]
            assert box == ("▐X▌" if "保定市生态环境局" in line else "▐ ▌"), line

        chooser.focus()
        chooser.highlighted = names.index("保定市商务局")
        await press(pilot, "space")  # ticked: its box shows the X
        ticked = [line for line in screen_lines(pilot.app) if "▐X▌" in line]
        assert len(ticked) == 2 and any("保定市商务局" in line for line in ticked)


# ---- the keys panel -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
@run_async
async def test_the_keys_panel_at_80_columns_leaves_the_screen_as_it_was(demo_ledger, lang):
    async with running(CrmApp(today=TODAY, lang=lang), SMALL) as pilot:
        before = screen_lines(pilot.app)
        await press(pilot, "question_mark")
        panel = pilot.app.screen.query_one("KeysPanel")
        assert panel.region.width == SMALL[0]  # the keys over the whole width, not the list squeezed beside them
        keys = joined(screen_lines(pilot.app))
        for words in ("⏎ 打开", "^p 命令") if lang == "zh" else ("⏎ Open", "^p Commands"):
            assert words in keys, keys  # the focused list's keys too, and no footer key drawn over the panel
        await press(pilot, "question_mark")
        assert screen_lines(pilot.app) == before
        await press(pilot, "enter")  # the list kept the focus
        assert type(pilot.app.screen).__name__ == "DealDetailScreen"

    async with running(CrmApp(today=TODAY, lang=lang), LARGE) as pilot:
        await press(pilot, "question_mark")
        panel = pilot.app.screen.query_one("KeysPanel")
        assert panel.region.width < LARGE[0] - 80  # room for the list beside it
        header = next(line for line in screen_lines(pilot.app) if line.startswith(("编号", "Code")))
        assert ("项目名称" if lang == "zh" else "Name") in header


# ---- footnotes ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "key", "end"),
    [
        ("zh", "4", "办结率 = 已办结问题 ÷ 提出问题。"),
        ("en", "4", "Resolution rate: blockers resolved ÷ raised."),
        ("zh", "6", "设置汇率后，"),
        ("en", "6", "Setting a rate re-converts what it covers."),
    ],
)
@run_async
async def test_a_footnote_at_80_columns_is_wrapped_whole(demo_ledger, lang, key, end):
    async with running(CrmApp(today=TODAY, lang=lang), SMALL) as pilot:
        await press(pilot, key)
        note = pilot.app.screen.query_one(".footnote")
        lines = screen_lines(pilot.app)[note.region.y : note.region.bottom]
        assert note.region.height >= 2 and end in joined(lines), lines
        if lang == "en":
            assert not CJK.search(joined(lines)), lines  # 在谈 was in the English note


@run_async
async def test_the_events_note_names_the_stage_it_leaves_out_in_the_language_shown(demo_ledger):
    async with running(CrmApp(today=TODAY, lang="en"), LARGE) as pilot:
        await press(pilot, "4")
        assert "Only signed deals count (not Negotiating)." in joined(screen_lines(pilot.app))


# ---- the Board's heads and the Dashboard's tiles -----------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("size", [SMALL, LARGE])
@run_async
async def test_board_heads_keep_whole_words_and_their_totals(demo_ledger, lang, size):
    async with running(CrmApp(today=TODAY, lang=lang), size) as pilot:
        await press(pilot, "2")
        heads = [str(head.render()).split("\n") for head in pilot.app.screen.query(".stage-head")]
        names = {stage.label() for stage in STAGES}
        abbreviations = {"Negot.", "Regd.", "Constr.", "Oper.", "Term."}
        lines = screen_lines(pilot.app)
        for head in heads:
            name = head[0].split("  ")[0]
            assert name in names | abbreviations, head  # never a word cut in two (Construc / tion)
            assert re.fullmatch(r"\d+\.\d\d", head[-1]), head  # the total shows, and no unit cut after it
            shown = next(line for line in lines if name in line)
            assert name in shown
        status = joined(lines[pilot.app.screen.query_one("#board-status").region.y :])
        assert ("金额为亿元" if lang == "zh" else "amounts in 100m CNY") in status  # the heads' unit


@pytest.mark.parametrize("lang", ["zh", "en"])
@run_async
async def test_dashboard_tiles_at_80_columns_show_every_line(demo_ledger, lang):
    async with running(CrmApp(today=TODAY, lang=lang), SMALL) as pilot:
        await press(pilot, "5")
        text = joined(screen_lines(pilot.app))
        # every currency of the total, and each note whole
        if lang == "en":
            wanted = ["open / resolved / overdue", "under construction or beyond"]
            wanted += [rf"{code} [\d,.]+ million" for code in ("EUR", "HKD", "USD")]
        else:
            wanted = ["未办结 / 已办结 / 逾期", "开工及以后", r"[\d.]+万欧元", r"[\d.]+亿港元", r"[\d.]+亿美元"]
        for words in wanted:
            assert re.search(words, text), (words, text)


# ---- the deal list -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
@run_async
async def test_every_quick_filter_fits_at_80_columns(demo_ledger, lang):
    async with running(CrmApp(today=TODAY, lang=lang), SMALL) as pilot:
        await settle(pilot)
        filters = list(pilot.app.screen.query("#filter-bar Select"))
        assert len(filters) == 5
        for select in filters:
            assert select.region.right <= SMALL[0], select.id
            # cut by cells, not characters: the search hint left of the filters is Chinese
            line = pilot.app.screen._compositor.render_strips()[select.region.y]
            assert "▼" in line.crop(select.region.x, select.region.right + 2).text


@run_async
async def test_the_list_footer_says_it_counts_deals_in_talks(demo_ledger):
    pin_clock()
    create_deal({"name": "洽谈中的氢能样例项目", "amount": "5亿元", "region": "涿州市"}, stage="negotiating")
    async with running(CrmApp(today=TODAY), SMALL) as pilot:
        footer = str(pilot.app.screen.query_one("#deal-status").content)
        assert re.match(r"\d+ 个项目（含在谈 1 个）", footer), footer
        await press(pilot, "slash")
        pilot.app.screen.query_one("#search", Input).value = "氢能样例"
        await settle(pilot)
        assert str(pilot.app.screen.query_one("#deal-status").content).startswith("1 个项目（含在谈 1 个）")
        pilot.app.screen.query_one("#search", Input).value = "华侨城"
        await settle(pilot)
        assert "在谈" not in str(pilot.app.screen.query_one("#deal-status").content).split("·")[0]


@run_async
async def test_english_totals_read_as_english_amounts(demo_ledger):
    async with running(CrmApp(today=TODAY, lang="en"), LARGE) as pilot:
        footer = str(pilot.app.screen.query_one("#deal-status").content)
        assert re.match(r"\d+ deals  ·  total CNY [\d,.]+ million", footer), footer
        await open_deal(pilot, "ZS2020-0007")
        assert "CNY 450 million" in joined(screen_lines(pilot.app))


@run_async
async def test_english_funds_at_80_columns_show_date_and_amount_whole(demo_ledger):
    async with running(CrmApp(today=TODAY, lang="en"), SMALL) as pilot:
        await open_deal(pilot, "ZS2020-0007")
        funds = pilot.app.screen.query_one("#detail-funds")
        lines = screen_lines(pilot.app)[funds.region.y : funds.region.bottom]
        assert any("2021-03-27" in line and "CNY 450 million" in line for line in lines), lines


# ---- the report ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "stem"), [("zh", "报表-县(市、区)-"), ("en", "report-region-")])
@run_async
async def test_the_report_file_is_named_in_the_language_shown(demo_ledger, lang, stem):
    async with running(CrmApp(today=TODAY, lang=lang), LARGE) as pilot:
        await press(pilot, "7")
        await press(pilot, "x")
        path = pilot.app.screen.query_one("#report-path", Input).value
        assert f"/{stem}" in path and path.endswith(".xlsx"), path
