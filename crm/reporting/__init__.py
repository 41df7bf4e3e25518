"""Reporting: cohort KPIs, cohorts and the weekly table.

Each public function and class of the modules below is exported here; a module is
imported when one of its names is first used, so importing this package costs nothing.
"""

from importlib import import_module

_HOME = {
    "AsOf": "asof",
    "DealLight": "lights",
    "Kpis": "kpi",
    "LightCounts": "lights",
    "PlanFigures": "asof",
    "Problem": "weekly_model",
    "Progress": "weekly_model",
    "Row": "weekly_model",
    "RowBatch": "weekly_model",
    "Summary": "weekly_model",
    "SummaryRow": "summaries",
    "Week": "weekly_model",
    "WeekActivity": "weekly_model",
    "WeeklyTable": "weekly_model",
    "as_deal_filter": "cohorts",
    "as_json": "asof",
    "batches_of_rows": "weekly_model",
    "build": "weekly",
    "classify": "lights",
    "compose": "brief",
    "compute": "asof",
    "compute_grouped": "asof",
    "counts": "lights",
    "deal_lights": "lights",
    "event_cohort": "cohorts",
    "lag_points": "lights",
    "months_late": "lights",
    "period_ends": "series",
    "plan_json": "asof",
    "rank_value": "summaries",
    "rate_text": "kpi",
    "resolve_week": "weekly_model",
    "signed_deals": "kpi",
    "signing_years": "cohorts",
    "stage_on": "asof",
    "stream": "weekly",
    "summarise": "summaries",
    "week_containing": "weekly_model",
    "year_cohort": "cohorts",
}
__all__ = sorted(_HOME)


def __getattr__(name: str) -> object:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_HOME[name]}"), name)
