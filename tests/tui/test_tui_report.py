"""The Report screen (key 7): the table `crm report` prints, for the deal list's cohort, and its export."""

from __future__ import annotations

import json

from textual.widgets import Select

from exports.summary_table import COLUMNS, cell
from screens.app import CrmApp
from screens.report import ReportExportDialog, ReportScreen
from tests.tui_support import TODAY, crm, pin_clock, run_async, settle


def cli_rows(url: str, dimension: str, *cohort: str) -> list[list[str]]:
    """`crm report DIMENSION … --format json` as the screen should show it."""
    rows = json.loads(crm(url, "report", dimension, *cohort, "--as-of", TODAY.isoformat(), "--format", "json"))
    return [[row["group"]] + [cell(row[key], kind) for key, (_label, kind) in COLUMNS.items()] for row in rows]


def scope_line(app) -> str:
    return str(app.screen.query_one("#report-scope").render())


async def show_report(pilot) -> ReportScreen:
    await pilot.press("7")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ReportScreen)
    return pilot.app.screen


@run_async
async def test_report_shows_what_crm_report_prints_for_the_deal_lists_cohort(demo_ledger, demo_url):
    pin_clock()
    everything = cli_rows(demo_url, "regions")
    zhuozhou_units = cli_rows(demo_url, "departments", "--region", "高碑店市")
    ranked = cli_rows(demo_url, "regions", "--rank-by", "total_cny")
    async with CrmApp(today=TODAY).run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = await show_report(pilot)
        assert screen.table_text() == everything
        assert everything[-1][0] == "合计" and everything[-1][1] == "33"
        assert "未筛选" in scope_line(pilot.app)

        screen.query_one("#report-rank", Select).value = "total_cny"
        await settle(pilot)
        assert screen.table_text() == ranked
        assert [r[0] for r in ranked[:-1]] != sorted(r[0] for r in ranked[:-1]), "ranked is not name order here"
        screen.query_one("#report-rank", Select).value = "name"
        await settle(pilot)

        # The deal list filtered by region: the report follows it and says so.
        await pilot.press("1")
        await settle(pilot)
        pilot.app.screen.query_one("#filter-region", Select).value = "高碑店市"
        await settle(pilot)
        screen = await show_report(pilot)
        assert screen.table_text()[-1][1] == "5", "the 合计 row counts the filtered deals only"
        assert "高碑店市" in scope_line(pilot.app)

        await pilot.press("g")  # regions → lead units
        await settle(pilot)
        assert screen.query_one("#report-dimension", Select).value == "departments"
        assert screen.table_text() == zhuozhou_units

        # The filter cleared in the list: the report covers every deal again.
        await pilot.press("1")
        await settle(pilot)
        pilot.app.screen.query_one("#filter-region", Select).clear()
        await settle(pilot)
        screen = await show_report(pilot)
        assert screen.table_text()[-1][1] == "33"
        assert "未筛选" in scope_line(pilot.app)


@run_async
async def test_report_as_of_an_earlier_day(demo_ledger, demo_url):
    pin_clock()
    expected = json.loads(crm(demo_url, "report", "regions", "--as-of", "2019-06-30", "--format", "json"))
    async with CrmApp(today=TODAY).run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = await show_report(pilot)
        await pilot.press("a")
        field = screen.query_one("#report-asof")
        field.value = "2019年6月30日"
        await pilot.press("enter")
        await settle(pilot)
        shown = screen.table_text()
        assert [r[0] for r in shown] == [r["group"] for r in expected]
        assert [r[1] for r in shown] == [str(r["deals"]) for r in expected]
        assert shown[-1][1] != "33", "fewer deals were signed by mid-2019"
        assert "2019-06-30" in scope_line(pilot.app)


@run_async
async def test_report_export_writes_the_cli_file_and_asks_before_replacing(demo_ledger, demo_url, tmp_path):
    pin_clock()
    cli_file = tmp_path / "cli.csv"
    crm(demo_url, "report", "regions", "--as-of", TODAY.isoformat(), "--format", "csv", "-o", str(cli_file))
    target = tmp_path / "report.csv"
    async with CrmApp(today=TODAY).run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await show_report(pilot)

        async def export() -> ReportExportDialog:
            await pilot.press("x")
            await settle(pilot)
            dialog = pilot.app.screen
            assert isinstance(dialog, ReportExportDialog)
            dialog.query_one("#report-format", Select).value = "csv"
            await settle(pilot)
            dialog.query_one("#report-path").value = str(target)
            await pilot.press("ctrl+s")
            await settle(pilot)
            return dialog

        await export()
        assert target.read_bytes() == cli_file.read_bytes()
        assert isinstance(pilot.app.screen, ReportScreen), "the dialog closed once written"

        target.write_text("an officer's own file", encoding="utf-8")
        dialog = await export()
        assert pilot.app.screen is dialog, "an existing file is not replaced at the first Save"
        assert "exists" in str(dialog.query_one("#dialog-error").render()) or "已存在" in str(
            dialog.query_one("#dialog-error").render()
        )
        assert target.read_text(encoding="utf-8") == "an officer's own file"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert target.read_bytes() == cli_file.read_bytes(), "Save pressed again replaces it"
        assert isinstance(pilot.app.screen, ReportScreen)


@run_async
async def test_report_key_is_in_the_footer_and_the_palette(demo_ledger):
    pin_clock()
    async with CrmApp(today=TODAY).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        commands = [c.title for c in pilot.app.get_system_commands(pilot.app.screen)]
        assert any("报表" in str(title) for title in commands)
        await pilot.press("2")
        await settle(pilot)
        footer = "".join(str(k.render()) for k in pilot.app.screen.query("FooterKey"))
        assert "报表" in footer
        screen = await show_report(pilot)
        footer = "".join(str(k.render()) for k in screen.query("FooterKey"))
        for label in ("分组", "排序", "截至", "导出"):
            assert label in footer
