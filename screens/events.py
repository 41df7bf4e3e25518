"""Events: every signing event with its cohort KPIs — signed, total, 履约率,
开工率, 资金到位率, 办结率. The events show at once; their figures come in a
worker, those on screen first, with a progress bar; enter shows the event on
the dashboard."""

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
from crm.reporting.cohorts import event_kpis, event_reads
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
#: The first column of an event's figures (after its name, date and place), and its figures while they are read.
FIGURES_FROM = 3
PENDING = ["…"] * (len(COLUMNS) - FIGURES_FROM)
#: The lines of rows read first around the cursor when the table has no height yet.
SHOWN_AT_LEAST = 20


def _described(event) -> list[str]:
    """The cells of an event's name, date and place."""
    place = _("online") if event.place == "online" else event.place
    return [text.plain(event.name, keep_newlines=False), text.day(event.held_on), text.plain(place)]


def _cells(k: kpi.Kpis) -> list[str]:
    """The cells of an event's figures."""
    return [
        str(k.deals),
        text.yi(k.total_cny),
        text.percent(k.fulfilment_rate),
        text.percent(k.start_rate),
        text.percent(k.funds_rate),
        text.percent(k.resolution_rate),
        str(k.blockers_open),
    ]


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
        self._rows: list[tuple[str, list[str]]] = []  # (key, cells as text) of the last load, laid out by _fill
        self._laid: tuple = ()  # the _layout the table has
        self._column_keys: list = []

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

    def _layout(self) -> tuple[list[int], list[str], int]:
        """(widths, headings, fixed columns) for the rows of the last load at the table's width: where they do not
        all fit, the event's name wraps and the headings take two lines, so that more figures show before the
        table scrolls sideways."""
        table = self.query_one(DataTable)
        labels = [_(label) for label in COLUMNS]
        natural = [
            max([cell_len(label)] + [cell_len(cells[i]) for _key, cells in self._rows])
            for i, label in enumerate(labels)
        ]
        widths, headings = list(natural), list(labels)
        room = table.size.width - 2 * table.cell_padding * len(labels)
        if sum(natural) > room:  # headings over two lines, then the event's name wrapped, as the width needs
            for i in range(1, len(labels)):
                least = max([1] + [cell_len(c[i]) for _k, c in self._rows])
                two_lines = _(TWO_LINES[COLUMNS[i]]) if COLUMNS[i] in TWO_LINES else ""  # _("") is the header
                widths[i], headings[i] = narrow_label(labels[i], least, two_lines)
            widths[0] = min(natural[0], max(NAME_NARROW, room - sum(widths[1:])))
        # where they do not all fit (80 columns), the event's name stays as the figures scroll sideways
        return widths, headings, int(sum(natural) > room)

    def _fill(self) -> None:
        """The rows of the last load in the columns _layout gives."""
        table = self.query_one(DataTable)
        keep = table.cursor_row
        self._laid = self._layout()
        widths, headings, table.fixed_columns = self._laid
        table.clear(columns=True)
        table.header_height = max(len(h.split("\n")) for h in headings)
        self._column_keys = [table.add_column(heading, width=width) for heading, width in zip(headings, widths)]
        for key, cells in self._rows:
            name = text.wrap_lines(cells[0], widths[0])
            table.add_row(Text("\n".join(name)), *(Text(c) for c in cells[1:]), key=key, height=len(name))
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))

    def _show(self, keys: list[str]) -> None:
        """The figures of the events `keys` just read: in their cells where the columns stay as they are, else the
        table laid out again."""
        if self._layout() != self._laid:
            self._fill()
            return
        table = self.query_one(DataTable)
        cells_of = dict(self._rows)
        for key in keys:
            for column, cell in zip(self._column_keys[FIGURES_FROM:], cells_of[key][FIGURES_FROM:]):
                table.update_cell(key, column, Text(cell))

    def on_screen_resume(self) -> None:
        self.load()

    def load(self) -> None:
        self.run_worker(self._load, exclusive=True, group="events")

    async def _load(self) -> None:
        """Every event at once, its figures pending; then the figures, the events on screen first, in the reads
        crm.reporting.cohorts.event_reads gives, the progress bar counting them."""
        table = self.query_one(DataTable)
        events = await self.db.run_aggregate(event_infos)
        keep = min(table.cursor_row, max(len(events) - 1, 0))
        self._rows = [(str(e.id), [*_described(e), *PENDING]) for e in events]
        progress = self.query_one(ProgressBar)
        progress.display = bool(events)
        progress.update(total=len(events), progress=0)
        self._fill()
        if table.row_count:
            table.focus()
        ids = [e.id for e in events]
        lo, hi = self._on_screen(keep)
        first = ids[lo:hi]
        taken = set(first)
        reads = event_reads(first, [ident for ident in ids if ident not in taken])
        pending = dict.fromkeys(ids)
        for read in reads:
            wanted = list(pending) if read is None else read
            figures = await self._figures(read, wanted)
            rows = dict(self._rows)
            for ident in wanted:
                rows[str(ident)][FIGURES_FROM:] = figures[ident]
                pending.pop(ident, None)
            progress.update(progress=len(ids) - len(pending))
            self._show([str(ident) for ident in wanted])
        progress.display = False

    def _on_screen(self, keep: int) -> tuple[int, int]:
        """The range of rows the table shows with its cursor on row `keep` (the rows around it that fill its
        height, or SHOWN_AT_LEAST lines before the table has a height)."""
        table = self.query_one(DataTable)
        rows = table.ordered_rows
        room = max(table.size.height - table.header_height, SHOWN_AT_LEAST)
        lo = hi = keep
        while room > 0 and (lo > 0 or hi < len(rows)):
            if hi < len(rows):
                room -= rows[hi].height
                hi += 1
            if room > 0 and lo > 0:
                lo -= 1
                room -= rows[lo].height
        return lo, hi

    async def _figures(self, read: list[int] | None, wanted: list[int]) -> dict[int, list[str]]:
        """{event id: its figures' cells} of the events `wanted`, from one read (event_kpis' `ids`). Where one of
        them cannot be computed (a rate missing), the read is halved until that event stands alone, its error in
        its row: a few reads more for one bad event, rather than a read per event."""
        try:
            every = await self.db.run_aggregate(event_kpis, self.today, read)
            return {ident: _cells(every.get(ident, kpi.Kpis())) for ident in wanted}
        except CrmError as err:
            if len(wanted) == 1:
                return {wanted[0]: [text.plain(err, keep_newlines=False), "", "", "", "", "", ""]}
        half = len(wanted) // 2
        return {
            **await self._figures(wanted[:half], wanted[:half]),
            **await self._figures(wanted[half:], wanted[half:]),
        }

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
