"""The search columns of many deals at once: crm.search.index_terms, with pypinyin's work remembered.

pypinyin converts a name word by word (its segmenter cuts 涿州现代供应链… into
dictionary words); converting the words is ~80% of its time, and a ledger's
names are made of few distinct words (项目, 智能制造, 产业园 …): 100,000 names
take ~10 s through crm.search.initials and ~2 s with each word converted
once. The converter is pypinyin's own (the one lazy_pinyin builds), so the
result is the same; tests/test_import_bulk.py checks it against
crm.search.index_terms.
"""

from __future__ import annotations

import re


class MemoInitials:
    """index_terms() for many deals; keeps one converted result per word.

    Only lazy_pinyin is called on the converter, which reads its results
    without changing them; pinyin() with heteronyms would need copies.
    """

    def __init__(self):
        from pypinyin import Style
        from pypinyin.converter import UltimateConverter
        from pypinyin.core import Pinyin

        class _Remembering(UltimateConverter):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.known: dict = {}

            def convert(self, words, style, heteronym, errors, strict, **kwargs):
                key = (words, style, heteronym, errors, strict)
                found = self.known.get(key)
                if found is None:
                    found = self.known[key] = super().convert(words, style, heteronym, errors, strict, **kwargs)
                # Shared, not copied: lazy_pinyin only reads what convert returns (it chains the lists).
                return found

        # The arguments crm.search.initials' lazy_pinyin(...) builds its converter with.
        self._pinyin = Pinyin(_Remembering(v_to_u=False, neutral_tone_with_five=False, tone_sandhi=False))
        self._style = Style.FIRST_LETTER

    def initials(self, text: str) -> str:
        """crm.search.initials(text)."""
        parts = self._pinyin.lazy_pinyin(text or "", style=self._style, errors="default")
        return re.sub(r"[^a-z0-9]", "", "".join(parts).lower())

    def index_terms(self, code: str, name: str, investor: str) -> dict:
        """crm.search.index_terms(code, name, investor)."""
        return {
            "search_text": "\n".join((code or "", name or "", investor or "")).lower(),
            "pinyin_initials": self.initials(name),
        }
