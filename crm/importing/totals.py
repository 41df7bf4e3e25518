"""Totals rows (合计/总计): their amounts compared with the sum of the rows; and amounts too large for one deal."""

from __future__ import annotations

import bisect
import datetime
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, localcontext

from peewee import PeeweeException

from crm.foundation.i18n import _, list_sep
from crm.importing.cells import CellError, cell_text, inline, is_blank, parse_amount_cell
from crm.importing.rows import Problem, _cell_of, _Sheet
from crm.reference import fx
from crm.values.money import APPROXIMATION_LONGEST, OVER_WORDS, UNDER_WORDS, Money, format_money
from db.models import database

#: More than this many units of a currency for one deal (1000亿元) is more likely a unit read wrong (30000 in a
#: 亿元 column meant as 万元) than a deal: said, never refused. A yen amount is exempt (1000亿日元 is about 50亿元).
IMPLAUSIBLE = Decimal(10) ** 11


def warnings_of(rows: list, labels: dict) -> list[Problem]:
    """The warnings of the RowPlans `rows`, in row order: their own, and an amount or funds beyond IMPLAUSIBLE."""
    out = []
    for r in rows:
        if r.warnings:
            out += r.warnings
        money, funds = r.money, r.funds  # one look per row: a ledger has a million
        if money is not None and money.amount > IMPLAUSIBLE and money.currency != "JPY":
            out.append(_implausible(r, labels, "amount", money))
        if funds is not None and funds.amount > IMPLAUSIBLE and funds.currency != "JPY":
            out.append(_implausible(r, labels, "funds", funds))
    return out


def _implausible(row, labels: dict, f: str, money) -> Problem:
    label, raw = _cell_of(row, labels, f) or ("", None)
    return Problem(
        row.row,
        label,
        cell_text(raw),
        "amount_implausible",
        _(
            "{amount} for one deal is more than 1000亿元: check the unit of the cell and of its column (the header "
            "or a 单位 note)"
        ).format(amount=format_money(money)),
    )


class AmountSums:
    """What a totals row's check reads of the data rows, added up as they are read: no row is kept for it.

    Per part of the sheet (the rows between one totals row and the next: a section with its own 合计) and per
    amount column (总投资, 折合人民币): the plain numbers, the amounts in the column's currency and unit, the rows
    in another currency or not a number, the sums per currency, and the amounts a conversion to yuan needs
    (converted only if the check gets that far, as it did when every row was kept).
    """

    def __init__(self, sheet: _Sheet):
        self.sheet = sheet
        self.units = {
            f: sheet.units.get(f) or sheet.note_unit or (Decimal(1), "CNY")
            for f in ("amount", "amount_cny")
            if f in sheet.header.columns
        }
        self.parts: list[dict] = []  # part -> {field: _FieldSums}
        self.counts: list[int] = []  # part -> the rows read in it

    def part(self, index: int) -> dict:
        """{field: _FieldSums} of part `index` (made, with those before it, when none was read yet)."""
        while len(self.parts) <= index:
            self.parts.append({f: _FieldSums(unit) for f, unit in self.units.items()})
            self.counts.append(0)
        return self.parts[index]

    def add(self, rows: list, bounds: list | tuple = ()) -> None:
        """Count the RowPlans `rows` in (each data row once, in order); `bounds`: the row numbers of the totals
        rows found so far, in order (a row's part is the number of totals rows above it)."""
        start = 0
        while start < len(rows):
            index = bisect.bisect_left(bounds, rows[start].row)
            end = len(rows) if index >= len(bounds) else bisect.bisect_left(rows, bounds[index], start, key=_row_of)
            end = max(end, start + 1)
            part, piece = self.part(index), rows[start:end] if start or end < len(rows) else rows
            self.counts[index] += len(piece)
            for f, sums in part.items():
                sums.add(f, [r for r in piece if f in r.raw])
            start = end

    def fields(self, first: int, last: int) -> dict:
        """{field: _FieldSums} of the parts `first` to `last` (inclusive) together."""
        parts = self.parts[first : last + 1]
        if len(parts) == 1:
            return parts[0]
        return {f: _FieldSums.merged([p[f] for p in parts], unit) for f, unit in self.units.items()}

    def rows_in(self, index: int) -> int:
        """The rows read in part `index`."""
        return self.counts[index] if index < len(self.counts) else 0


def _row_of(row) -> int:
    return row.row


class _FieldSums:
    __slots__ = ("unit", "numbers", "same", "others", "by_currency", "unit_amounts", "foreign", "counted")

    def __init__(self, unit: tuple):
        self.unit = unit
        self.counted = 0  # the cells holding numbers
        self.numbers = self.same = self.unit_amounts = Decimal(0)
        self.others: list[int] = []
        self.by_currency: dict[str, Decimal] = {}
        self.foreign: list = []  # (Money, signed_on) of the rows in another currency than the column's

    @classmethod
    def merged(cls, parts: list, unit: tuple) -> _FieldSums:
        """The sums of `parts` (of one column) together, in their order."""
        out = cls(unit)
        for p in parts:
            out.counted += p.counted
            out.numbers += p.numbers
            out.same += p.same
            out.unit_amounts += p.unit_amounts
            out.others += p.others
            out.foreign += p.foreign
            for currency, amount in p.by_currency.items():
                out.by_currency[currency] = out.by_currency.get(currency, Decimal(0)) + amount
        return out

    def add(self, f: str, rows: list) -> None:
        """Add the cells of column `f` of `rows` (RowPlans, in order) and their Money, row by row in that order.

        What a row adds is worked out once per distinct cell and per Money object (a chunk's rows of one
        amount cell share theirs); the additions are the rows', one by one, so the sums are exactly theirs.
        """
        unit = self.unit
        numbers: dict = {}  # (type, cell) -> (_as_number(cell), whether the cell is filled)
        scaled: dict = {}  # id(Money) -> (the Money, its amount in the column's unit)
        for r in rows:
            raw, money = r.raw[f], r.money
            try:
                number = numbers.get((type(raw), raw))
            except TypeError:  # an unhashable cell (a signalling NaN): read as it is
                number = (_as_number(raw), raw is not None and not is_blank(raw))
            if number is None:
                number = numbers[(type(raw), raw)] = (_as_number(raw), raw is not None and not is_blank(raw))
            value = number[0]
            if money is not None:
                in_unit = scaled.get(id(money))
                if in_unit is None or in_unit[0] is not money:
                    in_unit = scaled[id(money)] = (money, money.amount / unit[0] if money.currency == unit[1] else None)
            if value is not None:
                self.counted += 1
                self.numbers += value
                if f == "amount_cny" or money is None or money.currency == unit[1]:
                    self.same += value
                else:
                    self.others.append(r.row)
            elif f == "amount" and money is not None and money.currency == unit[1]:
                self.same += in_unit[1]
            elif number[1]:
                self.others.append(r.row)
            if money is not None:
                self.by_currency[money.currency] = self.by_currency.get(money.currency, Decimal(0)) + money.amount
                if money.currency != unit[1]:
                    self.foreign.append((money, r.signed_on))
                else:
                    self.unit_amounts += in_unit[1]


class _Said:
    """What checking one totals row says (a Plan's notices, warnings and totals checked), kept until chosen."""

    def __init__(self):
        self.notices: list = []
        self.warnings: list = []
        self.totals_checked: list = []

    def into(self, plan) -> None:
        plan.notices += self.notices
        plan.warnings += self.warnings
        plan.totals_checked += self.totals_checked


def check_totals(sheet: _Sheet, plan, totals: list, sums: AmountSums) -> None:
    """Check each totals row of `totals` ((row number, values), in order) against the rows `sums` added up, what
    it says added to `plan` (a crm.importing.plan.Plan).

    A totals row adds the rows of its part (those since the totals row above it: a section with its own 合计);
    one with no rows of its own (a 总计 after the sections' 合计, or a 合计 above the rows) adds every row. A
    total that adds all the rows so far (a running total) is accepted as well as one adding its part's.
    """
    sums.part(0)  # a sheet with no rows at all: its totals rows are checked against nothing added up
    for index, (number, values) in enumerate(totals):
        if sums.rows_in(index):
            candidates = [sums.fields(index, index)] + ([sums.fields(0, index)] if index else [])
        else:
            candidates = [sums.fields(0, len(sums.parts) - 1)]
        chosen = None
        for fields in candidates:
            said = _Said()
            _check_totals(sheet, said, number, values, fields)
            if chosen is None or not said.warnings:
                chosen = said
            if not said.warnings:
                break
        if chosen is not None:
            chosen.into(plan)


def _check_totals(sheet: _Sheet, plan, number: int, values: list, sums: dict) -> None:
    """Check the totals row `number` of `sheet` against the data rows `sums` ({field: _FieldSums}) added up."""
    for f in ("amount", "amount_cny"):
        col = sheet.header.columns.get(f)
        if col is None or col >= len(values) or values[col] is None or is_blank(values[col]):
            continue
        cell = values[col]
        label = sheet.label(f)
        if _as_number(cell) is not None or _about_number(cell) is not None:
            _check_numeric_total(sheet, plan, number, f, label, cell, sums[f])
        else:
            _check_text_total(plan, number, f, label, cell, sums[f])


def _as_number(value) -> Decimal | None:
    """A cell holding a plain number (a CSV's 1,050,000 too), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, Decimal)):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        return number if number.is_finite() else None
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        if re.fullmatch(r"[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?|[0-9]+(\.[0-9]+)?", text):
            return Decimal(text.replace(",", ""))
    return None


def _about_number(value) -> Decimal | None:
    """The number of a cell holding a plain number marked approximate (约346.42, about 346.42, 346.42左右: what
    our weekly table writes for a total adding an approximate amount), else None."""
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFKC", value).strip().lower()
    core = text
    before = next((w for w in APPROXIMATION_LONGEST if core.startswith(w)), "")
    core = core[len(before) :].strip()
    after = next((w for w in APPROXIMATION_LONGEST if core.endswith(w)), "")
    core = core[: len(core) - len(after)].strip()
    return _as_number(core) if core != text else None


def _window(cell, f: str, counted: int) -> tuple[Decimal, Decimal, Decimal]:
    """(the total a totals cell states, the lowest and highest sums of `counted` rows it is true of).

    An exact total is true of the sums that round to it (half a unit of its last decimal); an approximate one
    (约346.42) of those that round to it at the precision shown, or that its word allows (近, 余: _allowed). Each
    row's 折合人民币 is rounded as written (our weekly table's too, whose 合计 rounds the exact sum): in that
    column every row's rounding widens the window.
    """
    total = _as_number(cell)
    rows = max(counted, 1) if f == "amount_cny" else 1
    if total is not None:
        tolerance = _tolerance(total) * rows
        return total, total - tolerance, total + tolerance
    text = cell_text(cell)
    total = _about_number(cell)
    low, high = _allowed(text, Money(total, "CNY", True))
    more = Decimal(5).scaleb(_last_digit(text) - 1) * (rows - 1)
    return total, low - more, high + more


def _tolerance(total: Decimal) -> Decimal:
    """Half a unit of the last decimal written, at least a billionth of the total (float noise)."""
    exponent = total.normalize().as_tuple().exponent
    half = Decimal(5).scaleb(exponent - 1) if exponent < 0 else Decimal("0.5")
    return max(half, abs(total) * Decimal("1e-9"))


def _check_numeric_total(sheet, plan, number, f, label, cell, sums: _FieldSums) -> None:
    """A number in the totals row is compared with the rows in the column's currency and unit.

    Amounts in another currency (1.8亿美元 written in a 总投资(亿元) column) are
    left out, as a spreadsheet's SUM leaves out text; a total that adds only the
    cells holding numbers is accepted with a notice.
    """
    unit = sums.unit
    total, low, high = _window(cell, f, sums.counted)
    shown = _plain(total) if _as_number(cell) is not None else inline(cell_text(cell))
    same, numbers, others = sums.same, sums.numbers, sums.others
    if not sums.counted and not total and sums.by_currency:
        _text_cells_summed(plan, number, label, sums)
        return
    if low <= same <= high:
        expected = same
        if others:
            plan.notices.append(
                _(
                    "Totals row {row} ({column}): rows {rows} are in another currency or not a number "
                    "and were left out of the check"
                ).format(row=number, column=label, rows=", ".join(map(str, others)))
            )
    elif low <= numbers <= high:
        expected = numbers
        plan.notices.append(
            _(
                "Totals row {row} ({column}) adds only the cells holding numbers; all rows in the "
                "column's currency add up to {sum}"
            ).format(row=number, column=label, sum=format_money(Money(same * unit[0], unit[1])))
        )
    else:
        expected = same
        converted = _converted_sum(sums, unit)
        near = abs(total) * Decimal("0.0005")  # a rate written to fewer decimals than the one it converted at
        if converted is not None and min(low, total - near) <= converted <= max(high, total + near):
            expected = converted  # the sheet's note converts other currencies into the column's (USD at its rate)
            plan.notices.append(
                _("Totals row {row} ({column}) adds rows {rows} converted to yuan").format(
                    row=number, column=label, rows=", ".join(map(str, others))
                )
            )
        else:
            expected = same
            plan.warnings.append(
                Problem(
                    number,
                    label,
                    cell_text(cell),
                    "totals_mismatch",
                    _(
                        "The totals row says {total} but the rows add up to {sum} (converted to yuan: {converted}; rows in "
                        "another currency: {rows}); check the rows or the total (--strict refuses the file)"
                    ).format(
                        total=shown,
                        sum=_plain(same),
                        converted=_plain(converted) if converted is not None else "—",
                        rows=", ".join(map(str, others)) or "—",
                    ),
                )
            )
    plan.totals_checked.append((number, label, shown, _plain(expected)))


def _text_cells_summed(plan, number: int, label: str, sums: _FieldSums) -> None:
    """A totals row of 0 over a column whose cells are all amounts written as text (5亿元): a spreadsheet's SUM
    adds none of them, so there is nothing to check; one notice says so with what the rows add up to."""
    plan.notices.append(
        _(
            "Totals row {row} ({column}) is 0: the column's amounts are written as text, which a spreadsheet's "
            "SUM leaves out; the rows add up to {sum}"
        ).format(row=number, column=label, sum=_by_currency(sums))
    )


def _by_currency(sums: _FieldSums) -> str:
    """The rows' sums per currency as a reader expects them (19.2亿元、1.8亿美元)."""
    return list_sep().join(format_money(Money(v, c)) for c, v in sums.by_currency.items())


def _converted_sum(sums: _FieldSums, unit: tuple) -> Decimal | None:
    """The rows' amounts in the column's unit, other currencies converted to yuan at the signing date's rate;
    None when a rate is missing."""
    total = sums.unit_amounts
    for money, signed_on in sums.foreign:
        if database.obj is None:
            return None  # the file read with no ledger open: no rates to convert at
        try:
            cny, _rate = fx.convert(money.amount, money.currency, signed_on or datetime.date.today())
        except PeeweeException:
            return None
        if cny is None:
            return None
        amount = cny if unit[1] == "CNY" else None
        if amount is None:
            return None
        total += amount / unit[0]
    return total


def _check_text_total(plan, number, f, label, cell, sums: _FieldSums) -> None:
    """Text totals (117亿余元, or 105亿元、1.8亿美元) are compared per currency, to the precision written."""
    if f != "amount":
        return
    parts = [p.strip() for p in re.split(r"[、;；，+]|,\s+|\s{2,}", cell_text(cell)) if p.strip()]
    try:
        stated = [(p, parse_amount_cell(p, None, None, None, None)) for p in parts]
    except CellError:
        plan.notices.append(
            _("The totals row {row} in {column} was not checked: {value!r} is not an amount").format(
                row=number, column=label, value=cell_text(cell)
            )
        )
        return
    by_currency = sums.by_currency
    wrong = set(by_currency) != {m.currency for _p, m in stated} or len(stated) != len(by_currency)
    for text, m in stated:
        low, high = _allowed(text, m)
        wrong |= not (low <= by_currency.get(m.currency, Decimal(0)) <= high)
    shown_sum = _by_currency(sums)
    if wrong:
        plan.warnings.append(
            Problem(
                number,
                label,
                cell_text(cell),
                "totals_mismatch",
                _(
                    "The totals row says {total} but the rows add up to {sum}: correct the rows or the total, or delete "
                    "the totals row"
                ).format(total=cell_text(cell), sum=shown_sum),
            )
        )
    plan.totals_checked.append((number, label, inline(cell_text(cell)), shown_sum))


def _allowed(text: str, stated: Money) -> tuple[Decimal, Decimal]:
    """The sums a stated total is true of, to the precision written: 117亿元 is 116.5亿–117.5亿; 117亿余元 and 超117亿元
    117亿 up to 118亿 (or rounded to 117亿); 近117亿元 116亿 up to 117亿; 约117亿元 and 117亿元左右 116.5亿–117.5亿."""
    step = Decimal(1).scaleb(_last_digit(text))
    half = max(step / 2, Decimal("0.005"))
    amount = stated.amount
    if not stated.approximate:
        return amount - half, amount + half
    normal = unicodedata.normalize("NFKC", text)
    if any(word in normal for word in OVER_WORDS):
        return amount - half, amount + step
    if any(word in normal for word in UNDER_WORDS):
        return amount - step, amount + half
    return amount - half, amount + half


def _last_digit(text: str) -> int:
    """The power of ten of the last digit written in an amount: 117亿 → 8, 379.67亿 → 6, USD 1.5 million → 5."""
    normal = unicodedata.normalize("NFKC", text).lower()
    unit = (
        8 if "亿" in normal else 4 if "万" in normal else 6 if "million" in normal else 9 if "billion" in normal else 0
    )
    digits = re.search(r"[0-9][0-9,]*(?:\.([0-9]+))?", normal)
    decimals = len(digits.group(1) or "") if digits else 0
    return unit - decimals


def _plain(value: Decimal) -> str:
    """A total as shown in messages: at most 4 decimals, no exponent."""
    with localcontext() as ctx:
        # Enough digits for the integer part of any value (a cell may hold 1e76) plus 4 decimals.
        ctx.prec = max(28, value.adjusted() + 6) if value.is_finite() else 28
        return format(value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP).normalize(), "f")
