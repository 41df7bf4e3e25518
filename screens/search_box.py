"""The deal list's search box: it tells its screen of each new text at the key itself.

An Input reports a change with a message that bubbles up to the screen, and
Textual repaints the screen on the way; the list's query for the new text
would start only after that repaint. Told at the key, the database reads
while the screen repaints.

Its hint (the placeholder) is the longest of its hints that fits its width: Textual wraps a longer one and
shows its first line, which for the Chinese hint was the "/" alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.cells import cell_len
from textual.strip import Strip
from textual.widgets import Input

from crm.foundation.i18n import N_, _

#: The deal list's shorter hints, longest first (English source): where its full hint does not fit.
SHORTER_HINTS = (
    N_("/ Search: code, name, investor, initials"),
    N_("/ Search: code, name, initials"),
    N_("/ Search: code, name"),
    N_("/ Search"),
)


class SearchBox(Input):
    """An Input that calls `on_text(value)` as soon as its value changes, except when set with `set_quietly`.

    Its hint is `placeholder` where the box is wide enough, else the longest of `shorter` (English source,
    longest first; by default the deal list's) that fits.
    """

    def __init__(self, on_text: Callable[[str], None], shorter: Sequence[str] = SHORTER_HINTS, **kwargs) -> None:
        super().__init__(**kwargs)
        self._on_text = on_text
        self._quiet = False
        self._hints = (self.placeholder, *(_(hint) for hint in shorter))

    def render_line(self, y: int) -> Strip:
        # chosen as the line is drawn, at the width it is drawn at: the first frame too, which comes before Resize
        if not self.value:
            self.set_reactive(SearchBox.placeholder, fitting(self._hints, self.scrollable_content_region.width))
        return super().render_line(y)

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


def fitting(hints: Sequence[str], width: int) -> str:
    """The first of `hints` (longest first) that fits in `width` cells, else the last (the shortest)."""
    return next((hint for hint in hints if cell_len(hint) <= width), hints[-1])
