"""Where the program's settings live, and who is making a change.

The user's name recorded in the ledger and the audit trail is, in order:
CRM_USER, `user = "…"` in the config file (platformdirs' user config dir,
config.toml), or the operating-system login name.
"""

import getpass
import json
import os
import tomllib
from pathlib import Path

import platformdirs

APP_NAME = "zhaoshang-taizhang"


def config_path() -> Path:
    """The config file's path (it need not exist)."""
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def _config() -> dict:
    try:
        with open(config_path(), "rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError):
        return {}


def current_actor() -> str:
    """The name written into the ledger and audit trail for changes made now."""
    name = os.environ.get("CRM_USER") or str(_config().get("user", "")).strip()
    if name:
        return name
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


def save_view(name: str, view: dict) -> None:
    """Save (or replace) the view `name`; written whole through a temporary file, so a crash never leaves half a file."""
    views = saved_views()
    views[name] = view
    path = views_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(views, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    os.replace(temporary, path)
