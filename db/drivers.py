"""The drivers: PostgreSQL's loaded when a PostgreSQL ledger is first opened, not by every start; SQLite's
library configured for threads that read side by side.

Peewee imports psycopg2 (and with it libpq and OpenSSL) when peewee itself is
imported, whichever database the program then opens. The entry point (app.py)
imports peewee through without_postgres_driver() first, so a SQLite ledger never
loads the driver; opening a PostgreSQL ledger calls load_postgres_driver(),
which imports psycopg2 and gives peewee what its own import would have.
"""

from __future__ import annotations

import platform
import sys
import threading
from collections.abc import Callable
from typing import Any

#: The PostgreSQL drivers peewee tries at import (psycopg2, then psycopg 3).
_DRIVERS = ("psycopg2", "psycopg")


def without_postgres_driver() -> None:
    """Import peewee as if no PostgreSQL driver were installed (a no-op once peewee is imported)."""
    if "peewee" in sys.modules:
        return
    present = {name: sys.modules[name] for name in _DRIVERS if name in sys.modules}
    for name in _DRIVERS:
        sys.modules[name] = None  # type: ignore[assignment]  # `import name` raises ImportError
    try:
        import peewee  # noqa: F401
    finally:
        for name in _DRIVERS:
            del sys.modules[name]
        sys.modules.update(present)


def load_postgres_driver() -> None:
    """Make sure peewee's PostgreSQL support has psycopg2, importing it now if peewee was imported without it.

    Sets what peewee's own import sets when psycopg2 is there: the module and
    its extensions, the JSON adapter, the UUID adapter registered, and the
    transaction states of peewee's psycopg2 adapter.
    """
    import peewee as peewee_module

    peewee: Any = peewee_module  # the attributes peewee sets only when psycopg2 imports
    if peewee.psycopg2 is not None:
        return
    import psycopg2
    from psycopg2 import extensions
    from psycopg2.extras import Json, register_uuid

    register_uuid()
    peewee.pg_extensions = extensions
    peewee.pg_register_uuid = register_uuid
    peewee.Json_pg2 = Json
    adapter = peewee.Psycopg2Adapter
    adapter.txn_idle = extensions.TRANSACTION_STATUS_IDLE
    adapter.txn_inerror = extensions.TRANSACTION_STATUS_INERROR
    adapter.txn_unknown = extensions.TRANSACTION_STATUS_UNKNOWN
    peewee.psycopg2 = psycopg2  # last: the test above holds only once everything else is in place


#: SQLITE_CONFIG_MEMSTATUS, sqlite3_config's option that turns the library's memory statistics on or off.
_MEMSTATUS = 9
#: The platforms whose ABI passes a variadic int argument as a fixed one (ctypes calls sqlite3_config so).
_FIXED_LIKE_VARIADIC = {("Linux", "x86_64"), ("Linux", "aarch64")}
_statistics_off: bool | None = None  # None: not asked yet in this process


def sqlite_without_memory_statistics(close: Callable[[], object] = bool) -> bool:
    """Turn SQLite's memory statistics off for the rest of the process; whether they are off.

    The statistics take one mutex for the whole process around every allocation, so
    two threads' queries (a side reading beside the rows) run one after the other.
    Tried once per process: `close()` is called first (to let go of the caller's
    connection), and the statistics go only while no connection holds memory and
    no other thread could open one meanwhile (sqlite3_shutdown would pull the
    library from under it), and where ctypes calls the variadic sqlite3_config as
    the platform's ABI expects; else they stay on, which changes nothing but speed.
    """
    global _statistics_off
    if _statistics_off is None:
        if threading.active_count() > 1:
            return False  # asked again when this thread is alone
        close()
        _statistics_off = _memory_statistics_off()
    return _statistics_off


def _memory_statistics_off() -> bool:
    if (platform.system(), platform.machine()) not in _FIXED_LIKE_VARIADIC:
        return False
    import _sqlite3
    import ctypes

    try:
        lib = ctypes.CDLL(_sqlite3.__file__)  # the library the sqlite3 module is linked with
        lib.sqlite3_compileoption_used.argtypes = [ctypes.c_char_p]
        if lib.sqlite3_compileoption_used(b"DEFAULT_MEMSTATUS=0"):
            return True  # built without them: nothing to restart (and memory_used tells nothing)
        lib.sqlite3_memory_used.restype = ctypes.c_int64
        lib.sqlite3_config.argtypes = [ctypes.c_int, ctypes.c_int]
        if lib.sqlite3_memory_used() != 0 or lib.sqlite3_shutdown() != 0:
            return False
        off = lib.sqlite3_config(_MEMSTATUS, 0) == 0
        lib.sqlite3_initialize()
    except (OSError, AttributeError):
        return False
    return off


_libpq_cancel: Any = None  # the libpq functions cancel_statement calls, once loaded; False where they cannot be


def _cancel_functions() -> Any:
    """libpq's PQgetCancel, PQcancel and PQfreeCancel through ctypes (which lets go of the GIL while they run), from
    the libpq psycopg2 is linked with; False where they cannot be reached that way."""
    global _libpq_cancel
    if _libpq_cancel is None:
        import ctypes

        import psycopg2

        try:
            lib = ctypes.CDLL(psycopg2._psycopg.__file__)  # its libpq's symbols, found through the module linking it
            lib.PQgetCancel.argtypes, lib.PQgetCancel.restype = [ctypes.c_void_p], ctypes.c_void_p
            lib.PQcancel.argtypes, lib.PQcancel.restype = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int], ctypes.c_int
            lib.PQfreeCancel.argtypes, lib.PQfreeCancel.restype = [ctypes.c_void_p], None
            _libpq_cancel = lib
        except (OSError, AttributeError):
            _libpq_cancel = False
    return _libpq_cancel


def cancel_statement(connection: Any) -> None:
    """Ask the server to stop what the psycopg2 `connection` runs, as connection.cancel() does, but with the
    interpreter free meanwhile.

    psycopg2's cancel() holds the GIL through libpq's PQcancel, which waits for
    the server's answer: a frozen server (SIGSTOP) then froze every thread of the
    program, the screen and its keys (q) with it, until the server went on.
    """
    lib = _cancel_functions()
    pointer = getattr(connection, "pgconn_ptr", None)
    if not lib or pointer is None:
        connection.cancel()  # no other way: as before
        return
    import ctypes

    cancel = lib.PQgetCancel(pointer)
    if not cancel:
        return
    try:
        reason = ctypes.create_string_buffer(256)
        lib.PQcancel(cancel, reason, len(reason))  # a refusal needs no word: the statement then ends as it would
    finally:
        lib.PQfreeCancel(cancel)
