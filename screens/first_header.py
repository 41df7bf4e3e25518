"""The deal list's title bar: Textual's Header, drawn as one widget until the first frame is painted.

Header is four widgets (itself, the icon, the title and the clock's space). The
first frame only shows them; each widget costs that frame its compose, mount,
styles and layout. FirstHeader draws the same cells itself (the icon, the title
centred between the icon and the clock's space) and mounts Header's own three
widgets once that frame is painted, which then behave as Header's always do
(the icon opens the palette, the title follows the screen's title).
"""

from __future__ import annotations

import contextlib

from textual.content import Content
from textual.css.query import NoMatches
from textual.dom import NoScreen
from textual.events import Mount
from textual.widgets import Header, Static

#: The cells of HeaderIcon (its width, padding included) and of HeaderClockSpace, from Textual's DEFAULT_CSS.
ICON_CELLS = 8
CLOCK_CELLS = 10


class FirstHeader(Header):
    """A Header (no clock) whose icon, title and clock space are mounted after the first frame."""

    def __init__(self) -> None:
        super().__init__(show_clock=False)
        self._parts_mounted = False

    def compose(self):
        """Nothing yet: _mount_parts mounts Header's parts after the first frame."""
        return iter(())

    def _on_mount(self, event: Mount) -> None:
        event.prevent_default()  # not Header's: it sets the title of a part not mounted yet (_mount_parts does)
        self.call_after_refresh(self._mount_parts)

    def _mount_parts(self) -> None:
        if self._parts_mounted or not self.is_attached:
            return
        self._parts_mounted = True
        self.mount_all(list(Header.compose(self)))
        self.refresh()
        # What Header's own mount sets up: the title follows the app's and the screen's (set at once).
        for owner in (self.app, self.screen):
            self.watch(owner, "title", self._show_title)
            self.watch(owner, "sub_title", self._show_title)

    def _show_title(self) -> None:
        with contextlib.suppress(NoScreen, NoMatches):  # the app closing
            # by its CSS type name: Textual does not export the title widget's class
            self.query_one("HeaderTitle", Static).update(self.format_title())

    def render(self) -> Content:
        """Until the parts are mounted: the icon, the title centred in its room, the clock's room."""
        if self._parts_mounted:
            return Content("")
        room = max(0, self.size.width - ICON_CELLS - CLOCK_CELLS)
        title = self.format_title()
        if title.cell_length > room:
            title = title.truncate(room, ellipsis=True)
        left = (room - title.cell_length) // 2
        icon = Content(" " + self.icon).pad_right(ICON_CELLS - 1 - len(self.icon))
        return Content.assemble(icon, " " * left, title, " " * (room - left - title.cell_length + CLOCK_CELLS))
