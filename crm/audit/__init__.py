"""The audit trail: who changed which field of which row, when, old → new.

Each public function and class of the modules below is exported here; a module is
imported when one of its names is first used, so importing this package costs nothing.
"""

from importlib import import_module

_HOME = {
    "history": "log",
    "latest": "log",
    "record": "log",
    "trail": "log",
}
__all__ = sorted(_HOME)


def __getattr__(name: str) -> object:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_HOME[name]}"), name)
