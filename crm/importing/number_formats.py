"""What an xlsx cell's number format says of its number: the unit it shows after it (0.00"亿美元"), or that the
number is only about it (0"以上", 0"左右")."""

from __future__ import annotations

import re

from crm.foundation.errors import InvalidInput
from crm.values.money import APPROXIMATION_WORDS, Money, parse_amount

_APPROXIMATION = re.compile("|".join(sorted(map(re.escape, APPROXIMATION_WORDS), key=len, reverse=True)), re.I)


def _format_literal(number_format: str | None) -> str:
    """The text an xlsx number format shows beside the number ("" for General, or none)."""
    if not number_format or number_format == "General":
        return ""
    section = number_format.split(";")[0]
    literal = "".join(re.findall(r'"([^"]*)"', section)) or re.sub(r"[#0.,?%\\ _*@E+\-\[\]]|\[[^\]]*\]", "", section)
    return literal.strip()


def format_says_about(number_format: str | None) -> bool:
    """Whether a number format shows only that its number is approximate (0"以上", 0"左右"): no unit of its own, so
    the column's unit applies, and the amount is about it."""
    literal = _format_literal(number_format)
    return bool(literal) and not _APPROXIMATION.sub("", literal).strip()


def format_unit(number_format: str | None) -> Money | None:
    """The unit an xlsx number format shows after the number: 0.00"亿美元" → 1亿美元 (as Money of one unit)."""
    literal = _format_literal(number_format)
    # 0"以上" or 0"左右" says the number is about it, not its unit: the column's unit stays (format_says_about)
    if not re.search(r"[^\W\d_]|[$¥€£]", _APPROXIMATION.sub("", literal)):
        return None
    try:
        return parse_amount("1" + literal)
    except InvalidInput:
        about = re.match(r"(?i)\s*about\s+(.*)", literal)
        if about:
            try:
                unit = parse_amount("1" + about.group(1))
                return Money(unit.amount, unit.currency, True)
            except InvalidInput:
                return None
        return None
