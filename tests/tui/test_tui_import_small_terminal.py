"""The import dialog at 80×24: after a preview of a county's sheet, what the preview found fills the report's
first lines and the column choosers follow the rows it lists; ctrl+o, shown in the footer once there are
choosers, brings the first chooser into sight with the focus, and tab goes on to the next, kept in sight."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Select

from screens.app import CrmApp
from tests.tui_support import (
    SMALL,
    TODAY,
    press,
    run_async,
    running,
    settle,
    sqlite_only,  # noqa: F401 — layout at one size: SQLite alone
)

HEADER = ["项目名称", "总投资（亿元）", "签约时间", "县（市、区）"]


def county_sheet(folder) -> str:
    """A county's sheet as offices send it: a title row, then the header, then a dozen deals."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["涿州市2020年签约项目台账"])
    sheet.append(HEADER)
    for n in range(1, 13):
        sheet.append([f"涿州第{n}号产业项目", n * 1.5, "2020-05-18", "涿州市"])
    path = folder / "涿州市.xlsx"
    book.save(path)
    return str(path)


def in_sight(widget, area) -> bool:
    """True when all of `widget` is drawn inside the scrolling `area` (its border left out) and on the screen."""
    screen = widget.screen.region
    return (
        bool(widget.region)
        and area.content_region.contains_region(widget.region)
        and screen.contains_region(widget.region)
    )


def footer_keys(screen) -> set[str]:
    return {item.key for item in screen.query_one("Footer").query("FooterKey")}


@pytest.mark.parametrize("lang", ["zh", "en"])
@run_async
async def test_at_80x24_ctrl_o_brings_the_column_choosers_into_sight(demo_ledger, tmp_path, lang):
    async with running(CrmApp(today=TODAY, lang=lang), SMALL) as pilot:
        await settle(pilot)
        await press(pilot, "i")
        dialog = pilot.app.screen
        assert "ctrl+o" not in footer_keys(dialog), "no choosers before a preview"
        dialog.query_one("#import-path", Input).value = county_sheet(tmp_path)
        await press(pilot, "enter")  # enter previews
        await settle(pilot)
        area = dialog.query_one("#import-report")
        first = dialog.query_one("#import-col-0", Select)
        assert dialog.column_labels == HEADER
        assert area.scroll_y == 0 and not in_sight(first, area), "the report's first lines come first"
        keys = footer_keys(dialog)
        assert {"escape", "ctrl+s", "ctrl+l", "ctrl+o"} <= keys, sorted(keys)

        await press(pilot, "ctrl+o")
        assert pilot.app.focused is first
        assert in_sight(first, area), (first.region, area.content_region)
        await press(pilot, "tab")
        second = dialog.query_one("#import-col-1", Select)
        assert pilot.app.focused is second and in_sight(second, area)
        # the keys stay on screen: the footer's row is the terminal's last, the Import button above it
        assert dialog.query_one("#save").region.bottom <= SMALL[1] - 2
