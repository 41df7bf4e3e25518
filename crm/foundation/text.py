"""Checking free text typed by users or read from ledgers, and comparing it."""

import re
import unicodedata

from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import _


class LazyPattern:
    """`re.compile(pattern, flags)`, compiled when it is first used: a module's patterns cost nothing to import
    (the TUI imports the value parsers before its first page but parses nothing then). After the first use its
    methods and attributes are the compiled pattern's own, looked up as fast."""

    _ATTRIBUTES = ("match", "fullmatch", "search", "sub", "subn", "split", "findall", "finditer", "pattern", "flags")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._source = (pattern, flags)

    def __getattr__(self, name: str):
        compiled = re.compile(*self._source)
        for attribute in self._ATTRIBUTES:
            self.__dict__[attribute] = getattr(compiled, attribute)
        return getattr(compiled, name)


_SPACES = LazyPattern(r"\s+")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def folded(text: str) -> str:
    """`text` as compared: NFKC (full-width = half-width), no whitespace, case-folded."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text or "")).casefold()


def clean_text(value, label: str, max_length: int = 200, required: bool = False, multiline: bool = False) -> str:
    """Trimmed text, refusing control characters and text longer than `max_length`.

    `label` names the field in the error message. Newlines are allowed only
    when `multiline` (notes, resolutions).
    """
    text = "" if value is None else str(value)
    if not text.isprintable():
        # Zero-width spaces and joiners come in with pasted text, unseen: dropped, not refused.
        text = text.translate(_INVISIBLE)
    text = text.strip()
    if required and not text:
        raise InvalidInput(_("{label} must not be empty").format(label=label))
    # isprintable() is False for every Cc, Cf, Cs and Co character (and some harmless ones): most text
    # is checked in one call instead of a category look-up per character.
    # (Line and paragraph separators U+2028/2029 are printable for Python but break a line: refused alike.)
    if not text.isprintable() or "\u2028" in text or "\u2029" in text:
        allowed = {"\n", "\t"} if multiline else set()
        for ch in text:
            if ch not in allowed and unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp"):
                raise InvalidInput(
                    _("{label} contains a control character (U+{code:04X}) after “{before}”").format(
                        label=label, code=ord(ch), before=text[: text.index(ch)][-20:]
                    )
                )
    if len(text) > max_length:
        raise InvalidInput(
            _("{label} is {length} characters long; at most {limit} are allowed").format(
                label=label, length=len(text), limit=max_length
            )
        )
    return text


# ---- what reaches a terminal --------------------------------------------------

# C0/C1 controls (ESC starts terminal commands), format characters (bidi overrides reorder what is shown),
# line and paragraph separators, surrogates: written as visible escapes on a terminal.
_TERMINAL_UNSAFE = {"Cc", "Cf", "Zl", "Zp", "Cs"}


def terminal_safe(text: str, keep_newlines: bool = True) -> str:
    """`text` fit for a terminal: every control or bidi character shown as an escape (\\x1b, \\u202e).

    Newlines (and tabs) are kept when `keep_newlines`; everything else that could
    move the cursor, recolour the screen or reorder letters is made visible.
    """
    if text.isprintable():
        return text
    kept = ("\n", "\t") if keep_newlines else ()
    return "".join(
        ch.encode("unicode_escape", "backslashreplace").decode("ascii")
        if ch not in kept and unicodedata.category(ch) in _TERMINAL_UNSAFE
        else ch
        for ch in text
    )


# ---- formulas in spreadsheets -------------------------------------------------

#: First characters that make a spreadsheet read text as a formula (full-width forms too: some programs fold them).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
QUOTE = "'"


def looks_like_formula(value) -> bool:
    """True for text a spreadsheet would run as a formula when it opens a CSV or an edited cell."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def neutralise(value):
    """`value` safe for a CSV cell: text that could be a formula gets a leading apostrophe (OWASP)."""
    return QUOTE + value if looks_like_formula(value) else value


# ---- secrets in URLs ----------------------------------------------------------

_QUERY_SECRET = LazyPattern(r"(?i)([?&;](?:password|passwd|pwd|pass|sslpassword|secret|token)=)[^&;#\s]*")


def _userinfo(url: str) -> tuple[str, str, str | None, str] | None:
    """(scheme, user, password or None, host and the rest) of a URL, split by hand.

    Split at the last @ so that a malformed URL (a bad port, an unencoded / or @
    in the password) still has its password found and masked.
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        return None
    userinfo, at, host = rest.rpartition("@")
    if not at:
        return None
    user, colon, password = userinfo.partition(":")
    return scheme, user, password if colon else None, host


def mask_url(url: str) -> str:
    """`url` with every secret in it (user-info password, password= in the query string) replaced by ***."""
    parts = _userinfo(url)
    if parts is not None and parts[2] is not None:
        scheme, user, _password, host = parts
        url = f"{scheme}://{user}:***@{host}"
    return _QUERY_SECRET.sub(r"\1***", url)


def url_secrets(url: str | None) -> list[str]:
    """Every secret written in `url` (still percent-encoded), to hide wherever a driver quotes it."""
    url = url or ""
    parts = _userinfo(url)
    found = [parts[2]] if parts and parts[2] else []
    found += [m.group(0).split("=", 1)[1] for m in _QUERY_SECRET.finditer(url)]
    return [s for s in found if s and s != "***"]


# ---- whole numbers typed by users ---------------------------------------------

#: The largest integer a database column holds (64-bit signed).
MAX_WHOLE = 2**63 - 1


def whole_number(text, what: str, minimum: int = 0, maximum: int = MAX_WHOLE) -> int:
    """`text` as an int in [minimum, maximum]: ASCII digits only (no ², no ٣), one line naming `what` otherwise."""
    raw = str(text).strip()
    digits = raw[1:] if raw[:1] in "+-" else raw
    if not digits.isascii() or not digits.isdigit() or len(digits) > 19:
        raise InvalidInput(_("{what} must be a whole number, not {text!r}").format(what=what, text=raw[:40]))
    value = int(raw)
    if not minimum <= value <= maximum:
        raise InvalidInput(
            _("{what} must be a whole number from {low} to {high}, not {value}").format(
                what=what, low=minimum, high=maximum, value=value
            )
        )
    return value
