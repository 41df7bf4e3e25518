"""Ledgers made for demonstration and measurement: the demo and synthetic ledgers.

Each public function and class of the modules below is exported here; a module is
imported when one of its names is first used, so importing this package costs nothing.
"""

from importlib import import_module

_HOME = {
    "Spec": "synthetic_rows",
    "Stats": "synthetic_rows",
    "describe": "synthetic",
    "generate": "synthetic",
    "heavy_deal_ids": "synthetic_rows",
    "is_loaded": "demo",
    "load_demo": "demo",
}
__all__ = sorted(_HOME)


def __getattr__(name: str) -> object:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_HOME[name]}"), name)
