"""Exchange rates: the dated CNY rates every conversion uses; a adds or replaces one."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Static

from crm.foundation.i18n import N_, _
from crm.reference.views import rate_infos
from screens import text
from screens.base import CrmScreen
from screens.keys_footer import KeysFooter
from screens.measured_table import MeasuredTable


class RatesScreen(CrmScreen):
    BINDINGS = [
        Binding("a", "add_rate", N_("Add rate")),
        Binding("ctrl+r", "refresh", N_("Refresh"), show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield MeasuredTable(id="rates-table", cursor_type="row", zebra_stripes=True)
        yield Static(
            _(
                "A conversion uses the latest rate on or before its date: a deal its signing date, funds their "
                "arrival date. Setting a rate re-converts what it covers."
            ),
            classes="status-line",
        )
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = _("Exchange rates")
        self.query_one(DataTable).add_columns(_("Currency"), _("Valid from"), _("CNY per unit"), _("Source"))

    def on_screen_resume(self) -> None:
        self.load()

    def load(self) -> None:
        self.run_worker(self._load, exclusive=True, group="rates")

    async def _load(self) -> None:
        rows = await self.db.run(rate_infos)
        table = self.query_one(DataTable)
        table.clear()
        for r in rows:
            table.add_row(text.shown(r.currency), r.on.isoformat(), r.rate, text.shown(r.source))
        table.focus()

    def action_add_rate(self) -> None:
        from screens.dialogs import RateDialog

        def saved(rate: str | None) -> None:
            if rate is not None:
                self.notify(_("Rate saved: {rate}").format(rate=rate))

        self.app.push_screen(RateDialog(), saved)

    def action_refresh(self) -> None:
        self.load()
