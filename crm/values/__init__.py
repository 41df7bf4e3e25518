"""The values people type and read: amounts of money, dates, the stage progress text names, and what a deal is
searched by.

Each public function and class of the modules below is exported here; a module is
imported when one of its names is first used, so importing this package costs nothing.
"""

from importlib import import_module

_HOME = {
    "Money": "money",
    "classify_progress": "stage_words",
    "format_money": "money",
    "format_yi": "money",
    "date_text": "dates",
    "index_terms": "terms",
    "initials": "terms",
    "iso_week_label": "dates",
    "last_complete_week": "dates",
    "parse_amount": "money",
    "percent_text": "money",
    "month_end": "dates",
    "parse_date": "dates",
    "parse_month": "dates",
    "parse_week": "dates",
    "to_wan": "money",
    "to_yi": "money",
    "unit_from_label": "money",
    "week_of": "dates",
}
__all__ = sorted(_HOME)


def __getattr__(name: str) -> object:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_HOME[name]}"), name)
