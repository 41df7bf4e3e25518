"""Events: every signing event with its cohort KPIs — signed, total, 履约率,
开工率, 资金到位率, 办结率. Computed one event at a time in a worker, with a
progress bar; enter shows the event on the dashboard."""

from __future__ import annotations

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
        self.query_one(DataTable).add_columns(
            _("Event"),
            _("Date"),
            _("Place"),
            _("Deals signed"),
            _("Total (100m CNY)"),
            _("Fulfilment rate"),
            _("Start rate"),
            _("Funds rate"),
            _("Resolution rate"),
            _("Open blockers"),
        )

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
                cells = (text.shown(err), "", "", "", "", "", "")
            table.add_row(text.shown(name), text.day(held_on), text.shown(place_text), *cells, key=str(ident))
            self.events[str(ident)] = (ident, name, held_on)
            progress.advance(1)
        progress.display = False
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))
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
