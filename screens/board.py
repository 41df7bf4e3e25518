"""Board: one column per stage with its count and 亿元 total (USD converted
at signing-date rates), cards with name, amount and days in stage. Moving a
card ([ ] or a mouse drag to another column) asks for the date and a note."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import functools

from rich.cells import cell_len
from textual import events, on
from textual.app import ComposeResult, RenderResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.visual import VisualType
from textual.widgets import Header, Static

from crm.deals.stages import STAGES
from crm.foundation.errors import CrmError
from crm.foundation.i18n import N_, _
from crm.listing import groups
from crm.listing import pages as deal_pages
from crm.reporting import lights
from screens import text
from screens.arrival import FiguresOnArrival
from screens.base import CrmScreen
from screens.card_column import CardColumn
from screens.deal_actions import DEAL_BINDINGS, DealActions
from screens.forms import Footnote
from screens.keys_footer import KeysFooter

CARDS_PER_STAGE = 20


def _deal_filter(app) -> deal_pages.ListFilter:
    return getattr(app, "deal_filter", None) or deal_pages.ListFilter()


def card_lights(codes: list[str], day: datetime.date) -> dict[str, str]:
    """{code: "yellow" | "red"} of the deals of `codes` that have such a light on `day` (crm.reporting.lights)."""
    return {code: d.light for code, d in lights.deal_lights(codes, day).items() if d.light != lights.GREEN}


def prefetch(app) -> asyncio.Task:
    """Start fetching the board as its key is pressed (see CrmApp.action_show_screen).

    The query then runs in the totals thread while Textual switches screens,
    instead of after: the figures are there by the first frames of the visit.
    """
    flt = _deal_filter(app)
    return app.prefetch("board", flt, groups.board, flt, CARDS_PER_STAGE)


HEAD_FRAME = 3  # cells of a column that its head's text does not get: its padding and the column's border
# A stage's name where the column is too narrow for it: an abbreviation, never a word broken over two lines.
SHORT_STAGE = {
    "negotiating": N_("Negot."),
    "registered": N_("Regd."),
    "construction": N_("Constr."),
    "operating": N_("Oper."),
    "terminated": N_("Term."),
}


def head_lines(stage: str, deals: int, total_cny, unconverted: int, width: int, narrow: bool) -> str:
    """A stage column's head in `width` cells: its name and count, then its total in 亿元 (the unit is in the
    status line: a unit after the figure did not fit a narrow column). `narrow`: name, count and total a line each,
    the name abbreviated where it does not fit."""
    name = text.stage(stage)
    total = text.yi(total_cny)
    if unconverted:
        total += "  " + _("{n} without rate").format(n=unconverted)
    if not narrow:
        lines = [f"{name}  {deals}", total]
    else:
        lines = [name if cell_len(name) <= width else _(SHORT_STAGE.get(stage, name)), str(deals), total]
    return "\n".join(text.fit(line, width).rstrip() for line in lines)


def narrow_board(width: int) -> bool:
    """Whether a board `width` cells wide gives a stage column too few cells for its name and count on one line."""
    widest = max(cell_len(f"{s.label()}  99") for s in STAGES)
    return width < len(STAGES) * (widest + HEAD_FRAME)


class StageHead(Static):
    """A stage's name, count and total, laid out for the width the column has when it is drawn."""

    def __init__(self) -> None:
        super().__init__("", classes="stage-head", markup=False)
        self._figures: tuple | None = None

    def show(self, stage: str, deals: int, total_cny, unconverted: int) -> None:
        self._figures = (stage, deals, total_cny, unconverted)
        # the head's size is set by the stylesheet: no layout of the whole screen for new figures
        self.refresh(layout=False)

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        """Static.update: `content` shown instead of figures until the next ones."""
        self._figures = None
        super().update(content, layout=layout)

    def render(self) -> RenderResult:
        # at drawing time, not when the figures come: a screen built ahead gets them before its first layout
        if self._figures is None:
            return super().render()
        if not self.content_size.width:
            return Content("")
        narrow = self.content_size.height >= 3  # the board's -narrow style gives the head three lines
        return Content(head_lines(*self._figures, self.content_size.width, narrow))


class StageColumn(Vertical):
    """A stage: its count and total above its cards."""

    def __init__(self, stage: str) -> None:
        super().__init__(classes="stage-column", id=f"column-{stage}")
        self.stage = stage

    def compose(self) -> ComposeResult:
        yield StageHead()
        yield CardColumn(self.stage, classes="stage-cards")

    @property
    def cards(self) -> CardColumn:
        return self.query_one(CardColumn)


class BoardScreen(FiguresOnArrival, DealActions, CrmScreen):
    MODE = "board"
    BINDINGS = [
        # n and p are in the keys panel: at 80 columns the footer keeps the board's own keys and ?
        *(dataclasses.replace(b, show=False) if b.key in ("n", "p") else b for b in DEAL_BINDINGS),
        Binding("left_square_bracket", "move(-1)", N_("Move"), key_display="[ ]", tooltip=N_("[ moves left, ] right")),
        Binding("right_square_bracket", "move(1)", N_("Move right"), show=False),
        Binding("enter", "open_deal", N_("Open")),
        Binding("7", "app.show_screen('report')", N_("Report"), tooltip=N_("KPIs per region … of these deals")),
        Binding("left", "focus_column(-1)", N_("Previous stage column"), show=False),
        Binding("right", "focus_column(1)", N_("Next stage column"), show=False),
        Binding("ctrl+r", "refresh", N_("Refresh"), show=False),
    ]

    def __init__(self) -> None:
        super().__init__(id="board-screen")
        # Textual's switch_mode re-parses every stylesheet and restyles the whole app for a screen whose CSS count
        # is behind the app's, as a new one's is (-1); this one's widgets are styled as they mount: nothing is stale.
        self._css_update_count = self.app._css_update_count
        self.drag_from: CardColumn | None = None
        self._lights: dict[str, str] = {}  # code → yellow/red of the cards shown
        self._focus_code: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="board"):
            for stage in STAGES:
                yield StageColumn(stage.key)
        yield Footnote(id="board-status")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = _("Board")
        self.follow_arrivals()

    def on_resize(self) -> None:
        self.query_one("#board").set_class(narrow_board(self.size.width), "-narrow")

    def _wanted(self) -> deal_pages.ListFilter:
        return _deal_filter(self.app)

    def on_screen_resume(self) -> None:
        if not self.shown_on_arrival():
            self.load()

    def load(self) -> None:
        self.run_worker(self._load, exclusive=True, group="board")

    async def _load(self) -> None:
        flt = self._wanted()
        try:
            columns = await self.figures(flt, groups.board, flt, CARDS_PER_STAGE)
        except CrmError as err:
            self.notify(text.shown(err), severity="error")
            return
        self._show(columns)

    def _show(self, columns) -> None:
        chosen = self._chosen()
        focus_code = chosen.current.code if chosen and chosen.current else self._focus_code
        today = self.today
        with self.app.batch_update():
            for column in columns:
                widget = self.query_one(f"#column-{column.stage}", StageColumn)
                g = column.totals
                widget.query_one(StageHead).show(column.stage, g.deals, g.total_cny, g.unconverted)
                # the lights of the previous visit until this one's are in (a card keeps its own deal's)
                widget.cards.show(column.rows, g.deals - len(column.rows), today, self._lights)
        self._show_status()
        self._focus_code = None
        target = next((c for c in self._columns() if focus_code and c.choose(focus_code)), None)
        if target is None and self._chosen() is None:
            target = next((c for c in self._columns() if c.rows), None)
        if target is not None:
            target.focus()
        codes = [row.code for column in columns for row in column.rows]
        self.run_worker(functools.partial(self._load_lights, codes), exclusive=True, group="board-lights")

    async def _load_lights(self, codes: list[str]) -> None:
        # After the frame that shows the figures: not a query more before the visit's first frame.
        painted = asyncio.get_running_loop().create_future()
        self.call_after_refresh(painted.set_result, None)
        await painted
        try:
            self._lights = await self.db.run_aggregate(card_lights, codes, self.today)
        except CrmError as err:
            self.notify(str(err), severity="error")
            return
        with self.app.batch_update():
            for column in self._columns():
                column.show(column.rows, column.more, self.today, self._lights)
            self._show_status()

    def _show_status(self) -> None:
        status = _("Deals by stage; amounts in 100m CNY at signing-date rates")
        shown = [light for column in self._columns() for light in column.lights.values()]
        if shown:
            status += "  ·  " + _("on the cards: {yellow} yellow, {red} red").format(
                yellow=shown.count(lights.YELLOW), red=shown.count(lights.RED)
            )
        words = getattr(self.app, "deal_filter_text", "")
        if words:
            status += "  ·  " + _("filtered as in the deal list: {filters}").format(filters=words)
        self.query_one("#board-status", Footnote).note(status)

    # ---- moving around ------------------------------------------------------------

    def _columns(self) -> list[CardColumn]:
        return list(self.query(CardColumn))

    def _chosen(self) -> CardColumn | None:
        """The column whose chosen card the actions act on."""
        column = self.focused
        return column if isinstance(column, CardColumn) and column.rows else None

    def action_focus_column(self, step: int) -> None:
        """←/→: the nearest column that has cards, at the same height."""
        columns = self._columns()
        chosen = self._chosen()
        if chosen is None:
            first = next((c for c in columns if c.rows), None)
            if first is not None:
                first.focus()
            return
        index = columns.index(chosen) + step
        while 0 <= index < len(columns):
            if columns[index].rows:
                columns[index].cursor = min(chosen.cursor, len(columns[index].rows) - 1)
                columns[index].focus()
                return
            index += step

    def action_move(self, step: int) -> None:
        chosen = self._chosen()
        if chosen is None or chosen.current is None:
            self.notify(_("Choose a card first"), severity="warning")
            return
        keys = [s.key for s in STAGES]
        index = keys.index(chosen.stage) + step
        if 0 <= index < len(keys):
            self._focus_code = chosen.current.code
            self.action_stage(keys[index])

    def on_mouse_down(self, event: events.MouseDown) -> None:
        widget, _region = self.get_widget_at(event.screen_x, event.screen_y)
        self.drag_from = widget if isinstance(widget, CardColumn) and widget.current else None

    def on_mouse_up(self, event: events.MouseUp) -> None:
        column, self.drag_from = self.drag_from, None
        if column is None or column.current is None:
            return
        try:
            widget, _region = self.get_widget_at(event.screen_x, event.screen_y)
        except Exception:  # noqa: BLE001 — released outside any widget
            return
        for node in widget.ancestors_with_self:
            if isinstance(node, StageColumn):
                if node.stage != column.stage:
                    self._focus_code = column.current.code
                    self.action_stage(node.stage)
                return

    @on(CardColumn.Chosen)
    def _double_clicked(self) -> None:
        self.action_open_deal()

    # ---- deal actions --------------------------------------------------------------

    def current_code(self) -> str | None:
        chosen = self._chosen()
        return chosen.current.code if chosen and chosen.current else None

    def deal_changed(self, code: str | None) -> None:
        """The board is fetched again when it is shown again (on_screen_resume)."""

    def action_refresh(self) -> None:
        self.load()
