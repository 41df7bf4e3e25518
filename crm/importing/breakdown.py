"""The parts of a deal's 其中 breakdown written on the rows below it without 其中 (其中：一期工程 20000, then
二期工程 30000, or 其中 then （1）一期工程, （2）二期工程): told from a deal's row by what the sheet shows, so they
are not imported as deals.

A row continues the breakdown when it follows the 其中 row (or a part of it), carries no deal's 序号, no label and
nothing only a deal has (a signing or planned date, an investor, an event), and its amount is a part
of the deal's: in a sheet whose deals are numbered, the parts so far stay
within the deal's amount (a row without an amount is a part too); in a sheet without numbers, the parts must
add up to the deal's amount exactly, and the rows are held until they do (a real deal's amount seldom
completes another deal's breakdown to the unit). A row with its own number, or whose amount goes beyond the
deal's, is a deal. A 其中 row that names a kind of money (其中：外资 4亿, 固定资产投资 8亿, or 其中： | 外资 over two
cells) states one share of the deal's amount and opens no breakdown into parts.

A part may carry a part's number, （1） (1) ⑴ 1) or ① (`part_number`), under a deal numbered 1, 2, 3. Such a row
is a part only when its number goes on from the 其中 row: the first numbered part is 1, each next one the number
after it, so a (2) first, or a (3) after (1), is a deal (its numbering does not restart there); the other tests
hold as for a row without a number (nothing only a deal has, the parts within the deal's amount). Where the
sheet's deals are numbered as parts are (the deal's own 序号 is (1), ①, …), a numbered row under the 其中 row may
as well be the next deal: it is a part only when it has an amount and the parts add up to the deal's amount
exactly, as in a sheet without numbers; until they do the rows are held, and they are deals if they never do.
A 序号 counts only when the 其中 row opened a breakdown: (1) anywhere else numbers a deal, as before.
"""

from __future__ import annotations

import re
from decimal import Decimal

from crm.importing.cells import CellError, cell_text, is_blank, parse_amount_cell, parse_currency
from crm.importing.headers import label_kind, names_a_project, normalise, section_number
from crm.importing.rows import _Sheet
from crm.values.money import Money

#: A 其中 label naming a share of the money, not a part of the project (其中：外资, 其中固定资产投资).
_SHARE = re.compile(
    r"其中\s*[:：]?\s*(?:外资|内资|外商|外方|中方|固定资产|设备|土建|建安|到位|已到位|完成|已完成|实际|中央|省级|市级|县级|区级|"
    r"银行|贷款|自筹|企业自筹|财政|资本金|注册资本)"
)
#: What only a deal's row has: a part of a breakdown is a name and an amount.
_DEAL_ONLY = ("signed_on", "planned_start", "planned_completion", "investor", "event")


#: How a part's number is written in the 序号 column, once folded (（1） and ⑴ fold to (1)): (1), 1), with 、 or . after.
_PART_NUMBER = re.compile(r"\((\d{1,2})\)[、.]?|(\d{1,2})\)[、.]?")
_CIRCLED = {chr(0x2460 + n): n + 1 for n in range(20)}  # ① … ⑳, which fold to plain digits


def part_number(seq) -> int | None:
    """The number of a 序号 written as a breakdown's parts are numbered ((1), （1）, ⑴, 1), ① → 1), or None: a
    deal's number (1, "1", "1、"), a section's (（一）) or no number."""
    if type(seq) is not str:
        return None
    text = seq.strip()
    if text in _CIRCLED:
        return _CIRCLED[text]
    found = _PART_NUMBER.fullmatch(normalise(text))
    return int(found.group(1) or found.group(2)) if found else None


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

    __slots__ = (
        "sheet",
        "parent",
        "open",
        "numbered_parts",
        "_numbered",
        "_alike",
        "_exact",
        "_next",
        "_whole",
        "_sum",
        "_held",
    )

    def __init__(self, sheet: _Sheet):
        self.sheet = sheet
        self.parent: tuple | None = None  # (number, cells) of the last deal's row
        self.open = False  # a 其中 row under `parent` was met: the rows after it may be its parts
        self.numbered_parts: list[int] = []  # rows taken as parts by their part's number ((1), ①), in order
        self._numbered = False  # the parent has a 序号: its parts are the rows without one, or numbered as parts
        self._alike = False  # the parent's 序号 is written as a part's ((3)): a numbered row may be the next deal
        self._exact = False  # the parts must add up to the parent's amount, held until they do
        self._next = 1  # the number the next numbered part must carry
        self._whole: Money | None = None  # the parent's amount
        self._sum: Money | None = None  # the parts' amounts so far (the 其中 row's own included)
        self._held: list = []  # (item, filled, step) of rows that may be parts, until the parts add up

    def opens(self, item: tuple) -> list:
        """A 其中 row, (number, cells): the rows after it may break down the deal above (when a deal's row is just
        above). Gives back the rows held by a breakdown before it (deals, as `close`)."""
        held = self.close()
        texts = [cell_text(v).strip() for v in item[1][:4] if v is not None]
        if self.parent is None or any(_SHARE.match(t) for t in texts) or _SHARE.match("".join(texts)):
            return held
        number, cells = self.parent
        seq_col = self.sheet.header.columns.get("seq")
        seq = cells[seq_col] if seq_col is not None and seq_col < len(cells) else None
        self._numbered = numbered(seq)
        self._alike = part_number(seq) is not None
        self._exact = not self._numbered
        self._next = 1
        self._whole = self._amount(number, cells)
        self._sum = self._amount(*item)
        self.open = True
        return held

    def take(self, item: tuple, filled: int) -> list | None:
        """The row numbers now known to be parts of the breakdown ([] when `item` is held until the parts add up),
        or None: `item` is no part (the caller takes back the rows held with `close`)."""
        number, values = item
        step = self._step(values)
        if step is None:
            return None
        own = self._amount(number, values)
        amount = own
        if amount is not None and self._sum is not None:
            if amount.currency != self._sum.currency:
                return None
            amount = Money(self._sum.amount + amount.amount, amount.currency)
        so_far = amount if amount is not None else self._sum
        if not self._within(so_far):
            return None
        if step and self._alike:
            if own is None:
                return None  # numbered as the next deal may be, and nothing to add up: a deal
            self._exact = True
        if not self._exact:
            self._sum, self._next = so_far, self._next + bool(step)
            self._note_numbered([(item, step)])
            return [number]
        whole = self._whole
        if whole is None or so_far is None:
            return None
        self._sum, self._next = so_far, self._next + bool(step)
        self._held.append((item, filled, step))
        if so_far.amount < whole.amount:
            return []
        held, self._held = self._held, []
        self._note_numbered([(h[0], h[2]) for h in held])
        return [h[0][0] for h in held]

    def close(self) -> list:
        """End the breakdown: the (item, filled) of the rows held that were no parts (deals, in order)."""
        held, self._held = self._held, []
        self.open = False
        self._sum = self._whole = None
        return [(h[0], h[1]) for h in held]

    def _note_numbered(self, parts: list) -> None:
        """Note the rows of `parts` ((item, step)) taken as parts by their part's number."""
        self.numbered_parts += [item[0] for item, step in parts if step]

    def _step(self, values: list) -> int | None:
        """What a part's row looks like: a name, nothing only a deal has (_DEAL_ONLY), no section number, totals or
        其中 label, and no 序号 (0) or the number of the next part ((1) after the 其中 row, then (2) …: that number);
        None for any other row."""
        sheet = self.sheet
        name = sheet.value(values, "name")
        if name is None or is_blank(name) or not names_a_project(cell_text(name)):
            return None
        if any((v := sheet.value(values, f)) is not None and not is_blank(v) for f in _DEAL_ONLY):
            return None
        seq = sheet.value(values, "seq")
        if seq is None or is_blank(seq):
            return 0
        if self._numbered and part_number(seq) == self._next:
            return self._next
        if numbered(seq) or section_number(seq) is not None or label_kind(cell_text(seq)) is not None:
            return None
        return 0

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
