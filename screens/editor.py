"""Writing a long text in the user's own editor ($VISUAL, $EDITOR, else vi), the app suspended meanwhile."""

from __future__ import annotations

import contextlib
import os
import shlex
import subprocess
import tempfile
from pathlib import Path

from textual.app import App, SuspendNotSupported

from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import _

#: The ids of the fields that hold a long text (notes, plans, reasons): ctrl+e opens the editor on them.
LONG_TEXT_FIELDS = frozenset(
    {
        "f-notes",
        "f-responsibility_plan",
        "stage-note",
        "blocker-text",
        "resolve-note",
        "funds-note",
        "bulk-note",
        "progress-text",
        "correction-note",
    }
)


def editor_command() -> list[str]:
    """The editor to run, as an argument list."""
    return shlex.split(os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi")


def edit_text(app: App, text: str) -> str | None:
    """`text` as the user left it in the editor (None when the editor failed); the app is suspended meanwhile.

    A headless app (the tests) cannot suspend: the editor is then run as it is.
    """
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as fh:
        fh.write(text)
        path = Path(fh.name)
    try:
        try:
            suspended = app.suspend()
            suspended.__enter__()
        except SuspendNotSupported:
            if not app.is_headless:
                raise InvalidInput(_("This terminal cannot hand over to an editor")) from None
            suspended = contextlib.nullcontext()
        try:
            done = subprocess.run([*editor_command(), str(path)], check=False)
        except OSError as err:
            raise InvalidInput(
                _("Cannot start the editor {editor}: {reason}").format(
                    editor=" ".join(editor_command()), reason=err.strerror or err
                )
            ) from None
        finally:
            suspended.__exit__(None, None, None)
        if done.returncode != 0:
            return None
        return path.read_text(encoding="utf-8").rstrip("\n")
    finally:
        path.unlink(missing_ok=True)
