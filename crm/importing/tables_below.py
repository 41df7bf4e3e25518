"""Tables of their own below a deal table's totals row: our weekly csv's 分阶段情况, 本周动态, 累计指标 and
所用汇率 blocks, or a county sheet's 分行业统计 under its 合计. Each opens with a header row of its own, just after
the totals row, a blank row or a title line; its rows are read through that header, not the deal table's, so
none of them is a deal, a note naming a project, nor a totals row of the deals (its own 合计 sums its own column).

A header that is the deal table's printed again, or another deal table's with the same fields in the same columns,
opens no such table: its rows may be deals, as any rows after a totals row. Nor does a row of labels no header is read
from that turns out to head deals (二 | 续建项目, then numbered deals): such a table ends, its rows given back, at the
first row under it that looks like a deal's. A deal table whose columns hold other
fields (在谈项目 below 签约项目, 投资方 where the first has 总投资) is one: read through the first header, its cells
would land in the wrong fields.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import groupby

from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import _, list_sep
from crm.importing.cells import filled_cells, inline
from crm.importing.headers import Header, find_header, header_unit, match_header
from crm.importing.rows import _Sheet

#: A text cell holding only a figure ("3", "1,200.5", "12%"), or a colon (填表人：王芳): a row with one is no header.
_NO_LABEL = re.compile(r"[-+]?[\d,]+(?:\.\d+)?%?|.*[:：].*", re.DOTALL)


class TablesBelow:
    """Follows the rows after a totals row (the blank ones too) and keeps those of tables of their own.

    A header with no row under it (a signature line, 唐县招商局 | 二〇二〇年七月三日) is no table.
    """

    __slots__ = ("sheet", "same_table", "deal_like", "_tables", "_open", "_may_open", "_labels_only")

    def __init__(self, sheet: _Sheet, same_table: Callable[[list], bool], deal_like: Callable[[list], bool]):
        self.sheet = sheet
        self.same_table = same_table  # whether a row is the deal table's header printed again
        self.deal_like = deal_like  # whether a row looks like a deal's (a name and an amount or a date)
        self._tables: list[tuple[bool, list[int]]] = []  # (holds deals, its rows: its header's number first)
        self._labels_only = False  # the open table's header is labels no header is read from
        self._open: list[int] | None = None  # the rows of the table the rows are in now
        self._may_open = True  # the next row may be a table's header: it follows a totals, blank or title row

    def rows(self, deals: bool | None = None) -> list[int]:
        """The rows of the tables of their own found so far (a header and at least one row under it): all, or
        those of tables of deals (`deals` true: a 项目名称 column) or of something else (false)."""
        return [n for holds, rows in self._tables if len(rows) > 1 and deals in (None, holds) for n in rows]

    def headers(self, deals: bool) -> list[int]:
        """The header rows of the tables found that hold deals (a 项目名称 column) or, `deals` false, do not."""
        return [rows[0] for holds, rows in self._tables if len(rows) > 1 and holds == deals]

    def boundary(self) -> None:
        """A totals row, a blank row: the rows after it are in no table yet, and the next may be a header."""
        self._open = None
        self._may_open = True

    def take(self, number: int, values: list, filled: int) -> bool:
        """Whether row `number` may belong to a table of its own (its header, or a row under it)."""
        if filled == 1:  # a title or a note line ends a table, and the next row may head one
            self.boundary()
            return False
        if self._open is None:
            may_open, self._may_open = self._may_open, False
            deals = self._heads_a_table(number, values) if may_open else None
            if deals is None:
                return False
            self._open = [number]
            self._tables.append((deals, self._open))
            return True
        if self._labels_only and self.deal_like(values):
            self._tables.pop()  # a section's label, not a summary's header: its rows are rows as any
            self._open = None
            return False
        self._open.append(number)
        return True

    def _heads_a_table(self, number: int, values: list) -> bool | None:
        """Whether a row heads a table of deals (True) or of something else (False): labels (texts, no figure, no
        填表人：… line), neither the deal table's header printed again nor one whose columns hold the same fields;
        None: no such header."""
        texts = filled_cells(values)
        if len(texts) < 2 or not all(isinstance(v, str) and not _NO_LABEL.fullmatch(v.strip()) for v in texts):
            return None
        header = find_header([(0, values)])
        if header is not None:
            refuse_other_units(self.sheet, number, values, header)
        if self.same_table(values):
            return None
        if header is None:
            # 序号 | 行业 | 总投资 names fields: a summary's header; labels that name fewer (币种 | 日期 | 汇率, or a
            # section's 二 | 续建项目) head a table only until a row under them looks like a deal's
            named = {m.field for v in texts if (m := match_header(v)) is not None and m.rank <= 1}
            self._labels_only = len(named) < 2
            return False
        self._labels_only = False
        ours = self.sheet.header.columns
        if header.columns.get("name") != ours.get("name"):
            return False  # 阶段 | 项目 | 折合人民币: the 项目 of a summary, not the deals' names
        theirs = {c: f for f, c in header.columns.items()}
        clash = any(ours.get(f, c) != c for f, c in header.columns.items()) or any(
            theirs.get(c, f) != f for f, c in ours.items()
        )
        return True if clash else None


def refuse_other_units(sheet: _Sheet, number: int, values: list, header: Header | None = None) -> None:
    """Refuse row `number` (its cells `values`; `header` the header read from them, if it was), a deal table's
    header printed again, when it states another unit for an amount column than the header above: the rows under
    it would be read in the unit above (0.7 under 总投资（亿元） as 0.7万元)."""
    header = header or find_header([(0, values)])
    if header is None:
        return
    ours = sheet.header
    for f in ("amount", "amount_cny", "funds"):
        col = header.columns.get(f)
        if col is None or ours.columns.get(f) != col:
            continue
        unit, above = header_unit(header.labels[col]), sheet.units.get(f)
        if unit is not None and above is not None and unit != above:
            raise InvalidInput(
                _(
                    "Row {row} repeats the header with “{label}” where the header above has “{first}”: its rows "
                    "would be read in the unit above; write both headers with one unit, or move the second table "
                    "to a sheet of its own and import it with --sheet"
                ).format(row=number, label=inline(str(header.labels[col])), first=inline(str(ours.labels[col])))
            )


def row_ranges(numbers: list[int]) -> str:
    """Row numbers as ranges, in the language's list: [41, 42, 43, 46] → "41–43、46" ("41–43, 46" in English)."""
    out: list[str] = []
    for _step, run in groupby(enumerate(sorted(set(numbers))), key=lambda at: at[1] - at[0]):
        rows = [n for _at, n in run]
        out.append(f"{rows[0]}–{rows[-1]}" if len(rows) > 1 else str(rows[0]))
    return list_sep().join(out)
