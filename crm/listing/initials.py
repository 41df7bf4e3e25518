"""The search columns of many deals at once: crm.listing.search.index_terms, with pypinyin's work remembered.

pypinyin converts a name word by word: its segmenter cuts 涿州现代供应链… into
dictionary words, then each word is converted. A ledger's names are made of
few distinct words (项目, 智能制造, 产业园 …), so each word's initials are
converted once. Cutting was then ~3/4 of the time left (2.7 s of 3.6 s at
100,000 names, most of it a Python-level __contains__ per prefix tried and a
generator step per word); `_Cutter` cuts the same way (pypinyin's forward
maximum matching, with its quirks) on the same dictionary with plain set
look-ups. The converter is pypinyin's own (the one lazy_pinyin builds), so
the result is the same; tests/ledger/test_import_bulk.py checks it against
crm.listing.search.index_terms.
"""

from __future__ import annotations

import re
from itertools import chain, groupby

_NOT_INITIAL = re.compile(r"[^a-z0-9]")


class _Cutter:
    """pypinyin.seg.simpleseg.seg (Chinese runs cut by pypinyin.seg.mmseg.seg), as a list, remembered per run."""

    def __init__(self):
        from pypinyin.constants import PHRASES_DICT, RE_HANS
        from pypinyin.seg import mmseg, simpleseg

        self._is_han = RE_HANS.match
        # RE_HANS is ^(?:[class])+$: a character is Chinese when in the class; runs then split at C speed.
        head, tail = "^(?:[", "])+$"
        pattern = RE_HANS.pattern
        self._han_runs = (
            re.compile(f"([{pattern[len(head) : -len(tail)]}]+)")
            if pattern.startswith(head) and pattern.endswith(tail) and "]" not in pattern[len(head) : -len(tail)]
            else None
        )
        self._phrases = PHRASES_DICT
        self._han_chars: dict[str, bool] = {}
        self._runs: dict[str, list[str]] = {}
        self._theirs = None
        try:
            prefix_set = mmseg.seg._prefix_set
            self._strict = mmseg.seg._no_non_phrases
        except AttributeError:
            # A pypinyin whose segmenter keeps other state: cut with its own function (slower, the same words).
            self._theirs = simpleseg.seg
            return
        # PrefixSet keeps its prefixes in a set; anything else is asked through `in`, as mmseg asks it.
        self._prefixes = getattr(prefix_set, "_set", prefix_set)

    def cut(self, text: str) -> list[str]:
        if self._theirs is not None:
            return list(self._theirs(text))
        words: list[str] = []
        for run, han in self._runs_of(text):
            if not han or not self._phrases:
                words.append(run)
                continue
            found = self._runs.get(run)
            if found is None:
                found = self._runs[run] = self._cut_run(run)
            words.extend(found)
        return words

    def runs(self, text: str) -> list[tuple[str, bool]] | None:
        """(run, whether Chinese) of `text` as `cut` splits it before cutting its Chinese runs; None when cut does not."""
        if self._theirs is not None:
            return None
        if self._han_runs is None or not text:
            return self._runs_of(text)
        parts = self._han_runs.split(text)  # non-Chinese, Chinese, non-Chinese … (empty ones at the ends)
        return [(run, bool(i % 2)) for i, run in enumerate(parts) if run]

    def words_of_run(self, run: str, han: bool) -> list[str]:
        """The words `cut` gives for one run of `runs`."""
        if not han or not self._phrases:
            return [run]
        found = self._runs.get(run)
        if found is None:
            found = self._runs[run] = self._cut_run(run)
        return found

    def _runs_of(self, text: str) -> list[tuple[str, bool]]:
        """simpleseg.simple_seg: `text` split where it goes from Chinese characters to others and back."""
        if not text:
            return [("", False)]  # simple_seg('') gives [''], which seg keeps as a word
        known = self._han_chars
        if not known.keys() >= set(text):
            for c in set(text) - known.keys():
                known[c] = bool(self._is_han(c))
        return [("".join(chars), han) for han, chars in groupby(text, known.__getitem__)]

    def _cut_run(self, text: str) -> list[str]:
        """mmseg.Seg.cut: at each place the longest dictionary word, else one character."""
        prefixes, phrases, strict = self._prefixes, self._phrases, self._strict
        words: list[str] = []
        start, n = 0, len(text)
        while start < n:
            matched = valid = start  # ends of the longest prefix and the longest word seen
            end = start + 1
            while end <= n and text[start:end] in prefixes:
                matched = end
                if not strict or text[start:end] in phrases:
                    valid = end
                end += 1
            if valid > start:
                words.append(text[start:valid])
                start = valid
            elif end <= n:  # a prefix stopped short and none of it a word
                if not strict and matched > start:
                    words.append(text[start:matched])
                    start = matched
                else:
                    words.append(text[start])
                    start += 1
            else:  # the rest is a prefix but no word: mmseg gives it character by character
                words.extend(text[start:])
                break
        return words


class MemoInitials:
    """index_terms() for many deals; keeps one converted result per word.

    Only lazy_pinyin's use of the converter is made (no heteronyms), and its
    results are only read.
    """

    def __init__(self):
        from pypinyin import Style
        from pypinyin.converter import UltimateConverter

        # The converter crm.listing.search.initials' lazy_pinyin(...) builds.
        self._converter = UltimateConverter(v_to_u=False, neutral_tone_with_five=False, tone_sandhi=False)
        self._style = Style.FIRST_LETTER
        self._cutter = _Cutter()
        self._words: dict[str, str] = {}
        self._run_initials: dict[str, str] = {}  # a Chinese or other non-ASCII run -> its initials
        # An ASCII letter or digit is its own initial (lazy_pinyin keeps what is not Chinese): checked, not assumed.
        self._ascii_as_is = self._word("Az09") == "Az09"

    def _word(self, word: str) -> str:
        # What lazy_pinyin chains for the word (Pinyin.pinyin's convert call), joined.
        return "".join(chain.from_iterable(self._converter.convert(word, self._style, False, "default", strict=True)))

    def initials(self, text: str) -> str:
        """crm.listing.search.initials(text).

        A name is cut into runs of Chinese and other characters before its words, and what it gives is the
        runs' initials one after another (lower-casing and dropping what is not a-z0-9 go character by
        character): each run is converted once (a ledger's names differ mostly in their numbers).
        """
        runs = self._cutter.runs(text or "")
        if runs is None:
            return self._initials(text)
        known = self._run_initials
        parts = []
        for run, han in runs:
            if not han and self._ascii_as_is and run.isascii():
                parts.append(_NOT_INITIAL.sub("", run.lower()))
                continue
            found = known.get(run)
            if found is None:
                found = known[run] = self._initials_of_words(self._cutter.words_of_run(run, han))
            parts.append(found)
        return "".join(parts)

    def _initials_of_words(self, words: list[str]) -> str:
        known = self._words
        parts = []
        for word in words:
            found = known.get(word)
            if found is None:
                found = known[word] = self._word(word)
            parts.append(found)
        return _NOT_INITIAL.sub("", "".join(parts).lower())

    def _initials(self, text: str) -> str:
        """initials(text) word by word, for a segmenter `_Cutter` cannot split into runs."""
        known = self._words
        parts = []
        for word in self._cutter.cut(text or ""):
            found = known.get(word)
            if found is None:
                found = known[word] = self._word(word)
            parts.append(found)
        return _NOT_INITIAL.sub("", "".join(parts).lower())

    def index_terms(self, code: str, name: str, investor: str) -> dict:
        """crm.listing.search.index_terms(code, name, investor)."""
        return {
            "search_text": "\n".join((code or "", name or "", investor or "")).lower(),
            "pinyin_initials": self.initials(name),
        }
