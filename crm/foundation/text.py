"""Checking free text typed by users or read from ledgers, and comparing it."""

import re
import unicodedata

from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import _


_SPACES = re.compile(r"\s+")


def folded(text: str) -> str:
    """`text` as compared: NFKC (full-width = half-width), no whitespace, case-folded."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text or "")).casefold()


def clean_text(value, label: str, max_length: int = 200, required: bool = False, multiline: bool = False) -> str:
    """Trimmed text, refusing control characters and text longer than `max_length`.

    `label` names the field in the error message. Newlines are allowed only
    when `multiline` (notes, resolutions).
    """
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise InvalidInput(_("{label} must not be empty").format(label=label))
    # isprintable() is False for every Cc, Cf, Cs and Co character (and some harmless ones): most text
    # is checked in one call instead of a category look-up per character.
    if not text.isprintable():
        allowed = {"\n", "\t"} if multiline else set()
        for ch in text:
            if ch not in allowed and unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co"):
                raise InvalidInput(
                    _("{label} contains a control character (U+{code:04X}): {text!r}").format(
                        label=label, code=ord(ch), text=text[:40]
                    )
                )
    if len(text) > max_length:
        raise InvalidInput(
            _("{label} is {length} characters long; at most {limit} are allowed").format(
                label=label, length=len(text), limit=max_length
            )
        )
    return text
