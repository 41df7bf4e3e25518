"""Every figure whole at 80×24 (and at 140×40), in English and in Chinese: the Board's cards (their amounts were cut
to USD 30… / 3000万…), the Detail's fields, departments and blockers, the Blockers screen's departments, the Events
table's figures and the deal list's status line."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from crm.values.money import Money, format_money, format_money_short
from screens import text
from screens.app import CrmApp
from screens.card_column import STRIPE, CardColumn
from tests.tui_support import (
    LARGE,
    SMALL,
    TODAY,
    open_deal,
    pin_clock,
    press,
    run_async,
    running,
    sqlite_only,  # noqa: F401 — layout at two sizes: SQLite alone
)

LANGUAGES = ["en", "zh"]
SIZES = [SMALL, LARGE]


def screen_lines(app) -> list[str]:
    """Every line the terminal gets for the screen shown."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def region_lines(app, selector: str) -> list[str]:
    """The lines of the screen that widget `selector` covers, cut to its cells."""
    region = app.screen.query_one(selector).region
    strips = app.screen._compositor.render_strips()[region.y : region.bottom]
    return [strip.crop(region.x, region.right).text for strip in strips]


def column_lines(app, selector: str, index: int) -> list[str]:
    """The lines of column `index` of DataTable `selector` as the screen shows them (not scrolled sideways)."""
    table = app.screen.query_one(selector)
    widths = [column.get_render_width(table) for column in table.columns.values()]
    x = table.region.x + sum(widths[:index])
    strips = app.screen._compositor.render_strips()[table.region.y : table.region.bottom]
    return [strip.crop(x, x + widths[index]).text for strip in strips]


def squeezed(lines: list[str]) -> str:
    """The lines as one text without spaces: a value wrapped over lines reads as it does whole."""
    return "".join("".join(lines).split())


def card_text(column: CardColumn, index: int) -> list[str]:
    """The lines of card `index` as the column draws them (scrolled to it), without its left edge."""
    column.scroll_to_region_of(index)
    top = int(column.scroll_offset.y)
    lines = ["".join(s.text for s in column.render_line(index * column.step + part - top)) for part in range(1, 5)]
    return [line[1:] for line in lines]  # the left edge: a space, or the light's stripe


# ---- the short amounts -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "approximate", "english", "chinese"),
    [
        ("30000000", "USD", False, "USD 30m", "3000万美元"),
        ("1500000000", "CNY", False, "CNY 1.5bn", "15亿元"),
        ("45650000", "CNY", False, "CNY 45.65m", "4565万元"),
        ("11778540000", "CNY", False, "CNY 11,778.54m", "117.79亿元"),  # 11.78bn would drop a figure
        ("1000500000", "HKD", False, "HKD 1,000.5m", "10.01亿港元"),
        ("11700000000", "CNY", True, "≈CNY 11.7bn", "约117亿元"),
        ("5000", "CNY", False, "CNY 5,000", "5,000元"),
    ],
)
def test_a_short_amount_keeps_every_figure_of_the_full_one(amount, currency, approximate, english, chinese):
    money = Money(Decimal(amount), currency, approximate)
    assert format_money_short(money, "en") == english
    assert format_money_short(money, "zh") == chinese == format_money(money, "zh")
    full = format_money(money, "en")  # USD 30 million: the same digits as USD 30m
    if "bn" not in english:
        assert re.sub(r"[^\d.,]", "", full) == re.sub(r"[^\d.,]", "", english)


# ---- the Board's cards -------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("size", SIZES)
@run_async
async def test_every_board_card_shows_its_whole_amount_and_open_blockers(demo_ledger, lang, size):
    pin_clock()
    async with running(CrmApp(today=TODAY, lang=lang), size) as pilot:
        await press(pilot, "2")
        columns = [c for c in pilot.app.screen.query(CardColumn) if c.rows]
        assert len(columns) >= 5
        cards = 0
        for column in columns:
            for index, row in enumerate(column.rows):
                lines = card_text(column, index)
                short = text.short_money(row.amount, row.currency, row.approximate)
                amount = squeezed(lines[2:4] if column.narrow else lines[1:2])
                assert "".join(short.split()) in amount, (row.code, short, lines)
                assert not any("…" in line for line in (lines[2:4] if column.narrow else lines[1:2])), lines
                if row.open_blockers:
                    assert f"⚠{row.open_blockers}" in "".join(lines), (row.code, lines)
                cards += 1
        assert cards >= 25
        if size == SMALL:
            assert all(column.narrow for column in columns)
        for column in columns:  # and on the screen: the first card of each column, whole
            column.scroll_to_region_of(0)
            await press(pilot)
            lines = region_lines(pilot.app, f"#column-{column.stage} CardColumn")
            short = text.short_money(column.rows[0].amount, column.rows[0].currency, column.rows[0].approximate)
            assert "".join(short.split()) in squeezed(lines[: 1 + column.step]).replace(STRIPE, ""), (short, lines)


@run_async
async def test_wide_cards_show_the_full_amount_where_it_fits_and_the_short_one_where_not(demo_ledger):
    async with running(CrmApp(today=TODAY, lang="zh"), LARGE) as pilot:
        await press(pilot, "2")
        column = next(c for c in pilot.app.screen.query(CardColumn) if any(r.code == "ZS2020-0001" for r in c.rows))
        index = next(n for n, r in enumerate(column.rows) if r.code == "ZS2020-0001")
        assert card_text(column, index)[1].strip() == "1.8亿美元 · 12.79"
    async with running(CrmApp(today=TODAY, lang="en"), LARGE) as pilot:
        await press(pilot, "2")
        column = next(c for c in pilot.app.screen.query(CardColumn) if any(r.code == "ZS2020-0003" for r in c.rows))
        index = next(n for n, r in enumerate(column.rows) if r.code == "ZS2020-0003")
        # CNY 8,000 million · 80.00 is wider than the card: the short amount keeps its 亿元 beside it
        assert card_text(column, index)[1].strip() == "CNY 8bn · 80.00"


# ---- the Detail --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
@run_async
async def test_the_detail_at_80_columns_breaks_no_date_number_or_department(demo_ledger, lang):
    async with running(CrmApp(today=TODAY, lang=lang), SMALL) as pilot:
        await open_deal(pilot, "ZS2020-0003")
        detail = pilot.app.screen.query_one("#detail")
        fields = pilot.app.screen.query_one("#detail-fields").region
        seen = []
        for _page in range(4):  # the notes are below the first page
            seen += [strip.crop(fields.x, fields.right).text for strip in pilot.app.screen._compositor.render_strips()]
            detail.scroll_page_down(animate=False)
            await press(pilot)
        # 来源:河北日报2020年5月报道: rich folded it as 河北日报20 / 20年5月 (and 2020年5 / 月)
        assert any("2020年5月" in line for line in seen), seen
        detail.scroll_home(animate=False)
        await press(pilot)
        side = squeezed(region_lines(pilot.app, "#detail-departments"))
        for name in ("涿州市人民政府", "保定市住房和城乡建设局", "保定市自然资源和规划局"):
            assert name in side, side  # were cut to 保定市住房和城乡 …
        detail.scroll_to_widget(pilot.app.screen.query_one("#detail-blockers"), animate=False, top=True)
        await press(pilot)
        table = region_lines(pilot.app, "#detail-blockers")
        assert all(line.rstrip() == line.rstrip()[: SMALL[0]] for line in table)
        row = " ".join(table)
        for figure in ("2020-05-20", "2020-06-30", "2191"):
            assert figure in row, table  # the dates were off the right edge
        assert squeezed(column_lines(pilot.app, "#detail-blockers", 1)[1:]) == "拒马河综合整治段用地手续需市县联审"
        assert squeezed(column_lines(pilot.app, "#detail-blockers", 2)[1:]) == "保定市自然资源和规划局"


@run_async
async def test_english_funds_rate_keeps_each_amount_on_one_line(demo_ledger):
    async with running(CrmApp(today=TODAY, lang="en"), SMALL) as pilot:
        await open_deal(pilot, "ZS2020-0007")
        lines = region_lines(pilot.app, "#detail-funds-rate")
        assert len(lines) >= 2, lines  # wrapped at 80 columns
        for amount in ("CNY 450 million", "CNY 1,500 million"):
            assert any(amount in line for line in lines), lines  # never CNY 1,500 / million


# ---- the Blockers screen, the Events table and the deal list -------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
@run_async
async def test_a_blocker_groups_department_shows_whole_at_80_columns(demo_ledger, lang):
    async with running(CrmApp(today=TODAY, lang=lang), SMALL) as pilot:
        await press(pilot, "3")
        deals = column_lines(pilot.app, "#blocker-table", 1)
        for name in ("保定市自然资源和规划局", "保定市住房和城乡建设局"):
            assert name in squeezed(deals), deals  # were 保定市自然资源…


@pytest.mark.parametrize("lang", LANGUAGES)
@run_async
async def test_the_events_table_at_80_columns_shows_whole_names_and_the_totals(demo_ledger, lang):
    async with running(CrmApp(today=TODAY, lang=lang), SMALL) as pilot:
        await press(pilot, "4")
        lines = region_lines(pilot.app, "#events-table")
        names = squeezed(column_lines(pilot.app, "#events-table", 0))
        assert "中国·保定轨道交通产业线上招商推介会" in names  # the name wraps instead of pushing the figures off
        for total in ("26.05", "117.79", "100.11"):
            assert re.search(rf"(?<![\d.]){re.escape(total)}(?![\d.])", " ".join(lines)), lines
        heading = squeezed(column_lines(pilot.app, "#events-table", 4)[:2])
        assert heading == ("Total(100mCNY)" if lang == "en" else "总投资(亿元)")
        for _ in range(40):  # scrolled to the right end: the event names stay, the last column whole
            await pilot.press("right")
        await press(pilot)
        lines = region_lines(pilot.app, "#events-table")
        assert "中国·保定轨道交通产业线上招商推介会" in squeezed(column_lines(pilot.app, "#events-table", 0))
        assert ("Openblockers" if lang == "en" else "未办结问题") in squeezed(line[-16:] for line in lines[:2])


@run_async
async def test_the_english_deal_list_status_shows_whole_at_80_columns(demo_ledger):
    async with running(CrmApp(today=TODAY, lang="en"), SMALL) as pilot:
        lines = region_lines(pilot.app, "#deal-status")
        assert len(lines) == 2, lines
        assert re.match(r"\d+ deals  ·  total CNY [\d,.]+ million$", lines[0].strip()), lines
        assert lines[1].strip().endswith("sorted by Signed ▼"), lines
    async with running(CrmApp(today=TODAY, lang="en"), LARGE) as pilot:
        assert len(region_lines(pilot.app, "#deal-status")) == 1
