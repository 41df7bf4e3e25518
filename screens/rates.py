"""Exchange rates: the dated CNY rates every conversion uses; a adds or replaces one, v voids one (with a note)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header

from crm.foundation.i18n import N_, _
from crm.reference import fx
from crm.reference.entries import RateEntry, rate_entries
from screens import text
from screens.base import CrmScreen
from screens.forms import Footnote
from screens.keys_footer import KeysFooter
from screens.measured_table import MeasuredTable


class RatesScreen(CrmScreen):
    BINDINGS = [
        Binding("a", "add_rate", N_("Add rate")),
        Binding(
            "v", "void_rate", N_("Void rate"), tooltip=N_("A rate typed wrong: kept, marked, and converts nothing")
        ),
        Binding("ctrl+r", "refresh", N_("Refresh"), show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield MeasuredTable(id="rates-table", cursor_type="row", zebra_stripes=True)
        yield Footnote(
            _(
                "A conversion uses the latest rate on or before its date: a deal its signing date, funds their "
                "arrival date. Setting a rate re-converts what it covers."
            )
        )
        yield KeysFooter()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rates: list[RateEntry] = []

    def on_mount(self) -> None:
        self.sub_title = _("Exchange rates")
        self.query_one(DataTable).add_columns(
            _("Currency"), _("Valid from"), _("CNY per unit"), _("Source"), _("Voided")
        )

    def on_screen_resume(self) -> None:
        self.load()

    def load(self) -> None:
        self.run_worker(self._load, exclusive=True, group="rates")

    async def _load(self) -> None:
        self.rates = await self.db.run(rate_entries)
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for r in self.rates:
            voided = (
                _("{day} {who}: {note}").format(day=r.voided_at.date(), who=r.voided_by, note=r.void_note)
                if r.voided_at
                else ""
            )
            table.add_row(
                text.shown(r.currency),
                r.on.isoformat(),
                fx.rate_text(r.rate),
                text.shown(r.source),
                text.shown(voided),
            )
        table.move_cursor(row=min(row, max(table.row_count - 1, 0)))
        table.focus()

    def action_add_rate(self) -> None:
        from screens.dialogs import RateDialog

        def saved(rate: str | None) -> None:
            if rate is not None:
                self.notify(_("Rate saved: {rate}").format(rate=rate))

        self.app.push_screen(RateDialog(), saved)

    def action_void_rate(self) -> None:
        from screens.corrections import VoidRateDialog

        table = self.query_one(DataTable)
        if not self.rates or not 0 <= table.cursor_row < len(self.rates):
            return
        rate = self.rates[table.cursor_row]
        if rate.voided_at:
            self.notify(_("That rate is voided already"), severity="warning")
            return

        def voided(done: object) -> None:
            if done:
                self.load()

        self.app.push_screen(VoidRateDialog(rate), voided)

    def action_refresh(self) -> None:
        self.load()
