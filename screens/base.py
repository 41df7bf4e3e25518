"""What every screen and dialog shares: translated key labels, the database
worker threads, and the day the app treats as today."""

from __future__ import annotations

import dataclasses
import functools

from textual.binding import ActiveBinding, Binding, BindingsMap
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
            dataclasses.replace(
                b, description=_(b.description) if b.description else "", tooltip=_(b.tooltip) if b.tooltip else ""
            )
            for bindings in node._bindings.key_to_bindings.values()
            for b in bindings
        ]
    )


@functools.lru_cache(maxsize=1024)
def _translated(binding: Binding, language: str) -> Binding:
    return dataclasses.replace(
        binding,
        description=_(binding.description) if binding.description else "",
        tooltip=_(binding.tooltip) if binding.tooltip else "",
    )


def translated_active_bindings(bindings: dict[str, ActiveBinding]) -> dict[str, ActiveBinding]:
    """`bindings` with every description and tooltip in the current language, Textual's own included.

    The footer and the keys panel both read a screen's active bindings, so the
    English of Textual's widgets ("Scroll Left", "Dismiss menu") is translated here once for both.
    """
    from crm.foundation.i18n import current_language

    language = current_language()
    return {
        key: ActiveBinding(node, _translated(binding, language), enabled, _(tooltip) if tooltip else tooltip)
        for key, (node, binding, enabled, tooltip) in bindings.items()
    }


class _AppScreen:
    """What every screen and dialog takes from the app: translated key labels, the database, today."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        translate_bindings(self)

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        return translated_active_bindings(super().active_bindings)

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
