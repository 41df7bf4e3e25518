"""What a long-running program (the TUI) needs to run crm/ calls: the database threads.

The threads live in the data layer (db/executor.py); screens reach them only
through this name, so that nothing in screens/ imports db/.
"""

from collections.abc import Callable
from dataclasses import is_dataclass

from db.executor import Database, connection_lost

__all__ = ["Database", "connection_lost", "saved"]


def saved(write: Callable[..., object], *args: object, **kwargs: object) -> object:
    """Run a crm/ write for a screen: what it returns when that is plain (a code, a text, a dataclass), else True.

    A database row written stays in crm/: screens get plain values only.
    """
    result = write(*args, **kwargs)
    plain = isinstance(result, str | int | float | bool) or (is_dataclass(result) and not isinstance(result, type))
    return result if plain else True
