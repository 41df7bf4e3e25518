"""The ground every layer stands on: errors, translation, text folding, settings and paths.

Each public function and class of the modules below is exported here; a module is
imported when one of its names is first used, so importing this package costs nothing.
"""

from importlib import import_module

_HOME = {
    "Conflict": "errors",
    "ConnectionLost": "errors",
    "CrmError": "errors",
    "DatabaseError": "errors",
    "Interrupted": "errors",
    "InvalidInput": "errors",
    "MissingRate": "errors",
    "N_": "i18n",
    "NotFound": "errors",
    "as_crm_error": "errors",
    "check_output": "files",
    "clean_text": "text",
    "clean_up_on_sigterm": "files",
    "config_path": "config",
    "current_actor": "config",
    "current_language": "i18n",
    "folded": "text",
    "from_os_error": "errors",
    "language_from_environment": "i18n",
    "looks_like_formula": "text",
    "mask_url": "text",
    "neutralise": "text",
    "ngettext": "i18n",
    "one_line": "errors",
    "output_file": "files",
    "protect": "files",
    "regular_input": "files",
    "remove_live_outputs": "files",
    "retry_transient": "errors",
    "save_view": "config",
    "saved_views": "config",
    "set_language": "i18n",
    "stale": "conflicts",
    "sweep": "files",
    "terminal_safe": "text",
    "url_secrets": "text",
    "views_path": "config",
    "whole_number": "text",
}
__all__ = sorted(_HOME)


def __getattr__(name: str) -> object:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_HOME[name]}"), name)
