"""Which rows below a sheet's header are deals: the data rows sorted out from totals, sections, 小计 and 其中
rows, a breakdown's parts, a header printed again, and the notes and tables below the last 合计 (_Scan).

A totals row ends the table only when no deal's row follows it: a sheet with one 合计 per section goes on, each
合计 checked against its own section (crm.importing.totals).
"""

from __future__ import annotations

import datetime
import re

from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import _, list_sep
from crm.importing.breakdown import Breakdown, numbered
from crm.importing.cells import cell_text, column_letter, filled_cells, inline, is_blank
from crm.importing.headers import heads_a_section, label_kind, names_a_project, normalise, section_number
from crm.importing.rows import _Sheet
from crm.importing.sheet_notes import footer_line
from crm.importing.tables_below import TablesBelow, refuse_other_units, row_ranges
from crm.importing.workbook import Grid


def _formulas_message(grid: Grid, cells: dict) -> str:
    """The one line that says a sheet's formulas were never computed (a file written by a program)."""

    (row, col), formula = min(cells.items())
    return _(
        "{path}: {n} formula cells have no computed value (e.g. {cell} ={formula}): the file was written by a "
        "program and never calculated; open it in Excel, WPS or LibreOffice, save it, and import it again"
    ).format(path=grid.source, n=len(cells), cell=f"{column_letter(col)}{row}", formula=formula)


class _Scan:
    """Sorts the rows below the header into data, totals and skipped rows (RowChunks reads the data rows).

    Holds what it found: the data rows, skipped rows, totals rows. The rows after a totals row wait until
    it is known what they are: when a row that looks like a deal comes (a name and an amount or a date), they
    are sorted out as any rows and the table goes on (a sheet with one 合计 per section); when the sheet ends
    first (`finish`), they were notes, signatures or instructions below the table.
    """

    def __init__(self, sheet: _Sheet, reference: datetime.date):
        self.sheet, self.reference = sheet, reference
        self.skipped: list = []
        self.totals: list = []  # (row number, values) of totals rows
        self.data_rows = 0
        self.ended_at = None  # the totals row after which the rows were notes (once `finish` is called)
        self.data: list = []  # (number, cells) of the data rows, for RowChunks to read
        self.after: int | None = None  # the totals row (or signature line) the rows in `waiting` follow
        self.waiting: list = []  # (number, values) of the rows after it, not told yet
        self.resumed: list = []  # totals rows followed by more data rows
        self.named_after: list = []  # (row, name) of rows taken as notes after the last totals row that name one
        self.named_subtotals: list = []  # (row, label) of the subtotals written after a region's name (满城区小计)
        self.footers: list = []  # the signature lines (审核人：…) that ended the table
        columns = sheet.header.columns
        self.seq_col, self.name_col = columns.get("seq"), columns.get("name")
        self.amount_cols = {columns[f] for f in ("amount", "amount_cny", "funds") if f in columns}
        self.used = set(columns.values())
        self.breakdown = Breakdown(sheet)  # a 其中 breakdown's parts on the rows below it, without 其中
        self.below = TablesBelow(sheet, lambda values: _repeats_header(values, sheet), self._looks_like_deal)

    def read(self, rows: list, progress=None) -> _Scan:
        """Sort out `rows` ((number, values) of the grid, in order) after those so far: the data rows kept in
        `data` (read later, a chunk at a time, column by column), totals and skipped rows noted."""
        self.data += self._sort_out(rows, progress)
        return self

    def finish(self) -> list:
        """The sheet has no more rows: those still waiting after a totals row were notes. Gives the last data rows
        ((number, cells)): those held as a breakdown's possible parts that never added up to the deal's amount."""
        data: list = []
        for held, filled in self.breakdown.close():
            self._sort_one(held, filled, data)
        if self.after is not None and self.waiting:
            footer = self.after in self.footers
            if not footer:
                self.ended_at = self.after
            name = self.sheet.header.columns.get("name")
            others = set(self.below.rows())
            for number, values in self.waiting:
                if number in others:
                    self.skipped.append((number, "other_table"))
                    continue
                self.skipped.append((number, "after_footer" if footer else "after_totals"))
                if footer:
                    continue
                cell = values[name] if name is not None and name < len(values) else None
                if cell is not None and len(self.named_after) < 5 and names_a_project(cell_text(cell)):
                    self.named_after.append((number, inline(cell_text(cell))))
        self.waiting = []
        return data

    def notices(self) -> list[str]:
        """What the plan says of the rows sorted out so far besides its totals: the subtotals told by a region's or
        section's name before 小计, 合计 or a count, and the rows below a signature line that ended the table."""
        said = []
        if self.named_subtotals:
            said.append(
                _(
                    "Rows {rows} are subtotals of a region or section ({labels}): not imported as deals and not added "
                    "to the totals; a deal's row needs its number (序号)"
                ).format(
                    rows=row_ranges([r for r, _label in self.named_subtotals]),
                    labels=list_sep().join(f"“{label}”" for _r, label in self.named_subtotals[:5]),
                )
            )
        below = [r for r, why in self.skipped if why == "after_footer"]
        if below:
            said.append(
                _(
                    "The table ends at the signature line in row {row} (审核人：…, 填报人：…): rows {rows} below it "
                    "were taken as notes and not imported"
                ).format(row=self.footers[-1], rows=row_ranges(below))
            )
        return said

    def _sort_out(self, rows: list, progress) -> list:
        """(number, cells) of the data rows of `rows`; totals and skipped rows noted."""
        sheet = self.sheet
        total = len(rows)
        data = []  # (number, cells) of the data rows
        trimmed = sheet.grid.trimmed
        uncomputed = sheet.grid.uncomputed
        for done, item in enumerate(rows, 1):
            number, values = item
            if progress and (done % 500 == 0 or done == total):
                progress(done, total)
            if trimmed:  # no blank texts: the cells that are not None are the filled ones
                filled = len(values) - values.count(None)
            else:
                filled = len(filled_cells(values))
            if uncomputed:
                self._check_computed(number)
            if not filled:
                if self.after is not None:
                    self.below.boundary()
                continue
            if self.after is None and footer_line(values):
                self._footer(number, data)
                continue
            if self.after is not None:
                if self.below.take(number, values, filled):  # a table of its own below the deals
                    self.waiting.append(item)
                    continue
                if not self._looks_like_deal(values):
                    if self._kind(values)[0] == "total":
                        self.totals.append(item)
                        self.after = number
                        self.below.boundary()
                    else:
                        self.waiting.append(item)
                    continue
                self._resume(data)
            self._sort_one(item, filled, data)
        return data

    def _footer(self, number: int, data: list) -> None:
        """A signature line (审核人：… | 填报人：…): the table ends there as at a totals row, the rows below it waiting
        as notes unless a deal's row follows."""
        for held, held_filled in self.breakdown.close():  # a breakdown's possible parts: deals after all
            self._sort_one(held, held_filled, data)
        self._skip(number, "footer")
        if self.data_rows:
            self.footers.append(number)
            self.after = number
            self.below.boundary()

    def _resume(self, data: list) -> None:
        """A deal's row after a totals row: the rows waiting since are sorted out as any rows, the table goes on."""
        if self.after not in self.footers:
            self.resumed.append(self.after)
        waiting, self.waiting, self.after = self.waiting, [], None
        others = set(self.below.rows())
        for item in waiting:
            if item[0] in others:
                self.skipped.append((item[0], "other_table"))
                continue
            values = item[1]
            self._sort_one(item, len(filled_cells(values)), data)

    def _kind(self, values: list) -> tuple[str | None, int | None]:
        """What the labels of a row say it is: "total", "subtotal", "breakdown" (其中 …), "named_subtotal" (满城区小计),
        or None; with, for a named subtotal, the column of its label (_subtotal_at), else None."""
        texts = [cell_text(v) for v in values[:4] if v is not None][:3]
        kinds = [label_kind(t) for t in texts]
        name_cell = self.sheet.value(values, "name")
        if name_cell:
            name_text = cell_text(name_cell)
            name_kind = kinds[texts.index(name_text)] if name_text in texts else label_kind(name_text)  # often one
        else:
            name_kind = None
        if name_kind is None and not any(kinds):
            if name_cell and "计" not in name_text and not _may_end_in_count(name_text):
                return None, None  # nearly every row: a name no subtotal label has
            at = self._subtotal_at(values)
            return (None, None) if at is None else ("named_subtotal", at)
        return next(k for k in ("total", "subtotal", "breakdown") if k == name_kind or k in kinds), None

    def _subtotal_at(self, values: list) -> int | None:
        """The column of a region's or section's subtotal label (满城区小计（2个）, 续建项目合计, 满城区（2个）) in the
        name cell, or in the first filled cell when the name is blank, of a row without a deal's number; else None."""
        at = self.name_col
        text = values[at] if at is not None and at < len(values) else None
        if type(text) is not str or not text.strip():  # only a text is a label
            at = next((c for c, v in enumerate(values[:4]) if type(v) is str and v.strip()), None)
            if at is None:
                return None
            text = values[at]
        if not subtotal_label(text) or self._is_section(values):
            return None  # 一 | 签约项目（3个） | 18: a section's row, said as one
        seq = self.seq_col
        if seq is not None and seq != at and seq < len(values) and numbered(values[seq]):
            return None  # 1 | 满城区（2个）: a deal numbered as deals are
        return at

    def _sort_one(self, item: tuple, filled: int, data: list) -> None:
        number, values = item
        kind, label_at = self._kind(values)
        if kind is None and self.breakdown.parent is not None:
            self.breakdown.opens_by_name(item)  # 1、一期工程 right below a deal: its parts, without 其中
        if (kind is not None or self.breakdown.open) and self._labelled(item, kind, filled, data, label_at):
            return
        sheet = self.sheet
        if _repeats_header(values, sheet):
            refuse_other_units(sheet, number, values)
            self._skip(number, "header_repeated")
            return
        if filled == 1:
            self._skip(number, "note")
            return
        if self._is_section(values):
            self._skip(number, "section")
            return
        name_cell = sheet.value(values, "name")
        if name_cell is None or is_blank(name_cell):
            amount = sheet.value(values, "amount")
            if amount is None or is_blank(amount):
                self._skip(number, "no_name")
                return  # else a row refused for want of a name (read_rows says so)
        self.data_rows += 1
        data.append(item)  # the grid's own (number, values): a million rows need no second tuple each
        self.breakdown.parent = item

    def _skip(self, number: int, why: str) -> None:
        self.skipped.append((number, why))
        self.breakdown.parent = None  # a 其中 row below a row that is no deal's breaks down no deal

    def _labelled(self, item: tuple, kind: str | None, filled: int, data: list, label_at: int | None = None) -> bool:
        """Sort out a row with a totals, 小计 or 其中 label (`kind`; a named subtotal's label in column `label_at`),
        or a part of a 其中 breakdown, and the rows held as parts that were deals after all; False: `item` is no such
        row, and is sorted out as any row."""
        number = item[0]
        breakdown = self.breakdown
        if breakdown.open:
            if kind is None and (parts := breakdown.take(item, filled)) is not None:
                self.skipped += [(n, "breakdown_part") for n in parts]
                return True
            for held, held_filled in breakdown.close():  # no parts after all: deals
                self._sort_one(held, held_filled, data)
        if kind is None:
            return False
        if kind == "named_subtotal":
            self.named_subtotals.append((number, inline(cell_text(item[1][label_at])) if label_at is not None else ""))
            kind = "subtotal"
        if kind == "breakdown":
            for held, held_filled in breakdown.opens(item):
                self._sort_one(held, held_filled, data)
        breakdown.parent = None  # a 其中 row breaks down the deal's row just above it, and no other row
        if kind == "total":
            self.totals.append(item)
            if self.data_rows:
                self.after = number
                self.below.boundary()
            return True
        self.skipped.append((number, kind))  # a 小计 or a 其中 row: no deal, and in no total
        return True

    def _is_section(self, values: list) -> bool:
        """A section row: its number in the 序号 column written as sections are (（一）, 一、, (1)), a label, and
        nothing else; numbered in Chinese numerals, it may carry its section's amounts (a subtotal). So is a row
        whose number and label share one cell, the 序号 cell or the name's, the other blank (一、续建项目 | | 62000,
        | 二、新建项目 | 14000): a deal of that name would count its section's money twice."""
        seq, name = self.seq_col, self.name_col
        if seq is None or seq >= len(values) or name is None or name >= len(values):
            return False
        seq_cell, name_cell = values[seq], values[name]
        if name_cell is None or is_blank(name_cell):
            kind = "chinese" if heads_a_section(seq_cell) else None
        else:
            kind = section_number(seq_cell)
            if kind is None and (seq_cell is None or is_blank_text(seq_cell)) and heads_a_section(name_cell):
                kind = "chinese"
        if kind is None:
            return False
        allowed = {seq, name} | (self.amount_cols if kind == "chinese" else set())
        return all(c in allowed or v is None or is_blank_text(v) for c, v in enumerate(values))

    def _looks_like_deal(self, values: list) -> bool:
        """Whether a row after a totals row is a deal's: a project's name, and an amount or a date; numbered, when
        the sheet has a 序号 column (the lines of a summary below a 合计, 先进制造 | 10亿, are not)."""
        sheet = self.sheet
        name = sheet.value(values, "name")
        if name is None or not names_a_project(cell_text(name)) or self._kind(values)[0] is not None:
            return False
        if self.seq_col is not None and not numbered(values[self.seq_col] if self.seq_col < len(values) else None):
            return False
        amount = sheet.value(values, "amount")
        if amount is not None and _has_digits(amount):
            return True
        return any(_has_digits(sheet.value(values, f)) for f in ("signed_on", "planned_start", "planned_completion"))

    def _check_computed(self, number: int) -> None:
        """Refuse the sheet when a cell of a used column in this row is a formula never computed."""
        grid = self.sheet.grid
        if any((number, col + 1) in grid.uncomputed for col in self.used):
            raise InvalidInput(_formulas_message(grid, grid.uncomputed))


#: A subtotal written after the name of its region or section (folded): 满城区小计, 续建项目合计(5个), 徐水区总计:3个项目,
#: or the name and a count alone, 满城区(2个), 满城区:2个. The name holds no figure, colon or bracket (1号地块项目(2个)
#: is a deal's name); nor is a word ending in 计 one (综合计量中心项目).
def _may_end_in_count(text: str) -> bool:
    """Whether a text may end in a count (满城区（2个）, 满城区：2个项目): told by its last characters, without a
    pattern, as nearly no name ends so."""
    if text[-1:] in ")）":
        text = text[:-1]
    if text[-1:] in "目业":  # 2个项目, 3家企业
        text = text[:-2]
    return text[-1:] in "个项家宗"


_COUNT = r"(?:共|合计)?[0-9一二两三四五六七八九十百零〇]+(?:个|项|家|宗)(?:项目|企业)?"
_SUBTOTAL_AFTER_NAME = re.compile(
    rf"[^\d:()]{{1,20}}?(?:(?:小计|合计|总计|共计|累计)(?::?{_COUNT}|\([^()]*\))?|:{_COUNT}|\({_COUNT}\))"
)


def subtotal_label(text: str) -> bool:
    """Whether a name cell's text is a region's or section's subtotal label (满城区小计（2个）, 满城区合计,
    满城区（2个）, 满城区：2个), not a project's name (满城区汽车零部件项目)."""
    text = text.strip()
    if "计" not in text and not _may_end_in_count(text):
        return False  # nearly every name, told without folding it
    return _SUBTOTAL_AFTER_NAME.fullmatch(normalise(text)) is not None


def _has_digits(value) -> bool:
    """A number, a date, or a text holding a digit (a Chinese numeral amount: 八十亿元): an amount's or a date's."""
    if value is None or isinstance(value, bool):
        return False
    if not isinstance(value, str):
        return True
    return any(c.isdigit() for c in value) or bool(_NUMERAL_AMOUNT.search(value))


_NUMERAL_AMOUNT = re.compile(r"[一二两三四五六七八九十百千壹贰叁肆伍陆柒捌玖拾佰仟]+.{0,3}[亿万元]")


def is_blank_text(value) -> bool:
    """A cell holding only spaces (a CSV's or openpyxl's empty text)."""
    return isinstance(value, str) and not value.strip()


def _repeats_header(values, sheet: _Sheet) -> bool:
    """A header row printed again (a long ledger pasted page by page)."""
    need = max(2, len(sheet.header.columns) // 2)
    if sheet.label_set is not None and sum(map(sheet.label_set.__contains__, values)) < need:
        return False
    chances = len(sheet.inline_labels)  # labels left to compare, and the row is no header once too few are
    width = len(values)
    for c, label in sheet.inline_labels:
        if (
            c < width
            and isinstance(value := values[c], str)
            # inline(value), without its call for the one-line cells nearly all are
            and (value.strip() if "\n" not in value and "\r" not in value else inline(value)) == label
        ):
            need -= 1
            if need <= 0:
                return True
        chances -= 1
        if chances < need:
            return False
    return need <= 0
