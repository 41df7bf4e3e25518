"""The command palette and the keys panel, in the current language.

Textual's CommandPalette writes its placeholder and its "No matches found" in
English; this subclass passes both through `_()` (the strings are in
screens.textual_strings, so they reach the catalog).
"""

from __future__ import annotations

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette
from textual.widgets.option_list import Option

from crm.foundation.i18n import _


class CrmCommandPalette(CommandPalette):
    """Textual's palette with its placeholder and its empty answer translated."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("placeholder", _("Search for commands…"))
        super().__init__(*args, **kwargs)

    def _start_no_matches_countdown(self, search_value: str) -> None:
        # The same as Textual's, whose message is an English literal inside it.
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(
                        Align.center(Text(_("No matches found"), style="not bold")), disabled=True, id=self._NO_MATCHES
                    )
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)
