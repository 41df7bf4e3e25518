"""The import's notice of signing dates that name a month only: the rows it names (as ranges, the first 20, the others
counted), the example it gives (from a row not skipped), and no notice when every such row was skipped."""

from crm.importing.plan import MonthOnlySigned
from crm.importing.rows import Problem, RowPlan


def _row(number: int, kept: str | None, written: str, warned: bool = False) -> RowPlan:
    warnings = [Problem(number, "签约时间 (D)", written, "part_of_month", "…")] if warned else None
    values = {"name": f"项目{number}"} | ({"signed_on": kept} if kept else {})
    return RowPlan(number, values, {"signed_on": written}, warnings=warnings)


def test_the_notice_names_rows_as_ranges_and_counts_past_twenty(english):
    months = MonthOnlySigned("签约时间 (D)")
    months.add([_row(n, "2025-12", "2025年12月") for n in range(3, 30)] + [_row(40, "2025-12-08", "2025-12-08")])
    [notice] = months.notices(set())
    assert notice.startswith("签约时间 (D): rows 3–22, and 7 more rows give"), notice
    assert "“2025年12月”, shown as 2025-12" in notice


def test_skipped_and_warned_rows_are_left_out_of_the_notice(english):
    months = MonthOnlySigned("签约时间 (D)")
    months.add(
        [
            _row(3, "2025-12", "二〇二五年十二月"),
            _row(5, "2025-11", "2025年11月"),
            _row(6, "2025-12", "2025年下半年", True),
        ]
    )
    [notice] = months.notices({3})
    assert "rows 5 " in notice and "“2025年11月”, shown as 2025-11" in notice and "二〇二五" not in notice, notice
    assert months.notices({3, 5}) == []
