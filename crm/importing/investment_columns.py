"""A sheet's columns of planned investment (年度计划投资) and of investment completed (1-10月完成投资), read row by row.

Which column holds what comes from its header (crm.importing.headers.investment_kind) and the period it names:
a year's plan (2025年计划投资, else the sheet's year), the investment completed in a year up to a month (1-10月,
1至10月, 截至10月底, 本年累计 …: year to date) or in one month (10月, 本月). The year is the one the header names,
else the sheet's (its title's, else the year of the day it states its data as of); the month of 本年累计 and 本月
is that stated day's. A column whose year, month or period cannot be known is left out with a notice saying
what is missing: nothing is guessed. The cells are read as the 总投资 cells are (crm.importing.cells), in the unit
the header or the sheet's 单位 note gives; crm.importing.invested writes them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crm.foundation.i18n import _
from crm.importing.cells import CellError, cell_text, column_letter, inline, is_blank, parse_amount_cell, parse_currency
from crm.importing.headers import header_unit, investment_key, investment_kind, normalise
from crm.importing.rows import Problem, RowPlan
from crm.values.dates import cn_number

_YEAR = re.compile(r"((?:19|20)\d{2})年")
_MONTH = r"(1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
#: 1-10月, 1—10月, 1至10月, 1~10月, 1月-10月, 1到10月份: from a month to a month.
_SPAN = re.compile(_MONTH + r"月?份?(?:-|—|–|~|〜|至|到)" + _MONTH + r"月")
#: 截至10月底, 截止10月末, 至10月: the year up to a month.
_UP_TO = re.compile(r"(?:截至|截止|截止到|至)" + _MONTH + r"月")
#: 本年累计, 今年累计, 年度累计, 本年完成: the year up to the sheet's month.
_THIS_YEAR = re.compile(r"本年|今年|年度|当年|年内")
#: 本月完成投资, 当月完成: the sheet's month alone.
_THIS_MONTH = re.compile(r"本月|当月")
_ONE_MONTH = re.compile(r"(?<![\d一二三四五六七八九十])" + _MONTH + r"月")


@dataclass(frozen=True)
class InvestColumn:
    """One column of planned or completed investment the import takes."""

    col: int  # 0-based
    label: str  # as messages name it: its header, and its letter in a workbook
    kind: str  # "plan" or "done"
    year: int
    first: int = 0  # done: the first month the column adds up (1: year to date)
    month: int = 0  # done: the month it runs to, whose own figure is recorded
    unit: tuple | None = None  # (multiplier, currency) its header or the group over it gives


class InvestColumns:
    """The investment columns of a sheet, and their cells read for each row (RowPlan.invested)."""

    def __init__(self, sheet, columns: list[InvestColumn]):
        self.columns = columns
        self.grid = sheet.grid
        self.note_unit = sheet.note_unit
        self.currency_col = sheet.header.columns.get("currency")
        self.memo: dict = {}

    def read(self, rows: list[RowPlan]) -> None:
        """Give each row of `rows` with a figure in a column its (column, Money) pairs; a cell that reads as no
        amount is a warning on the row (the rest of the row is imported)."""
        for row in rows:
            cells = getattr(row.raw, "cells", None)
            if not row.values or cells is None:
                continue
            found = [pair for column in self.columns if (pair := self._cell(row, cells, column)) is not None]
            if found:
                row.invested = tuple(found)

    def _cell(self, row: RowPlan, cells: list, column: InvestColumn) -> tuple | None:
        value = cells[column.col] if column.col < len(cells) else None
        if value is None or is_blank(value):
            return None  # a blank cell sets nothing, and costs nothing more
        currency = self._currency(cells)
        number_format = self.grid.number_format(row.row, column.col + 1)
        key = (column.col, type(value), value, number_format, currency)
        found = self.memo.get(key)
        if found is None:
            try:
                found = parse_amount_cell(value, number_format, column.unit, self.note_unit, currency, True)
            except CellError as err:
                found = err
            self.memo[key] = found
        if isinstance(found, CellError):
            _warn(row, column, value, found.code, _("{reason}: not imported").format(reason=found))
            return None
        return (column, found) if found is not None else None

    def _currency(self, cells: list) -> str | None:
        """The row's 币种 cell as a currency (as the total's is read), None without one or when unreadable."""
        col = self.currency_col
        if col is None or col >= len(cells):
            return None
        try:
            return parse_currency(cells[col])
        except CellError:
            return None  # the row is refused for it already


def read_as(column: InvestColumn) -> str:
    """What the import reads `column` as, in a word: 2025年计划投资, 2025-10完成投资 (for "Columns used")."""
    if column.kind == "plan":
        return _("planned investment {year}").format(year=column.year)
    return _("completed investment {month}").format(month=f"{column.year}-{column.month:02d}")


def _warn(row: RowPlan, column: InvestColumn, value, code: str, message: str) -> None:
    if row.warnings is None:
        row.warnings = []
    row.warnings.append(Problem(row.row, column.label, cell_text(value), code, message))


def investment_columns(plan, sheet) -> InvestColumns | None:
    """The sheet's columns of planned and completed investment the import takes (None: none), each said in a
    notice; those it leaves out said too, with what is missing and how to record their figures instead. The
    columns taken leave the header's unused ones."""
    header = sheet.header
    year = sheet.year or (sheet.stated_on.year if sheet.stated_on else None)
    taken: list[InvestColumn] = []
    for col, label in sorted(header.labels.items()):
        if label not in header.ignored or (kind := investment_kind(label)) is None:
            continue
        named = _named(sheet, col, label)
        column, notice = (_plan_column if kind == "plan" else _done_column)(named, col, label, year, sheet)
        if column is not None and (same := _same(taken, column)) is not None:
            column, notice = None, _twice(named, same)
        plan.notices.append(notice)
        if column is not None:
            taken.append(column)
            header.ignored.remove(label)
    return InvestColumns(sheet, taken) if taken else None


def _named(sheet, col: int, label) -> str:
    text = inline(str(label))
    return f"{text} ({column_letter(col + 1)})" if sheet.grid.kind != "csv" else text


def _unit(sheet, col: int, label) -> tuple | None:
    """The column's unit: its own header's (（万元）), else that of the group header over it; else the note's."""
    return header_unit(label) or sheet.header.units.get(col, (None, None))[0]


def _header_year(label) -> int | None:
    found = _YEAR.search(normalise(label))
    return int(found.group(1)) if found else None


def _plan_column(named: str, col: int, label, year: int | None, sheet) -> tuple:
    year = _header_year(label) or year
    if year is None:
        return None, _(
            "Column “{label}” is a year's planned investment (计划投资) but names no year, and the sheet states none "
            "(in its title or a 截至/填报 day): not imported; put the year in the header (2025年计划投资) or the "
            "title, or record it with crm plan CODE YEAR AMOUNT"
        ).format(label=named)
    column = InvestColumn(col, named, "plan", year, unit=_unit(sheet, col, label))
    return column, _(
        "Column “{label}” is each deal's planned investment for {year} (计划投资): imported as its plan for "
        "{year} (a blank cell sets nothing)"
    ).format(label=named, year=year)


def _period(key: str) -> tuple[str, int, int]:
    """("span", first, last), ("year", 1, 0), ("month", 0, 0) (本月), ("one", m, m), ("since", 0, 0) (累计 alone)
    or ("none", 0, 0): the period a folded completed-investment header names."""
    digits = _YEAR.sub("", key)
    if found := _SPAN.search(digits):
        return "span", cn_number(found.group(1)), cn_number(found.group(2))
    if found := _UP_TO.search(digits):
        return "span", 1, cn_number(found.group(1))
    if _THIS_YEAR.search(digits):
        return "year", 1, 0
    if _THIS_MONTH.search(digits):
        return "month", 0, 0
    if found := _ONE_MONTH.search(digits):
        month = cn_number(found.group(1))
        return "one", month, month
    return ("since", 0, 0) if "累计" in digits else ("none", 0, 0)


def _done_column(named: str, col: int, label, year: int | None, sheet) -> tuple:
    kind, first, month = _period(investment_key(label))
    if kind in ("since", "none"):
        return None, _unknown_period(named, kind)
    year = _header_year(label) or year
    if kind in ("year", "month"):
        stated = sheet.stated_on
        if stated is None or year is None or stated.year != year:
            return None, _(
                "Column “{label}” is investment completed (完成投资) up to the sheet's month, but the sheet states no "
                "day of its year its data is as of (截至/填报): not imported; write the months in the header "
                "(1-10月完成投资), or record it with crm invest CODE AMOUNT --month YYYY-MM"
            ).format(label=named)
        month = stated.month
        first = 1 if kind == "year" else month
    if year is None:
        return None, _(
            "Column “{label}” is investment completed (完成投资) but names no year, and the sheet states none (in its "
            "title or a 截至/填报 day): not imported; put the year in the title, or record it with crm invest CODE "
            "AMOUNT --month YYYY-MM"
        ).format(label=named)
    if not 1 <= first <= month <= 12:
        return None, _unknown_period(named, "none")
    column = InvestColumn(col, named, "done", year, first, month, _unit(sheet, col, label))
    return column, _done_notice(column)


def _done_notice(column: InvestColumn) -> str:
    if column.first == column.month:
        return _(
            "Column “{label}” is the investment completed in {month} (完成投资): imported as that month's figure"
        ).format(label=column.label, month=f"{column.year}-{column.month:02d}")
    return _(
        "Column “{label}” is the investment completed from {first} to {month} (完成投资): {month}'s figure is "
        "recorded as that total less what the ledger records for the months before it"
    ).format(label=column.label, first=f"{column.year}-{column.first:02d}", month=f"{column.year}-{column.month:02d}")


def _unknown_period(named: str, kind: str) -> str:
    if kind == "since":
        return _(
            "Column “{label}” is investment completed since the project began (累计完成投资), not in a year: not "
            "imported, since the months it was completed in are not known; record it month by month with crm "
            "invest CODE AMOUNT --month YYYY-MM, or give the header its months (1-10月累计完成投资)"
        ).format(label=named)
    return _(
        "Column “{label}” is investment completed (完成投资) but names no period (1-10月, 10月, 本年累计): not "
        "imported; give the header its months, or record it with crm invest CODE AMOUNT --month YYYY-MM"
    ).format(label=named)


def _same(taken: list[InvestColumn], column: InvestColumn) -> InvestColumn | None:
    """The column taken already that gives the same figure (a plan of the same year, a figure of the same month)."""
    return next(
        (t for t in taken if (t.kind, t.year, t.month) == (column.kind, column.year, column.month)),
        None,
    )


def _twice(named: str, same: InvestColumn) -> str:
    return _("Column “{label}” gives the same figure as column “{used}”: not imported; column “{used}” is used").format(
        label=named, used=same.label
    )
