"""The deal list's quick filters: Textual's Select, whose drop-down parts are built after the first frame.

A Select is six widgets: itself, the line that shows the choice (its label, a
down and an up arrow) and the drop-down list. The filter bar has five of them:
thirty of the forty-one widgets of the first screen. The drop-down list and the
up arrow only show while the choices are open; here they are mounted after the
first frame has been painted, or at once when something needs them before that.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.css.query import NoMatches
from textual.widgets import Select
from textual.widgets._select import SelectCurrent, SelectOverlay


class QuickFilterCurrent(SelectCurrent):
    """Select's current-value line, without the up arrow until the choices are first opened."""

    def compose(self) -> ComposeResult:
        # SelectCurrent's first two children: the label and the down arrow (the up arrow comes with the list)
        yield from list(super().compose())[:2]


class QuickFilter(Select):
    """A Select (the same look, keys and messages) that builds its drop-down list after the first frame."""

    def compose(self) -> ComposeResult:
        yield QuickFilterCurrent(self.prompt)

    def on_mount(self) -> None:
        self.call_after_refresh(self._build_after_frame)

    def _build_after_frame(self) -> None:
        if self.is_attached and self.query(SelectCurrent):  # not when the app closed meanwhile
            self.build_choices()

    def build_choices(self) -> SelectOverlay:
        """Mount the drop-down list (and the up arrow) if they are not there yet; the list."""
        try:
            return self.query_one(SelectOverlay)
        except NoMatches:
            pass
        current = self.query_one(SelectCurrent)
        current.mount(list(SelectCurrent.compose(current))[2])  # the up arrow, made as SelectCurrent makes it
        overlay = SelectOverlay(type_to_search=self._type_to_search).data_bind(compact=Select.compact)
        self.mount(overlay)
        Select._setup_options_renderables(self)
        if self.value is not Select.NULL:
            Select._watch_value(self, self.value)
        return overlay

    def _setup_options_renderables(self) -> None:
        if self.query(SelectOverlay):
            super()._setup_options_renderables()
        # else: build_choices fills the list when it makes it

    def _watch_value(self, value) -> None:
        if value is not Select.NULL:
            self.build_choices()  # the list's highlight follows the value
        super()._watch_value(value)

    def _watch_expanded(self, expanded: bool) -> None:
        if expanded:
            self.build_choices()
        super()._watch_expanded(expanded)

    def _watch_prompt(self, prompt: str) -> None:
        if self.query(SelectOverlay):
            super()._watch_prompt(prompt)
        elif self.query(SelectCurrent):
            self.query_one(SelectCurrent).placeholder = prompt
            if not self.selection:
                self.query_one(SelectCurrent).update(Select.NULL)

    def action_show_overlay(self) -> None:
        self.build_choices()
        super().action_show_overlay()
