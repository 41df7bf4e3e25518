"""The footer that shows a screen's keys, rebuilt only when the keys it shows change."""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class KeysFooter(Footer):
    """Textual's Footer, compact, that recomposes only when what it would show differs.

    The stock footer recomposes (a dozen and more FooterKey widgets mounted and
    styled) on every bindings signal: a screen being pushed sends three or four
    of them before its first frame (mount, focus, resume), all with the same
    keys: rebuilds that cost a noticeable part of opening a deal.
    """

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("compact", True)
        super().__init__(**kwargs)
        self._shown: tuple | None = None

    def bindings_changed(self, screen: Screen) -> None:
        if self.is_attached and screen is self.screen and screen.app.app_focus:
            shown = self._what_is_shown(screen)
            if shown == self._shown:
                return
            self._shown = shown
        super().bindings_changed(screen)

    def _what_is_shown(self, screen: Screen) -> tuple:
        """Everything compose() reads from the bindings, in its order."""
        return tuple(
            (
                binding.key,
                binding.action,
                binding.description,
                binding.tooltip,
                binding.show,
                id(binding.group),
                enabled,
                tooltip,
            )
            for (_node, binding, enabled, tooltip) in screen.active_bindings.values()
        )
