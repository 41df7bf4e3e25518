"""The project's own errors. Every user-facing failure is one of these, carrying
one line of text and the exit code the CLI returns for it."""

import unicodedata

# Characters that would break a message over lines or drive the terminal (ESC,
# BEL, bidi overrides …) when a typed value is quoted back: shown as escapes.
_UNSAFE = {"Cc", "Cf", "Zl", "Zp"}


def one_line(text: str) -> str:
    """`text` with control and line-breaking characters written as escapes (\\n, \\x1b, \\u202e)."""
    return "".join(ch.encode("unicode_escape").decode("ascii") if unicodedata.category(ch) in _UNSAFE else ch
                   for ch in text)


class CrmError(Exception):
    """Base of every error a user may see; `str(err)` is the one-line message."""

    exit_code = 2

    def __str__(self) -> str:
        return one_line(super().__str__())


class InvalidInput(CrmError):
    """A value typed or imported that cannot be accepted (exit 2)."""


class NotFound(CrmError):
    """A code, department, event … that does not exist (exit 2)."""


class MissingRate(CrmError):
    """No exchange rate on or before a date for a currency (exit 2)."""


class Conflict(CrmError):
    """A save based on a stale version of a record (exit 3); `current` is the record as it is now."""

    exit_code = 3
    current: object = None


class DatabaseError(CrmError):
    """The database cannot be opened or used (exit 2)."""


class Interrupted(CrmError):
    """Work stopped on purpose because its answer was no longer wanted (a stale count while typing)."""
