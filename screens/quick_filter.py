"""The deal list's quick filters: Textual's Select, whose drop-down parts are built after the first frame,
and the one-line stand-in that the first frame shows in their place.

A Select is six widgets: itself, the line that shows the choice (its label, a
down and an up arrow) and the drop-down list. The filter bar has five of them:
thirty of the forty-one widgets of the first screen. The drop-down list and the
up arrow only show while the choices are open; here they are mounted after the
first frame has been painted, or at once when something needs them before that.
Before that frame the five are one widget, QuickFilterLine, drawn cell for cell
as the five closed Selects with no value (every widget costs the first frame
its compose, mount, styles and layout); the screen puts the Selects in its place
once the frame is painted.
"""

from __future__ import annotations

from rich.cells import set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.app import ComposeResult
from textual.css.query import NoMatches
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Select
from textual.widgets._select import SelectCurrent, SelectOverlay

from crm.foundation.i18n import N_, _

#: The quick filters, left to right: the name in their id (filter-NAME), prompt (English source) and width in cells.
QUICK_FILTERS = (
    ("stage", N_("Stage"), 17),
    ("region", N_("Region"), 17),
    ("event", N_("Event"), 21),
    ("department", N_("Department"), 21),
    ("industry", N_("Industry"), 17),
)
#: The cells a closed compact Select has after its label: a space, the down arrow, its right padding.
_ARROW_CELLS = 3
#: The cells between two quick filters (their right margin in app.tcss).
_MARGIN = 1


def quick_filters(stage_choices: list[tuple[str, str]]) -> list[QuickFilter]:
    """The five quick filters, empty but for the stages (the others' choices are read after the first rows)."""
    filters = []
    for name, prompt, width in QUICK_FILTERS:
        select = QuickFilter(
            stage_choices if name == "stage" else [], id=f"filter-{name}", prompt=_(prompt), compact=True
        )
        select.styles.width = width
        filters.append(select)
    return filters


class QuickFilterLine(Widget):
    """The five quick filters as they look closed and empty, drawn by one widget: the first frame's stand-in.

    Its cells are those of the five compact Selects (prompt, down arrow, the
    margin after each), so that putting the Selects in its place changes nothing on screen.
    """

    DEFAULT_CSS = """
    QuickFilterLine {
        height: 1;
        background: $surface;
        color: $foreground 50%;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 — Textual's name for it
        super().__init__(id=id)
        self.styles.width = sum(width + _MARGIN for _name, _prompt, width in QUICK_FILTERS)

    def render_line(self, y: int) -> Strip:
        """The one line: each filter's prompt and arrow on the Select's background, the margins on the bar's."""
        dim = self.rich_style  # the prompt's and the arrow's colour, as SelectCurrent's children have them
        blank = Style(bgcolor=dim.bgcolor)
        margin = Style(bgcolor=self.background_colors[0].rich_color)
        segments = []
        for _name, prompt, width in QUICK_FILTERS:
            label = set_cell_size(_(prompt), width - _ARROW_CELLS)
            text = label.rstrip(" ")
            segments += [
                Segment(text, dim),
                Segment(" " * (len(label) - len(text)), blank),
                Segment(" ", blank),
                Segment("▼", dim),
                Segment(" ", blank),
                Segment(" " * _MARGIN, margin),
            ]
        return Strip(segments).crop(0, self.size.width)


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
        if overlay.parent is not self:
            return overlay  # the app is closing: Textual mounted nothing, there is no list to fill
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
