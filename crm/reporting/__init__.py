"""Reporting: cohort KPIs, cohorts and the weekly table.

Each public function and class of the modules below is exported here; a module is
imported when one of its names is first used, so importing this package costs nothing.
"""

from importlib import import_module

_HOME = {
    "Kpis": "kpi",
    "Problem": "weekly",
    "Progress": "weekly",
    "Row": "weekly",
    "Summary": "weekly",
    "Week": "weekly",
    "WeekActivity": "weekly",
    "WeeklyTable": "weekly",
    "as_deal_filter": "cohorts",
    "as_json": "kpi",
    "build": "weekly",
    "compute": "kpi",
    "event_cohort": "cohorts",
    "percent_text": "kpi",
    "rate_text": "kpi",
    "resolve_week": "weekly",
    "signed_deals": "kpi",
    "signing_years": "cohorts",
    "week_containing": "weekly",
    "year_cohort": "cohorts",
}
__all__ = sorted(_HOME)


def __getattr__(name: str) -> object:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_HOME[name]}"), name)
