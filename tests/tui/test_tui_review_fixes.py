"""What a tester found driving the TUI at 80×24 and 140×40, each walked as an officer would: an archived deal
shown again and restored from the list, ctrl+r on the list, the save-view dialog's label, the new-deal form's
messages in its own words, the blockers, funds and deal-list columns, messages wrapped at punctuation, a day's
timeline in the order it happened, the rate dialog's messages, and English with no Chinese left in it."""

from __future__ import annotations

import datetime
import re

from rich.cells import cell_len
from textual.widgets import Input, Static

from crm.deals import blockers, funds
from crm.deals.stages import change_stage
from screens.app import CrmApp
from screens.deal_list import COLUMNS, NAME_AT_80, DealList, column_widths
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

CODE = "ZS2020-0004"  # demo: 轨道交通车辆关键零部件产业园项目, 12亿元, one open blocker
CJK = re.compile(r"[\u4e00-\u9fff]")


def crm_app(lang: str = "zh") -> CrmApp:
    return CrmApp(today=TODAY, lang=lang)


def screen_text(app) -> str:
    """Every line the terminal gets for the screen shown (toasts included)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def toasts(app) -> str:
    from textual.content import Content

    return "\n".join(Content.from_markup(n.message).plain if n.markup else n.message for n in app._notifications)


def status(app) -> str:
    return str(app.screen.query_one("#deal-status").content)


def listed_codes(app) -> list[str]:
    deal_list = app.screen.query_one(DealList)
    return [deal_list._window.get(i).code for i in range(deal_list.row_count) if deal_list._window.get(i)]


async def open_detail(pilot, code: str = CODE):
    from screens.detail import open_deal

    open_deal(pilot.app, code)
    await settle(pilot)
    assert type(pilot.app.screen).__name__ == "DealDetailScreen"
    return pilot.app.screen


async def search(pilot, text: str) -> None:
    await press(pilot, "slash")
    pilot.app.screen.query_one("#search", Input).value = ""
    await type_text(pilot, text)
    await settle(pilot)


# ---- 1. an archived deal shown again and restored ------------------------------------------------------------


@run_async
async def test_an_archived_deal_is_found_by_its_code_listed_again_and_restored(demo_ledger):
    pin_clock()
    async with crm_app().run_test(size=SMALL) as pilot:
        await settle(pilot)
        total = int(status(pilot.app).split(" 个项目")[0].strip())
        await open_detail(pilot)
        await press(pilot, "a")
        await type_text(pilot, "重复录入")
        await press(pilot, "ctrl+s")
        assert f"{CODE} 已归档" in toasts(pilot.app) and "已更正" not in toasts(pilot.app)
        await press(pilot, "escape")
        assert CODE not in listed_codes(pilot.app)
        assert status(pilot.app).startswith(f"{total - 1} 个项目")

        # its exact code finds it, marked
        await search(pilot, CODE)
        assert listed_codes(pilot.app) == [CODE]
        assert f"{CODE}  （已归档）" in screen_text(pilot.app)
        await press(pilot, "escape")  # the search box emptied
        await press(pilot, "escape")  # every filter cleared
        assert CODE not in listed_codes(pilot.app)

        # A lists archived deals too, says so in the keys panel and the palette
        await press(pilot, "A")
        assert CODE in listed_codes(pilot.app)
        assert status(pilot.app).startswith(f"{total} 个项目")
        titles = [c.title for c in pilot.app.get_system_commands(pilot.app.screen)]
        assert "已归档项目：显示或隐藏（以便恢复）" in titles
        await press(pilot, "question_mark")
        keys = screen_text(pilot.app)
        assert re.search(r"\bA 已归档", keys), keys
        await press(pilot, "question_mark")

        # restored from its detail: back in the list without A
        await open_detail(pilot)
        await press(pilot, "a")
        await press(pilot, "ctrl+s")
        assert f"{CODE} 已恢复" in toasts(pilot.app)
        await press(pilot, "escape")
        await press(pilot, "A")
        assert CODE in listed_codes(pilot.app)
        assert "（已归档）" not in screen_text(pilot.app)
        assert status(pilot.app).startswith(f"{total} 个项目")


# ---- 2. ctrl+r on the deal list ----------------------------------------------------------------------------


@run_async
async def test_ctrl_r_on_the_list_shows_what_another_shell_archived(demo_ledger, demo_url):
    pin_clock()
    async with crm_app().run_test(size=SMALL) as pilot:
        await settle(pilot)
        total = int(status(pilot.app).split(" 个项目")[0].strip())
        crm(demo_url, "archive", CODE, "--note", "另一个终端归档")
        await press(pilot, "ctrl+r")  # the cursor in the list
        assert status(pilot.app).startswith(f"{total - 1} 个项目")
        assert CODE not in listed_codes(pilot.app)

        crm(demo_url, "unarchive", CODE)
        await press(pilot, "slash", "ctrl+r")  # the cursor in the search box
        assert status(pilot.app).startswith(f"{total} 个项目")

        crm(demo_url, "archive", CODE, "--note", "再次归档")
        await press(pilot, "escape", "ctrl+r")  # after esc
        assert status(pilot.app).startswith(f"{total - 1} 个项目")

        await press(pilot, "question_mark")
        assert re.search(r"\^r 刷新", screen_text(pilot.app))


# ---- 3. the save-view dialog -----------------------------------------------------------------------------------


@run_async
async def test_the_save_view_dialog_asks_for_a_view_name(demo_ledger):
    async with crm_app().run_test(size=SMALL) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+w")
        dialog = "\n".join(line for line in screen_text(pilot.app).splitlines() if line.startswith("█"))
        assert "视图名称 *" in dialog and "项目名称" not in dialog, dialog
        await press(pilot, "ctrl+s")
        assert "视图名称" in str(pilot.app.screen.query_one("#dialog-error").content)


# ---- 4. the new-deal form's messages in its own words -------------------------------------------------------------


def _hint(form, field: str) -> str:
    return str(form.query_one(f"#hint-{field}", Static).content)


@run_async
async def test_the_new_deal_form_marks_every_empty_required_field_and_names_no_flags(demo_ledger):
    async with crm_app().run_test(size=SMALL) as pilot:
        await settle(pilot)
        await press(pilot, "n")
        form = pilot.app.screen
        await press(pilot, "ctrl+s")
        error = str(form.query_one("#dialog-error").content)
        assert error == "请填写：项目名称、投资额"
        assert _hint(form, "name") == "必填" and _hint(form, "amount") == "必填"
        assert "--" not in screen_text(pilot.app)

        await type_text(pilot, "测试项目")
        await press(pilot, "ctrl+s")
        assert str(form.query_one("#dialog-error").content) == "请填写：投资额"
        assert _hint(form, "name") == "" and _hint(form, "amount") == "必填"

        # an amount no rate converts: where to add the rate, in the TUI
        form.query_one("#f-signed_on", Input).value = "2020-09-08"
        form.query_one("#f-amount", Input).value = "12亿日元"
        await settle(pilot)
        assert "汇率屏幕" in _hint(form, "amount") and "crm fx set" not in _hint(form, "amount")
        await press(pilot, "ctrl+s")
        error = str(form.query_one("#dialog-error").content)
        assert error == "没有 2020-09-08 当日或之前的 JPY 汇率：请在汇率屏幕添加（按 6，再按 a）", error
        assert type(pilot.app.screen).__name__ == "DealForm"


@run_async
async def test_the_new_deal_form_in_english(demo_ledger):
    async with crm_app("en").run_test(size=SMALL) as pilot:
        await settle(pilot)
        await press(pilot, "n")
        await press(pilot, "ctrl+s")
        assert str(pilot.app.screen.query_one("#dialog-error").content) == "Fill in: Name, Amount"


def test_the_command_line_keeps_its_flags(demo_ledger, run_cli):
    code, _out, err = run_cli("--lang", "en", "add", "--investor", "某公司")
    assert code == 2 and "(--name)" in err


# ---- 5. columns at 80×24 and 140×40; messages wrapped at punctuation -------------------------------------------


@run_async
async def test_the_blockers_screen_shows_every_column_and_cuts_long_text(demo_ledger):
    pin_clock()
    blockers.add_blocker(
        CODE, "征地拆迁补偿方案尚未经市县联审通过，需自然资源和规划局牵头会商", "保定市行政审批局", actor="测试"
    )
    for size in (SMALL, LARGE):
        async with crm_app().run_test(size=size) as pilot:
            await settle(pilot)
            await press(pilot, "3")
            lines = screen_text(pilot.app).splitlines()
            header = next(line for line in lines if "序号" in line)
            for label in ("项目", "问题", "提出日期", "办结时限", "逾期"):
                assert label in header, (size, header)
            assert all(cell_len(line) <= size[0] for line in lines)
            row = next(line for line in lines if "征地拆迁" in line)
            assert "轨道交通车辆" in row, row  # the deal it holds up
            assert re.search(r"\d{4}-\d{2}-\d{2}", row), row  # the dates whole
            if size == SMALL:
                assert "…" in row, row  # the long text cut with …
            assert "逾期 " in next(line for line in lines if "保定市行政审批局" in line)


@run_async
async def test_the_detail_shows_funds_dates_and_amounts_whole_at_80_columns(demo_ledger):
    pin_clock()
    entry = funds.record_funds(
        CODE, "1200万元", on=datetime.date(2026, 6, 1), note="金额录错，需作废后重录", actor="测试"
    )
    from crm.deals import corrections

    corrections.void_funds(entry.id, note="金额录错", actor="测试")
    async with crm_app().run_test(size=SMALL) as pilot:
        await settle(pilot)
        await open_detail(pilot)
        lines = screen_text(pilot.app).splitlines()
        row = next(line for line in lines if "2026-06" in line and "1200" in line)
        assert "2026-06-01" in row and "1200万元" in row and "0.12" in row, row
        assert "…" in row.split("0.12")[1], row  # the note cut with …


@run_async
async def test_names_get_the_room_of_a_wide_terminal(demo_ledger):
    pin_clock()
    widths = {}
    for size in (SMALL, LARGE):
        async with crm_app().run_test(size=size) as pilot:
            await settle(pilot)
            deal_list = pilot.app.screen.query_one(DealList)
            widths[size] = dict(zip([c.key for c in COLUMNS], column_widths(deal_list.size.width - 2)))["name"]
            if size == LARGE:
                assert "半导体封装测试项目" in screen_text(pilot.app)  # whole, not 半导体封装测试…
    assert widths[LARGE] > widths[SMALL] == NAME_AT_80["zh"]
    from crm.foundation.i18n import set_language

    for lang in ("zh", "en"):  # NAME_AT_80 says what the 80-column list gives, in each language
        set_language(lang)
        assert dict(zip([c.key for c in COLUMNS], column_widths(78)))["name"] == NAME_AT_80[lang]
    set_language("zh")


def test_messages_wrap_at_punctuation_not_inside_a_date():
    from screens.text import wrap_lines

    message = "不存在日期“2020年13月5日”：请写 2020-05-18、2020年5月18日 或 5月18日"
    for width in (18, 24, 30):
        lines = wrap_lines(message, width)
        assert "".join(lines).replace(" ", "") == message.replace(" ", "")
        assert all(cell_len(line) <= width for line in lines)
        assert any("“2020年13月5日”" in line for line in lines), lines
        assert any("2020年5月18日" in line for line in lines), lines
        assert not any(line.startswith(("：", "、")) for line in lines), lines


@run_async
async def test_a_date_error_in_a_dialog_is_not_cut_inside_the_date(demo_ledger):
    async with crm_app().run_test(size=SMALL) as pilot:
        await settle(pilot)
        await press(pilot, "f")
        dialog = pilot.app.screen
        dialog.query_one("#funds-on", Input).value = "2020年13月5日"
        await settle(pilot)
        hint = dialog.query_one("#hint-on", Static)
        lines = [strip.text.rstrip() for strip in hint.render_lines(hint.region.reset_offset)]
        assert len([line for line in lines if line]) > 1, lines  # wrapped: the hint is narrower than the message
        assert any("2020年13月5日" in line for line in lines), lines


# ---- 6. a day's timeline in the order it happened ---------------------------------------------------------


@run_async
async def test_a_days_timeline_is_in_the_order_it_was_recorded(demo_ledger):
    from db.models import AuditEntry, StageChange

    pin_clock()
    today = datetime.date.today()
    # recorded in this order (13:07:12, 13:07:24, 13:09:52), but the stage change typed first: the times decide
    change_stage(CODE, "registered", on=today, actor="测试")
    raised = blockers.add_blocker(CODE, "用地指标未落实", "保定市自然资源和规划局", raised=today, actor="测试")
    blockers.resolve_blocker(raised.id, note="已协调调整用地指标", on=today, actor="测试")
    at = datetime.datetime.combine(today, datetime.time(13, 7, 12))
    newest = StageChange.select().order_by(StageChange.id.desc()).get()
    StageChange.update(recorded_at=at.replace(minute=9, second=52)).where(StageChange.id == newest.id).execute()
    mine = (AuditEntry.table == "blocker") & (AuditEntry.row_id == raised.id)
    AuditEntry.update(at=at).where(mine & (AuditEntry.field == "raised")).execute()
    AuditEntry.update(at=at.replace(second=24)).where(mine & (AuditEntry.field != "raised")).execute()
    async with crm_app().run_test(size=LARGE) as pilot:
        await settle(pilot)
        screen = await open_detail(pilot)
        table = screen.query_one("#detail-timeline")
        lines = [table.render_line(y).text for y in range(table.size.height)]
        order = [
            next(i for i, line in enumerate(lines) if f"提出问题 {raised.id}：" in line),
            next(i for i, line in enumerate(lines) if f"办结问题 {raised.id}：" in line),
            next(i for i, line in enumerate(lines) if "签约 → 注册" in line and today.isoformat() in line),
        ]
        assert order == sorted(order), lines


# ---- 8. the rate dialog's messages -------------------------------------------------------------------------------


@run_async
async def test_the_rate_dialog_asks_for_the_rate_in_its_own_words(demo_ledger):
    async with crm_app().run_test(size=SMALL) as pilot:
        await settle(pilot)
        await press(pilot, "6", "a")
        dialog = pilot.app.screen
        await press(pilot, "ctrl+s")
        assert str(dialog.query_one("#dialog-error").content) == "请填写汇率"
        await type_text(pilot, "abc")
        await settle(pilot)
        hint = str(dialog.query_one("#hint-rate").content)
        assert hint.startswith("“abc”不是有效汇率") and "'" not in hint, hint


# ---- 9. English with no Chinese left in it -------------------------------------------------------------------------


@run_async
async def test_english_shows_no_chinese_in_the_lights_keys_and_timeline(demo_ledger):
    pin_clock()
    async with crm_app("en").run_test(size=LARGE) as pilot:
        await settle(pilot)
        await press(pilot, "question_mark")
        panel = " ".join(line.split("▏")[-1].strip() for line in screen_text(pilot.app).splitlines())
        assert "Write a line of the deal's weekly progress log" in " ".join(panel.split()), panel
        assert not CJK.search(panel), panel
        await press(pilot, "question_mark")

        await press(pilot, "5")
        lines = screen_text(pilot.app).splitlines()
        at = next(i for i, line in enumerate(lines) if "Lights on" in line)
        lights = " ".join(" ".join(lines[at : at + 2]).split())  # the legend wraps onto a second line
        assert "planned start passed without starting)" in lights and not CJK.search(lights), lights

        await press(pilot, "1")
        screen = await open_detail(pilot)
        table = screen.query_one("#detail-timeline")
        lines = [table.render_line(y).text for y in range(table.size.height)]
        assert any("demo data" in line for line in lines) and not any("演示数据" in line for line in lines)
        assert "演示数据" not in screen_text(pilot.app)


@run_async
async def test_a_payment_names_the_dated_rate_it_is_converted_at_and_warns_of_an_old_one(demo_ledger):
    """An arrival of today converted at a rate years old said only "≈ 0.78亿元 @ 6.5408": the rate's date is named,
    and a rate more than a month older than the arrival is pointed out (it is still the rate the amount is saved at)."""
    from crm.reference import fx

    pin_clock()
    latest = max(r.on for r in fx.list_rates("USD") if r.voided_at is None)
    async with crm_app().run_test(size=LARGE) as pilot:
        await settle(pilot)
        await open_detail(pilot)
        await pilot.press("f")
        await settle(pilot)
        await type_text(pilot, "1200万美元")
        await settle(pilot)
        hint = pilot.app.screen.query_one("#hint-amount")
        shown = str(hint.render())
        assert f"按 {latest.isoformat()} 汇率" in shown, shown
        days = (TODAY - latest).days
        assert days > 31 and f"该汇率比日期早 {days} 天" in shown and "按 6，再按 a" in shown, shown
        assert hint.has_class("-error")
        pilot.app.screen.query_one("#funds-on").value = latest.isoformat()  # the rate's own day: no warning
        await settle(pilot)
        shown = str(pilot.app.screen.query_one("#hint-amount").render())
        assert f"按 {latest.isoformat()} 汇率" in shown and "早" not in shown, shown
