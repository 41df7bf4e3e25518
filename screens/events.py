"""Events: every signing event with its cohort KPIs — signed, total, 履约率,
开工率, 资金到位率, 办结率. Computed one event at a time in a worker, with a
progress bar; enter shows the event on the dashboard."""

from __future__ import annotations

import re

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, ProgressBar

from crm.foundation.errors import CrmError
from crm.foundation.i18n import N_, _
from crm.reference.views import event_infos
from crm.reporting import kpi
from crm.reporting.cohorts import event_cohort, event_kpis
from screens import text
from screens.base import CrmScreen
from screens.forms import Footnote
from screens.keys_footer import KeysFooter
from screens.measured_table import MeasuredTable

#: The columns (English source); the event's name is the first.
COLUMNS = (
    N_("Event"),
    N_("Date"),
    N_("Place"),
    N_("Deals signed"),
    N_("Total (100m CNY)"),
    N_("Fulfilment rate"),
    N_("Start rate"),
    N_("Funds rate"),
    N_("Resolution rate"),
    N_("Open blockers"),
)
#: A heading over two lines where the table is narrower than its headings (English source): each language's
#: break where it reads well, 签约 / 项目数 and 资金 / 到位率 rather than in the middle of a word.
TWO_LINES = {
    N_("Deals signed"): N_("Deals\nsigned"),
    N_("Total (100m CNY)"): N_("Total\n(100m CNY)"),
    N_("Fulfilment rate"): N_("Fulfilment\nrate"),
    N_("Start rate"): N_("Start\nrate"),
    N_("Funds rate"): N_("Funds\nrate"),
    N_("Resolution rate"): N_("Resolution\nrate"),
    N_("Open blockers"): N_("Open\nblockers"),
}
LATIN_WORD = re.compile(r"[!-~]+")
NAME_NARROW = 18  # the event's name wraps at this width where the table is wider than the screen


def narrow_label(label: str, least: int, two_lines: str = "") -> tuple[int, str]:
    """(width, lines) of a column heading over at most two lines, the column at least `least` cells wide, its
    figures whole below it: as `two_lines` breaks it (the same words as `label`, at most one line break: 签约 /
    项目数; none: 履约率), else in two lines of about equal width: Total (100m CNY) as Total / (100m CNY)."""
    if cell_len(label) <= least:
        return least, label
    lines = two_lines.split("\n")
    if len(lines) <= 2 and label in ("".join(lines), " ".join(lines)):  # else a catalog without it: as below
        return max(least, *(cell_len(line) for line in lines)), two_lines
    # a Latin word is never broken; a Chinese heading breaks between its characters
    width = max([(cell_len(label) + 1) // 2] + [cell_len(word) for word in LATIN_WORD.findall(label)])
    while len(lines := text.wrap_lines(label, width)) > 2:
        width += 1
    return max(least, *(cell_len(line) for line in lines)), "\n".join(lines)


class EventsScreen(CrmScreen):
    BINDINGS = [
        Binding(
            "enter", "dashboard", N_("Event dashboard"), priority=True
        ),  # over the table's own, so the footer says it
        Binding("ctrl+r", "refresh", N_("Refresh"), show=False),
    ]

    def __init__(self) -> None:
        super().__init__(id="events-screen")
        self.events: dict[str, tuple] = {}
        self._rows: list[tuple[str, list[str]]] = []  # (key, cells as text) of the last load, laid out by _fill

    def compose(self) -> ComposeResult:
        yield Header()
        yield ProgressBar(id="events-progress", show_eta=False)
        yield MeasuredTable(id="events-table", cursor_type="row", zebra_stripes=True)
        yield Footnote(
            _(
                "Only signed deals count (not {stage}). Funds rate: funds arrived ÷ total, each at its own "
                "date's rate. Resolution rate: blockers resolved ÷ raised."
            ).format(stage=text.stage("negotiating"))
        )
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = _("Signing events and their KPIs")
        self.query_one(DataTable).add_columns(*(_(label) for label in COLUMNS))

    def on_resize(self) -> None:
        if self._rows:
            self.call_after_refresh(self._fill)  # once the table has its new width

    def _fill(self) -> None:
        """The rows of the last load in columns for the table's width: where they do not all fit, the event's name
        wraps and the headings take two lines, so that more figures show before the table scrolls sideways."""
        table = self.query_one(DataTable)
        keep = table.cursor_row
        labels = [_(label) for label in COLUMNS]
        natural = [
            max([cell_len(label)] + [cell_len(cells[i]) for _key, cells in self._rows])
            for i, label in enumerate(labels)
        ]
        widths, headings = list(natural), list(labels)
        room = table.size.width - 2 * table.cell_padding * len(labels)
        # where they do not all fit (80 columns), the event's name stays as the figures scroll sideways
        table.fixed_columns = int(sum(natural) > room)
        if sum(natural) > room:  # headings over two lines, then the event's name wrapped, as the width needs
            for i in range(1, len(labels)):
                least = max([1] + [cell_len(c[i]) for _k, c in self._rows])
                two_lines = _(TWO_LINES[COLUMNS[i]]) if COLUMNS[i] in TWO_LINES else ""  # _("") is the header
                widths[i], headings[i] = narrow_label(labels[i], least, two_lines)
            widths[0] = min(natural[0], max(NAME_NARROW, room - sum(widths[1:])))
        table.clear(columns=True)
        table.header_height = max(len(h.split("\n")) for h in headings)
        for heading, width in zip(headings, widths):
            table.add_column(heading, width=width)
        for key, cells in self._rows:
            name = text.wrap_lines(cells[0], widths[0])
            table.add_row(Text("\n".join(name)), *(Text(c) for c in cells[1:]), key=key, height=len(name))
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))

    def on_screen_resume(self) -> None:
        self.load()

    def load(self) -> None:
        self.run_worker(self._load, exclusive=True, group="events")

    async def _load(self) -> None:
        table = self.query_one(DataTable)
        events = await self.db.run_aggregate(event_infos)
        try:
            every = await self.db.run_aggregate(event_kpis, self.today)
        except CrmError:
            every = None  # one event's figures cannot be computed: each event alone, its error in its row
        keep = table.cursor_row
        table.clear()
        self.events = {}
        self._rows = []
        progress = self.query_one(ProgressBar)
        progress.display = every is None
        progress.update(total=len(events), progress=0)
        for event in events:
            ident, name, held_on, place = event.id, event.name, event.held_on, event.place
            place_text = _("online") if place == "online" else place
            try:
                k = every.get(ident, kpi.Kpis()) if every is not None else await self._alone(ident)
                cells = (
                    str(k.deals),
                    text.yi(k.total_cny),
                    text.percent(k.fulfilment_rate),
                    text.percent(k.start_rate),
                    text.percent(k.funds_rate),
                    text.percent(k.resolution_rate),
                    str(k.blockers_open),
                )
            except CrmError as err:
                cells = (text.plain(err, keep_newlines=False), "", "", "", "", "", "")
            row = [text.plain(name, keep_newlines=False), text.day(held_on), text.plain(place_text), *cells]
            table.add_row(*(Text(cell) for cell in row), key=str(ident))
            self._rows.append((str(ident), row))
            self.events[str(ident)] = (ident, name, held_on)
            progress.advance(1)
        progress.display = False
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))
        self._fill()
        table.focus()

    async def _alone(self, ident: int) -> kpi.Kpis:
        return await self.db.run_aggregate(kpi.compute, event_cohort(ident), self.today)

    def action_dashboard(self) -> None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        self.app.dashboard_cohort = f"event:{key}"
        self.app.switch_mode("dashboard")

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_dashboard()

    def action_refresh(self) -> None:
        self.load()
