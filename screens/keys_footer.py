"""The footer that shows a screen's keys, rebuilt only when the keys it shows change (the keys panel, ?, is
screens.keys_panel: Textual's help panel brings its Markdown widget, which the first screen does not need)."""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class KeysFooter(Footer):
    """Textual's Footer, compact, that recomposes only when what it would show differs, and shows a screen's
    keys that are worth seeing when its width has room for them.

    The keys shown are the bindings with show=True, then, in the order of the screen's FOOTER_WHEN_ROOM (action
    names, of the screen's bindings or of its widgets'), as many others as fit beside them left of the command
    palette's key: at 80 columns the most used, at 140 the corrections and the less common ones too. All are
    drawn in the order of the bindings.

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

    def on_resize(self) -> None:
        # a wider or narrower footer may hold more or fewer of the keys shown when there is room
        self.bindings_changed(self.screen)

    def _what_is_shown(self, screen: Screen) -> tuple:
        """Everything compose() reads from the bindings, in its order."""
        return tuple(
            (binding.key, binding.action, binding.description, binding.tooltip, enabled, tooltip)
            for (binding, enabled, tooltip) in self._keys(screen)
        ) + (self._palette_key(screen),)

    def _palette_key(self, screen: Screen) -> ActiveBinding | None:
        if not (self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE):
            return None
        return screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)

    def _keys(self, screen: Screen) -> list[tuple[Binding, bool, str]]:
        """(binding, enabled, tooltip) of each action the footer shows, in the order of the bindings."""
        first: dict[str, tuple[Binding, bool, str]] = {}  # an action's first binding (several keys may run it)
        shown: dict[str, tuple[Binding, bool, str]] = {}  # its first binding with show=True, as Textual shows
        for _node, binding, enabled, tooltip in screen.active_bindings.values():
            first.setdefault(binding.action, (binding, enabled, tooltip))
            if binding.show:
                shown.setdefault(binding.action, (binding, enabled, tooltip))
        room = self._room(screen) - sum(_cells(self.app, binding) for binding, _e, _t in shown.values())
        for action in getattr(screen, "FOOTER_WHEN_ROOM", ()):
            entry = first.get(action)
            if entry is not None and action not in shown and _cells(self.app, entry[0]) <= room:
                shown[action] = entry
                room -= _cells(self.app, entry[0])
        return [shown[action] for action in first if action in shown]

    def _room(self, screen: Screen) -> int:
        """The cells left of the command palette's key, less one: a blank before its border."""
        width = self.size.width or screen.size.width or self.app.size.width
        palette = self._palette_key(screen)
        if palette is not None:
            # its border, key, description and the blank after it (one cell more than _cells counts)
            width -= 1 + _cells(self.app, palette.binding)
        return width

    def compose(self) -> ComposeResult:
        """Textual's Footer.compose for the keys _keys() chooses (this program has no binding groups)."""
        if not self._bindings_ready:
            return
        for binding, enabled, tooltip in self._keys(self.screen):
            yield FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                disabled=not enabled,
                tooltip=tooltip,
            ).data_bind(compact=Footer.compact)
        palette = self._palette_key(self.screen)
        if palette is not None:
            _node, binding, enabled, _tooltip = palette
            yield FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                classes="-command-palette",
                disabled=not enabled,
                tooltip=binding.tooltip or binding.description,
            )


def _cells(app, binding: Binding) -> int:
    """The cells a key takes in the compact footer: the key, a space and its description, and the space after."""
    return (
        cell_len(app.get_key_display(binding)) + (1 + cell_len(binding.description) if binding.description else 0) + 1
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
