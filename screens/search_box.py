"""The deal list's search box: it tells its screen of each new text at the key itself.

An Input reports a change with a message that bubbles up to the screen, and
Textual repaints the screen on the way; the list's query for the new text
would start only after that repaint. Told at the key, the database reads
while the screen repaints.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import Input


class SearchBox(Input):
    """An Input that calls `on_text(value)` as soon as its value changes, except when set with `set_quietly`."""

    def __init__(self, on_text: Callable[[str], None], **kwargs) -> None:
        super().__init__(**kwargs)
        self._on_text = on_text
        self._quiet = False

    def watch_value(self, value: str) -> None:
        if not self._quiet:
            self._on_text(value)

    def set_quietly(self, value: str) -> None:
        """Show `value` without calling on_text or posting Input.Changed (the screen set its filter itself)."""
        self._quiet = True
        try:
            with self.prevent(Input.Changed):
                self.value = value
        finally:
            self._quiet = False
