"""What an xlsx cell's number format says of its number: the unit it shows with it (0.00"亿美元", ¥#,##0.00,
[$$-409]#,##0), or that the number is only about it (0"以上", 0"左右")."""

from __future__ import annotations

import functools
import re

from crm.foundation.errors import InvalidInput
from crm.values.money import APPROXIMATION_LONGEST, Money, parse_amount

# Excel's built-in currency formats (ids 5-8, 42, 44) as openpyxl spells them. Their "$" is the sign of whatever
# system opens the book (ECMA-376 §18.8.30: ¥ on a Chinese one), so they say nothing of the currency: the column does.
_LOCALE_SIGN = frozenset(
    {
        '"$"#,##0_);("$"#,##0)',
        '"$"#,##0_);[Red]("$"#,##0)',
        '"$"#,##0.00_);("$"#,##0.00)',
        '"$"#,##0.00_);[Red]("$"#,##0.00)',
        '_("$"* #,##0_);_("$"* \\(#,##0\\);_("$"* "-"_);_(@_)',
        '_("$"* #,##0.00_)_("$"* \\(#,##0.00\\)_("$"* "-"??_)_(@_)',
    }
)
_APPROXIMATION = re.compile("|".join(map(re.escape, APPROXIMATION_LONGEST)), re.I)
# One token of a format's section: "text", [$sign-locale], [colour or condition], \c, _c or *c (padding), a run of
# digit placeholders, or any other character (shown as it is).
_TOKEN = re.compile(r'"([^"]*)"|\[\$([^\]-]*)[^\]]*\]|\[[^\]]*\]|\\(.)|[_*].|([0#?][0#?.,]*)|(.)', re.S)
# A currency sign or code and the number, nothing else: the format says the currency, not the magnitude.
_SIGN_ONLY = re.compile(r"\s*(?:[A-Za-z]{0,3}[$¥￥€£]|[A-Z]{3}|RMB)?\s*1\s*(?:[A-Z]{3}|RMB)?\s*", re.I)


@functools.lru_cache(maxsize=256)
def _shown(number_format: str | None) -> tuple[str, int]:
    """What a cell of this format shows around the number 1 ('0.00"亿美元"' → '1亿美元', '_ "¥"* #,##0.00_ ' → '¥1'),
    and the thousands the format divides by (0.0,,"M" shows 1200000 as 1.2M): ("", 0) for General or none."""
    if not number_format or number_format == "General":
        return "", 0
    if number_format in _LOCALE_SIGN:
        number_format = number_format.replace('"$"', "")
    shown, scaled, placed = [], 0, False
    for quoted, sign, escaped, digits, other in _TOKEN.findall(number_format.split(";")[0]):
        if digits and not placed:
            shown.append("1")
            scaled, placed = len(digits) - len(digits.rstrip(",")), True
        elif other not in ("", "@", "%", ".", ","):
            shown.append(other)
        shown.append(quoted or sign or escaped)
    return "".join(shown).strip(), scaled


def _format_literal(number_format: str | None) -> str:
    """The text an xlsx number format shows beside the number ("" for General, or none)."""
    return _shown(number_format)[0].replace("1", "", 1).strip()


def format_says_about(number_format: str | None) -> bool:
    """Whether a number format shows only that its number is approximate (0"以上", 0"左右"): no unit of its own, so
    the column's unit applies, and the amount is about it."""
    literal = _format_literal(number_format)
    return bool(literal) and not _APPROXIMATION.sub("", literal).strip()


def format_unit(number_format: str | None) -> Money | None:
    """The unit an xlsx number format shows with the number, as Money of one cell unit: 0.00"亿美元" → 1亿美元,
    "$"#,##0 → 1 USD; approximate when the format also says so ("约"0"亿元", 0"亿元以上"); None when it shows none."""
    shown, scaled = _shown(number_format)
    # 0"以上" or 0"左右" says the number is about it, not its unit: the column's unit stays (format_says_about)
    if "1" not in shown or not re.search(r"[^\W\d_]|[$¥￥€£]", _APPROXIMATION.sub("", shown)):
        return None
    try:
        unit = parse_amount(shown)
    except InvalidInput:
        return None
    return Money(unit.amount.scaleb(-3 * scaled), unit.currency, unit.approximate)


def format_shows_sign_only(number_format: str | None) -> bool:
    """Whether a number format shows a currency's sign and no magnitude (¥#,##0.00, the accounting format,
    [$$-409]#,##0): the cell's currency, while the column's header still says its magnitude (总投资（万元）)."""
    shown = _APPROXIMATION.sub("", _shown(number_format)[0])
    return bool(_SIGN_ONLY.fullmatch(shown)) and shown.strip() != "1"
