"""What an xlsx number format says of the number it shows: its unit, its currency's sign only, or only 'about'."""

from decimal import Decimal

import pytest
from openpyxl.styles.numbers import BUILTIN_FORMATS

from crm.importing.number_formats import format_says_about, format_shows_sign_only, format_unit
from crm.values.money import Money


@pytest.mark.parametrize(
    ("code", "unit", "sign_only"),
    [
        ('0.00"亿美元"', Money(Decimal(10) ** 8, "USD"), False),
        ('"约"0"亿元"', Money(Decimal(10) ** 8, "CNY", True), False),
        ('0"亿元以上"', Money(Decimal(10) ** 8, "CNY", True), False),
        ('"USD "0" million"', Money(Decimal(10) ** 6, "USD"), False),
        ('[Red]#,##0" 万美元"', Money(Decimal(10) ** 4, "USD"), False),
        ('0"元"', Money(Decimal(1), "CNY"), False),
        ('_ "¥"* #,##0.00_ ;_ "¥"* \\-#,##0.00_ ;_ "¥"* "-"??_ ;_ @_ ', Money(Decimal(1), "CNY"), True),
        (r"\¥#,##0.00", Money(Decimal(1), "CNY"), True),
        ("[$$-409]#,##0.00", Money(Decimal(1), "USD"), True),
        ("[$EUR]#,##0", Money(Decimal(1), "EUR"), True),
        ('$#,##0.0,,"M"', Money(Decimal(1), "USD"), False),  # 1.2M shows 1,200,000: the commas divide
        ("#,##0.00", None, False),
        ("General", None, False),
        ('0"以上"', None, False),
        ("yyyy-mm-dd", None, False),
        ("0%", None, False),
    ],
)
def test_a_format_shows_its_unit(code, unit, sign_only):
    assert format_unit(code) == unit
    assert format_shows_sign_only(code) is sign_only


def test_only_about_leaves_the_unit_to_the_column():
    assert format_says_about('0"以上"') and format_says_about('0"左右"')
    assert not format_says_about('0"亿元以上"') and not format_says_about("#,##0")


@pytest.mark.parametrize("ident", [5, 6, 7, 8, 42, 44])
def test_a_built_in_currency_format_leaves_the_currency_to_the_column(ident):
    assert format_unit(BUILTIN_FORMATS[ident]) is None
