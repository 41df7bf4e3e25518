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

CARD_LINES = 3  # a card's lines where the column is wide: name, amount, days
NARROW_CARD_LINES = 4  # where it is narrow: the name over two lines, the amount over one or two
NARROW = 16  # below this many cells a card is narrow
CARD_STEP = CARD_LINES + 1  # a blank line above each card
NARROW_CARD_STEP = NARROW_CARD_LINES + 1
LIGHT_WORDS = {"yellow": N_("yellow"), "red": N_("red")}
STRIPE = "▌"  # the left edge of a card with a light, in its colour
SCROLLBAR = 1  # cells of a column's scrollbar (.stage-cards in app.tcss)
GAP = "  "


def first_fitting(candidates: list[str], width: int) -> str:
    """The first of `candidates` that fits `width` cells; the last one (to be cropped) when none does."""
    return next((c for c in candidates if cell_len(c) <= width), candidates[-1])


def tail_line(days: str, blockers: str, width: int, lit: str = "") -> str:
    """Days in stage, open blockers and the light's word in `width` cells: where they do not all fit, the light's
    word goes first (the stripe still shows the light), then the days; the open blockers stay."""
    return first_fitting(
        [GAP.join(p for p in (days, blockers, lit) if p), GAP.join(p for p in (days, blockers) if p), blockers, ""],
        width,
    )


def card_lines(row: DealRow, today, width: int, light: str | None = None, narrow: bool | None = None) -> list[str]:
    """The lines of a card `width` cells wide, each of exactly `width` cells (`narrow`: width < NARROW).

    Wide, three: the name; the amount (shortened to USD 180m where the full one does not fit) with its 亿元 when
    they fit; the days in stage, the open blockers and the light's word as they fit. Narrow, four: the name over
    two lines, the short amount over one or two (broken after the currency code or before the Chinese unit, never
    inside the figure), then the days, blockers and light as they fit. The amount is always whole, and so are the
    open blockers: at the end of the name when they fit nowhere else."""
    narrow = width < NARROW if narrow is None else narrow
    days = _("{days} d").format(days=row.days_in_stage(today))
    blockers = f"⚠{row.open_blockers}" if row.open_blockers else ""
    lit = "● " + _(LIGHT_WORDS[light]) if light in LIGHT_WORDS else ""
    short = text.short_money(row.amount, row.currency, row.approximate)
    if not narrow:
        full = text.money(row.amount, row.currency, row.approximate)
        yi = text.yi(row.amount_cny)
        amount = first_fitting([f"{full} · {yi}", f"{short} · {yi}", full, short], width)
        return [text.fit(line, width) for line in (row.name, amount, tail_line(days, blockers, width, lit))]
    first = set_cell_size(row.name, width)
    rest = row.name[len(first.rstrip(" ")) :]
    amount_lines = _amount_lines(short, width)
    if len(amount_lines) == 1:
        lines = [first, rest, amount_lines[0], tail_line(days, blockers, width, lit)]
    else:
        last = amount_lines[1]
        if blockers and cell_len(f"{last} {blockers}") <= width:
            last = first_fitting([f"{last}{GAP}{blockers}", f"{last} {blockers}"], width)
        elif blockers:  # no room after the amount: the blockers end the name's second line
            rest = text.fit(rest, width - cell_len(blockers) - 1).rstrip() + " " + blockers
        lines = [first, rest, amount_lines[0], last]
    return [text.fit(line, width) for line in lines]


def _amount_lines(amount: str, width: int) -> list[str]:
    """`amount` in one line or two of `width` cells: broken after the currency code or before the Chinese unit, and
    without its thousands commas when two lines need that (HKD 1000.5m at seven cells)."""
    lines = text.wrap_lines(amount, width)
    if len(lines) > 2:
        lines = text.wrap_lines(amount.replace(",", ""), width)
    return lines if len(lines) <= 2 else [lines[0], "".join(lines[1:])]


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
        self._texts: dict[tuple[int, int], list[str]] = {}  # (card, width) → its lines: a card's lines are drawn apart

    def show(self, rows: list[DealRow], more: int, today, lights: dict[str, str] | None = None) -> None:
        """Show `rows` as cards (those of `lights`, code → yellow/red, marked), and a line saying `more`
        deals are not shown (when there are)."""
        lights = {row.code: lights[row.code] for row in rows if row.code in lights} if lights else {}
        if rows == self.rows and more == self.more and today == self._today and lights == self.lights:
            return  # what is shown already: nothing to draw again
        code = self.current.code if self.current else None
        self.rows, self.more, self._today, self.lights = rows, more, today, lights
        self._texts.clear()
        self.cursor = next((n for n, r in enumerate(rows) if r.code == code), min(self.cursor, max(len(rows) - 1, 0)))
        self._size_to_cards()
        self.refresh()

    def _size_to_cards(self) -> None:
        more = 1 + len(self._more_lines()) if self.more else 0
        self.virtual_size = Size(self.size.width, len(self.rows) * self.step + more)

    def _more_lines(self) -> list[str]:
        """The note of the deals not shown, in lines of the column's width (its count never cut)."""
        width = max(self.size.width - SCROLLBAR - 1, 1)
        return text.wrap_lines(_("… and {n} more (see the deal list)").format(n=self.more), width)

    @property
    def narrow(self) -> bool:
        """Whether the cards are narrow (card_lines): judged on the width less the scrollbar, shown or not, so
        that the scrollbar taller cards bring never changes the cards' height again."""
        return self.size.width - SCROLLBAR - 2 < NARROW

    @property
    def step(self) -> int:
        """Lines from one card's top to the next's."""
        return NARROW_CARD_STEP if self.narrow else CARD_STEP

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
        step = self.step
        index, part = divmod(line, step)
        if index < len(self.rows):
            if part == 0:
                return Strip.blank(width, base)
            style = base + self.get_component_rich_style(
                "card-column--cursor" if index == self.cursor and self.has_focus else "card-column--card"
            )
            row = self.rows[index]
            light = self.lights.get(row.code)
            texts = self._card_texts(index, max(width - 2, 1))
            edge = Segment(" ", style)
            if light is not None:  # a coloured edge, visible at any width
                edge = Segment(STRIPE, style + self._light_style(light))
            return Strip([edge, Segment(texts[part - 1] + " ", style)], width).adjust_cell_length(width, base)
        more = line - len(self.rows) * step - 1
        if self.more and 0 <= more < len(lines := self._more_lines()):
            style = base + self.get_component_rich_style("card-column--more")
            return Strip([Segment(" " + text.fit(lines[more], max(width - 1, 1)), style)], width)
        return Strip.blank(width, base)

    def _card_texts(self, index: int, width: int) -> list[str]:
        key = (index, width)
        texts = self._texts.get(key)
        if texts is None:
            row = self.rows[index]
            texts = self._texts[key] = card_lines(row, self._today, width, self.lights.get(row.code), self.narrow)
        return texts

    def _light_style(self, light: str) -> Style:
        # the theme's warning and error colours, without a stylesheet rule: a new rule is parsed on the first visit
        theme = self.app.current_theme
        colour = (theme.warning or "yellow") if light == "yellow" else (theme.error or "red")
        return Style(color=colour, bold=True)

    def on_resize(self) -> None:
        self._texts.clear()  # narrow or wide is judged on the width
        self._size_to_cards()

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

        self.scroll_to_region(Region(0, index * self.step, 1, self.step), animate=False, force=True)

    def action_cursor(self, step: int) -> None:
        if self.rows:
            self.cursor = max(0, min(self.cursor + step, len(self.rows) - 1))

    def index_at(self, y: int) -> int | None:
        """The card at line `y` of the widget, if any."""
        index = (int(self.scroll_offset.y) + y) // self.step
        return index if index < len(self.rows) else None

    def on_mouse_down(self, event: events.MouseDown) -> None:
        index = self.index_at(event.y)
        if index is not None:
            self.cursor = index
        self.focus()

    def on_click(self, event: events.Click) -> None:
        if event.chain >= 2 and self.index_at(event.y) is not None:
            self.post_message(self.Chosen(self))
