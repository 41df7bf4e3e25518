"""Where the program's settings live, and who is making a change.

The user's name recorded in the ledger and the audit trail is, in order:
CRM_USER, `user = "…"` in the config file (platformdirs' user config dir,
config.toml), or the operating-system login name.
"""

import getpass
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
