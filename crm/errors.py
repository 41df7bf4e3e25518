"""The project's own errors. Every user-facing failure is one of these, carrying
one line of text and the exit code the CLI returns for it."""


class CrmError(Exception):
    """Base of every error a user may see; `str(err)` is the one-line message."""

    exit_code = 2


class InvalidInput(CrmError):
    """A value typed or imported that cannot be accepted (exit 2)."""


class NotFound(CrmError):
    """A code, department, event … that does not exist (exit 2)."""


class MissingRate(CrmError):
    """No exchange rate on or before a date for a currency (exit 2)."""


class Conflict(CrmError):
    """A save based on a stale version of a record (exit 3)."""

    exit_code = 3


class DatabaseError(CrmError):
    """The database cannot be opened or used (exit 2)."""
