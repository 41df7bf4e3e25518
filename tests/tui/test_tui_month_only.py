"""A signing date or a plan that names a month only (签约时间 2020年9月) reads as that month on the Detail and in the
deal list, not as the 1st it is stored as."""

from __future__ import annotations

from crm.deals.records import edit_deal
from screens.app import CrmApp
from screens.deal_list import DealList
from tests.tui_support import (
    LARGE,
    TODAY,
    pin_clock,
    run_async,
    running,
    settle,
    sqlite_only,  # noqa: F401 — what is shown: SQLite alone (the rows read are checked on both in tests/ledger)
)

CODE = "ZS2020-0010"  # a demo deal signed 2020-09-08


def _lines(app, selector: str) -> list[str]:
    region = app.screen.query_one(selector).region
    strips = app.screen._compositor.render_strips()[region.y : region.bottom]
    return [strip.crop(region.x, region.right).text for strip in strips]


@run_async
async def test_the_detail_and_the_list_show_the_month_not_an_invented_day(demo_ledger):
    pin_clock()
    edit_deal(
        CODE, {"signed_on": "2020年9月", "planned_start": "2021-03", "planned_completion": "2022-06-30"}, actor="测试"
    )
    async with running(CrmApp(today=TODAY), LARGE) as pilot:
        deal_list = pilot.app.screen.query_one(DealList)
        index = next(i for i in range(deal_list.row_count) if deal_list._window.get(i).code == CODE)
        deal_list.scroll_to(y=index, animate=False, immediate=True)
        await settle(pilot)
        row = deal_list.render_line(index - int(deal_list.scroll_offset.y)).text
        assert " 2020-09 " in row and "2020-09-01" not in row, row
        from screens.detail import open_deal

        open_deal(pilot.app, CODE)
        await settle(pilot)
        fields = "\n".join(_lines(pilot.app, "#detail-fields"))
        # (the rate line's 2020-09-01 is the day of the rate used: a day the rates table holds)
        assert any(line.split() == ["签约日期", "2020-09"] for line in fields.splitlines()), fields
        assert any(line.split() == ["计划开工", "2021-03"] for line in fields.splitlines()), fields
        assert any(line.split() == ["计划竣工", "2022-06-30"] for line in fields.splitlines()), fields
