"""Deal detail: every field, the stage ledger as a timeline, blockers (open
first, overdue marked) resolvable in place, departments with their roles,
funds arrived with 资金到位率, and the audit trail."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from rich.table import Table
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Header, Label, Static

from crm.deals.blockers import is_overdue
from crm.deals.fields import APPROVAL_LABELS, label_of
from crm.deals.trail import field_label, shown_value
from crm.foundation.errors import CrmError
from crm.foundation.i18n import N_, _, current_language
from crm.listing import views as deal_views
from crm.reference import fx
from crm.reporting.kpi import percent_text
from screens import text
from screens.base import CrmScreen
from screens.deal_actions import DEAL_BINDINGS, DealActions
from screens.keys_footer import KeysFooter
from screens.line_table import LineColumn, LineTable


def blockers_in_order(blockers: list[dict], today: datetime.date) -> list[dict]:
    """Open first, overdue first among them, then by due date — as of `today`."""
    for b in blockers:
        b["overdue"] = is_overdue(SimpleNamespace(resolved_on=b["resolved_on"], due_on=b["due_on"]), today)
    return sorted(
        blockers,
        key=lambda b: (b["resolved_on"] is not None, not b["overdue"], b["due_on"] or datetime.date.max, b["id"]),
    )


def open_deal(app, code: str) -> None:
    """Show deal `code`: its detail is read first, so the screen's first frame already shows it whole."""

    async def fetch() -> None:
        try:
            deal = await app.db.run(deal_views.detail, code)
        except CrmError as err:
            app.notify(text.shown(err), severity="error")
            return
        app.push_screen(DealDetailScreen(code, deal))

    app.run_worker(fetch, exclusive=True, group="open-deal")


class DealDetailScreen(DealActions, CrmScreen):
    BINDINGS = [
        Binding("escape", "back", N_("Back")),
        *DEAL_BINDINGS,
        Binding("r", "resolve", N_("Resolve")),
        Binding("ctrl+r", "refresh", N_("Refresh"), show=False),
    ]

    def __init__(self, code: str, deal: dict | None = None) -> None:
        super().__init__(classes="detail-screen")
        self.code = code
        self.deal: dict | None = text.safe(deal)  # read by open_deal: escaped as _load escapes it
        self._shown_before = False

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="detail"):
            yield Static("", id="detail-title")
            with Horizontal(id="detail-top"):
                yield Static("", id="detail-fields")
                with VerticalScroll(id="detail-side"):
                    yield Label(_("Departments"), classes="section")
                    yield Static("", id="detail-departments")
                    yield Label(_("Funds arrived"), classes="section")
                    yield Static("", id="detail-funds")
                    yield Static("", id="detail-funds-rate")
            yield Label(_("Stage ledger"), classes="section")
            yield LineTable(
                [
                    LineColumn(""),
                    LineColumn(_("Date")),
                    LineColumn(_("From → to")),
                    LineColumn(_("By")),
                    LineColumn(_("Recorded at"), style="dim"),
                    LineColumn(_("Note")),
                ],
                id="detail-ledger",
            )
            yield Label(_("Blockers (r resolves the selected one, b adds one)"), classes="section")
            yield DataTable(id="detail-blockers", cursor_type="row", zebra_stripes=True)
            yield Label(_("Audit trail"), classes="section")
            yield LineTable(
                [LineColumn(_("When")), LineColumn(_("Who")), LineColumn(_("Field")), LineColumn(_("Old → new"))],
                id="detail-audit",
            )
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = self.code
        table = self.query_one("#detail-blockers", DataTable)
        table.add_columns(_("No."), _("Blocker"), _("Department"), _("Raised"), _("Due"), _("Status"))
        if self.deal is None:
            self.load()
        else:
            self._show(self.deal)

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # Shown for the first time, just mounted: every widget was styled as it was mounted, so the
        # restyle Textual does on every resume is skipped. Later resumes (back from a dialog) restyle.
        if not self._shown_before:
            self._shown_before = True
            event.refresh_styles = False

    def load(self) -> None:
        self.run_worker(self._load, exclusive=True, group="detail")

    async def _load(self) -> None:
        try:
            # Text from spreadsheets may hold ESC or bidi overrides: shown as escapes, never sent to the terminal.
            self.deal = text.safe(await self.db.run(deal_views.detail, self.code))
        except CrmError as err:
            self.notify(text.shown(err), severity="error")
            return
        self._show(self.deal)

    # ---- drawing --------------------------------------------------------------

    def _show(self, d: dict) -> None:
        today = self.today
        days = (today - d["stage_since"]).days
        title = Text.assemble(
            (f"{d['code']}  ", "bold"),
            (d["name"], "bold"),
            "   ",
            (f" {text.stage(d['stage'])} ", "reverse"),
            "  ",
            _("{days} days in stage, since {since}").format(days=days, since=d["stage_since"]),
        )
        self.query_one("#detail-title", Static).update(title)
        self.query_one("#detail-fields", Static).update(self._fields(d))
        self.query_one("#detail-departments", Static).update(self._departments(d))
        self.query_one("#detail-funds", Static).update(self._funds(d))
        self.query_one("#detail-funds-rate", Static).update(self._funds_rate(d))
        self.query_one("#detail-ledger", LineTable).set_rows(self._ledger(d))
        self._blockers(d, today)
        self.query_one("#detail-audit", LineTable).set_rows(self._audit(d))

    def _fields(self, d: dict) -> Table:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column(overflow="fold")
        rate = d.get("fx_rate")
        converted = text.yi_label(d["amount_cny"]) if d["amount_cny"] is not None else _("no exchange rate yet")
        if rate:
            converted += "  @ " + _("{currency} {rate} of {day}").format(
                currency=rate["currency"], rate=fx.rate_text(rate["rate"]), day=rate["on"]
            )
        approval = APPROVAL_LABELS.get(d.get("approval") or "", None)
        rows = [
            (_(label_of("investor")), d["investor"]),
            (_(label_of("region")), d["region"]),
            (_(label_of("industry")), " / ".join(x for x in (d["industry"], d["sub_industry"]) if x)),
            (_(label_of("event")), d["event"] or ""),
            (_(label_of("signed_on")), text.day(d["signed_on"])),
            (_(label_of("amount")), text.money(d["amount"], d["currency"], d["amount_approximate"])),
            (_("In CNY"), converted),
            (_(label_of("approval")), (approval[0] if current_language() == "zh" else approval[1]) if approval else ""),
            (_(label_of("liaison")), d["liaison"] or ""),
            (_(label_of("planned_start")), text.day(d["planned_start"])),
            (_(label_of("planned_completion")), text.day(d["planned_completion"])),
            (
                _(label_of("floor_area")),
                _("{area} square metres").format(area=f"{d['floor_area']:,.2f}") if d["floor_area"] else "",
            ),
            (_(label_of("responsibility_plan")), d["responsibility_plan"]),
            (_(label_of("notes")), d["notes"]),
            (
                _("Version"),
                _("{version}, saved by {who} at {when}").format(
                    version=d["version"], who=d["updated_by"] or "?", when=d["updated_at"]
                ),
            ),
        ]
        for label, value in rows:
            grid.add_row(label, text.shown(value) if value not in (None, "") else "—")
        return grid

    def _departments(self, d: dict) -> Table:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column()
        if not d["departments"]:
            grid.add_row("", _("none yet (d to assign)"))
        for dept in d["departments"]:
            grid.add_row(_("Lead") if dept["role"] == "lead" else _("Supporting"), text.shown(dept["name"]))
        return grid

    def _funds(self, d: dict) -> Table:
        table = Table(box=None, padding=(0, 1), show_edge=False, header_style="dim", expand=True)
        table.add_column(_("Date"))
        table.add_column(_("Amount"), justify="right")
        table.add_column(_("100m CNY"), justify="right")
        table.add_column(_("Note"))
        for f in d["funds"]:
            table.add_row(
                text.day(f["on"]),
                text.money(f["amount"], f["currency"]),
                text.yi(f["amount_cny"]),
                text.shown(f["note"]),
            )
        if not d["funds"]:
            table.add_row("—", "", "", "")
        return table

    def _funds_rate(self, d: dict) -> str:
        return _("Funds rate {rate}: {arrived} arrived of {signed}").format(
            rate=percent_text(d["funds_rate"]),
            arrived=text.yi_label(d["funds_cny"]),
            signed=text.yi_label(d["amount_cny"]),
        )

    def _ledger(self, d: dict) -> list[tuple]:
        last = len(d["ledger"]) - 1
        return [
            (
                "●" if n == last else "○",
                text.day(e["on"]),
                f"{text.stage(e['from']) if e['from'] else '—'} → {text.stage(e['to'])}",
                e["by"],
                str(e["recorded_at"]),
                e["note"] or "",
            )
            for n, e in enumerate(d["ledger"])
        ]

    def _blockers(self, d: dict, today: datetime.date) -> None:
        table = self.query_one("#detail-blockers", DataTable)
        table.clear()
        for b in blockers_in_order(d["blockers"], today):
            if b["resolved_on"]:
                status = Text(
                    _("resolved {day}: {how}").format(day=b["resolved_on"], how=b["resolution"] or "—"), style="dim"
                )
            elif b["overdue"]:
                status = Text(_("OVERDUE by {days} days").format(days=(today - b["due_on"]).days), style="bold red")
            else:
                status = Text(_("open"), style="yellow")
            table.add_row(
                str(b["id"]),
                text.shown(b["text"]),
                text.shown(b["department"]),
                text.day(b["raised_on"]),
                text.day(b["due_on"]),
                status,
                key=str(b["id"]),
            )
        table.styles.height = max(3, min(len(d["blockers"]) + 2, 12))

    def _audit(self, d: dict) -> list[tuple]:
        rows = []
        for a in reversed(d["audit"]):
            old = shown_value(a["field"], a["old"], d["currency"]) or "—"
            new = shown_value(a["field"], a["new"], d["currency"]) or "—"
            rows.append((str(a["at"]), a["by"], field_label(a["field"]), f"{old} → {new}"))
        return rows

    # ---- actions -----------------------------------------------------------------

    def current_code(self) -> str | None:
        return self.code

    def deal_changed(self, code: str | None) -> None:
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_refresh(self) -> None:
        self.load()

    def action_resolve(self) -> None:
        from screens.dialogs import ResolveDialog

        table = self.query_one("#detail-blockers", DataTable)
        if self.deal is None or table.row_count == 0:
            self.notify(_("This deal has no blockers"), severity="warning")
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        blocker = next(b for b in self.deal["blockers"] if str(b["id"]) == key)
        if blocker["resolved_on"]:
            self.notify(_("Blocker {id} is already resolved").format(id=blocker["id"]), severity="warning")
            return
        self.app.push_screen(ResolveDialog(blocker["id"], blocker["text"], blocker.get("version")), self._after)

    @on(DataTable.RowSelected, "#detail-blockers")
    def _blocker_selected(self) -> None:
        self.action_resolve()
