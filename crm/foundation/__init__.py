"""The ground every layer stands on: errors, translation, text folding, settings and paths.

Each public function and class of the modules below is exported here; a module is
imported when one of its names is first used, so importing this package costs nothing.
"""

from importlib import import_module

_HOME = {
    "Child": "forked",
    "ChildFailed": "forked",
    "Conflict": "errors",
    "CrmError": "errors",
    "DatabaseError": "errors",
    "Interrupted": "errors",
    "InvalidInput": "errors",
    "MissingRate": "errors",
    "N_": "i18n",
    "NotFound": "errors",
    "can_fork": "forked",
    "clean_text": "text",
    "config_path": "config",
    "current_actor": "config",
    "current_language": "i18n",
    "folded": "text",
    "language_from_environment": "i18n",
    "ngettext": "i18n",
    "one_line": "errors",
    "set_language": "i18n",
    "stale": "conflicts",
}
__all__ = sorted(_HOME)


def __getattr__(name: str) -> object:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_HOME[name]}"), name)
