"""Every job a bureau officer does in the TUI, walked end to end with Pilot on
the demo ledger, and the database checked afterwards.

The app runs at 140×40 with a fixed "today"; it talks to the database from
its own threads, so each check here reads what was really committed.
"""

from __future__ import annotations

import csv
import time
from decimal import Decimal

import pytest
from textual.widgets import Input, Select, Static

from crm.deals.records import edit_deal
from crm.reference.lookup import deal_by_code
from db.models import Blocker, Deal, StageChange
from screens.app import CrmApp
from screens.card_column import CARD_STEP
from screens.deal_list import DealList
from tests.tui_support import TODAY, open_deal, pin_clock, press, run_async, running, search, settle, type_text

SIZE = (140, 40)
BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"])


@pytest.fixture
def backend():
    """The TUI tests run on SQLite; the ones marked BOTH also on PostgreSQL (the app's own
    connections in its worker threads, locking and the version check on a shared server)."""
    return "sqlite"


@pytest.fixture
def ledger_today(demo_ledger):
    pin_clock()
    yield demo_ledger


def app() -> CrmApp:
    return CrmApp(today=TODAY)


def shown_names(crm_app) -> list[str]:
    deal_list = crm_app.screen.query_one(DealList)
    return [deal_list._window.get(i).name for i in range(deal_list.row_count)]


@BOTH
@run_async
async def test_find_open_and_move_a_deal_to_construction(ledger_today):
    async with running(app(), SIZE) as pilot:
        assert len(shown_names(pilot.app)) == 33
        await search(pilot, "涿州")
        assert sorted(shown_names(pilot.app)) == sorted(
            ["涿州现代供应链金融创新示范基地项目", "中国创投(涿州)总部项目", "华侨城涿州城市客厅项目"]
        )
        status = str(pilot.app.screen.query_one("#deal-status", Static).render())
        assert "3" in status and "117.79" in status
        await search(pilot, "zzgyl")
        assert shown_names(pilot.app) == ["涿州现代供应链金融创新示范基地项目"]
        await pilot.press("enter")  # leaves the search box for the list
        await pilot.press("enter")  # opens the deal
        await settle(pilot)
        assert type(pilot.app.screen).__name__ == "DealDetailScreen"
        code = pilot.app.screen.code
        assert deal_by_code(code).stage == "operating"

        await press(pilot, "s")
        dialog = pilot.app.screen
        dialog.query_one("#stage-to", Select).value = "construction"
        await settle(pilot)
        assert dialog.query_one("#stage-on", Input).value == TODAY.isoformat()
        hint = str(dialog.query_one("#hint-note", Static).render())
        assert hint  # a move backwards: the note is required
        await press(pilot, "ctrl+s")
        assert pilot.app.screen is dialog, "no note: refused, the dialog stays"
        assert str(dialog.query_one("#dialog-error", Static).render())
        assert deal_by_code(code).stage == "operating"

        dialog.query_one("#stage-note", Input).focus()
        await type_text(pilot, "二期扩建重新开工")
        await press(pilot, "ctrl+s")
        assert type(pilot.app.screen).__name__ == "DealDetailScreen"

    deal = deal_by_code(code)
    assert (deal.stage, deal.stage_since) == ("construction", TODAY)
    entry = StageChange.select().where(StageChange.deal == deal).order_by(StageChange.id.desc()).first()
    assert (entry.from_stage, entry.to_stage, entry.note, entry.recorded_by) == (
        "operating",
        "construction",
        "二期扩建重新开工",
        "测试员",
    )


@run_async
async def test_add_a_blocker_then_resolve_it_from_the_blockers_screen(ledger_today):
    async with running(app(), SIZE) as pilot:
        code = await open_deal(pilot, "华侨城")
        await press(pilot, "b")
        dialog = pilot.app.screen
        await type_text(pilot, "供电线路迁改方案待批")
        dialog.query_one("#blocker-department", Select).value = "国网保定供电公司"
        dialog.query_one("#blocker-due", Input).value = "2026-07-15"
        await press(pilot, "ctrl+s")
        blocker = Blocker.get(Blocker.text == "供电线路迁改方案待批")
        assert (blocker.deal.code, blocker.department.name, blocker.due_on.isoformat(), blocker.resolved_on) == (
            code,
            "国网保定供电公司",
            "2026-07-15",
            None,
        )

        await press(pilot, "3")
        screen = pilot.app.screen
        assert type(screen).__name__ == "BlockersScreen"
        table = screen.query_one("DataTable")
        table.move_cursor(row=table.get_row_index(str(blocker.id)))
        await press(pilot, "r")
        await type_text(pilot, "方案已批复")
        await press(pilot, "enter")
        assert type(pilot.app.screen).__name__ == "BlockersScreen"
        assert str(blocker.id) not in pilot.app.screen.blockers, "resolved: gone from the open list"

    blocker = Blocker.get_by_id(blocker.id)
    assert (blocker.resolved_on, blocker.resolution, blocker.updated_by) == (TODAY, "方案已批复", "测试员")


@run_async
async def test_new_deal_from_the_form_in_us_dollars(ledger_today):
    before = Deal.select().count()
    async with running(app(), SIZE) as pilot:
        await press(pilot, "n")
        form = pilot.app.screen
        await type_text(pilot, "涿州智能制造产业园项目")
        form.query_one("#f-amount", Input).focus()
        await type_text(pilot, "2.5亿美元")
        form.query_one("#f-signed_on", Input).focus()
        await type_text(pilot, "2020年5月18日")
        await settle(pilot)
        hint = str(form.query_one("#hint-amount", Static).render())
        assert "USD 250,000,000.00" in hint and "17.76" in hint and "7.1030" in hint
        assert str(form.query_one("#hint-signed_on", Static).render()) == "2020-05-18"
        form.query_one("#f-region", Input).value = "涿州市"
        form.query_one("#f-lead_unit", Select).value = "涿州市人民政府"
        await press(pilot, "ctrl+s")
        assert type(pilot.app.screen).__name__ == "DealsScreen"

    assert Deal.select().count() == before + 1
    deal = Deal.get(Deal.name == "涿州智能制造产业园项目")
    assert (deal.amount, deal.currency, deal.amount_cny) == (Decimal("250000000.00"), "USD", Decimal("1775750000.00"))
    assert (deal.region, deal.lead_unit.name, deal.stage, deal.updated_by) == (
        "涿州市",
        "涿州市人民政府",
        "signed",
        "测试员",
    )


@run_async
async def test_a_bad_amount_is_explained_as_it_is_typed_and_nothing_is_saved(ledger_today):
    before = Deal.select().count()
    async with running(app(), SIZE) as pilot:
        await press(pilot, "n")
        form = pilot.app.screen
        await type_text(pilot, "测试项目")
        form.query_one("#f-amount", Input).focus()
        await type_text(pilot, "1.8亿亿")
        await settle(pilot)
        hint = form.query_one("#hint-amount", Static)
        assert hint.has_class("-error") and str(hint.render())
        await press(pilot, "ctrl+s")
        assert pilot.app.screen is form
        assert str(form.query_one("#dialog-error", Static).render())
    assert Deal.select().count() == before


@BOTH
@run_async
async def test_an_edit_that_meets_a_newer_version_keeps_what_was_typed(ledger_today):
    async with running(app(), SIZE) as pilot:
        await search(pilot, "华侨城")
        await pilot.press("enter")
        code = pilot.app.screen.current_code()
        await press(pilot, "e")
        form = pilot.app.screen
        investor = form.query_one("#f-investor", Input)
        investor.value = "华侨城集团有限公司"
        # Meanwhile a colleague saves the deal: another field, as another user.
        edit_deal(code, {"notes": "同事补充的备注"}, actor="李四")
        await press(pilot, "ctrl+s")
        assert pilot.app.screen is form, "refused: the form stays open"
        conflict = str(form.query_one("#conflict", Static).render())
        assert "李四" in conflict and "同事补充的备注" in conflict
        assert investor.value == "华侨城集团有限公司", "what was typed is kept"
        assert form.query_one("#f-notes", Input).value == "同事补充的备注", "their value fills the untouched field"
        assert deal_by_code(code).investor == "华侨城集团"
        await press(pilot, "ctrl+s")
        assert pilot.app.screen is not form

    deal = deal_by_code(code)
    assert (deal.investor, deal.notes, deal.updated_by) == ("华侨城集团有限公司", "同事补充的备注", "测试员")


def _column_showing(board, name: str):
    """The Board column whose cards include deal `name`, with that card chosen."""
    from screens.card_column import CardColumn

    for column in board.query(CardColumn):
        for row in column.rows:
            if row.name == name:
                column.choose(row.code)
                return column
    raise AssertionError(f"no card for {name}")


@run_async
async def test_board_moves_a_card_after_asking_date_and_note(ledger_today):
    async with running(app(), SIZE) as pilot:
        await press(pilot, "2")
        board = pilot.app.screen
        head = str(board.query_one("#column-registered .stage-head", Static).render())
        assert "5" in head and "170.00" in head
        column = _column_showing(board, "华侨城涿州城市客厅项目")
        column.focus()
        await press(pilot, "right_square_bracket")
        dialog = pilot.app.screen
        assert dialog.query_one("#stage-to", Select).value == "construction"
        dialog.query_one("#stage-on", Input).value = "2026-06-01"
        dialog.query_one("#stage-note", Input).value = "取得施工许可证"
        await press(pilot, "ctrl+s")
        assert pilot.app.screen is board
        assert "华侨城涿州城市客厅项目" in [r.name for r in board.query_one("#column-construction CardColumn").rows]
        assert board.focused.current.name == "华侨城涿州城市客厅项目", "the moved card stays chosen"

        # With the mouse: drag a card onto another column.
        column = _column_showing(board, "康养小镇项目")
        await pilot.mouse_down(column, offset=(3, 1 + column.cursor * CARD_STEP))
        assert column.current.name == "康养小镇项目"
        await pilot.mouse_up("#column-stalled")
        await settle(pilot)
        dialog = pilot.app.screen
        assert dialog.query_one("#stage-to", Select).value == "stalled"
        dialog.query_one("#stage-note", Input).value = "用地手续暂缓"
        await press(pilot, "ctrl+s")
        assert pilot.app.screen is board

    deal = Deal.get(Deal.name == "华侨城涿州城市客厅项目")
    assert (deal.stage, deal.stage_since.isoformat()) == ("construction", "2026-06-01")
    deal = Deal.get(Deal.name == "康养小镇项目")
    assert (deal.stage, deal.stage_since) == ("stalled", TODAY)


@run_async
async def test_quick_filters_sort_and_the_totals_line(ledger_today):
    async with running(app(), SIZE) as pilot:
        screen = pilot.app.screen
        screen.query_one("#filter-region", Select).value = "高碑店市"
        await settle(pilot)
        assert len(shown_names(pilot.app)) == 5
        screen.query_one("#filter-stage", Select).value = "terminated"
        await settle(pilot)
        assert shown_names(pilot.app) == ["轨道交通装备检测认证基地项目", "节能环保装备产业园项目"]
        status = str(screen.query_one("#deal-status", Static).render())
        assert "2" in status and "15.20" in status
        await pilot.press("escape")  # clears search and filters
        await settle(pilot)
        assert len(shown_names(pilot.app)) == 33
        screen.sort_by("amount")
        await settle(pilot)
        assert shown_names(pilot.app)[0] == "华侨城涿州城市客厅项目"
        await press(pilot, "r")
        assert shown_names(pilot.app)[0] == "现代中药饮片加工项目"
        # A click on a column heading sorts by it.
        await pilot.click("#deal-header", offset=(2, 0))
        await settle(pilot)
        assert (screen.order.key, screen.order.is_descending) == ("code", False)
        assert pilot.app.screen.query_one(DealList).current_row().code == "ZS2019-0001"
        # A click picks a row, a double click opens it.
        await pilot.click(DealList, offset=(5, 2))
        await settle(pilot)
        assert pilot.app.screen.query_one(DealList).current_row().code == "ZS2019-0003"
        await pilot.double_click(DealList, offset=(5, 2))
        await settle(pilot)
        assert (type(pilot.app.screen).__name__, pilot.app.screen.code) == ("DealDetailScreen", "ZS2019-0003")
        await press(pilot, "escape")
        assert type(pilot.app.screen).__name__ == "DealsScreen"


@run_async
async def test_every_screen_opens_and_the_palette_runs_actions(ledger_today):
    async with running(app(), SIZE) as pilot:
        for key, name in (
            ("4", "EventsScreen"),
            ("5", "DashboardScreen"),
            ("6", "RatesScreen"),
            ("3", "BlockersScreen"),
            ("2", "BoardScreen"),
            ("1", "DealsScreen"),
        ):
            await press(pilot, key)
            assert type(pilot.app.screen).__name__ == name
        await press(pilot, "4")
        events = pilot.app.screen.query_one("DataTable")
        assert events.row_count == 7
        await pilot.press("enter")  # the event's KPIs on the dashboard
        await settle(pilot)
        assert type(pilot.app.screen).__name__ == "DashboardScreen"
        assert pilot.app.screen.query_one("#cohort", Select).value.startswith("event:")
        await press(pilot, "1")
        await press(pilot, "ctrl+p")
        await type_text(pilot, "新建项目")
        await settle(pilot)
        await press(pilot, "enter")
        assert type(pilot.app.screen).__name__ == "DealForm"
        await press(pilot, "escape")
        assert type(pilot.app.screen).__name__ == "DealsScreen"


@run_async
async def test_export_the_weekly_table(ledger_today, tmp_path):
    target = tmp_path / "周报.csv"
    async with running(app(), SIZE) as pilot:
        await press(pilot, "x")
        dialog = pilot.app.screen
        assert dialog.query_one("#export-week", Input).value == "2026-W26"  # the last complete week before TODAY
        dialog.query_one("#export-week", Input).value = "2020-W21"
        dialog.query_one("#export-format", Select).value = "csv"
        await settle(pilot)
        assert dialog.query_one("#export-path", Input).value.endswith("-2020-W21.csv")
        dialog.query_one("#export-path", Input).value = str(target)
        await press(pilot, "ctrl+s")
        assert type(pilot.app.screen).__name__ == "DealsScreen"

    with open(target, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    cells = {cell for row in rows for cell in row}
    assert {"涿州现代供应链金融创新示范基地项目", "中国创投(涿州)总部项目", "华侨城涿州城市客厅项目"} <= cells


@run_async
async def test_import_previews_then_writes(ledger_today, tmp_path):
    ledger_file = tmp_path / "台账.csv"
    ledger_file.write_text(
        "项目名称,投资方,县(市、区),总投资,签约日期\n定兴县智慧物流港项目,某物流集团,定兴县,3.5亿元,2020-06-01\n",
        encoding="utf-8",
    )
    stale = tmp_path / "old-week.csv"
    before = Deal.select().count()
    async with running(app(), SIZE) as pilot:
        await press(pilot, "i")
        dialog = pilot.app.screen
        dialog.query_one("#import-path", Input).value = str(ledger_file)
        assert dialog.query_one("#save").disabled, "no import before a preview"
        await pilot.click("#preview")
        await settle(pilot)
        report = str(dialog.query_one("#import-text", Static).render())
        assert "定兴县智慧物流港项目" in report
        assert Deal.select().count() == before, "a preview writes nothing"
        assert not dialog.query_one("#save").disabled
        await pilot.click("#save")
        await settle(pilot)
        assert type(pilot.app.screen).__name__ == "DealsScreen"

        # A stage behind the ledger's is a warning in the preview, with the change it leaves out; the row
        # can be skipped. A column the matcher does not know is named under Columns.
        stale.write_text(
            "项目编号,项目名称,总投资,当前阶段,合作伙伴\n"
            "ZS2020-0001,涿州现代供应链金融创新示范基地项目,1.8亿美元,签约,某基金\n",
            encoding="utf-8",
        )
        await press(pilot, "i")
        dialog = pilot.app.screen
        dialog.query_one("#import-path", Input).value = str(stale)
        await pilot.click("#preview")
        await settle(pilot)
        text = str(dialog.query_one("#import-text", Static).render())
        assert "ZS2020-0001" in text and "合作伙伴" in text
        assert not dialog.query_one("#save").disabled  # warnings do not hold the import back
        dialog.query_one("#import-map", Input).value = "合作伙伴=investor"
        await settle(pilot)
        assert dialog.query_one("#save").disabled, "a new column map needs a new preview"
        await pilot.click("#preview")
        await settle(pilot)
        text = str(dialog.query_one("#import-text", Static).render())
        assert (
            "投资方：" in text and "→ 某基金" in text and "investor" not in text
        )  # the change, old → new, by its label
        dialog.query_one("#import-skip", Input).value = "2"
        await pilot.click("#preview")
        await settle(pilot)
        text = str(dialog.query_one("#import-text", Static).render())
        assert "→ 某基金" not in text
        await pilot.click("#save")
        await settle(pilot)
        assert type(pilot.app.screen).__name__ == "DealsScreen"

    assert Deal.select().count() == before + 1
    deal = Deal.get(Deal.name == "定兴县智慧物流港项目")
    assert (deal.amount, deal.region, deal.investor) == (Decimal("350000000.00"), "定兴县", "某物流集团")
    assert deal_by_code("ZS2020-0001").stage == "operating"


@run_async
async def test_english_labels_with_lang_en(ledger_today):
    async with running(CrmApp(today=TODAY, lang="en"), SIZE) as pilot:
        status = str(pilot.app.screen.query_one("#deal-status", Static).render())
        assert status.startswith("33 deals")
        header = str(pilot.app.screen.query_one("#deal-header").render())
        assert "Code" in header and "Name" in header


@run_async
async def test_record_funds_and_assign_departments_from_the_deal(ledger_today):
    async with running(app(), SIZE) as pilot:
        code = await open_deal(pilot, "zzgyl")
        await press(pilot, "f")
        dialog = pilot.app.screen
        await type_text(pilot, "3000万")  # no currency: the deal's own (USD)
        dialog.query_one("#funds-on", Input).value = "2021-01-04"
        await settle(pilot)
        hint = str(dialog.query_one("#hint-amount", Static).render())
        assert "USD 30,000,000.00" in hint and "6.5408" in hint
        await press(pilot, "ctrl+s")
        rate = str(pilot.app.screen.query_one("#detail-funds-rate", Static).render())
        assert "15.35%" in rate  # 1.96224亿元 arrived of 12.7854亿元

        await press(pilot, "d")
        dialog = pilot.app.screen
        dialog.query_one("#lead-unit", Select).value = "保定市商务局"
        dialog.query_one("#supporting").select("国网保定供电公司")
        await press(pilot, "ctrl+s")
        assert type(pilot.app.screen).__name__ == "DealDetailScreen"

    from crm.deals.records import supporting_departments
    from db.models import FundsArrived

    deal = deal_by_code(code)
    funds = FundsArrived.get(FundsArrived.deal == deal)
    assert (funds.amount, funds.currency, funds.amount_cny) == (Decimal("30000000.00"), "USD", Decimal("196224000.00"))
    assert deal.lead_unit.name == "保定市商务局"
    assert "国网保定供电公司" in [d.name for d in supporting_departments(deal)]


@run_async
async def test_a_new_exchange_rate_reconverts_the_deals_it_covers(ledger_today):
    async with running(app(), SIZE) as pilot:
        await press(pilot, "6")
        await press(pilot, "a")
        dialog = pilot.app.screen
        dialog.query_one("#rate-on", Input).value = "2020-05-18"
        dialog.query_one("#rate-value", Input).value = "7.2"
        await press(pilot, "ctrl+s")
        # the day has a rate already: the dialog names it and saves on a second ctrl+s (issue 15)
        assert "7.1030" in str(dialog.query_one("#dialog-error").content)
        assert deal_by_code("ZS2020-0001").amount_cny != Decimal("1296000000.00")
        await press(pilot, "ctrl+s")
        assert type(pilot.app.screen).__name__ == "RatesScreen"
    assert deal_by_code("ZS2020-0001").amount_cny == Decimal("1296000000.00")


def _column_starts(line: str) -> list[int]:
    """Display columns where each space-separated field of `line` starts (Chinese counts two)."""
    from rich.cells import cell_len

    starts, col, prev = [], 0, " "
    for ch in line:
        if ch != " " and prev == " ":
            starts.append(col)
        col += cell_len(ch)
        prev = ch
    return starts


@run_async
async def test_headings_line_up_with_the_rows_when_the_list_does_not_scroll(ledger_today):
    from screens.deal_list import DealListHeader

    async with running(app(), SIZE) as pilot:
        deal_list = pilot.app.screen.query_one(DealList)
        assert deal_list.row_count == 33  # fits on screen: no scrollbar
        heading = str(pilot.app.screen.query_one(DealListHeader).render())
        row = deal_list.render_line(0).text
        # code, name and region columns (one word each in both lines) start at the same cells
        assert _column_starts(heading)[:3] == _column_starts(row)[:3]


@run_async
async def test_board_keys_choose_cards_across_columns(ledger_today):
    from screens.card_column import CardColumn

    async with running(app(), SIZE) as pilot:
        await press(pilot, "2")
        board = pilot.app.screen
        columns = [c for c in board.query(CardColumn) if c.rows]
        assert board.focused is columns[0] and columns[0].cursor == 0, "the first card is chosen on arrival"
        await pilot.press("down")
        assert columns[0].cursor == 1
        await pilot.press("right")
        assert board.focused is columns[1] and columns[1].cursor == min(1, len(columns[1].rows) - 1)
        await pilot.press("left")
        assert board.focused is columns[0]
        chosen = columns[0].current
        await press(pilot, "enter")
        assert (type(pilot.app.screen).__name__, pilot.app.screen.code) == ("DealDetailScreen", chosen.code)


@run_async
async def test_the_list_is_fetched_once_at_launch_and_again_after_a_deal_was_changed(ledger_today, monkeypatch):
    """Launching asks for the first page once (a second request threw the first page away and
    made the first paint wait for it); coming back from a deal shows what was changed there."""
    from crm.listing import pages as deal_pages

    asked = []
    fetch = deal_pages.fetch
    monkeypatch.setattr(deal_pages, "fetch", lambda *args: asked.append(args) or fetch(*args))
    async with running(app(), SIZE) as pilot:
        assert len(asked) == 1
        assert len(shown_names(pilot.app)) == 33
        first = shown_names(pilot.app)[0]
        await press(pilot, "enter")
        assert type(pilot.app.screen).__name__ == "DealDetailScreen"
        edit_deal(pilot.app.screen.code, {"name": "改名后的项目"})
        await press(pilot, "escape")
        assert len(asked) == 2
        assert shown_names(pilot.app)[0] == "改名后的项目" != first


@run_async
async def test_a_search_asks_its_totals_once_its_rows_are_in(ledger_today, monkeypatch):
    """A search's count and total read its matches as its page does: asked together they shared the CPU and
    a broad prefix (ZS2021 at a million deals) painted its rows later; the totals are asked after the page."""
    from crm.listing import pages as deal_pages

    events = []
    fetch, totals = deal_pages.fetch, deal_pages.totals

    def fetched(flt, *args):
        rows = fetch(flt, *args)
        time.sleep(0.2 if flt.search else 0)  # a page that takes its time, as a broad prefix's does at size
        events.append(("rows", flt.search))
        return rows

    def summed(flt):
        events.append(("totals", flt.search))
        return totals(flt)

    monkeypatch.setattr(deal_pages, "fetch", fetched)
    monkeypatch.setattr(deal_pages, "totals", summed)
    async with running(app(), SIZE) as pilot:
        await search(pilot, "涿州")
        await settle(pilot)
        mine = [kind for kind, text in events if text == "涿州"]
        assert mine[:2] == ["rows", "totals"]
        assert pilot.app.screen.query_one(DealList).totals.deals == 3 == len(shown_names(pilot.app))


@run_async
async def test_the_board_shown_again_follows_the_deal_list_filter(ledger_today):
    """A second visit shows the figures fetched as `2` was pressed, for the filter of that moment."""

    def counted(board) -> int:
        heads = [str(h.render()) for h in board.query(".stage-head")]
        return sum(int(head.split("\n")[0].split()[-1]) for head in heads)

    async with running(app(), SIZE) as pilot:
        await press(pilot, "2")
        assert counted(pilot.app.screen) == 33
        await press(pilot, "1")
        await search(pilot, "涿州")
        await pilot.press("enter")  # leave the search box, keeping the search (Esc would clear it)
        await press(pilot, "2")
        assert type(pilot.app.screen).__name__ == "BoardScreen"
        assert counted(pilot.app.screen) == 3
        await press(pilot, "1")
        await pilot.press("escape")  # clear the search
        await settle(pilot)
        await press(pilot, "2")
        assert counted(pilot.app.screen) == 33


@run_async
async def test_a_search_asks_for_its_page_at_the_key_before_the_screen_hears_of_it(ledger_today, monkeypatch):
    """The page query of a typed text is asked as the key is handled, so the database reads while the screen
    repaints the search box. Before, it was asked when the box's Input.Changed reached the screen, which
    Textual may repaint first (a frame or more at a million deals: BENCHMARKS.md, tenth session)."""
    order: list[str] = []
    load = DealList.load

    def loading(deal_list, flt, *args, **kwargs):
        order.append(f"load {flt.search}")
        return load(deal_list, flt, *args, **kwargs)

    async with running(app(), SIZE) as pilot:
        await press(pilot, "slash")
        screen = pilot.app.screen
        dispatch = screen._dispatch_message

        async def heard(message):
            if isinstance(message, Input.Changed):
                order.append(f"changed {message.value}")
            return await dispatch(message)

        monkeypatch.setattr(screen, "_dispatch_message", heard)
        monkeypatch.setattr(DealList, "load", loading)
        await pilot.press("涿")
        await settle(pilot)
        assert order == ["load 涿", "changed 涿"]
        assert {"中国创投(涿州)总部项目", "华侨城涿州城市客厅项目"} <= set(shown_names(pilot.app))


@run_async
async def test_the_rows_stay_on_screen_until_the_next_searchs_rows_come(ledger_today, monkeypatch):
    """Typing in the search box does not flash an empty list at every key: the rows shown stay until the new
    ones are read, and only a slow read empties the list (after EMPTIED_AFTER_SECONDS) before its rows come."""
    import threading

    from crm.listing import pages as deal_pages
    from screens.deal_list import EMPTIED_AFTER_SECONDS

    gate = threading.Event()
    fetch = deal_pages.fetch

    def slow(flt, *args):
        if flt.search:
            gate.wait(10)
        return fetch(flt, *args)

    monkeypatch.setattr(deal_pages, "fetch", slow)
    async with running(app(), SIZE) as pilot:
        first = shown_names(pilot.app)[0][:6]  # as much of its name as the column shows
        assert first in pilot.app.export_screenshot() and "涿州" not in first
        await press(pilot, "slash")
        await pilot.press("涿")
        await pilot.pause(EMPTIED_AFTER_SECONDS / 5)
        assert first in pilot.app.export_screenshot()  # still on screen while the page is read
        await pilot.pause(EMPTIED_AFTER_SECONDS * 1.5)
        assert first not in pilot.app.export_screenshot()  # a slow read: the list is emptied
        gate.set()
        await settle(pilot)
        shown = pilot.app.export_screenshot()
        assert "中国创投(涿州)" in shown and first not in shown


@run_async
async def test_keys_typed_right_after_the_search_key_land_in_the_search_box(ledger_today):
    """A fast typist's '/' and the next letters can reach the app in one read of the terminal: the letters must
    go to the box '/' opens, not to the list (where 'b' would open the blocker form, 's' the stage dialog)."""
    from textual import events

    async with running(app(), SIZE) as pilot:
        for key, character in (("slash", "/"), ("s", "s"), ("b", "b"), ("z", "z")):
            pilot.app.post_message(events.Key(key, character))  # queued together, as one read delivers them
        await settle(pilot)
        assert pilot.app.screen.query_one("#search", Input).value == "sbz"
        assert len(pilot.app.screen_stack) == 1, "no dialog opened by the letters"
        await pilot.press("slash")
        assert pilot.app.screen.query_one("#search", Input).value == "sbz/", "in the box, '/' is a character"
