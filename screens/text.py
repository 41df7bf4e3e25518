"""Showing values in cells: widths counted in terminal cells (a Chinese
character takes two), and the ledger's values as a reader expects them."""

from __future__ import annotations

import datetime
from decimal import Decimal

from rich.cells import cell_len, set_cell_size

from crm.deals.stages import BY_KEY
from crm.foundation.i18n import N_, _
from crm.foundation.text import terminal_safe
from crm.values.money import Money, format_money, format_money_short, format_yi, percent_text, yi_in_words

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


def wrap_lines(value: str, width: int) -> list[str]:
    """`value` in lines of at most `width` cells (crm.foundation.lines.wrap_cells): broken between Chinese
    characters, at spaces and after punctuation, never inside a number, a date or a quoted value that fits."""
    from crm.foundation.lines import wrap_cells  # here: the first screen wraps nothing

    return wrap_cells(value, width)


def plain(value: object, keep_newlines: bool = True) -> str:
    """Ledger text for a place that shows it as it is (rich Text, a Segment): controls and bidi as visible escapes.

    Where the string is read as markup instead (Static, Label, a DataTable or rich Table cell
    given a str, a notification, a Select or SelectionList prompt), use `shown`.
    """
    return terminal_safe("" if value is None else str(value), keep_newlines)


def shown(value: object, keep_newlines: bool = True) -> str:
    """Ledger text (a name, a note, a cell of a spreadsheet, an error quoting one) for any widget that reads markup.

    The one escape of the screens: every control, bidi and line-separator character is shown as
    an escape (crm.foundation.text.terminal_safe) and every [ is escaped, so the brackets show as typed:
    [bold], [@click=…] or a stray [/] would be markup (the last ends the app), and Textual also reads
    [Sheet1] as a style and drops it, which rich's and Textual's own escape() leave as they are.
    """
    return plain(value, keep_newlines).replace("[", "\\[")


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


def short_money(amount: Decimal, currency: str, approximate: bool = False) -> str:
    """An amount in its own currency in the fewest cells that keep its figure: 1.8亿美元 / USD 180m, CNY 1.5bn."""
    return format_money_short(Money(amount, currency, approximate))


def yi(amount_cny: Decimal | None) -> str:
    """CNY in 亿元 with two decimals, or ? when no exchange rate covers the amount yet."""
    return "?" if amount_cny is None else format_yi(amount_cny)


def yi_label(amount_cny: Decimal | None) -> str:
    """A total in CNY in a sentence: 12.79亿元 (two decimals, as the tables' 亿元 columns), in English as every
    English amount reads (format_money): CNY 1,279 million."""
    return _("{amount} 100m CNY").format(amount=yi(amount_cny)) if amount_cny is None else yi_in_words(amount_cny)


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
