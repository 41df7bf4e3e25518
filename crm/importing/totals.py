"""Totals rows (合计/总计): their amounts compared with the sum of the rows."""

from __future__ import annotations

import datetime
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, localcontext

from peewee import PeeweeException

from crm.foundation.i18n import _
from crm.importing.cells import CellError, cell_text, is_blank, parse_amount_cell
from crm.importing.rows import Problem, _Sheet
from crm.reference import fx
from crm.values.money import Money, format_money
from db.models import database


def _check_totals(sheet: _Sheet, plan, number: int, values: list) -> None:
    """Check the totals row `number` of `sheet` against the rows of `plan` (a crm.importing.plan.Plan)."""
    for f in ("amount", "amount_cny"):
        col = sheet.header.columns.get(f)
        if col is None or col >= len(values) or values[col] is None or is_blank(values[col]):
            continue
        cell = values[col]
        label = sheet.label(f)
        rows = [r for r in plan.rows if f in r.raw]
        if _as_number(cell) is not None:
            _check_numeric_total(sheet, plan, number, f, label, cell, rows)
        else:
            _check_text_total(plan, number, f, label, cell, rows)


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


def _tolerance(total: Decimal) -> Decimal:
    """Half a unit of the last decimal written, at least a billionth of the total (float noise)."""
    exponent = total.normalize().as_tuple().exponent
    half = Decimal(5).scaleb(exponent - 1) if exponent < 0 else Decimal("0.5")
    return max(half, abs(total) * Decimal("1e-9"))


def _check_numeric_total(sheet, plan, number, f, label, cell, rows) -> None:
    """A number in the totals row is compared with the rows in the column's currency and unit.

    Amounts in another currency (1.8亿美元 written in a 总投资(亿元) column) are
    left out, as a spreadsheet's SUM leaves out text; a total that adds only the
    cells holding numbers is accepted with a notice.
    """
    unit = sheet.units.get(f) or sheet.note_unit or (Decimal(1), "CNY")
    total = _as_number(cell)
    same = numbers = Decimal(0)
    others = []
    for r in rows:
        raw = r.raw[f]
        value = _as_number(raw)
        if value is not None:
            numbers += value
            if f == "amount_cny" or r.money is None or r.money.currency == unit[1]:
                same += value
            else:
                others.append(r.row)
        elif f == "amount" and r.money is not None and r.money.currency == unit[1]:
            same += r.money.amount / unit[0]
        elif raw is not None and not is_blank(raw):
            others.append(r.row)
    tolerance = _tolerance(total)
    if abs(same - total) <= tolerance:
        expected = same
        if others:
            plan.notices.append(
                _(
                    "Totals row {row} ({column}): rows {rows} are in another currency or not a number "
                    "and were left out of the check"
                ).format(row=number, column=label, rows=", ".join(map(str, others)))
            )
    elif abs(numbers - total) <= tolerance:
        expected = numbers
        plan.notices.append(
            _(
                "Totals row {row} ({column}) adds only the cells holding numbers; all rows in the "
                "column's currency add up to {sum}"
            ).format(row=number, column=label, sum=_plain(same))
        )
    else:
        expected = same
        converted = _converted_sum(rows, unit)
        if converted is not None and abs(converted - total) <= max(tolerance, abs(total) * Decimal("0.0005")):
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
                        total=_plain(total),
                        sum=_plain(same),
                        converted=_plain(converted) if converted is not None else "—",
                        rows=", ".join(map(str, others)) or "—",
                    ),
                )
            )
    plan.totals_checked.append((number, label, _plain(total), _plain(expected)))


def _converted_sum(rows: list, unit: tuple) -> Decimal | None:
    """The rows' amounts in the column's unit, other currencies converted to yuan at the signing date's rate;
    None when a rate is missing."""
    total = Decimal(0)
    for r in rows:
        if r.money is None:
            continue
        amount = r.money.amount
        if r.money.currency != unit[1]:
            if database.obj is None:
                return None  # the file read with no ledger open: no rates to convert at
            try:
                cny, _rate = fx.convert(amount, r.money.currency, r.signed_on or datetime.date.today())
            except PeeweeException:
                return None
            if cny is None:
                return None
            amount = cny if unit[1] == "CNY" else None
            if amount is None:
                return None
        total += amount / unit[0]
    return total


def _check_text_total(plan, number, f, label, cell, rows) -> None:
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
    sums: dict[str, Decimal] = {}
    for r in rows:
        if r.money is not None:
            sums[r.money.currency] = sums.get(r.money.currency, Decimal(0)) + r.money.amount
    wrong = set(sums) != {m.currency for _p, m in stated} or len(stated) != len(sums)
    for text, m in stated:
        got = sums.get(m.currency, Decimal(0))
        step = Decimal(1).scaleb(_last_digit(text))
        if m.approximate:
            # 117亿余元: at least 117亿 and less than 118亿 (or rounded to it).
            wrong |= not (m.amount - step / 2 <= got < m.amount + step)
        else:
            wrong |= abs(got - m.amount) > max(step / 2, Decimal("0.005"))
    shown_sum = "、".join(format_money(Money(v, c)) for c, v in sums.items())
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
    plan.totals_checked.append((number, label, cell_text(cell), shown_sum))


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
