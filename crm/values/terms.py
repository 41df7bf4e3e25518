"""What a deal is found by: its search text and the pinyin initials of its name."""

import re


def initials(text: str) -> str:
    """Pinyin initials of the Chinese characters in `text`, plus any Latin letters and digits, lower case."""
    # Imported here, not at the top: pypinyin's dictionaries are slow and large to load, and
    # listing and searching never need them (only writing a deal's name does).
    from pypinyin import Style, lazy_pinyin

    parts = lazy_pinyin(text or "", style=Style.FIRST_LETTER, errors="default")
    return re.sub(r"[^a-z0-9]", "", "".join(parts).lower())


def name_order(label: str) -> str:
    """The key of a name in name order: by pinyin, as Chinese readers look a name up (安国市 before 保定高新区),
    not by the characters' code points."""
    from pypinyin import lazy_pinyin  # on first use: its dictionaries are large to load

    return " ".join(lazy_pinyin(label))


def index_terms(code: str, name: str, investor: str) -> dict:
    """The values of a deal's search columns."""
    return {
        "search_text": "\n".join((code or "", name or "", investor or "")).lower(),
        "pinyin_initials": initials(name),
    }
