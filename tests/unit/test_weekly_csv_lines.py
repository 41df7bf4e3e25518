"""The weekly CSV's deal rows are written as lines of cells joined with commas (exports.weekly_csv._quoted,
_csv_column): each cell quoted exactly where csv.writer (QUOTE_MINIMAL, CRLF line ends) quotes it, for every
character, so that the lines are csv.writer's bytes."""

import csv
import io
import random

import pytest

from exports.weekly_csv import _csv_column, _quoted


def _written(cells: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(cells)
    return out.getvalue()


def test_every_character_is_quoted_as_csv_writer_quotes_it():
    for code in range(0x110000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        ch = chr(code)
        for cell in (ch, f"a{ch}b", f"{ch}{ch}"):
            assert _quoted(cell) + ",x\r\n" == _written([cell, "x"]), repr(cell)


def test_random_rows_are_csv_writers_lines():
    rng = random.Random(16)
    alphabet = "ab ,\"\r\n\t=+-@'涿州\x00\x1b"
    for _round in range(2000):
        cells = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 6))) for _ in range(16)]
        assert ",".join(map(_quoted, cells)) + "\r\n" == _written(cells)


@pytest.mark.parametrize(
    "column",
    [("涿州", "Acme, Inc.", "=A1", None), ("甲", "乙"), ('引号 " 在中间',), ("换行\n", "=x,y"), ()],
    ids=["comma-formula-none", "plain", "quote", "break-and-formula", "empty"],
)
def test_a_text_column_is_each_cell_neutralised_then_quoted(column):
    expected = [_written(["" if v is None else ("'" + v if v.startswith("=") else v), ""])[:-3] for v in column]
    assert list(_csv_column(column)) == expected
