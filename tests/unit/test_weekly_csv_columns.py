"""The weekly CSV's text columns (exports.weekly_csv._text_column): whatever cell of a column starts like a
formula — the first, one in the middle, the last, a full-width sign, a tab — is neutralised as _cell_text does
one cell, and a column with none is written as it is; NUL inside a cell and None cells change nothing."""

import pytest

from crm.foundation.text import FORMULA_STARTS
from exports.weekly_csv import _cell_text, _text_column

PLAIN = ("涿州新能源项目", "Acme, Inc.", "a=b", "1+1", "", '引号 " 在中间')


@pytest.mark.parametrize("sign", FORMULA_STARTS)
@pytest.mark.parametrize("at", [0, 3, len(PLAIN)])
def test_a_formula_anywhere_in_the_column_is_neutralised(sign, at):
    column = (*PLAIN[:at], f"{sign}SUM(A1)", *PLAIN[at:])
    written = _text_column(column)
    assert list(written) == [_cell_text(v) for v in column]
    assert written[at] == f"'{sign}SUM(A1)"


@pytest.mark.parametrize(
    "column",
    [PLAIN, (*PLAIN, "名称\x00=不是开头"), ("\x00=开头是NUL",), (None, "=A1", "乙"), (None, None), ()],
    ids=["plain", "nul-inside", "nul-first", "none-and-formula", "nones", "empty"],
)
def test_other_columns_are_what_cell_text_gives(column):
    assert list(_text_column(column)) == [_cell_text(v) for v in column]


def test_a_column_without_formulas_is_passed_through():
    assert _text_column(PLAIN) is PLAIN
