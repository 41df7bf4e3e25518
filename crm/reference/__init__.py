"""Reference data: departments, events, people, exchange rates, and the names deals use.

Each public function and class of the modules below is exported here; a module is
imported when one of its names is first used, so importing this package costs nothing.
"""

from importlib import import_module

_HOME = {
    "DepartmentEntry": "entries",
    "EventInfo": "views",
    "RateEntry": "entries",
    "RateUsed": "fx",
    "add_department": "registry",
    "add_event": "registry",
    "check_currency": "fx",
    "conversion_day": "fx",
    "convert": "fx",
    "convert_or_refuse": "fx",
    "deal_by_code": "lookup",
    "department_added": "entries",
    "department_by_name": "lookup",
    "department_edited": "entries",
    "department_entries": "entries",
    "department_entry": "entries",
    "department_names": "views",
    "departments": "registry",
    "describe_rate": "fx",
    "distinct_values": "names_in_use",
    "division": "regions",
    "edit_department": "registry",
    "event_added": "entries",
    "event_by_name": "lookup",
    "event_infos": "views",
    "events": "registry",
    "industries": "names_in_use",
    "list_rates": "fx",
    "missing": "fx",
    "parse_rate": "fx",
    "person_by_name": "lookup",
    "rate_entries": "entries",
    "rate_on": "fx",
    "rate_questions": "fx",
    "rate_set": "entries",
    "rate_text": "fx",
    "rate_trail": "entries",
    "rate_voided": "entries",
    "rates_used": "fx",
    "read_table": "regions",
    "ledger_regions": "region_notes",
    "region_hint": "regions",
    "region_known": "regions",
    "region_note": "region_notes",
    "unknown_regions_note": "region_notes",
    "reconvert": "fx",
    "record_rate": "fx",
    "division_label": "regions",
    "region_key": "regions",
    "same_division": "regions",
    "set_rate": "fx",
    "spellings": "regions",
    "stem": "regions",
    "to_cny": "fx",
}
__all__ = sorted(_HOME)


def __getattr__(name: str) -> object:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_HOME[name]}"), name)
