"""The weekly workbook measures ASCII and CJK text from its lengths (exports.weekly_xlsx_body): every character
of that class is as wide as wcwidth says, and a chunk's column of text (the widest line, each text's lines at
the column's cap) and line_width measure random text of that class and others as wcwidth does."""

import math
import random

from wcwidth import wcswidth, wcwidth

from exports.weekly_xlsx_body import _NARROW_OR_WIDE, _Column, line_width, lines_of


def _class_characters() -> list[str]:
    return [chr(c) for c in range(0x10000) if _NARROW_OR_WIDE.fullmatch(chr(c))]


def test_every_character_of_the_class_is_one_byte_and_narrow_or_three_bytes_and_wide():
    characters = _class_characters()
    assert len(characters) > 20_000 and "a" in characters and "项" in characters and "、" in characters
    for ch in characters:
        assert (len(ch.encode()), wcwidth(ch)) in ((1, 1), (3, 2)), hex(ord(ch))
    for ch in ("\n", "\t", "\x7f", "“", "—", "é", "😀", "\u303f", "\u302a"):
        assert not _NARROW_OR_WIDE.fullmatch(ch), repr(ch)


def _wcswidth(line: str) -> int:
    w = wcswidth(line)
    return w if w >= 0 else len(line) * 2  # control characters: as line_width counts them


def _lines_one_by_one(texts, cap: int) -> tuple[int, list[int]]:
    widest, lines = 0, []
    for text in texts:
        widths = tuple(_wcswidth(line) for line in text.split("\n"))
        widest = max(widest, *widths)
        lines.append(lines_of(widths, cap))
    return widest, lines


def test_a_column_measures_as_each_text_is_measured():
    rng = random.Random(16)
    characters = _class_characters()
    others = ["“", "—", "é", "😀", "\n", "\t", "\x01", "\u3000"]
    for cap in (6, 12, 16, 20, 32):
        for mix in (characters[:95], characters, characters + others):
            texts = tuple("".join(rng.choice(mix) for _ in range(rng.randrange(0, 40))) for _ in range(300))
            column = _Column(cap)
            lines = column.texts(texts) or [1] * len(texts)
            widest, expected = _lines_one_by_one(texts, cap)
            assert (column.widest, [max(n, 1) for n in lines]) == (widest, expected), (cap, len(mix))
            for text in texts:
                assert [line_width(line) for line in text.split("\n")] == list(map(_wcswidth, text.split("\n")))


def test_one_line_text_that_fits_its_cap_is_one_line():
    column = _Column(20)
    assert column.widths([0, 5, column.fit]) is None and column.widest == column.fit
    assert column.widths([column.fit + 1]) == [math.ceil((column.fit + 1) * 1.1 / 18.5)] == [2]
