"""The parts of a deal's 其中 breakdown written on the rows below it without 其中 (其中：一期工程 20000, then
二期工程 30000): told from a deal's row by what the sheet shows, so they are not imported as deals.

A row continues the breakdown when it follows the 其中 row (or a part of it), carries no 序号, no label and
nothing only a deal has (a signing or planned date, an investor, an event), and its amount is a part
of the deal's: in a sheet whose deals are numbered, the parts so far stay
within the deal's amount (a row without an amount is a part too); in a sheet without numbers, the parts must
add up to the deal's amount exactly, and the rows are held until they do (a real deal's amount seldom
completes another deal's breakdown to the unit). A row with its own number, or whose amount goes beyond the
deal's, is a deal. A 其中 row that names a kind of money (其中：外资 4亿, 固定资产投资 8亿) states one share of the
deal's amount and opens no breakdown into parts.
"""

from __future__ import annotations

import re
from decimal import Decimal

from crm.importing.cells import CellError, cell_text, is_blank, parse_amount_cell, parse_currency
from crm.importing.headers import label_kind, names_a_project, section_number
from crm.importing.rows import _Sheet
from crm.values.money import Money

#: A 其中 label naming a share of the money, not a part of the project (其中：外资, 其中固定资产投资).
_SHARE = re.compile(
    r"其中\s*[:：]?\s*(?:外资|内资|外商|外方|中方|固定资产|设备|土建|建安|到位|已到位|完成|已完成|实际|中央|省级|市级|县级|区级|"
    r"银行|贷款|自筹|企业自筹|财政|资本金|注册资本)"
)
#: What only a deal's row has: a part of a breakdown is a name and an amount.
_DEAL_ONLY = ("signed_on", "planned_start", "planned_completion", "investor", "event")


def numbered(seq) -> bool:
    """Whether a 序号 cell numbers a deal (3, "3", "(3)"), not a section (（一）) or nothing."""
    if isinstance(seq, bool) or seq is None:
        return False
    return isinstance(seq, (int, float)) or (isinstance(seq, str) and any(c.isdigit() for c in seq))


class Breakdown:
    """Follows the rows of a sheet as they are sorted out: the last deal's row, and the 其中 breakdown under it.

    `parent` is set to each deal's (number, cells) as it is taken and to None by any other row; `opens` starts
    a breakdown at a 其中 row; `take` says whether the next row is one of its parts; `close` ends it, giving back
    the rows held that were deals after all.
    """

    __slots__ = ("sheet", "parent", "open", "_numbered", "_whole", "_sum", "_held")

    def __init__(self, sheet: _Sheet):
        self.sheet = sheet
        self.parent: tuple | None = None  # (number, cells) of the last deal's row
        self.open = False  # a 其中 row under `parent` was met: the rows after it may be its parts
        self._numbered = False  # the parent has a 序号: its parts are the rows without one
        self._whole: Money | None = None  # the parent's amount
        self._sum: Money | None = None  # the parts' amounts so far (the 其中 row's own included)
        self._held: list = []  # (item, filled) of rows that may be parts, until the parts add up

    def opens(self, item: tuple) -> list:
        """A 其中 row, (number, cells): the rows after it may break down the deal above (when a deal's row is just
        above). Gives back the rows held by a breakdown before it (deals, as `close`)."""
        held = self.close()
        if self.parent is None or any(_SHARE.match(cell_text(v).strip()) for v in item[1][:4] if v is not None):
            return held
        number, cells = self.parent
        seq_col = self.sheet.header.columns.get("seq")
        self._numbered = seq_col is not None and numbered(cells[seq_col] if seq_col < len(cells) else None)
        self._whole = self._amount(number, cells)
        self._sum = self._amount(*item)
        self.open = True
        return held

    def take(self, item: tuple, filled: int) -> list | None:
        """The row numbers now known to be parts of the breakdown ([] when `item` is held until the parts add up),
        or None: `item` is no part (the caller takes back the rows held with `close`)."""
        number, values = item
        if not self._unlabelled(values):
            return None
        amount = self._amount(number, values)
        if amount is not None and self._sum is not None:
            if amount.currency != self._sum.currency:
                return None
            amount = Money(self._sum.amount + amount.amount, amount.currency)
        so_far = amount if amount is not None else self._sum
        if self._numbered:
            if not self._within(so_far):
                return None
            self._sum = so_far
            return [number]
        if self._whole is None or so_far is None or not self._within(so_far):
            return None
        self._sum = so_far
        if so_far.amount < self._whole.amount:
            self._held.append((item, filled))
            return []
        parts = [held[0] for held, _filled in self._held] + [number]
        self._held = []
        return parts

    def close(self) -> list:
        """End the breakdown: the (item, filled) of the rows held that were no parts (deals, in order)."""
        held, self._held = self._held, []
        self.open = False
        self._sum = self._whole = None
        return held

    def _unlabelled(self, values: list) -> bool:
        """What a part's row looks like: a name, nothing only a deal has (_DEAL_ONLY), and no 序号, section number,
        totals or 其中 label of its own."""
        sheet = self.sheet
        name = sheet.value(values, "name")
        if name is None or is_blank(name) or not names_a_project(cell_text(name)):
            return False
        if any((v := sheet.value(values, f)) is not None and not is_blank(v) for f in _DEAL_ONLY):
            return False
        seq = sheet.value(values, "seq")
        if seq is None or is_blank(seq):
            return True
        return not numbered(seq) and section_number(seq) is None and label_kind(cell_text(seq)) is None

    def _within(self, so_far: Money | None) -> bool:
        """Whether the parts so far stay within the parent's amount (or there is no amount to compare)."""
        whole = self._whole
        if so_far is None or whole is None:
            return True
        return so_far.currency == whole.currency and so_far.amount <= whole.amount

    def _amount(self, number: int, values: list) -> Money | None:
        """The amount of row `number`, or None when it has none or it is no amount."""
        sheet = self.sheet
        col = sheet.header.columns.get("amount")
        value = sheet.value(values, "amount")
        if col is None or value is None or is_blank(value):
            return None
        currency = None
        if (raw := sheet.value(values, "currency")) is not None and not is_blank(raw):
            try:
                currency = parse_currency(raw)
            except CellError:
                return None
        number_format = sheet.grid.number_format(number, col + 1)
        try:
            money = parse_amount_cell(
                value, number_format, sheet.units.get("amount"), sheet.note_unit, currency, allow_zero=True
            )
        except CellError:
            return None
        return money if money is not None and money.amount >= Decimal(0) else None
