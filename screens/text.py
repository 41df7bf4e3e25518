"""Showing values in cells: widths counted in terminal cells (a Chinese
character takes two), and the ledger's values as a reader expects them."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from rich.cells import cell_len, set_cell_size
from rich.markup import escape as escape_markup

from crm.deals.stages import BY_KEY
from crm.foundation.i18n import N_, _
from crm.foundation.text import terminal_safe
from crm.values.money import Money, format_money, format_yi, percent_text

ELLIPSIS = "…"


def fit(text: str, width: int, align: str = "left") -> str:
    """`text` in exactly `width` cells: cropped with … or padded (left, right or center)."""
    if width <= 0:
        return ""
    text = terminal_safe(text.replace("\n", " "), keep_newlines=False)
    length = cell_len(text)
    if length > width:
        cropped = set_cell_size(text, width - 1).rstrip(" ") if width > 1 else ""
        return cropped + ELLIPSIS + " " * (width - 1 - cell_len(cropped))
    gap = width - length
    if align == "right":
        return " " * gap + text
    if align == "center":
        return " " * (gap // 2) + text + " " * (gap - gap // 2)
    return text + " " * gap


# Units a line is never broken inside: a short quoted value (“2020年13月5日”), a number with its units (2020年5月18日,
# 1.8亿美元), an ASCII word, spaces, any other character alone. A line never starts with closing punctuation, nor ends with opening punctuation.
_UNITS = re.compile(r"“[^”\n]{1,30}”|[!-~]*[0-9][!-~]*(?:[年月日号时分秒亿万千元天个美欧港英镑]+[!-~]*)*|[!-~]+|\s+|.")
_NO_LINE_START = set("，。、；：！？）》」』”,.;:!?)%")
_NO_LINE_END = set("（《「『“(")


def _units(paragraph: str) -> list[str]:
    units: list[str] = []
    for unit in _UNITS.findall(paragraph):
        if units and (unit[0] in _NO_LINE_START or units[-1][-1] in _NO_LINE_END):
            units[-1] += unit
        else:
            units.append(unit)
    return units


#: A line broken between Chinese characters carries up to this many cells of them to the next line, when that
#: lets it break at a space or after punctuation instead (/srv/exports / 不存在, not /srv/exports 不存 / 在).
_CARRY = 6
_BREAKS_AFTER = _NO_LINE_START | set("、")


def _carried(units: list[str], unit: str, width: int) -> int:
    """How many of a full line's last `units` to carry to the next (with `unit`, which did not fit): 0, or the
    Chinese characters after its last space or punctuation when they are few and fit there."""
    tail = 0
    for index in range(len(units) - 1, 0, -1):
        before = units[index - 1]
        tail += cell_len(units[index])
        if tail > _CARRY or tail + cell_len(unit) > width:
            return 0
        if before.isspace() or before[-1] in _BREAKS_AFTER:
            return len(units) - index
    return 0


def _folded(line: str, width: int) -> list[str]:
    """A unit longer than a line, cut into lines of `width` cells (the last one left to be filled on)."""
    lines = []
    while cell_len(line) > width:
        head = set_cell_size(line, width).rstrip()
        head = head if cell_len(head) <= width and head else line[:1]
        lines.append(head)
        line = line[len(head) :]
    return [*lines, line]


def wrap_lines(value: str, width: int) -> list[str]:
    """`value` in lines of at most `width` cells, broken between Chinese characters, at spaces and after
    punctuation, never inside a number, a date or a short quoted value (one longer than a line is folded)."""
    if width <= 0:
        return value.split("\n")
    lines: list[str] = []
    for paragraph in value.split("\n"):
        units: list[str] = []
        for unit in _units(paragraph):
            if cell_len("".join(units)) + cell_len(unit) <= width:
                units.append(unit)
                continue
            carry = _carried(units, unit, width)
            head, units = units[: len(units) - carry], units[len(units) - carry :]
            if "".join(head).strip():
                lines.append("".join(head).rstrip())
            *full, rest = _folded(("".join(units) + unit).lstrip(), width)
            lines.extend(full)
            units = [rest]
        lines.append("".join(units).rstrip())
    return lines


def plain(value: object, keep_newlines: bool = True) -> str:
    """Ledger text for a place that shows it as it is (rich Text, a Segment): controls and bidi as visible escapes.

    Where the string is read as markup instead (Static, Label, a DataTable or rich Table cell
    given a str, a notification, a Select or SelectionList prompt), use `shown`.
    """
    return terminal_safe("" if value is None else str(value), keep_newlines)


def shown(value: object, keep_newlines: bool = True) -> str:
    """Ledger text (a name, a note, a cell of a spreadsheet, an error quoting one) for any widget that reads markup.

    The one escape of the screens: every control, bidi and line-separator character is shown as
    an escape (crm.foundation.text.terminal_safe) and every [ that could open markup ([bold],
    [@click=…], a stray [/] that would end the app) is escaped, so the brackets show as typed.
    """
    return escape_markup(plain(value, keep_newlines))


def safe(value):
    """`value` with every text in it (recursively through dicts and lists) fit for the terminal: see terminal_safe."""
    if isinstance(value, str):
        return terminal_safe(value)
    if isinstance(value, dict):
        return {key: safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [safe(item) for item in value]
    return value


def money(amount: Decimal, currency: str, approximate: bool = False) -> str:
    """An amount in its own currency: 1.8亿美元 / USD 180 million."""
    return format_money(Money(amount, currency, approximate))


def yi(amount_cny: Decimal | None) -> str:
    """CNY in 亿元 with two decimals, or ? when no exchange rate covers the amount yet."""
    return "?" if amount_cny is None else format_yi(amount_cny)


def yi_label(amount_cny: Decimal | None) -> str:
    """12.79亿元 / CNY 12.79 100m — a total in a sentence."""
    return _("{amount} 100m CNY").format(amount=yi(amount_cny))


def stage(key: str | None) -> str:
    return BY_KEY[key].label() if key else "—"


def day(value: datetime.date | None) -> str:
    return value.isoformat() if value else ""


def percent(value) -> str:
    return percent_text(value)


DEMO_ACTOR = N_("demo data")  # who the demo ledger's records are by, stored as the name 演示数据


def actor(name: str | None) -> str:
    """Who recorded something as the screens show it: the user name stored, but the demo loader's own name in
    the current language (it is no person's)."""
    from crm.samples.demo import ACTOR  # here: the demo's tables load with the first deal shown, not the app

    return _(DEMO_ACTOR) if name == ACTOR else (name or "")


def deal_line(deal: dict) -> str:
    """A deal in one line to paste elsewhere: code, name, amount, stage, lead unit, open blockers."""
    from crm.foundation.i18n import _

    parts = [
        deal["code"],
        deal["name"],
        money(deal["amount"], deal["currency"], deal["amount_approximate"]),
        stage(deal["stage"]),
        deal.get("lead_unit") or _("no lead unit"),
        _("{n} open blockers").format(n=deal.get("open_blockers") or 0),
    ]
    return "  ".join(parts)
