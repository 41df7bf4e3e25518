"""Importing a bureau's ledger: workbook reading, headers, cells, the plan and applying it.

Each public function and class of the modules below is exported here; a module is
imported when one of its names is first used, so importing this package costs nothing.
"""

from importlib import import_module

_HOME = {
    "CellError": "cells",
    "Grid": "workbook",
    "Header": "headers",
    "HeaderMatch": "headers",
    "ImportSummary": "records",
    "KeptDaysAside": "aside",
    "NewDeal": "bulk",
    "NewDeals": "bulk",
    "Plan": "plan",
    "Problem": "rows",
    "RawCells": "rows",
    "ProblemItem": "cells",
    "Report": "report",
    "RowPlan": "rows",
    "SheetParts": "xlsx_parts",
    "WorkbookParts": "xlsx_parts",
    "add_progress_once": "progress",
    "amount_text": "cells",
    "appending_cache": "aside",
    "best_guess": "headers",
    "cell_text": "cells",
    "classify_progress": "cells",
    "decode": "workbook",
    "field_label": "headers",
    "field_named": "headers",
    "find_header": "headers",
    "format_unit": "cells",
    "header_key": "headers",
    "header_unit": "headers",
    "inline": "cells",
    "is_blank": "cells",
    "label_kind": "headers",
    "list_imports": "records",
    "list_imports_by_id": "records",
    "marks": "records",
    "map_name": "headers",
    "match_header": "headers",
    "name_key": "rows",
    "normal_key": "cells",
    "normalise": "headers",
    "parse_amount_cell": "cells",
    "parse_currency": "cells",
    "parse_date_cell": "cells",
    "parse_map": "importer",
    "parse_month_or_date_cell": "cells",
    "parse_problems_cell": "cells",
    "parse_rows": "importer",
    "parse_stage_cell": "cells",
    "read_grids": "workbook",
    "read_plan": "plan",
    "read_progress_cell": "cells",
    "read_rows": "columns",
    "readers_for": "rows",
    "record_cumulative_funds": "progress",
    "record_import": "records",
    "remembered_mapping": "records",
    "revert_import": "records",
    "roomy_cache": "aside",
    "run_import": "apply",
    "set_indexes_aside": "aside",
    "set_kept_days_aside": "aside",
    "sheet_names": "workbook",
    "sheet_parts": "xlsx_parts",
    "snapshot": "records",
    "split_names": "cells",
    "stated_date": "headers",
    "unit_note": "headers",
    "unquote": "cells",
    "workbook_parts": "xlsx_parts",
    "year_note": "headers",
}
__all__ = sorted(_HOME)


def __getattr__(name: str) -> object:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_HOME[name]}"), name)
