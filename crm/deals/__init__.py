"""Deals: creating and editing them, their fields, stages, funds arrived, blockers and trail.

Each public function and class of the modules below is exported here; a module is
imported when one of its names is first used, so importing this package costs nothing.
"""

from importlib import import_module

_HOME = {
    "BulkChoices": "bulk",
    "BulkResult": "bulk",
    "DealField": "fields",
    "DepartmentContext": "contexts",
    "FormChoices": "texts",
    "FormState": "texts",
    "ProgressEntry": "progress",
    "Stage": "stages",
    "StageContext": "contexts",
    "YearInvestment": "investment",
    "add_blocker": "blockers",
    "add_deal": "records",
    "amount_text": "texts",
    "at_or_beyond": "stages",
    "blockers_of": "blockers",
    "bulk_change": "bulk",
    "bulk_choices": "bulk",
    "change_stage": "stages",
    "check_new": "records",
    "check_text": "progress",
    "check_year": "investment",
    "close_blocker": "blockers",
    "code_after": "records",
    "code_prefix": "records",
    "create_deal": "records",
    "currency_of": "contexts",
    "date_text": "texts",
    "deal_trail": "trail",
    "department_context": "contexts",
    "edit_deal": "records",
    "field_label": "trail",
    "field_texts": "texts",
    "form_choices": "texts",
    "form_state": "texts",
    "funds_of": "funds",
    "initial_stage": "records",
    "investment_of": "investment",
    "is_overdue": "blockers",
    "label_of": "fields",
    "last_code": "records",
    "latest_progress": "progress",
    "ledger": "stages",
    "list_blockers": "blockers",
    "month_end": "investment",
    "needs_note": "stages",
    "new_deal_row": "records",
    "next_code": "records",
    "parse_approval": "fields",
    "parse_fields": "fields",
    "parse_floor_area": "fields",
    "parse_month": "investment",
    "parse_stage": "stages",
    "person_named": "fields",
    "progress_between": "progress",
    "progress_of": "progress",
    "record_funds": "funds",
    "record_invest": "investment",
    "record_progress": "progress",
    "resolve_blocker": "blockers",
    "save_deal": "records",
    "set_plan": "investment",
    "set_supporting": "records",
    "shown_value": "trail",
    "stage_context": "contexts",
    "stage_label": "records",
    "start_ledger": "stages",
    "supporting_departments": "records",
    "tag_deal": "tags",
    "tags_of": "tags",
    "untag_deal": "tags",
}
__all__ = sorted(_HOME)


def __getattr__(name: str) -> object:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_HOME[name]}"), name)
