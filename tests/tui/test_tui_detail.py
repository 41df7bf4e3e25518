"""The deal detail screen with a long history: every stage change is in the
timeline, a long note is shown whole (wrapped, not cut), and Chinese
columns line up."""

from __future__ import annotations

import datetime

from rich.cells import cell_len

from crm.deals.stages import change_stage
from screens.app import CrmApp
from screens.line_table import LineTable
from tests.tui_support import TODAY, pin_clock, run_async, running, settle

SIZE = (140, 40)
CODE = "ZS2020-0010"  # a demo deal at 签约 since 2020-09-08
LONG_NOTE = "企业反映环评批复延期," + "需生态环境局与自然资源局联合会商土地与排放指标," * 4 + "暂退回签约阶段。"


def _history() -> None:
    """40 moves 签约 ⇄ 注册 (each back move with a note), the last one with a note longer than a screen line."""
    day = datetime.date(2021, 1, 4)
    for n in range(20):
        change_stage(CODE, "registered", on=day, note=f"第{n + 1}次注册", actor="测试")
        day += datetime.timedelta(days=7)
        note = LONG_NOTE if n == 19 else f"第{n + 1}次退回"
        change_stage(CODE, "signed", on=day, note=note, actor="测试")
        day += datetime.timedelta(days=7)


@run_async
async def test_a_long_ledger_is_shown_whole_and_a_long_note_wraps(demo_ledger):
    pin_clock()
    _history()
    async with running(CrmApp(today=TODAY), SIZE) as pilot:
        from screens.detail import open_deal

        open_deal(pilot.app, CODE)
        await settle(pilot)
        screen = pilot.app.screen
        assert type(screen).__name__ == "DealDetailScreen"
        ledger = screen.query_one("#detail-timeline", LineTable)
        # the first entry and 40 moves; the demo deal's blocker raised in 2026 comes after them
        assert sum(row[0] in ("○", "●") for row in ledger.rows) == 41
        lines = [ledger.render_line(y).text for y in range(ledger.size.height)]
        assert ledger.size.height > 42, "the long note takes more than one line"
        assert "第1次注册" in lines[2] and "第20次注册" in "".join(lines)
        # the long note is there whole, over several lines, each no wider than the screen
        assert LONG_NOTE in "".join(line.strip() for line in lines)
        assert all(cell_len(line) <= SIZE[0] for line in lines)
        # the date column starts at the same cell on every entry line (Chinese counted two wide)
        starts = {line.index("20") for line in lines[1:] if "2021-" in line or "2020-" in line}
        assert len(starts) == 1
        assert sum("●" in line for line in lines) == 1  # the current entry, marked once
