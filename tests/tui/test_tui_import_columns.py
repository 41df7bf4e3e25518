"""The import preview's per-column chooser (issue #12 item 1): each column of the file's header has a
Select of the fields it may hold; a choice previews again with it, and an import remembers it for the
next file with the same headers, as `crm import --map` does."""

from __future__ import annotations

from textual.widgets import Input, Select, Static

from db.models import Deal
from screens.app import CrmApp
from tests.tui_support import TODAY, pin_clock, run_async, settle

SIZE = (140, 40)
HEADER = "项目名称,合作伙伴,总投资,签约日期,填报人\n"


async def _preview(pilot, path, mapping: str = "") -> object:
    """The import dialog (i) previewing `path`, with `mapping` in its Columns field."""
    await pilot.press("i")
    await settle(pilot)
    dialog = pilot.app.screen
    dialog.query_one("#import-path", Input).value = str(path)
    dialog.query_one("#import-map", Input).value = mapping
    await pilot.click("#preview")
    await settle(pilot)
    return dialog


def _chooser(dialog, label: str) -> Select:
    return dialog.query_one(f"#import-col-{dialog.column_labels.index(label)}", Select)


@run_async
async def test_each_column_has_a_chooser_and_the_choice_is_remembered(demo_ledger, tmp_path):
    pin_clock()
    first, second = tmp_path / "一月.csv", tmp_path / "二月.csv"
    first.write_text(HEADER + "定兴冷链仓储项目,某冷链集团,3.5亿元,2020-06-01,王芳\n", encoding="utf-8")
    second.write_text(HEADER + "涞水文旅小镇项目,某文旅集团,2亿元,2020-07-01,王芳\n", encoding="utf-8")
    async with CrmApp(today=TODAY).run_test(size=SIZE) as pilot:
        await settle(pilot)
        dialog = await _preview(pilot, first)
        # every column of the header has one, showing what the preview read it as
        assert dialog.column_labels == ["项目名称", "合作伙伴", "总投资", "签约日期", "填报人"]
        assert _chooser(dialog, "项目名称").value == "name"
        assert _chooser(dialog, "合作伙伴").value == "-"  # not recognised: not used
        _chooser(dialog, "合作伙伴").value = "investor"
        await settle(pilot)
        assert dialog.query_one("#import-map", Input).value == "合作伙伴=投资方"  # words, not an internal name
        text = str(dialog.query_one("#import-text", Static).render())
        assert "合作伙伴→" in text  # previewed again with the choice: the column is used
        await pilot.click("#save")
        await settle(pilot)
        assert type(pilot.app.screen).__name__ == "DealsScreen"

        # the next file with the same headers is read with the choice, nothing typed
        dialog = await _preview(pilot, second)
        assert dialog.query_one("#import-map", Input).value == ""
        assert _chooser(dialog, "合作伙伴").value == "investor"
        await pilot.click("#save")
        await settle(pilot)
    assert Deal.get(Deal.name == "定兴冷链仓储项目").investor == "某冷链集团"
    assert Deal.get(Deal.name == "涞水文旅小镇项目").investor == "某文旅集团"


@run_async
async def test_a_county_sheets_row_number_column_shows_in_its_chooser(demo_ledger):
    """A sheet an office suite wrote (序号 first, as every county sheet has it): the preview reads 序号 as the
    row number, a field no one chooses; its chooser shows it rather than ending the app."""
    from pathlib import Path

    sheet = Path(__file__).resolve().parents[1] / "data" / "county_sheets" / "legacy.xls"
    async with CrmApp(today=TODAY).run_test(size=SIZE) as pilot:
        await settle(pilot)
        dialog = await _preview(pilot, sheet)
        assert type(pilot.app.screen).__name__ == "ImportDialog"
        number = _chooser(dialog, "序号")
        assert number.value == "seq"
        assert "行号" in str(number.query_one("SelectCurrent").query_one(Static).render())  # its name, in Chinese


@run_async
async def test_the_preview_names_an_unused_columns_guess_by_its_label(demo_ledger, tmp_path):
    """An unused column's best guess is shown as the chooser shows the field (投资方 / Investor), not as the
    importer's internal key (investor)."""
    from screens.transfer import field_label

    sheet = tmp_path / "一月.csv"
    sheet.write_text(HEADER + "定兴冷链仓储项目,某冷链集团,3.5亿元,2020-06-01,王芳\n", encoding="utf-8")
    async with CrmApp(today=TODAY).run_test(size=SIZE) as pilot:
        await settle(pilot)
        dialog = await _preview(pilot, sheet)
        text = str(dialog.query_one("#import-text", Static).render())
        unused = next(line for line in text.splitlines() if "合作伙伴" in line)
        assert field_label("investor") != "investor"
        assert f"{field_label('investor')}）" in unused, unused
        assert "investor" not in unused, unused


@run_async
async def test_on_a_small_terminal_the_preview_shows_what_it_found_before_the_column_choosers(demo_ledger):
    """80×24: after a preview of a county's sheet, the report (its counts and notices) is in sight at the top of the
    preview area; the column choosers follow it (they had pushed it below the fold), and its notices come before
    its lists (they came after the deals, up to thirty lines down)."""
    from pathlib import Path

    sheet = Path(__file__).resolve().parents[1] / "data" / "county_sheets" / "county_weekly.xlsx"
    async with CrmApp(today=TODAY).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        dialog = await _preview(pilot, sheet)
        report, area = dialog.query_one("#import-text", Static), dialog.query_one("#import-report")
        assert dialog.column_labels  # the choosers are there, below
        assert area.scroll_y == 0
        first_line = report.region.y
        assert area.region.y <= first_line < area.region.bottom, (report.region, area.region)
        assert dialog.query_one("#import-columns").region.y > first_line
        assert area.region.height - 2 >= 4  # inside its border: the file's line, the counts and the 合计 notice
        assert dialog.query_one("#save").region.bottom <= 24  # the Import button on screen, not cut by the dialog
        # within the report, what must be read before importing (the 合计 row's notice, the warnings) comes right
        # after the counts, before the columns and the deals listed row by row
        lines = str(report.render()).splitlines()
        notice = next(n for n, line in enumerate(lines) if "合计" in line)
        assert notice <= 3, lines[:6]
        assert notice < next(n for n, line in enumerate(lines) if line.startswith("使用的列"))
        assert notice < next(n for n, line in enumerate(lines) if "新建 ZS" in line)


@run_async
async def test_the_preview_shows_the_sheets_name_in_its_brackets(demo_ledger):
    """A county's workbook whose sheet is Sheet1: the report's first line names it as [Sheet1] (Textual read the
    bracketed name as a style and dropped it, though the screens' escape was applied)."""
    from pathlib import Path

    sheet = Path(__file__).resolve().parents[1] / "data" / "county_sheets" / "usd_total.xlsx"
    async with CrmApp(today=TODAY).run_test(size=SIZE) as pilot:
        await settle(pilot)
        dialog = await _preview(pilot, sheet)
        first = str(dialog.query_one("#import-text", Static).render()).splitlines()[0]
        assert first.startswith("usd_total.xlsx [Sheet1]"), first


@run_async
async def test_investment_columns_show_what_they_are_read_as(demo_ledger, tmp_path):
    """年度计划投资 and 1-10月完成投资 are imported (crm.importing.investment_columns): their choosers say as what, and
    cannot be set to another field, rather than showing "(not used)"."""
    from tests.ledger.test_import_investment import OCTOBER, county_sheet

    sheet = county_sheet(tmp_path / "易县.xlsx", OCTOBER)
    async with CrmApp(today=TODAY).run_test(size=SIZE) as pilot:
        await settle(pilot)
        dialog = await _preview(pilot, sheet)
        for label, shown in (("年度计划投资", "2025年计划投资"), ("1-10月完成投资", "2025-10 完成投资")):
            chooser = _chooser(dialog, label)
            assert chooser.disabled
            assert str(chooser.query_one("SelectCurrent").query_one(Static).render()) == shown
        assert _chooser(dialog, "总投资").value == "amount" and not _chooser(dialog, "总投资").disabled
        text = str(dialog.query_one("#import-text", Static).render())
        assert "年度计划投资→2025年计划投资" in text and "1-10月完成投资→2025-10 完成投资" in text
