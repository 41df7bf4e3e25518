"""The parts of a deal's 其中 breakdown written on the rows below it without 其中 (其中：一期工程 20000, then
二期工程 30000, or 其中 then （1）一期工程, （2）二期工程): told from a deal's row by what the sheet shows, so they
are not imported as deals.

A 其中 row opens a breakdown when a deal's row is just above it, unless it names a kind of money (其中：外资 4亿,
固定资产投资 8亿, or 其中： | 外资 over two cells): that states one share of the deal's amount, and the rows after it
are rows as any. A 其中 row that names a part or carries an amount (其中：一期工程 30000, 其中 | （1）一期工程) is the
first part itself; a bare one (其中, 其中：) is none.

A row continues the breakdown when it follows the 其中 row (or a part of it), has a name and no label, and nothing
only a deal has (a 签约时间, an investor, an event), and its amount is a part of the deal's. Without a 序号 (or
with a 序号 that is no number) it must have no planned date either (计划开工, 计划竣工): such a row has nothing
else to tell it from a deal that lost its 序号, and a deal is never to be lost. In a sheet whose deals are
numbered, the parts so far stay within the deal's amount (a row without an amount is a part too); in a sheet
without numbers, the parts must add up to the deal's amount exactly, and the rows are held until they do (a real
deal's amount seldom completes another deal's breakdown to the unit). A row with a deal's 序号, or whose amount
goes beyond the deal's, is a deal.

A part may carry a part's number, （1） (1) ⑴ 1) or ① (`part_number`), under a numbered deal. Such a row is a part
only when its number goes on from the 其中 row: the first numbered part is 1 under a bare 其中 row and 2 under one
that is the first part, each next one the number after it, so a (2) first under a bare 其中, or a (3) after (1),
is a deal (its numbering does not restart there). Its own planned dates do not make it a deal (phases are
scheduled apart); the other tests hold as for a row without a number. Where the parts are numbered in the deals'
own style (deals (1) (2) and parts (1) (2), or ① and ①: `part_style`), a numbered row may as well be the next
deal: it is a part only when it has an amount and the parts add up to the deal's amount exactly, as in a sheet
without numbers; until they do the rows are held, and they are deals if they never do. Parts numbered in another
style than the deals' (deals (1) (2), parts ① ②) cannot be the next deal: staying within the deal's amount is
enough, as under deals numbered 1, 2, 3; once one is taken, a row numbered in the deals' own style is the next deal
and ends the breakdown. A 序号 counts only when the 其中 row opened a breakdown: (1) anywhere else
numbers a deal, as before.

A breakdown may also have no 其中 row at all: the rows right below a deal's row that has a 序号, with no 序号 of
their own, whose names number its parts from 1 (1、一期工程, 2、研发中心 or （1）… or ①…: `name_part_number`). They
are its parts only when each has an amount and they add up to the deal's amount exactly, as in a sheet without
numbers (held until they do, deals if they never do), and when they have nothing only a deal has; a list of deals
never starts again at 1 right below a deal. Rows given back as deals by any breakdown open none again.

A section's row in the name column (一、续建项目, （二）新建项目: its name written after a section's number, with or
without the section's subtotal) ends the breakdown, as a section's row in the 序号 column does: the rows after it
are deals.
"""

from __future__ import annotations

import re
from decimal import Decimal

from crm.importing.cells import CellError, cell_text, is_blank, parse_amount_cell, parse_currency
from crm.importing.headers import heads_a_section, label_kind, names_a_project, normalise, section_number
from crm.importing.rows import _Sheet
from crm.values.money import Money

#: A 其中 label naming a share of the money, not a part of the project (其中：外资, 其中固定资产投资).
_SHARE = re.compile(
    r"其中\s*[:：]?\s*(?:外资|内资|外商|外方|中方|固定资产|设备|土建|建安|到位|已到位|完成|已完成|实际|中央|省级|市级|县级|区级|"
    r"银行|贷款|自筹|企业自筹|财政|资本金|注册资本|利用外资|引进|省外|市外|境外|国外|外埠|外省|内地|港澳台)"
)
#: What only a deal's row has: a part of a breakdown is a name and an amount (a numbered part may have its dates).
_DEAL_ONLY = ("signed_on", "investor", "event")
#: What keeps an unnumbered row a deal besides: its planned dates (a deal that lost its 序号 has nothing else).
_PLANNED = ("planned_start", "planned_completion")
#: A bare 其中 label, once folded: the rest of the cell names the first part (其中：一期工程).
_LABEL = re.compile(r"^其中(?:包括|含)?[:：]?")


#: How a part's number is written in the 序号 column, once folded (（1） and ⑴ fold to (1)): (1), 1), with 、 or . after.
_PART_NUMBER = re.compile(r"\((\d{1,2})\)[、.]?|(\d{1,2})\)[、.]?")
_CIRCLED = {chr(0x2460 + n): n + 1 for n in range(20)}  # ① … ⑳, which fold to plain digits


def part_number(seq) -> int | None:
    """The number of a 序号 written as a breakdown's parts are numbered ((1), （1）, ⑴, 1), ① → 1), or None: a
    deal's number (1, "1", "1、"), a section's (（一）) or no number."""
    if type(seq) is not str:
        return None
    text = seq.strip()
    if text.rstrip("、.．") in _CIRCLED:  # ①, ①、 or ①.
        return _CIRCLED[text.rstrip("、.．")]
    found = _PART_NUMBER.fullmatch(normalise(text))
    return int(found.group(1) or found.group(2)) if found else None


#: An item's number at the start of a name, once folded (1、一期工程, 1.研发中心, 1)…, (1)…): not a decimal (1.5万吨…).
_NAME_NUMBER = re.compile(r"(?:(\d{1,2})(?:[、)]|\.(?!\d))|\((\d{1,2})\))\S")


def name_part_number(name) -> int | None:
    """The number a name starts with as a list's item (1、一期工程 → 1, （2）研发中心 → 2, ③配套设施 → 3), or None
    (涿州…项目, 5G基站项目, 1.5万吨…, a number alone)."""
    if type(name) is not str:
        return None
    text = name.strip()
    head = text[:1]
    if head in _CIRCLED:  # before folding, which makes ① a plain 1
        return _CIRCLED[head] if len(text) > 1 else None
    if not (head.isdigit() or head in "(（⑴⑵⑶⑷⑸⑹⑺⑻⑼"):
        return None  # nearly every name: told by its first character
    found = _NAME_NUMBER.match(normalise(text))
    return int(found.group(1) or found.group(2)) if found else None


def part_style(seq) -> str | None:
    """How a 序号 numbers parts: "circled" (①), "bracketed" ((1), （1）, ⑴, 1)), or None (1, （一）, no number)."""
    if part_number(seq) is None:
        return None
    return "circled" if seq.strip().rstrip("、.．") in _CIRCLED else "bracketed"


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
        "named_parts",
        "_by_name",
        "_given_back",
        "_numbered",
        "_style",
        "_crossed",
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
        self.named_parts: list[int] = []  # rows taken as parts by the number their names start with, no 其中 row
        self._by_name = False  # the breakdown was opened by its first part's name (opens_by_name), not by 其中
        self._given_back: set[int] = set()  # rows a breakdown held, then gave back as deals: they open none again
        self._numbered = False  # the parent has a 序号: its parts are the rows without one, or numbered as parts
        self._style: str | None = None  # part_style of the parent's 序号 ((3)): a part so numbered may be a deal
        self._exact = False  # the parts must add up to the parent's amount, held until they do
        self._next = 1  # the number the next numbered part must carry
        self._crossed = False  # a part numbered in another style than the parent's was taken
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
        self._style = part_style(seq)
        self._crossed = False
        self._exact = not self._numbered
        self._whole = self._amount(number, cells)
        self._sum = self._amount(*item)
        self._next = 2 if self._sum is not None or self._names_a_part(item[1]) else 1
        self.open, self._by_name = True, False
        return held

    def opens_by_name(self, item: tuple) -> bool:
        """Open a breakdown at `item`, (number, cells) of the row right below a deal's, when its name starts a list
        of the deal's parts at 1 (1、一期工程) and the deal has an amount the parts can add up to; then `take` it."""
        number, values = item
        if self.parent is None or self.open or number in self._given_back:
            return False
        if name_part_number(self.sheet.value(values, "name")) != 1:
            return False
        # Only under a deal's 序号: "no 序号 of their own" says nothing where the deals have none, and a section's row
        # (一、续建项目 16) adds up to its deals by construction.
        parent = self.parent[1]
        if not numbered(self.sheet.value(parent, "seq")) or heads_a_section(self.sheet.value(parent, "name")):
            return False
        whole = self._amount(*self.parent)
        if whole is None:
            return False
        self._whole, self._sum, self._next = whole, None, 1
        self._exact, self._crossed, self._numbered, self._style = True, False, False, None
        self.open, self._by_name = True, True
        return True

    def take(self, item: tuple, filled: int) -> list | None:
        """The row numbers now known to be parts of the breakdown ([] when `item` is held until the parts add up),
        or None: `item` is no part (the caller takes back the rows held with `close`)."""
        number, values = item
        step = self._step(values)
        if step is None:
            return None
        own = self._amount(number, values)
        if self._by_name and (own is None or own.amount <= 0):
            return None  # only amounts prove such rows parts: one without is the next deal's row
        amount = own
        if amount is not None and self._sum is not None:
            if amount.currency != self._sum.currency:
                return None
            amount = Money(self._sum.amount + amount.amount, amount.currency)
        so_far = amount if amount is not None else self._sum
        if not self._within(so_far):
            return None
        style = part_style(self.sheet.value(values, "seq")) if step else None
        if style is not None and self._style is not None and style == self._style:
            if own is None or self._crossed:
                return None  # numbered as the next deal, with nothing to add up or after parts in another style: a deal
            self._exact = True
        if not self._exact:
            self._crossed = self._crossed or (style is not None and self._style is not None)
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
        self._given_back.update(h[0][0] for h in held)  # deals now: sorted out again, they open no breakdown
        self.open = self._by_name = False
        self._sum = self._whole = None
        return [(h[0], h[1]) for h in held]

    def _note_numbered(self, parts: list) -> None:
        """Note the rows of `parts` ((item, step)) taken as parts by their part's number."""
        (self.named_parts if self._by_name else self.numbered_parts).extend(item[0] for item, step in parts if step)

    def _step(self, values: list) -> int | None:
        """What a part's row looks like: a name, nothing only a deal has (_DEAL_ONLY), no section number, totals or
        其中 label, and the number of the next part ((1) after a bare 其中 row, then (2) …: that number) or no 序号
        and no planned date (0); None for any other row, and for a section's row written in the name column."""
        sheet = self.sheet
        name = sheet.value(values, "name")
        if name is None or is_blank(name) or not names_a_project(cell_text(name)):
            return None
        if heads_a_section(name) or any(_filled(sheet.value(values, f)) for f in _DEAL_ONLY):
            return None
        seq = sheet.value(values, "seq")
        if self._by_name:  # the next number in the name, and no 序号: a row with one is the next deal
            return self._next if not _filled(seq) and name_part_number(cell_text(name)) == self._next else None
        if _filled(seq):
            if self._numbered and part_number(seq) == self._next:
                return self._next
            if numbered(seq) or section_number(seq) is not None or label_kind(cell_text(seq)) is not None:
                return None
        return None if any(_filled(sheet.value(values, f)) for f in _PLANNED) else 0

    def _names_a_part(self, values: list) -> bool:
        """Whether a 其中 row names its first part (其中：一期工程, 其中 | （1）一期工程), not 其中 alone."""
        cells = (self.sheet.value(values, f) for f in ("seq", "name"))
        return any(_LABEL.sub("", normalise(cell_text(v)), count=1).strip(".、,;") for v in cells if _filled(v))

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


def _filled(value) -> bool:
    """Whether a cell holds anything (not None, not blank text)."""
    return value is not None and not is_blank(value)
