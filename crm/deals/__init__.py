"""Deals: creating and editing them, their fields, stages, funds arrived, blockers and trail.

Each public function and class of the modules below is exported here; a module is
imported when one of its names is first used, so importing this package costs nothing.
"""

from importlib import import_module

_HOME = {
    "DealField": "fields",
    "FormChoices": "texts",
    "FormState": "texts",
    "Stage": "stages",
    "add_blocker": "blockers",
    "amount_text": "texts",
    "at_or_beyond": "stages",
    "blockers_of": "blockers",
    "change_stage": "stages",
    "check_new": "records",
    "code_after": "records",
    "code_prefix": "records",
    "create_deal": "records",
    "deal_trail": "trail",
    "edit_deal": "records",
    "field_texts": "texts",
    "form_choices": "texts",
    "form_state": "texts",
    "funds_of": "funds",
    "initial_stage": "records",
    "is_overdue": "blockers",
    "label_of": "fields",
    "last_code": "records",
    "ledger": "stages",
    "list_blockers": "blockers",
    "needs_note": "stages",
    "new_deal_row": "records",
    "next_code": "records",
    "parse_approval": "fields",
    "parse_fields": "fields",
    "parse_floor_area": "fields",
    "parse_stage": "stages",
    "person_named": "fields",
    "record_funds": "funds",
    "resolve_blocker": "blockers",
    "set_supporting": "records",
    "stage_label": "records",
    "start_ledger": "stages",
    "supporting_departments": "records",
}
__all__ = sorted(_HOME)


def __getattr__(name: str) -> object:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_HOME[name]}"), name)
