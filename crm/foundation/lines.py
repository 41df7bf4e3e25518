"""Text in lines of terminal cells, broken where Chinese and mixed text may break: the one line wrapper of the
screens, the CLI's help and the text exports.

Break opportunities are Unicode's line breaking algorithm (UAX #14) as wcwidth implements it: a closing mark
(，。、：）》”) never starts a line, an opening one （《“ never ends one, numbers and dates (2020-05-01, 3,000.5)
stay whole, lines may break between Chinese characters and after spaces. On top of it, what a reader of this
ledger notices:

- a number with its Chinese units (2020年5月18日, 1.8亿美元), an amount with its currency code (USD 180,000.00)
  and a Latin word (a code, a path, well-known) stay whole (UAX #14 breaks before 年, after a space, after a
  hyphen or a slash) unless wider than a line, and ≈ or → with what follows it;
- a quoted or bracketed value (“2020年13月5日”, (22 Jun – 28 Jun)) that fits a line stays whole, and a line may
  break before an opening quote and before a path after a space (UAX #14 keeps 期“2020 and ' /srv' together);
- a line that would end inside a run of Chinese characters ends instead at the space or punctuation a few
  cells before it (/srv/exports 不存 / 在 becomes /srv/exports / 不存在);
- with clauses=True, a clause (up to ，。；：、！？) that fits a line is never split, and within a longer clause a
  space-delimited word that fits a line is not either (the txt export's notes).

Widths are wcwidth's (a Chinese character two cells): what tabulate pads the txt export's grid with and what the
CLI's help is laid out by; on every character of the ledger it agrees with rich's cell_len, which the screens
draw with, but for emoji sequences, where wcwidth counts the one glyph a terminal draws.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import NamedTuple

# The patterns are compiled on first use (re keeps them): compiling their ranges would lengthen the TUI's launch.

#: The units a number is never parted from: dates, times, amounts, currencies, counts.
_UNIT = "(?:美元|欧元|港元|英镑|日元|[年月日号时分秒亿万千百元天周个亩人家项次%％])"
#: Spans no line breaks inside unless one is wider than a line: a count spaced from its measure word as the
#: messages write it (第 3 行, 5 个), a currency code with its amount (USD 180,000.00),
#: a number with its units (2020年5月18日, 1.8亿美元, 3,000.5万元) and a run of Latin letters, digits and ASCII
#: signs (ZS2020-0010, /srv/exports, well-known).
_WHOLE = (
    r"(?:第 )?[0-9][0-9.,]* (?:[行个项次条笔天家]|[亿万]?元)|"
    rf"[A-Z]{{3}} [0-9][0-9.,]*|[!-~\u00c0-\u024f]*[0-9][!-~]*(?:{_UNIT}+[0-9][0-9.,:/-]*)*{_UNIT}*|[!-~\u00c0-\u024f]+"
)
#: A quoted or bracketed value (“2020年13月5日”, (22 Jun – 28 Jun), 《办法》), kept whole unless wider than a line.
_ENCLOSED = r"“[^“”\n]+”|[（(][^（()）\n]+[)）]|《[^《》\n]+》|「[^「」\n]+」"
#: Breaks UAX #14 does not give that Chinese text has: before an opening quote after a Chinese character or
#: punctuation (UAX #14 keeps “ with a number or Latin word after it, 期“2020), and before a path after a space
#: (UAX #14 never breaks before a slash).
_MORE_BREAKS = r"(?<=[\u3400-\u9fff\uf900-\ufaff，。、；：！？）》」』])“|(?<=\s)/"
#: A sign that belongs with what follows it (≈ 12.79亿元, → USD 180,000.00): no break after it and its spaces.
_LEADS = r"[≈→] +"
#: A paragraph of Chinese characters alone (a name, a department), which lines break anywhere in.
_IDEOGRAPHS = "[\u3400-\u4dbf\u4e00-\u9fff]+"
#: What ends a clause, where clauses=True prefers to break.
_CLAUSE_ENDS = frozenset("，。；：、！？;")
#: A line broken between two Chinese characters carries up to this many cells of them to the next line, when
#: that lets it break at a space or punctuation instead.
CARRY = 6


def cells(text: str) -> int:
    """How many terminal cells `text` takes (a Chinese character two); a control character counts none."""
    if text.isascii() and text.isprintable():
        return len(text)
    return (_measure or _measurer())(text)


_measure: Callable[[str], int] | None = None


def _measurer() -> Callable[[str], int]:
    """wcwidth's measure, imported on first use: the TUI's launch does not import wcwidth."""
    global _measure
    from wcwidth import wcswidth, width

    def measure(text: str) -> int:
        size = wcswidth(text)
        return size if size >= 0 else width(text, control_codes="ignore")

    _measure = measure
    return measure


def wrap_cells(text: str, width: int, *, clauses: bool = False) -> list[str]:
    """`text` in lines of at most `width` cells, each "\\n" starting a new paragraph (an empty one an empty line).

    Lines break at UAX #14's opportunities, with the rules above, filled greedily; the whitespace at a line's
    end is dropped, nothing else: the lines joined give the text less that whitespace. A span kept whole but
    wider than a line is broken with fewer spans kept whole, then at UAX #14's opportunities alone, and a piece
    still wider is cut at cells (a character wider than `width`, with `width` < 2, alone on its line). `clauses`
    prefers breaks between clauses, then between words. A `width` below 1 leaves the paragraphs unwrapped.
    """
    return list(_wrapped(text, width, clauses))


@lru_cache(maxsize=4096)  # a ledger's departments, regions and events repeat down a column
def _wrapped(text: str, width: int, clauses: bool) -> tuple[str, ...]:
    out: list[str] = []
    for paragraph in text.split("\n"):
        if width < 1 or cells(paragraph) <= width:
            out.append(paragraph.rstrip())
        elif width > 1 and re.fullmatch(_IDEOGRAPHS, paragraph):
            # UAX #14 breaks between any two ideographs (LB31) and no rule here keeps them together
            out.extend(paragraph[at : at + width // 2] for at in range(0, len(paragraph), width // 2))
        else:
            out.extend(_fill(_units(paragraph, width), width, _clause_carry if clauses else _carry))
    return tuple(out)


class _Unit(NamedTuple):
    """A piece of a paragraph no line breaks inside, with its cells, and its cells less its trailing spaces."""

    text: str
    cells: int
    bare: int


def _unit(text: str) -> _Unit:
    size = cells(text)
    return _Unit(text, size, cells(text.rstrip()) if text[-1:].isspace() else size)


def _units(paragraph: str, width: int, level: int = 0) -> list[_Unit]:
    """The pieces of `paragraph` between the breaks kept (UAX #14's, less those inside a span kept whole), each
    at most `width` cells: a piece wider is broken again with fewer spans kept whole (level 1: numbers and words
    only, level 2: none), and one still wider is cut at cells."""
    from wcwidth import iter_line_breaks

    breaks = {b.index for b in iter_line_breaks(paragraph)} | {m.start() for m in re.finditer(_MORE_BREAKS, paragraph)}
    inside = _inside(paragraph, width, level)
    units: list[_Unit] = []
    start = 0
    for index in sorted(breaks):
        if index in inside:
            continue
        unit = _unit(paragraph[start:index])
        if unit.bare <= width:
            units.append(unit)
        else:
            units.extend(_units(unit.text, width, level + 1) if level < 2 else _cut(unit.text, width))
        start = index
    return units


def _inside(paragraph: str, width: int, level: int) -> set[int]:
    """The positions of `paragraph` inside a span kept whole at `level` (0: all of them, 1: numbers and words)."""
    inside: set[int] = set()
    if level > 1:
        return inside
    for match in re.finditer(_WHOLE, paragraph):
        inside.update(range(match.start() + 1, match.end()))
    if level == 0:
        inside.update(match.end() for match in re.finditer(_LEADS, paragraph) if match.end() < len(paragraph))
        for match in re.finditer(_ENCLOSED, paragraph):
            if cells(match.group()) <= width:
                inside.update(range(match.start() + 1, match.end()))
    return inside


def _cut(piece: str, width: int) -> list[_Unit]:
    """`piece` cut into parts of at most `width` cells between its grapheme clusters (a cluster wider than
    `width` alone); spaces after the last part stay on it."""
    from wcwidth import iter_graphemes

    parts: list[str] = []
    part, used = "", 0
    for cluster in iter_graphemes(piece):
        size = cells(cluster)
        if part and not cluster.isspace() and used + size > width:
            parts.append(part)
            part, used = "", 0
        part, used = part + cluster, used + size
    return [_unit(text) for text in [*parts, part]]


#: (units, first unit of the line, unit that did not fit, width) -> how many of the line's last units to carry.
Carry = Callable[[Sequence[_Unit], int, int, int], int]


def _fill(units: list[_Unit], width: int, carry: Carry) -> list[str]:
    """`units` (each at most `width` cells) greedily in lines of at most `width` cells; when one does not fit,
    `carry` says how many of the line's last units start the next line with it."""
    lines: list[str] = []
    start, used = 0, 0  # the line's first unit, the cells of its units so far (their spaces too)
    for index, unit in enumerate(units):
        if index > start and used + unit.bare > width:
            kept = index - carry(units, start, index, width)
            lines.append("".join(u.text for u in units[start:kept]).rstrip())
            start, used = kept, sum(u.cells for u in units[kept:index])
        used += unit.cells
    lines.append("".join(u.text for u in units[start:]).rstrip())
    return lines


def _ideograph(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\U00020000" <= ch <= "\U0003ffff"


def _between_ideographs(before: _Unit, after: _Unit) -> bool:
    return _ideograph(before.text[-1]) and _ideograph(after.text[0])


def _carry(units: Sequence[_Unit], start: int, index: int, width: int) -> int:
    """0, or when the line would break between two Chinese characters, the units after the line's last space or
    punctuation if they take at most CARRY cells and fit the next line with units[index]."""
    if not _between_ideographs(units[index - 1], units[index]):
        return 0
    tail = 0
    for at in range(index - 1, start, -1):
        tail += units[at].cells
        if tail > CARRY or tail + units[index].bare > width:
            return 0
        if not _between_ideographs(units[at - 1], units[at]):
            # a line of nothing but the spaces before the carried units would be an empty line
            return index - at if any(not u.text.isspace() for u in units[start:at]) else 0
    return 0


def _group_start(units: Sequence[_Unit], start: int, index: int, ends: Callable[[str], bool]) -> int:
    """The first unit of the group (clause or word) units[index] belongs to, looking back no further than
    `start`; groups end after a unit that `ends`."""
    at = index
    while at > start and not ends(units[at - 1].text):
        at -= 1
    return at


def _group_width(units: Sequence[_Unit], first: int, ends: Callable[[str], bool]) -> int:
    """The cells of the group starting at units[first], its last unit's trailing spaces left out."""
    last = first
    while last < len(units) - 1 and not ends(units[last].text):
        last += 1
    return sum(u.cells for u in units[first:last]) + units[last].bare


def _ends_clause(unit: str) -> bool:
    return unit.rstrip()[-1:] in _CLAUSE_ENDS


def _ends_word(unit: str) -> bool:
    return unit[-1:].isspace()


def _clause_carry(units: Sequence[_Unit], start: int, index: int, width: int) -> int:
    """The clause units[index] is in, or else its word, to the next line whole when it fits a line; else _carry."""
    for ends in (_ends_clause, _ends_word):
        first = _group_start(units, start, index, ends)
        if first == index:
            return 0  # the line already ends between two clauses (words)
        if first > start and _group_width(units, first, ends) <= width:
            return index - first
    return _carry(units, start, index, width)
