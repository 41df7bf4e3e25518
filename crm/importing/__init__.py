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
    "NewDeal": "bulk",
    "NewDeals": "bulk",
    "Plan": "importer",
    "Problem": "importer",
    "ProblemItem": "cells",
    "Report": "importer",
    "RowPlan": "importer",
    "SheetParts": "xlsx_parts",
    "WorkbookParts": "xlsx_parts",
    "amount_text": "cells",
    "cell_text": "cells",
    "decode": "workbook",
    "find_header": "headers",
    "format_unit": "cells",
    "header_unit": "headers",
    "inline": "cells",
    "is_blank": "cells",
    "label_kind": "headers",
    "match_header": "headers",
    "name_key": "importer",
    "normal_key": "cells",
    "normalise": "headers",
    "parse_amount_cell": "cells",
    "parse_currency": "cells",
    "parse_date_cell": "cells",
    "parse_problems_cell": "cells",
    "parse_stage_cell": "cells",
    "read_grids": "workbook",
    "read_plan": "importer",
    "roomy_cache": "bulk",
    "run_import": "importer",
    "set_indexes_aside": "bulk",
    "sheet_names": "workbook",
    "sheet_parts": "xlsx_parts",
    "split_names": "cells",
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
