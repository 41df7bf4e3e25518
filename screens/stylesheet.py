"""The app's stylesheet: Textual's, parsing each source once for as long as the theme stays the same.

Textual parses every source the first screen needs three times before that
screen's first frame: once as the app starts, again when the theme is applied
(a reparse, into a new stylesheet whose parsed rules are thrown away, with the
very variables they were parsed with), and again when the screen's widgets add
their own CSS (setting those same variables emptied the cache). It also keeps
only 64 parsed sources, fewer than this app's screens and dialogs bring, after
which every new kind of widget shown parses all of them again.
"""

from __future__ import annotations

from textual.cache import LRUCache
from textual.css.stylesheet import Stylesheet

#: Parsed sources kept: more than every widget, screen and dialog class of the app brings.
KEPT_SOURCES = 1024


class KeptStylesheet(Stylesheet):
    """A Stylesheet that parses a source again only when the source or the theme's variables change."""

    def __init__(self, *, variables: dict[str, str] | None = None) -> None:
        super().__init__(variables=variables)
        self._parse_cache = LRUCache(KEPT_SOURCES)
        self._parsed_with: dict[str, str] | None = None

    def set_variables(self, variables: dict[str, str]) -> None:
        """Use the theme's `variables`; the same ones as now keep what was parsed with them."""
        if variables == self._variables:
            return
        super().set_variables(variables)

    def parse(self) -> None:
        """Parse the sources (those parsed before come from the cache)."""
        super().parse()
        self._parsed_with = self._variables

    def reparse(self) -> None:
        """Parse again for new variables; with the variables of the last parse, parse only what was added since."""
        if self._parsed_with is not None and self._parsed_with == self._variables:
            self.parse()
            return
        super().reparse()
        self._parsed_with = self._variables
