"""Where the program's settings live, and who is making a change.

The user's name recorded in the ledger and the audit trail is, in order:
CRM_USER, `user = "…"` in the config file (platformdirs' user config dir,
config.toml), or the operating-system login name.
"""

import json
import os
from pathlib import Path

import platformdirs

APP_NAME = "zhaoshang-taizhang"


def config_path() -> Path:
    """The config file's path (it need not exist)."""
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def _config() -> dict:
    try:
        with open(config_path(), "rb") as fh:
            import tomllib  # here: without a config file (the usual case) the TUI starts without the parser

            return tomllib.load(fh)
    except (OSError, ValueError):  # a file that is not TOML (tomllib.TOMLDecodeError is a ValueError)
        return {}


def current_actor() -> str:
    """The name written into the ledger and audit trail for changes made now."""
    name = os.environ.get("CRM_USER") or str(_config().get("user", "")).strip()
    if name:
        return name
    import getpass  # here: CRM_USER or the config file usually names the user

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def views_path() -> Path:
    """The file of the user's saved views of the deal list (beside config.toml)."""
    return config_path().with_name("views.json")


def saved_views() -> dict[str, dict]:
    """The user's saved views, name → {"filter": {…}, "order": {…}}; none when the file is missing or unreadable."""
    try:
        views = json.loads(views_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): v for k, v in views.items() if isinstance(v, dict)} if isinstance(views, dict) else {}


def stale_days(default: int) -> int:
    """Days without any event after which the deal list marks a deal stale: `stale_days = N` in config.toml, else `default`."""
    value = _config().get("stale_days")
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 1 else default


def save_view(name: str, view: dict) -> None:
    """Save (or replace) the view `name`; written whole through a temporary file, so a crash never leaves half a file."""
    views = saved_views()
    views[name] = view
    _write_views(views)


def rename_view(old: str, new: str) -> None:
    """Give the saved view `old` the name `new`, keeping its place; KeyError when `old` is gone, ValueError when `new` is taken."""
    views = saved_views()
    if old not in views:
        raise KeyError(old)
    if new != old and new in views:
        raise ValueError(new)
    _write_views({new if name == old else name: view for name, view in views.items()})


def delete_view(name: str) -> None:
    """Forget the saved view `name` (nothing happens when there is none)."""
    views = saved_views()
    if views.pop(name, None) is not None:
        _write_views(views)


def _write_views(views: dict[str, dict]) -> None:
    path = views_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(views, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    os.replace(temporary, path)
