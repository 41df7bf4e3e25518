"""Finding deals by what people type: a code, any part of a Chinese name or
investor, or pinyin initials (zzgyl finds 涿州现代供应链…).

Each deal keeps two search columns, written whenever its name changes:
`search_text` (code, name, investor; lower case) and `pinyin_initials`.
"""

import re

from pypinyin import Style, lazy_pinyin

from db.models import Deal

_ASCII_WORD = re.compile(r"^[a-z]+$")


def initials(text: str) -> str:
    """Pinyin initials of the Chinese characters in `text`, plus any Latin letters and digits, lower case."""
    parts = lazy_pinyin(text or "", style=Style.FIRST_LETTER, errors="default")
    return re.sub(r"[^a-z0-9]", "", "".join(parts).lower())


def index_terms(code: str, name: str, investor: str) -> dict:
    """The values of a deal's search columns."""
    return {
        "search_text": "\n".join((code or "", name or "", investor or "")).lower(),
        "pinyin_initials": initials(name),
    }


def matches(query: str):
    """A condition on Deal for the search `query` (None when the query is blank).

    Text matches as a substring of code, name or investor. A query of Latin
    letters also matches pinyin initials, either as a run (gyl → 供应链) or
    as a sequence that starts where the name starts (zzgyl → 涿州…供应链).
    """
    q = (query or "").strip().lower()
    if not q:
        return None
    condition = Deal.search_text.contains(q)
    if _ASCII_WORD.match(q):
        # Only a-z reach here, so the LIKE pattern needs no escaping. `**` is
        # Peewee's ILIKE (LIKE on SQLite); its `%` operator would be GLOB on
        # SQLite, where "%" is no wildcard and the sequence never matched.
        condition |= Deal.pinyin_initials.contains(q) | (Deal.pinyin_initials ** ("%".join(q) + "%"))
    return condition
