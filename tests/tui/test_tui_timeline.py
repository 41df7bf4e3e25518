"""The Detail screen's timeline, the p key, and corrections made from the
Detail screen (issues 13 and 14): each walked with the keys an officer
presses, then checked on the screen and in the database (`crm kpi`,
`crm log`, `crm show`)."""

from __future__ import annotations

import datetime
import io
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console
from textual.widgets import DataTable, Input, Select

from crm.deals import blockers, corrections, funds, investment
from crm.deals.progress import add_progress
from crm.deals.stages import change_stage
from screens.app import CrmApp
from tests.conftest import BACKENDS
from tests.tui_support import (
    TODAY,
    pin_clock,
    press,
    run_async,
    settle,
    sqlite_only,  # noqa: F401 — keys and dialogs on SQLite alone; what writes through both backends says so
    type_text,
)

CODE = "ZS2019-0003"  # demo: 生物医药创新产业园项目, 30亿元, 注册 since 2020-01-11, blockers 4 (overdue) and 5


def history() -> None:
    """A year of a deal: progress, funds, a plan and two months invested, a blocker resolved and reopened,
    a stage change reversed, a funds entry and a month voided."""
    add_progress(CODE, "施工图审查通过", on=datetime.date(2026, 3, 2), actor="李明")
    funds.record_funds(CODE, "5000万元", on=datetime.date(2026, 2, 10), note="首笔资本金", actor="李明")
    wrong = funds.record_funds(CODE, "8000万元", on=datetime.date(2026, 3, 15), actor="李明")
    investment.set_plan(CODE, 2026, "4亿元", actor="李明")
    investment.record_invest(CODE, "6000万元", datetime.date(2026, 1, 1), actor="李明")
    investment.record_invest(CODE, "5000万元", datetime.date(2026, 2, 1), actor="李明")
    investment.record_invest(CODE, "1亿元", datetime.date(2026, 3, 1), actor="李明")
    blockers.resolve_blocker(4, note="环评已批复", on=datetime.date(2026, 4, 1), actor="李明")
    corrections.reopen_blocker(4, note="批复被退回补正", actor="李明")
    change_stage(CODE, "construction", on=datetime.date(2026, 5, 6), actor="李明")
    corrections.undo_stage(CODE, note="误操作:尚未开工", actor="李明")
    corrections.void_funds(wrong.id, note="重复录入", actor="李明")
    corrections.void_invest(CODE, datetime.date(2026, 3, 1), note="统计口径有误", actor="李明")


async def open_detail(pilot, code: str = CODE):
    from screens.detail import open_deal

    await settle(pilot)
    open_deal(pilot.app, code)
    await settle(pilot)
    screen = pilot.app.screen
    assert type(screen).__name__ == "DealDetailScreen"
    return screen


def timeline_lines(screen) -> list[str]:
    table = screen.query_one("#detail-timeline")
    return [table.render_line(y).text for y in range(table.size.height)]


ROOT = Path(__file__).resolve().parents[2]


def cli_text(url: str, *args: str) -> str:
    """What `crm --db URL ARGS…` prints (this checkout's code, in its own process, in Chinese)."""
    done = subprocess.run(
        [sys.executable, "-m", "app", "--db", url, "--lang", "zh", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def cli_json(url: str, *args: str):
    return json.loads(cli_text(url, *args, "--format", "json"))


@pytest.mark.parametrize("backend", BACKENDS)
@run_async
async def test_the_timeline_shows_every_kind_of_event_in_date_order(demo_ledger, demo_url):
    pin_clock()
    history()
    async with CrmApp(today=TODAY, lang="zh").run_test(size=(140, 40)) as pilot:
        screen = await open_detail(pilot)
        lines = timeline_lines(screen)
        body = "\n".join(lines)
        # every kind, in Chinese, with amounts in 亿/万 and currency
        for expected in (
            "施工图审查通过",
            "李明",
            "5000万元",
            "2026年计划：4亿元",
            "6000万元",
            "2026年累计1.10亿元，完成年计划27.50%",
            "环评已批复",
            "批复被退回补正",
            "误操作:尚未开工",
            "重复录入",
            "统计口径有误",
        ):
            assert expected in body.replace(" ", ""), expected
        # who recorded the money, as for progress and stage changes
        assert "李明" in next(line for line in lines if "首笔资本金" in line)
        dates = [line.split()[1] if line.split()[0] in "●○" else line.split()[0] for line in lines[1:] if line[:1]]
        # a month of completed investment (2026-02) stands at the month's end
        dated = [d if len(d) == 10 else d + "-31" for d in dates if d[:2] == "20"]
        assert dated == sorted(dated), "in date order"
        assert "2026-02" in dates and "2026-02-10" in dates
        # the date column starts at the same cell on every line (Chinese counted two wide)
        starts = {cell_len(line[: line.index("20")]) for line in lines[1:] if "20" in line[:14]}
        assert len(starts) == 1
        assert all(cell_len(line) <= 140 for line in lines)
        # the stage change reversed is marked, and the stage in force is 注册 again
        assert sum("●" in line for line in lines) == 1
        current = next(line for line in lines if "●" in line)
        assert "注册" in current and "2020-01-11" in current
        assert any("（已撤销）" in line.replace(" ", "") for line in lines)
        # the side panel: the year's plan against what was completed (the voided March left out)
        invest = str(screen.query_one("#detail-investment").render())
        assert invest == "2026年：计划 4.00亿元，完成 1.10亿元，完成年计划 27.50%"


@pytest.mark.parametrize("backend", BACKENDS)
@run_async
async def test_p_writes_progress_from_the_list_and_the_detail(demo_ledger, demo_url):
    pin_clock()
    async with CrmApp(today=TODAY, lang="zh").run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        # the list's footer shows p; the first row is the current deal
        footer = " ".join(str(k.render()) for k in pilot.app.screen.query("FooterKey"))
        assert "进展" in footer
        listed = pilot.app.screen.current_code()
        await press(pilot, "p")
        dialog = pilot.app.screen
        assert type(dialog).__name__ == "ProgressDialog"
        assert dialog.query_one("#progress-on", Input).value == TODAY.isoformat()
        await type_text(pilot, "项目完成土地摘牌")
        await press(pilot, "ctrl+s")
        assert type(pilot.app.screen).__name__ == "DealsScreen"
        shown = cli_json(demo_url, "show", listed)
        assert shown["progress"][-1]["text"] == "项目完成土地摘牌"
        assert shown["progress"][-1]["on"] == TODAY.isoformat()

        screen = await open_detail(pilot)
        await press(pilot, "p")
        await type_text(pilot, "施工图审查通过")
        pilot.app.screen.query_one("#progress-on", Input).value = "2026-06-15"
        await press(pilot, "ctrl+s")
        assert pilot.app.screen is screen
        assert any("2026-06-15" in line and "施工图审查通过" in line for line in timeline_lines(screen))
        assert cli_json(demo_url, "show", CODE)["progress"] == [
            {"on": "2026-06-15", "by": shown["progress"][-1]["by"], "text": "施工图审查通过"}
        ]


@run_async
async def test_p_refuses_an_empty_entry_and_a_future_date(demo_ledger, demo_url):
    async with CrmApp(today=TODAY, lang="en").run_test(size=(140, 40)) as pilot:
        await open_detail(pilot)
        await press(pilot, "p")
        await press(pilot, "ctrl+s")
        assert "Write what happened" in str(pilot.app.screen.query_one("#dialog-error").render())
        await type_text(pilot, "x")
        pilot.app.screen.query_one("#progress-on", Input).value = "2026-07-09"
        await press(pilot, "ctrl+s")
        assert "in the future" in str(pilot.app.screen.query_one("#dialog-error").render())
        assert cli_json(demo_url, "show", CODE)["progress"] == []


@run_async
async def test_ctrl_e_writes_the_progress_in_the_editor(demo_ledger, demo_url, tmp_path, monkeypatch):
    script = tmp_path / "ed.sh"
    script.write_text('#!/bin/sh\nprintf "%s" "与市自然资源局会商用地指标" > "$1"\n')
    script.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(script))
    monkeypatch.delenv("VISUAL", raising=False)
    async with CrmApp(today=TODAY, lang="zh").run_test(size=(140, 40)) as pilot:
        await open_detail(pilot)
        await press(pilot, "p")
        await press(pilot, "ctrl+e")
        assert pilot.app.screen.query_one("#progress-text", Input).value == "与市自然资源局会商用地指标"
        await press(pilot, "ctrl+s")
        assert cli_json(demo_url, "show", CODE)["progress"][0]["text"] == "与市自然资源局会商用地指标"


# ---- corrections -------------------------------------------------------------------------


def kpi_funds(url: str) -> Decimal:
    return Decimal(cli_json(url, "kpi")["funds_cny"])


@pytest.mark.parametrize("backend", BACKENDS)
@run_async
async def test_voiding_a_funds_entry_changes_the_kpi_and_is_in_the_log(demo_ledger, demo_url):
    funds.record_funds(CODE, "5000万元", on=datetime.date(2026, 2, 10), actor="李明")
    before = kpi_funds(demo_url)
    async with CrmApp(today=TODAY, lang="zh").run_test(size=(140, 40)) as pilot:
        screen = await open_detail(pilot)
        await press(pilot, "v")
        dialog = pilot.app.screen
        assert type(dialog).__name__ == "VoidDialog"
        # the deal's blockers are listed for voiding too: choose the funds entry
        dialog.query_one("#void-entry", Select).value = next(
            n for n, (_l, k) in enumerate(dialog.entries) if k[0] == "funds"
        )
        dialog.query_one("#correction-note", Input).focus()
        await press(pilot, "ctrl+s")
        assert "原因" in str(dialog.query_one("#dialog-error").render())  # a note is required
        assert kpi_funds(demo_url) == before
        await type_text(pilot, "重复录入")
        await press(pilot, "ctrl+s")
        assert pilot.app.screen is screen
        lines = [line.replace(" ", "") for line in timeline_lines(screen)]
        assert any("作废" in line and "重复录入" in line for line in lines)
        assert any("（已作废）" in line for line in lines)
    assert kpi_funds(demo_url) == before - Decimal("50000000")
    log = cli_text(demo_url, "log", CODE)
    assert "作废" in log and "重复录入" in log


@run_async
async def test_voiding_a_month_of_completed_investment(demo_ledger, demo_url):
    investment.set_plan(CODE, 2026, "4亿元", actor="李明")
    investment.record_invest(CODE, "1亿元", datetime.date(2026, 3, 1), actor="李明")
    async with CrmApp(today=TODAY, lang="zh").run_test(size=(140, 40)) as pilot:
        screen = await open_detail(pilot)
        await press(pilot, "v")
        dialog = pilot.app.screen
        dialog.query_one("#void-entry", Select).value = next(
            n for n, (_l, k) in enumerate(dialog.entries) if k[0] == "invest"
        )
        dialog.query_one("#correction-note", Input).focus()
        await type_text(pilot, "统计口径有误")
        await press(pilot, "ctrl+s")
        assert pilot.app.screen is screen
        assert any("统计口径有误" in line for line in timeline_lines(screen))
    shown = cli_json(demo_url, "show", CODE)
    assert shown["investment"][0]["done_cny"] == "0.00"
    assert shown["investment_voided"][0]["voided"]["note"] == "统计口径有误"
    assert "统计口径有误" in cli_text(demo_url, "log", CODE)


@run_async
async def test_voiding_a_rate_from_the_rates_screen(demo_ledger, demo_url):
    from crm.reference import fx

    fx.set_rate("USD", datetime.date(2026, 6, 1), "7.3", source="录错的日期")
    async with CrmApp(today=TODAY, lang="zh").run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "6")
        rates = pilot.app.screen
        table = rates.query_one(DataTable)
        row = next(i for i, r in enumerate(rates.rates) if r.on == datetime.date(2026, 6, 1))
        table.move_cursor(row=row)
        await press(pilot, "v")
        dialog = pilot.app.screen
        assert type(dialog).__name__ == "VoidRateDialog" and "USD 2026-06-01" in dialog.dialog_title()
        await press(pilot, "ctrl+s")
        assert "原因" in str(dialog.query_one("#dialog-error").render())  # a note is required
        await type_text(pilot, "日期录错")
        await press(pilot, "ctrl+s")
        assert pilot.app.screen is rates
        shown = [str(c) for c in table.get_row_at(row)]
        assert shown[1] == "2026-06-01" and "日期录错" in shown[4], shown
        assert table.cursor_row == row  # the cursor stays on the rate
        await pilot.press("v")  # a voided rate is not voided twice
        await settle(pilot)
        assert pilot.app.screen is rates
        # the demo's EUR rate converts a deal's amount: voiding it is refused, saying how to set the right one here
        eur = next(i for i, r in enumerate(rates.rates) if (r.currency, r.on) == ("EUR", datetime.date(2019, 9, 2)))
        table.move_cursor(row=eur)
        await press(pilot, "v")
        await type_text(pilot, "试试")
        await press(pilot, "ctrl+s")
        refused = str(pilot.app.screen.query_one("#dialog-error").render())
        assert type(pilot.app.screen).__name__ == "VoidRateDialog", refused
        assert "汇率页按 a" in refused and "crm fx set EUR 2019-09-02" in refused, refused
    assert "日期录错" in cli_text(demo_url, "fx", "list")
    assert "日期录错" in cli_text(demo_url, "log", "--rates")


@run_async
async def test_reversing_the_latest_stage_change(demo_ledger, demo_url):
    change_stage(CODE, "construction", on=datetime.date(2026, 5, 6), actor="李明")
    async with CrmApp(today=TODAY, lang="zh").run_test(size=(140, 40)) as pilot:
        screen = await open_detail(pilot)
        await press(pilot, "u")
        assert "开工" in str(pilot.app.screen.query_one("#correction-what").render())
        await type_text(pilot, "误操作")
        await press(pilot, "ctrl+s")
        assert pilot.app.screen is screen
        assert "注册" in str(screen.query_one("#detail-title").render())
        assert any("误操作" in line for line in timeline_lines(screen))
    assert cli_json(demo_url, "show", CODE)["stage"] == "registered"
    assert "误操作" in cli_text(demo_url, "log", CODE)


@run_async
async def test_reopening_a_resolved_blocker(demo_ledger, demo_url):
    blockers.resolve_blocker(4, note="环评已批复", on=datetime.date(2026, 4, 1), actor="李明")
    async with CrmApp(today=TODAY, lang="zh").run_test(size=(140, 40)) as pilot:
        screen = await open_detail(pilot)
        table = screen.query_one("#detail-blockers", DataTable)
        table.focus()
        # the resolved blocker sorts after the open one
        table.move_cursor(row=[str(k.value) for k in table.rows].index("4"))
        await press(pilot, "o")
        assert type(pilot.app.screen).__name__ == "ReopenDialog"
        await type_text(pilot, "批复被退回")
        await press(pilot, "ctrl+s")
        assert pilot.app.screen is screen
        assert any("批复被退回" in line for line in timeline_lines(screen))
    listed = cli_json(demo_url, "blocker", "list", "--code", CODE)
    assert next(b for b in listed if b["id"] == 4)["resolved_on"] is None
    assert "批复被退回" in cli_text(demo_url, "log", CODE)


@pytest.mark.parametrize("backend", BACKENDS)
@run_async
async def test_archiving_asks_for_a_note_and_restoring_brings_the_deal_back(demo_ledger, demo_url):
    async with CrmApp(today=TODAY, lang="zh").run_test(size=(140, 40)) as pilot:
        screen = await open_detail(pilot)
        await press(pilot, "a")
        dialog = pilot.app.screen
        assert "归档" in str(dialog.query_one("#correction-what").render())
        await press(pilot, "ctrl+s")
        assert pilot.app.screen is dialog  # no note: not archived
        assert CODE in [d["code"] for d in cli_json(demo_url, "deals")]
        await type_text(pilot, "项目已终止")
        await press(pilot, "ctrl+s")
        assert pilot.app.screen is screen
        assert "已归档" in str(screen.query_one("#detail-title").render())
        assert CODE not in [d["code"] for d in cli_json(demo_url, "deals")]
        assert any("项目已终止" in line for line in timeline_lines(screen))
        await press(pilot, "a")
        await pilot.press("ctrl+s")  # restoring needs no note
        await settle(pilot)
        assert pilot.app.screen is screen
        assert "已归档" not in str(screen.query_one("#detail-title").render())
    assert CODE in [d["code"] for d in cli_json(demo_url, "deals")]
    log = cli_text(demo_url, "log", CODE)
    assert "项目已终止" in log and "恢复" in log


@run_async
async def test_correction_keys_are_in_the_keys_panel(demo_ledger, demo_url):
    async with CrmApp(today=TODAY, lang="zh").run_test(size=(140, 40)) as pilot:
        screen = await open_detail(pilot)
        shown = {b.key: b.description for _n, b, _e, _t in screen.active_bindings.values()}
        for key, label in (
            ("p", "进展"),
            ("i", "投资"),
            ("o", "重新打开"),
            ("v", "作废"),
            ("u", "撤销"),
            ("a", "归档"),
        ):
            assert label in shown[key], (key, shown[key])
        await press(pilot, "question_mark")
        panel = pilot.app.screen.query_one("KeyPanel")
        console = Console(width=200, record=True, file=io.StringIO())
        for widget in panel.query("BindingsTable"):
            console.print(widget.render())
        text = console.export_text()
        for label in ("作废", "撤销阶段", "重新打开", "归档", "投资"):
            assert label in text, label


@run_async
async def test_i_sets_a_plan_and_records_a_month_invested(demo_ledger, demo_url):
    async with CrmApp(today=TODAY, lang="zh").run_test(size=(140, 40)) as pilot:
        screen = await open_detail(pilot)
        await press(pilot, "i")
        dialog = pilot.app.screen
        assert type(dialog).__name__ == "InvestmentDialog"
        assert dialog.query_one("#invest-period", Input).value == "2026-06"
        dialog.query_one("#invest-kind", Select).value = "plan"
        await settle(pilot)
        assert dialog.query_one("#invest-period", Input).value == "2026"
        await type_text(pilot, "4亿元")
        await press(pilot, "ctrl+s")
        assert pilot.app.screen is screen
        await press(pilot, "i")
        pilot.app.screen.query_one("#invest-period", Input).value = "2026-03"
        await type_text(pilot, "35")  # a bare 35: 元? 万元? asked, not saved
        await press(pilot, "ctrl+s")
        assert "万元" in str(pilot.app.screen.query_one("#dialog-error").render())
        await type_text(pilot, "00万元")
        await press(pilot, "ctrl+s")
        assert pilot.app.screen is screen
        lines = [line.replace(" ", "") for line in timeline_lines(screen)]
        assert any(line.startswith("2026-03") and "完成年计划8.75%" in line for line in lines), lines
        assert str(screen.query_one("#detail-investment").render()).endswith("完成年计划 8.75%")
    shown = cli_json(demo_url, "show", CODE)["investment"][0]
    assert (shown["plan_cny"], shown["done_cny"], shown["completion_rate"]) == ("400000000.00", "35000000.00", "0.0875")
