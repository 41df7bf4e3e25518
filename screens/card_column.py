"""One stage's deals on the Board, as cards drawn line by line.

A column is one widget, not a widget per card: Textual re-applies the
stylesheet to every widget of a screen each time it is shown again, and with
140 card widgets that alone took most of a Board visit. Here a visit costs
seven widgets, and only the lines on screen are drawn.
"""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from crm.foundation.i18n import N_, _
from crm.listing.pages import DealRow
from screens import text

CARD_LINES = 3
NARROW = 16  # below this many cells a card gives the name two lines
CARD_STEP = CARD_LINES + 1  # a blank line above each card
LIGHT_WORDS = {"yellow": N_("yellow"), "red": N_("red")}
STRIPE = "▌"  # the left edge of a card with a light, in its colour


def card_lines(row: DealRow, today, width: int, light: str | None = None) -> list[str]:
    """The three lines of a card: name; amount and 亿元; days in stage, open blockers and the light (when wide)."""
    amount = text.money(row.amount, row.currency, row.approximate)
    days = _("{days} d").format(days=row.days_in_stage(today))
    blockers = f"  ⚠{row.open_blockers}" if row.open_blockers else ""
    if width >= NARROW:
        lit = "  ● " + _(LIGHT_WORDS[light]) if light in LIGHT_WORDS else ""
        return [
            text.fit(line, width)
            for line in (row.name, f"{amount} · {text.yi(row.amount_cny)}", f"{days}{blockers}{lit}")
        ]
    # A narrow column (a Board at 80 columns): the name over two lines, then the amount, and the days when they fit.
    first = set_cell_size(row.name, width)
    rest = row.name[len(first.rstrip(" ")) :]
    last = f"{amount} {days}{blockers}" if cell_len(f"{amount} {days}{blockers}") <= width else f"{amount}{blockers}"
    return [text.fit(first, width), text.fit(rest, width), text.fit(last, width)]


class CardColumn(ScrollView, can_focus=True):
    """The cards of one stage; up/down choose a card, the Board moves it between columns."""

    COMPONENT_CLASSES = {"card-column--card", "card-column--cursor", "card-column--more"}
    BINDINGS = [
        Binding("up", "cursor(-1)", N_("Cursor up"), show=False),
        Binding("down", "cursor(1)", N_("Cursor down"), show=False),
    ]
    cursor = reactive(0)

    class Chosen(Message):
        """A card was double-clicked."""

        def __init__(self, column: CardColumn) -> None:
            super().__init__()
            self.column = column

    def __init__(self, stage: str, *, classes: str | None = None) -> None:
        super().__init__(classes=classes)
        self.stage = stage
        self.rows: list[DealRow] = []
        self.more = 0
        self._today = None
        self.lights: dict[str, str] = {}

    def show(self, rows: list[DealRow], more: int, today, lights: dict[str, str] | None = None) -> None:
        """Show `rows` as cards (those of `lights`, code → yellow/red, marked), and a line saying `more`
        deals are not shown (when there are)."""
        lights = {row.code: lights[row.code] for row in rows if row.code in lights} if lights else {}
        if rows == self.rows and more == self.more and today == self._today and lights == self.lights:
            return  # what is shown already: nothing to draw again
        code = self.current.code if self.current else None
        self.rows, self.more, self._today, self.lights = rows, more, today, lights
        self.cursor = next((n for n, r in enumerate(rows) if r.code == code), min(self.cursor, max(len(rows) - 1, 0)))
        self.virtual_size = Size(self.size.width, len(rows) * CARD_STEP + (2 if more else 0))
        self.refresh()

    @property
    def current(self) -> DealRow | None:
        """The deal of the chosen card."""
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    def choose(self, code: str) -> bool:
        """Choose the card of deal `code`; False when it is not in this column."""
        for n, row in enumerate(self.rows):
            if row.code == code:
                self.cursor = n
                return True
        return False

    # ---- drawing --------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        line = int(self.scroll_offset.y) + y
        base = self.rich_style
        index, part = divmod(line, CARD_STEP)
        if index < len(self.rows):
            if part == 0:
                return Strip.blank(width, base)
            style = base + self.get_component_rich_style(
                "card-column--cursor" if index == self.cursor and self.has_focus else "card-column--card"
            )
            row = self.rows[index]
            light = self.lights.get(row.code)
            texts = card_lines(row, self._today, max(width - 2, 1), light)
            edge = Segment(" ", style)
            if light is not None:  # a coloured edge, visible at any width
                edge = Segment(STRIPE, style + self._light_style(light))
            return Strip([edge, Segment(texts[part - 1] + " ", style)], width).adjust_cell_length(width, base)
        if self.more and line == len(self.rows) * CARD_STEP + 1:
            style = base + self.get_component_rich_style("card-column--more")
            return Strip(
                [
                    Segment(
                        " " + text.fit(_("… and {n} more (see the deal list)").format(n=self.more), max(width - 1, 1)),
                        style,
                    )
                ],
                width,
            )
        return Strip.blank(width, base)

    def _light_style(self, light: str) -> Style:
        # the theme's warning and error colours, without a stylesheet rule: a new rule is parsed on the first visit
        theme = self.app.current_theme
        colour = (theme.warning or "yellow") if light == "yellow" else (theme.error or "red")
        return Style(color=colour, bold=True)

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, self.virtual_size.height)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # ---- choosing ----------------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        self.scroll_to_region_of(new)
        self.refresh()

    def scroll_to_region_of(self, index: int) -> None:
        from textual.geometry import Region

        self.scroll_to_region(Region(0, index * CARD_STEP, 1, CARD_STEP), animate=False, force=True)

    def action_cursor(self, step: int) -> None:
        if self.rows:
            self.cursor = max(0, min(self.cursor + step, len(self.rows) - 1))

    def index_at(self, y: int) -> int | None:
        """The card at line `y` of the widget, if any."""
        index = (int(self.scroll_offset.y) + y) // CARD_STEP
        return index if index < len(self.rows) else None

    def on_mouse_down(self, event: events.MouseDown) -> None:
        index = self.index_at(event.y)
        if index is not None:
            self.cursor = index
        self.focus()

    def on_click(self, event: events.Click) -> None:
        if event.chain >= 2 and self.index_at(event.y) is not None:
            self.post_message(self.Chosen(self))
