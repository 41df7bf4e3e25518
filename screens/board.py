"""Board: one column per stage with its count and 亿元 total (USD converted
at signing-date rates), cards with name, amount and days in stage. Moving a
card ([ ] or a mouse drag to another column) asks for the date and a note."""

from __future__ import annotations


from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Header, Static

from crm import deal_pages
from crm.deal_pages import DealRow
from crm.errors import CrmError
from crm.i18n import N_, _
from crm.stages import STAGES
from screens import text
from screens.base import CrmScreen
from screens.deal_actions import DEAL_BINDINGS, DealActions

CARDS_PER_STAGE = 20


class Card(Static, can_focus=True):
    """A deal on the board."""

    def __init__(self, row: DealRow, stage: str) -> None:
        super().__init__(classes="card")
        self.row = row
        self.stage = stage

    def render_card(self, today) -> str:
        row = self.row
        name = text.fit(row.name, 34)
        amount = text.money(row.amount, row.currency, row.approximate)
        days = _("{days} d").format(days=row.days_in_stage(today))
        blockers = f"  ⚠{row.open_blockers}" if row.open_blockers else ""
        return f"{name.rstrip()}\n{amount} · {text.yi(row.amount_cny)}\n{days}{blockers}"

    def on_mount(self) -> None:
        self.update(self.render_card(self.app.today))

    def on_mouse_down(self, event: events.MouseDown) -> None:
        self.focus()
        self.screen.drag_from = self

    def on_click(self, event: events.Click) -> None:
        if event.chain >= 2:
            self.screen.action_open_deal()


class StageColumn(Vertical):
    def __init__(self, stage: str) -> None:
        super().__init__(classes="stage-column", id=f"column-{stage}")
        self.stage = stage

    def compose(self) -> ComposeResult:
        yield Static("", classes="stage-head")
        yield VerticalScroll(classes="stage-cards")


class BoardScreen(DealActions, CrmScreen):
    BINDINGS = [
        *DEAL_BINDINGS,
        Binding("left_square_bracket", "move(-1)", N_("Move left")),
        Binding("right_square_bracket", "move(1)", N_("Move right")),
        Binding("enter", "open_deal", N_("Open")),
        Binding("up", "focus_card(0, -1)", show=False),
        Binding("down", "focus_card(0, 1)", show=False),
        Binding("left", "focus_card(-1, 0)", show=False),
        Binding("right", "focus_card(1, 0)", show=False),
        Binding("ctrl+r", "refresh", N_("Refresh"), show=False),
    ]

    def __init__(self) -> None:
        super().__init__(id="board-screen")
        self.drag_from: Card | None = None
        self._focus_code: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="board"):
            for stage in STAGES:
                yield StageColumn(stage.key)
        yield Static("", classes="status-line", id="board-status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = _("Board")

    def on_screen_resume(self) -> None:
        self.load()

    def load(self) -> None:
        self.run_worker(self._load, exclusive=True, group="board")

    def _filter(self):
        return getattr(self.app, "deal_filter", None) or deal_pages.ListFilter()

    async def _load(self) -> None:
        flt = self._filter()
        try:
            columns = await self.db.run_aggregate(deal_pages.board, flt, CARDS_PER_STAGE)
        except CrmError as err:
            self.notify(str(err), severity="error")
            return
        focused = self.focused.row.code if isinstance(self.focused, Card) else self._focus_code
        refocus = None
        with self.app.batch_update():
            for column in columns:
                widget = self.query_one(f"#column-{column.stage}", StageColumn)
                head = widget.query_one(".stage-head", Static)
                g = column.totals
                missing = "  " + _("{n} without rate").format(n=g.unconverted) if g.unconverted else ""
                head.update(f"{text.stage(column.stage)}  {g.deals}\n{text.yi_label(g.total_cny)}{missing}")
                cards = widget.query_one(".stage-cards", VerticalScroll)
                await cards.remove_children()
                new = [Card(row, column.stage) for row in column.rows]
                if g.deals > len(column.rows):
                    more = Static(_("… and {n} more (see the deal list)").format(n=g.deals - len(column.rows)),
                                  classes="card-more")
                    await cards.mount_all([*new, more])
                else:
                    await cards.mount_all(new)
                for card in new:
                    if card.row.code == focused:
                        refocus = card
        status = _("Deals by stage; amounts in 100m CNY at signing-date rates")
        words = getattr(self.app, "deal_filter_text", "")
        if words:
            status += "  ·  " + _("filtered as in the deal list: {filters}").format(filters=words)
        self.query_one("#board-status", Static).update(status)
        if refocus is not None:
            refocus.focus()
        elif not isinstance(self.focused, Card):
            first = self.query(Card).first() if self.query(Card) else None
            if first is not None:
                first.focus()

    # ---- moving around ------------------------------------------------------------

    def _cards(self, stage: str) -> list[Card]:
        return list(self.query_one(f"#column-{stage}", StageColumn).query(Card))

    def action_focus_card(self, dx: int, dy: int) -> None:
        card = self.focused if isinstance(self.focused, Card) else None
        keys = [s.key for s in STAGES]
        if card is None:
            first = self.query(Card)
            if first:
                first.first().focus()
            return
        column = keys.index(card.stage)
        index = self._cards(card.stage).index(card)
        if dy:
            cards = self._cards(card.stage)
            target = cards[max(0, min(index + dy, len(cards) - 1))]
            target.focus()
            target.scroll_visible()
            return
        step = column + dx
        while 0 <= step < len(keys):
            cards = self._cards(keys[step])
            if cards:
                cards[min(index, len(cards) - 1)].focus()
                return
            step += dx

    def action_move(self, step: int) -> None:
        card = self.focused if isinstance(self.focused, Card) else None
        if card is None:
            self.notify(_("Choose a card first"), severity="warning")
            return
        keys = [s.key for s in STAGES]
        index = keys.index(card.stage) + step
        if 0 <= index < len(keys):
            self._focus_code = card.row.code
            self.action_stage(keys[index])

    def on_mouse_up(self, event: events.MouseUp) -> None:
        card, self.drag_from = self.drag_from, None
        if card is None:
            return
        try:
            widget, _region = self.get_widget_at(event.screen_x, event.screen_y)
        except Exception:  # noqa: BLE001 — released outside any widget
            return
        for node in widget.ancestors_with_self:
            if isinstance(node, StageColumn):
                if node.stage != card.stage:
                    self._focus_code = card.row.code
                    self.action_stage(node.stage)
                return

    # ---- deal actions --------------------------------------------------------------

    def current_code(self) -> str | None:
        return self.focused.row.code if isinstance(self.focused, Card) else None

    def deal_changed(self, code: str | None) -> None:
        """The board is fetched again when it is shown again (on_screen_resume)."""

    def action_refresh(self) -> None:
        self.load()
