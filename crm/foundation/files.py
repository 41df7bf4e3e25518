"""Files the program reads and writes, checked in one place.

Inputs must be regular files (a FIFO would make a read wait forever, a device
never ends). Outputs — backups, exports, reports — go only to regular files,
never over a database (a SQLite header, or the ledger that is open), never over
an existing file unless the caller was told to (`--force`, a confirmation),
and are written whole or not at all: into a temporary file beside the target
that is removed on failure, on SIGTERM, and, when a process was killed outright,
swept by the next output written to the same folder.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

from crm.foundation.errors import InvalidInput, from_os_error
from crm.foundation.i18n import _

SQLITE_HEADER = b"SQLite format 3\x00"
#: Temporary outputs are named .<target>.<pid>.<token>.crm-part so the next run can tell a dead writer's.
PART_SUFFIX = ".crm-part"

_protected: set[str] = set()
_live: set[Path] = set()
_lock = threading.Lock()


def protect(path: str | os.PathLike) -> None:
    """Never let an output replace `path` (called with the ledger file when it is opened)."""
    with contextlib.suppress(OSError):
        _protected.add(os.path.realpath(path))


def regular_input(path: str | os.PathLike) -> Path:
    """`path` as a Path when it names a regular file that can be read; InvalidInput otherwise."""
    p = Path(path).expanduser()
    try:
        st = os.stat(p)
    except FileNotFoundError:
        raise InvalidInput(_("There is no file {path}").format(path=p)) from None
    except OSError as exc:
        raise from_os_error(exc, p) from None
    if stat.S_ISDIR(st.st_mode):
        raise InvalidInput(_("{path} is a folder, not a file").format(path=p))
    if not stat.S_ISREG(st.st_mode):
        raise InvalidInput(_("{path} is not a regular file (a pipe, device or socket): give a file").format(path=p))
    if not os.access(p, os.R_OK):
        raise InvalidInput(_("Cannot read {path}: permission denied").format(path=p))
    return p


def _is_database(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def check_output(path: str | os.PathLike, force: bool = False) -> Path:
    """The target `path` may be written: a regular file (or none yet) in an existing folder, never a database.

    An existing file is refused unless `force`; a database (SQLite header, or
    the open ledger) is refused always. Raises InvalidInput with one line.
    """
    target = Path(path).expanduser()
    if target.is_dir():
        raise InvalidInput(_("{path} is a folder; give a file name in it").format(path=target))
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise InvalidInput(_("The folder {dir} does not exist").format(dir=folder))
    try:
        st = os.stat(target)
    except FileNotFoundError:
        return target
    except OSError as exc:
        raise from_os_error(exc, target) from None
    if not stat.S_ISREG(st.st_mode):
        raise InvalidInput(
            _("{path} is not a regular file (a pipe, device or socket); nothing was written").format(path=target)
        )
    if os.path.realpath(target) in _protected or _is_database(target):
        raise InvalidInput(
            _("{path} is a database; an output never replaces one: choose another name").format(path=target)
        )
    if not force:
        raise InvalidInput(
            _("{path} already exists: choose another name or add --force to replace it").format(path=target)
        )
    return target


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep(folder: Path) -> list[Path]:
    """Remove the temporary outputs in `folder` whose writing process is gone; returns them."""
    removed = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            name = entry.name
            if not (name.startswith(".") and name.endswith(PART_SUFFIX)):
                continue
            pieces = name[: -len(PART_SUFFIX)].rsplit(".", 2)
            if len(pieces) != 3 or not pieces[1].isdigit() or _alive(int(pieces[1])):
                continue
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def output_file(path: str | os.PathLike, force: bool = False, private: bool = False) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces `path` whole (see check_output).

    `private`: the result is readable by its owner only (backups). On any
    failure — an exception, Ctrl-C, SIGTERM — the temporary file is removed and
    `path` is as it was. OS errors (full or read-only disk) become one line.
    """
    target = check_output(path, force)
    folder = target.parent if str(target.parent) else Path(".")
    sweep(folder)
    import secrets  # here: only a write needs it, and the TUI's launch does not

    temp = folder / f".{target.name[:80]}.{os.getpid()}.{secrets.token_hex(4)}{PART_SUFFIX}"
    try:
        os.close(os.open(temp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except OSError as exc:
        raise from_os_error(exc, target) from None
    with _lock:
        _live.add(temp)
    try:
        yield temp
        check_output(target, force)  # the target may have appeared (or become a database) meanwhile
        with open(temp, "rb") as fh:
            os.fsync(fh.fileno())
        os.chmod(temp, 0o600 if private else 0o644 & ~_umask())
        os.replace(temp, target)
        _fsync_folder(folder)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise from_os_error(exc, target) from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    finally:
        with _lock:
            _live.discard(temp)


def remove_live_outputs() -> None:
    """Remove every temporary output this process is writing (on SIGTERM, before it ends)."""
    with _lock:
        for temp in list(_live):
            with contextlib.suppress(OSError):
                temp.unlink()
        _live.clear()


_installed_by: list[int] = []


def _on_sigterm(signum, frame) -> None:
    if os.getpid() not in _installed_by:
        # A forked child process inherited the handler: it ends as it always did.
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    remove_live_outputs()
    # Unwind like Ctrl-C where possible (open transactions roll back); the exit status says SIGTERM.
    raise SystemExit(128 + signum)


def clean_up_on_sigterm() -> None:
    """Install the SIGTERM handler that removes temporary outputs (main thread only; once)."""
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
        _installed_by.append(os.getpid())
        signal.signal(signal.SIGTERM, _on_sigterm)
