"""What every screen and dialog shares: translated key labels, the database
worker threads, and the day the app treats as today."""

from __future__ import annotations

import dataclasses

from textual.binding import BindingsMap
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen

from crm.foundation.i18n import _


def translate_bindings(node: DOMNode) -> None:
    """Show `node`'s key descriptions in the current language.

    BINDINGS are written with English source strings (class attributes are
    made before the language is chosen); this swaps in their translations
    once per instance, so the footer, the key panel and the palette agree.
    """
    node._bindings = BindingsMap(
        [
            dataclasses.replace(b, description=_(b.description) if b.description else "",
                                tooltip=_(b.tooltip) if b.tooltip else "")
            for bindings in node._bindings.key_to_bindings.values()
            for b in bindings
        ]
    )


class _AppScreen:
    """What every screen and dialog takes from the app: translated key labels, the database, today."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        translate_bindings(self)

    @property
    def db(self):
        return self.app.db

    @property
    def today(self):
        return self.app.today


class CrmScreen(_AppScreen, Screen):
    """A full screen of the app."""


class CrmDialog(_AppScreen, ModalScreen):
    """A dialog over the current screen; dismisses with a result (None when cancelled)."""

    BINDINGS = [("escape", "cancel", "Cancel")]

    def action_cancel(self) -> None:
        self.dismiss(None)
