"""Textual's own user-visible strings, so that they reach the Chinese catalog.

Textual writes them in English in its widgets' BINDINGS and in the command
palette; screens.base translates each through `_()` where it is shown.
The notices of Textual's App (ctrl+c's "Do you want to quit?", the
screenshot's "Saved screenshot to …") are replaced by the app's own, in
screens.app, rather than translated: their text is built inside Textual.
The tooltip Textual's header icon sets as it mounts ("Open the command
palette") is translated by translate_tooltip, which screens.app calls as the
mouse enters a widget, before Textual shows its tooltip.
"""

from __future__ import annotations

from textual.dom import DOMNode

from crm.foundation.i18n import N_, _

#: The tooltips Textual's widgets set in English as they mount: the header icon's.
TEXTUAL_TOOLTIPS = frozenset({N_("Open the command palette")})


def translate_tooltip(node: DOMNode) -> None:
    """Show `node`'s tooltip in the current language when it is one of Textual's own English ones."""
    tooltip = getattr(node, "tooltip", None)
    if isinstance(tooltip, str) and tooltip in TEXTUAL_TOOLTIPS:
        node.tooltip = _(tooltip)


TEXTUAL_STRINGS = (
    N_("Select"),
    N_("Cursor up"),
    N_("Cursor down"),
    N_("Cursor right"),
    N_("Cursor left"),
    N_("Page up"),
    N_("Page down"),
    N_("Top"),
    N_("Bottom"),
    N_("Home"),
    N_("End"),
    N_("Scroll Up"),
    N_("Scroll Down"),
    N_("Scroll Left"),
    N_("Scroll Right"),
    N_("Scroll Home"),
    N_("Scroll End"),
    N_("Page Up"),
    N_("Page Down"),
    N_("Page Left"),
    N_("Page Right"),
    N_("Move cursor left"),
    N_("Move cursor left and select"),
    N_("Move cursor left a word"),
    N_("Move cursor left a word and select"),
    N_("Move cursor right or accept the completion suggestion"),
    N_("Move cursor right and select"),
    N_("Move cursor right a word"),
    N_("Move cursor right a word and select"),
    N_("Delete character left"),
    N_("Select all"),
    N_("Go to start"),
    N_("Go to end"),
    N_("Select line start"),
    N_("Select line end"),
    N_("Delete character right"),
    N_("Submit"),
    N_("Delete left to start of word"),
    N_("Delete all to the left"),
    N_("Delete right to start of word"),
    N_("Delete all to the right"),
    N_("Cut selected text"),
    N_("Copy selected text"),
    N_("Paste text from the clipboard"),
    N_("Show menu"),
    N_("Dismiss menu"),
    N_("Down"),
    N_("Last"),
    N_("First"),
    N_("Up"),
    N_("Toggle option"),
    N_("Press button"),
    N_("Toggle"),
    N_("Cursor word left"),
    N_("Cursor word right"),
    N_("Cursor line start"),
    N_("Cursor line end"),
    N_("Cursor page up"),
    N_("Cursor page down"),
    N_("Cursor left word select"),
    N_("Cursor right word select"),
    N_("Cursor line start select"),
    N_("Cursor line end select"),
    N_("Cursor up select"),
    N_("Cursor down select"),
    N_("Cursor left select"),
    N_("Cursor right select"),
    N_("Select line"),
    N_("Cut"),
    N_("Copy"),
    N_("Paste"),
    N_("Delete to line start"),
    N_("Delete to line end"),
    N_("Delete line"),
    N_("Undo"),
    N_("Redo"),
    N_("Focus Next"),
    N_("Focus Previous"),
    N_("Quit"),
    N_("Quit the app and return to the command prompt."),
    N_("Search for commands…"),
    N_("No matches found"),
    N_("Search for themes…"),
    N_("Keys"),
    N_("Keys and help"),
)
