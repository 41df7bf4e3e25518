"""The import dialog on a county 推进表 with 项目进展情况 and 目前阶段 side by side, and 总投资 in 大写 beside its figure
(crm/importing/claims.py): the choosers show what each column gives, and an import with the choices the tester made
(项目进展情况=本周进展, 目前阶段=当前阶段) keeps the stage word out of the progress entry."""

from __future__ import annotations

from db.models import Deal, Progress
from screens.app import CrmApp
from tests.ledger.test_import_stage_and_progress import BIOMED, IN_WORDS, PROGRESS, STAGE, county_sheet
from tests.tui.test_tui_import_columns import _chooser, _preview
from tests.tui_support import TODAY, pin_clock, run_async, settle

SIZE = (140, 40)


@run_async
async def test_the_choosers_show_the_stage_the_progress_and_the_daxie_columns(demo_ledger, tmp_path):
    pin_clock()
    path = county_sheet(tmp_path / "定兴县推进表.xlsx", stage_first=True)
    async with CrmApp(today=TODAY).run_test(size=SIZE) as pilot:
        await settle(pilot)
        dialog = await _preview(pilot, path)
        assert _chooser(dialog, STAGE).value == "stage"
        assert _chooser(dialog, PROGRESS).value == "progress"
        assert _chooser(dialog, IN_WORDS).value == "amount_twin"
        assert not dialog.query_one("#save").disabled  # the blank 总投资（亿元） is taken from 大写: nothing refused


@run_async
async def test_an_import_with_the_testers_choices_keeps_the_stage_word_out_of_the_progress(demo_ledger, tmp_path):
    pin_clock()
    path = county_sheet(tmp_path / "定兴县推进表.xlsx")
    async with CrmApp(today=TODAY).run_test(size=SIZE) as pilot:
        await settle(pilot)
        dialog = await _preview(pilot, path, "项目进展情况=本周进展, 目前阶段=当前阶段")
        assert _chooser(dialog, STAGE).value == "stage" and _chooser(dialog, PROGRESS).value == "progress"
        await pilot.click("#save")
        await settle(pilot)
        assert type(pilot.app.screen).__name__ == "DealsScreen"
    deal = Deal.get(Deal.name == BIOMED)
    assert deal.stage == "negotiating"
    assert [p.text for p in Progress.select().where(Progress.deal == deal)] == ["环评公示中"]
