"""The footer that shows a screen's keys, rebuilt only when the keys it shows change (the keys panel, ?, is
screens.keys_panel: Textual's help panel brings its Markdown widget, which the first screen does not need)."""

from __future__ import annotations

from textual.binding import ActiveBinding, Binding
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


def _declared_actions(node_type: type) -> frozenset[str]:
    """The actions bound in the BINDINGS of `node_type` and of its bases that are this program's (screens.*)."""
    found = _DECLARED.get(node_type)
    if found is None:
        actions = set()
        for cls in node_type.__mro__:
            if cls.__module__.split(".")[0] != "screens":
                continue
            for binding in cls.__dict__.get("BINDINGS", ()):
                actions.add(binding.action if isinstance(binding, Binding) else binding[1])
        found = _DECLARED[node_type] = frozenset(actions)
    return found


_DECLARED: dict[type, frozenset[str]] = {}


def our_bindings(bindings: dict[str, ActiveBinding]) -> dict[str, ActiveBinding]:
    """The active bindings this program declares: without the keys Textual's widgets bring along (Scroll Left,
    Focus Next, Copy selected text), which an officer never needs to read about and would see in English."""
    return {
        key: active for key, active in bindings.items() if active.binding.action in _declared_actions(type(active.node))
    }
