"""What the Detail screen's timeline adds to opening a deal with a long history.

    python -m tests.perf.timeline_cost [--rounds 20]

Builds a throwaway SQLite demo ledger in which one deal has 200 stage changes,
50 blockers (half resolved, a few reopened), 50 progress entries, 20 arrivals
of funds (2 voided), a plan and 12 months of completed investment; then times
the read the screen already made (crm.listing.views.detail, the floor) and the
timeline built from what it read (screens.timeline.timeline + rows), in turns,
median of the rounds; prints both, their ratio and the load average as one JSON line.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

CODE = "ZS2020-0010"


def _history() -> None:
    from crm.deals import blockers, corrections, funds, investment
    from crm.deals.progress import add_progress
    from crm.deals.stages import change_stage

    day = datetime.date(2021, 1, 4)
    for n in range(100):
        change_stage(CODE, "registered", on=day, note=f"第{n + 1}次注册", actor="测试")
        change_stage(CODE, "signed", on=day + datetime.timedelta(days=3), note=f"第{n + 1}次退回", actor="测试")
        day += datetime.timedelta(days=7)
    for n in range(50):
        b = blockers.add_blocker(CODE, f"问题{n}", "保定市生态环境局", raised=day)
        if n % 2:
            blockers.resolve_blocker(b.id, note="已办结", on=day, actor="测试")
        if n % 10 == 1:
            corrections.reopen_blocker(b.id, note="退回", actor="测试")
        add_progress(CODE, f"第{n}周进展:施工图审查通过,下周开工", on=day, actor="测试")
    voided = []
    for n in range(20):
        row = funds.record_funds(CODE, "100万元", on=day - datetime.timedelta(days=n), actor="测试")
        voided.append(row.id)
    for ident in voided[:2]:
        corrections.void_funds(ident, note="重复录入", actor="测试")
    investment.set_plan(CODE, 2024, "4亿元", actor="测试")
    for month in range(1, 13):
        investment.record_invest(CODE, "1000万元", datetime.date(2024, month, 1), actor="测试")


def _alternating_ms(first, second, rounds: int) -> tuple[float, float]:
    """Median ms of `first` and of `second`, run in turns so that both see the same load."""
    times: tuple[list, list] = ([], [])
    for _round in range(rounds):
        for fn, out in ((first, times[0]), (second, times[1])):
            gc.collect()  # a collection owed by the other's garbage would land on this one's time
            t0 = time.perf_counter()
            fn()
            out.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times[0]), statistics.median(times[1])


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args(argv)
    from crm.deals import deal_timeline
    from crm.listing import views
    from crm.samples.demo import load_demo
    from db.connection import open_database
    from screens.timeline import rows

    with tempfile.TemporaryDirectory() as tmp:
        open_database(str(Path(tmp) / "t.sqlite3"), create=True)
        load_demo()
        _history()
        deal = views.detail(CODE)
        events = deal_timeline(deal)
        floor, cost = _alternating_ms(lambda: views.detail(CODE), lambda: rows(deal_timeline(deal)), args.rounds)
        result = {
            "ledger_entries": len(deal["ledger"]),
            "blockers": len(deal["blockers"]),
            "timeline_lines": len(events),
            "detail_ms": round(floor, 1),
            "timeline_ms": round(cost, 1),
            "ratio": round(cost / floor, 2),
            "load": os.getloadavg()[0],
        }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
