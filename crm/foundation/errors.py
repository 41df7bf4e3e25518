"""The project's own errors. Every user-facing failure is one of these, carrying
one line of text and the exit code the CLI returns for it."""

import unicodedata

# Characters that would break a message over lines or drive the terminal (ESC,
# BEL, bidi overrides …) when a typed value is quoted back: shown as escapes.
_UNSAFE = {"Cc", "Cf", "Zl", "Zp"}


def one_line(text: str) -> str:
    """`text` with control and line-breaking characters written as escapes (\\n, \\x1b, \\u202e)."""
    return "".join(
        ch.encode("unicode_escape").decode("ascii") if unicodedata.category(ch) in _UNSAFE else ch for ch in text
    )


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


# ---- the one funnel: anything the OS or a decoder raises, as one of ours ----------


def _os_reason(exc: OSError) -> str:
    import errno

    from crm.foundation.i18n import _

    reasons = {
        errno.ENOSPC: _("the disk is full"),
        errno.EDQUOT: _("the disk quota is used up"),
        errno.EROFS: _("the file system is read-only"),
        errno.EACCES: _("permission denied"),
        errno.EPERM: _("operation not permitted"),
        errno.ENOENT: _("no such file or folder"),
        errno.ENOTDIR: _("a part of the path is not a folder"),
        errno.EISDIR: _("it is a folder"),
        errno.ENAMETOOLONG: _("the name is too long"),
        errno.ELOOP: _("too many symbolic links (a link loop?)"),
        errno.EIO: _("input/output error on the device"),
        errno.EEXIST: _("it already exists"),
    }
    return reasons.get(exc.errno or 0, exc.strerror or type(exc).__name__)


def from_os_error(exc: OSError, path=None) -> CrmError:
    """An OSError (full disk, read-only, a dangling link …) as one line naming the path and the reason."""
    from crm.foundation.i18n import _

    where = path if path is not None else (exc.filename if exc.filename is not None else "")
    if isinstance(where, bytes):
        where = where.decode("utf-8", "backslashreplace")
    if where:
        return InvalidInput(
            _("Cannot use {path}: {reason}; nothing was changed").format(path=where, reason=_os_reason(exc))
        )
    return InvalidInput(
        _("The system refused the operation: {reason}; nothing was changed").format(reason=_os_reason(exc))
    )


def as_crm_error(exc: BaseException) -> CrmError | None:
    """`exc` as the project's one-line error when it is one the user can cause (OS, decoding, size), else None."""
    from crm.foundation.i18n import _

    if isinstance(exc, CrmError):
        return exc
    # A library's own error around an OS one (xlsxwriter's FileCreateError around a full disk): the OS one tells.
    cause = exc.__cause__ or exc.__context__
    if not isinstance(exc, (OSError, UnicodeError, OverflowError)) and isinstance(cause, OSError):
        exc = cause
    if isinstance(exc, OSError):
        return from_os_error(exc)
    if isinstance(exc, UnicodeError):
        return InvalidInput(
            _("Text that is not valid UTF-8 (or cannot be written as UTF-8) was given: {reason}").format(
                reason=str(exc)[:120]
            )
        )
    if isinstance(exc, OverflowError):
        return InvalidInput(_("A number is too large: {reason}").format(reason=str(exc)[:120]))
    return None


class ConnectionLost(DatabaseError):
    """The database server or the link to it went away; the work may be tried again when it is back (exit 2)."""


def retry_transient(work, attempts: int = 5, pause: float = 0.05):
    """Run `work()`; a transaction that lost a race (an error with `transient`) is run again, up to `attempts` times.

    Only errors that guarantee nothing was saved are marked transient
    (PostgreSQL serialization failures and deadlocks), so running again is safe.
    """
    import random
    import time

    for attempt in range(attempts):
        try:
            return work()
        except CrmError as err:
            if not getattr(err, "transient", False) or attempt == attempts - 1:
                raise
            time.sleep(pause * (2**attempt) * (1 + random.random()))
    return None
