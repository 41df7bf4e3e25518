"""Listing deals: filters, pages, search, kept totals, plain views for screens and the CLI.

Each public function and class of the modules below is exported here; a module is
imported when one of its names is first used, so importing this package costs nothing.
"""

from importlib import import_module

_HOME = {
    "BoardColumn": "groups",
    "DealFilter": "filters",
    "DealRow": "pages",
    "DealWindow": "pages",
    "DepartmentBlockers": "blocker_board",
    "FiveOnesGap": "stale",
    "Group": "groups",
    "ListFilter": "pages",
    "MemoInitials": "initials",
    "OpenBlocker": "blocker_board",
    "Order": "pages",
    "PageRequest": "pages",
    "Segment": "pages",
    "SortSpec": "pages",
    "StaleDeal": "stale",
    "Totals": "pages",
    "answerable": "kept_totals",
    "board": "groups",
    "count": "pages",
    "counting": "search",
    "csv_query": "deal_text",
    "csv_text": "deal_text",
    "detail": "views",
    "fetch": "pages",
    "first_rows": "pages",
    "five_ones": "stale",
    "forget": "search",
    "funds_and_blockers": "kept_totals",
    "grouped": "kept_totals",
    "home_page": "pages",
    "latest_progress_texts": "marks",
    "json_data_query": "deal_text",
    "json_query": "deal_text",
    "json_text": "deal_text",
    "list_deals": "views",
    "matches": "search",
    "open_by_department": "blocker_board",
    "ordering": "pages",
    "quiet_days": "quiet",
    "page_after": "pages",
    "page_at": "pages",
    "page_before": "pages",
    "rebuild_index": "search",
    "records_query": "views",
    "region_condition": "filters",
    "region_totals": "groups",
    "regions_containing": "search",
    "stage_totals": "groups",
    "stale_deals": "stale",
    "summary": "views",
    "totals": "pages",
    "with_marks": "marks",
    "with_stage": "pages",
}
__all__ = sorted(_HOME)


def __getattr__(name: str) -> object:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_HOME[name]}"), name)
