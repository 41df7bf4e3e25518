"""The deal list's marks for a page: the newest progress entry and the stale rule, as crm deals --stale has it."""

import datetime

from crm.deals.progress import record_progress
from crm.listing.marks import latest_progress_texts, with_marks
from crm.listing.pages import ListFilter, first_rows
from crm.listing.quiet import quiet_days
from crm.listing.stale import stale_deals

D = datetime.date


def test_the_newest_entry_by_date_then_by_recording(demo_ledger):
    rows = first_rows(ListFilter(), limit=3)
    a, b, c = (r.id for r in rows)
    record_progress(a, "主体封顶", D(2026, 6, 10), "张三")
    record_progress(a, "施工图审查通过", D(2026, 6, 1), "李四")  # written later, dated earlier
    record_progress(b, "第一条", D(2026, 6, 5), "张三")
    record_progress(b, "同日第二条", D(2026, 6, 5), "张三")
    assert latest_progress_texts([a, b, c]) == {a: "主体封顶", b: "同日第二条"}
    assert latest_progress_texts([]) == {}


def test_a_page_is_stale_exactly_as_crm_deals_stale_lists_it(demo_ledger):
    day = D(2026, 6, 30)
    rows = first_rows(ListFilter(), limit=100)
    record_progress(rows[1].id, "进展", D(2026, 6, 20), "张三")
    for days in (30, 400, 2300):
        expected = {s.code: s.quiet_days for s in stale_deals(days, day=day)}
        quiet = quiet_days([(r.id, r.stage) for r in rows], days, day)
        assert {r.code: quiet[r.id] for r in rows if r.id in quiet} == expected
    marked = {r.code: r for r in with_marks(rows, day, 30, {rows[0].code: "red"})}
    assert marked[rows[1].code].progress == "进展" and marked[rows[1].code].quiet_days is None
    assert marked[rows[0].code].light == "red"
    assert all(r.light is None for code, r in marked.items() if code != rows[0].code)
