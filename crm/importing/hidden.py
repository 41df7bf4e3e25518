"""What the import says of what a sheet hides: the columns left unused for a visible one or used for want of one,
and the rows hidden (or filtered out), which are not imported; and of the sheets a workbook hides, not read."""

from __future__ import annotations

from pathlib import Path

from crm.foundation.i18n import _, list_sep, ngettext
from crm.importing.cells import inline
from crm.importing.headers import Header, map_name


def hidden_column_notices(header: Header) -> list[str]:
    """What the import says of the columns hidden in the sheet: those left unused for a visible one, those used."""
    out = [
        _(
            "Column “{label}” is hidden in the sheet and was left unused: {field} is read from the visible column "
            "“{used}” (to use the hidden one instead: --map {label}={field})"
        ).format(label=inline(str(label)), field=map_name(f), used=inline(str(used)))
        for f, label, used in header.hidden_unused
    ]
    out += [
        _("Column “{label}” is hidden in the sheet; it is read as {field}, as no visible column gives {field}").format(
            label=inline(str(label)), field=map_name(f)
        )
        for f, label in header.hidden_used
    ]
    return out


#: Hidden rows a notice names one by one; the others it counts.
HIDDEN_ROWS_NAMED = 20


def hidden_row_notices(grid, header: Header) -> list[str]:
    """Name the rows below `header` that `grid` left out as hidden in the sheet (or filtered out), with their
    projects' names, and say how to import them: unhide them."""
    numbers = sorted(n for n in grid.hidden_rows if n > header.row)
    if not numbers:
        return []
    col = header.columns.get("name")
    named = []
    for number in numbers[:HIDDEN_ROWS_NAMED]:
        values = grid.hidden_rows[number]
        name = values[col] if col is not None and col < len(values) else None
        named.append(
            _("row {row} “{name}”").format(row=number, name=inline(name))
            if isinstance(name, str) and name.strip()
            else _("row {row}").format(row=number)
        )
    if len(numbers) > HIDDEN_ROWS_NAMED:
        named.append(_("and {n} more rows").format(n=len(numbers) - HIDDEN_ROWS_NAMED))
    return [
        _(
            "{n} rows are hidden in the sheet (or filtered out) and were not imported: {rows}; to import them, "
            "unhide them (取消隐藏, or clear the filter), save and import again"
        ).format(n=len(numbers), rows=list_sep().join(named))
    ]


def hidden_sheet_notices(path: str | Path, sheets: list[str]) -> list[str]:
    """Name, once, the worksheets hidden in the workbook at `path` that a whole-workbook import left out (old copies,
    lookup lists), and say how to import one anyway: name it with --sheet."""
    if not sheets:
        return []
    return [
        ngettext(
            "Sheet {sheets} is hidden in the workbook and was not imported; to import it anyway, name it: "
            "crm import {file} --sheet {sheet} (in the import dialog: Sheet)",
            "Sheets {sheets} are hidden in the workbook and were not imported; to import one anyway, name it: "
            "crm import {file} --sheet {sheet} (in the import dialog: Sheet)",
            len(sheets),
        ).format(sheets=list_sep().join(f"“{n}”" for n in sheets), file=Path(path).name, sheet=sheets[0])
    ]


def no_header_but_hidden(path: str | Path, sheets: list[str]) -> str:
    """The error for a workbook whose visible sheets have no ledger header while `sheets` (hidden) were not read."""
    return _(
        "No header row found in the visible sheets of {path} (a ledger needs a row of column names with at least the "
        "project name (项目名称) and one more column); its hidden sheets {sheets} were not read: to import one, "
        "crm import {file} --sheet {sheet}"
    ).format(path=path, sheets=list_sep().join(f"“{n}”" for n in sheets), file=Path(path).name, sheet=sheets[0])
