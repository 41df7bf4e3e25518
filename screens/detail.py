"""Deal detail: every field; the timeline (stage changes, progress, funds,
plans and completed investment, blockers, corrections: screens.timeline);
blockers (open first, overdue marked) resolvable and reopenable in place;
departments with their roles; funds arrived with 资金到位率; the audit trail.
Corrections (archive, void, reverse a stage, reopen) are keys here
(screens.corrections), shown in the keys panel (?)."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Header, Label, Static

from crm.deals.blockers import is_overdue
from crm.deals.fields import APPROVAL_LABELS, label_of
from crm.deals.timeline import deal_timeline
from crm.deals.trail import field_label, shown_value
from crm.foundation.errors import CrmError
from crm.foundation.i18n import N_, _, current_language
from crm.listing import views as deal_views
from crm.reference import fx
from crm.values.money import completion_text, percent_text
from screens import text
from screens.base import CrmScreen
from screens.deal_actions import DEAL_BINDINGS, DealActions
from screens.keys_footer import KeysFooter
from screens.line_table import LineColumn, LineTable
from screens.measured_table import MeasuredTable
from screens.timeline import TimelineTable


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


class FundsTable:
    """A deal's funds arrived (a rich renderable): a table of date, amount, 亿元 and note where its columns fit the
    width; else each fund in lines of its own, so that no date or amount is cut (English amounts are long)."""

    def __init__(self, funds: list[dict]) -> None:
        self.funds = funds

    def _row(self, f: dict) -> tuple[str, str, str, str]:
        note = (f["note"] + " " + _("(voided)")).strip() if f["voided"] else f["note"]
        return text.day(f["on"]), text.money(f["amount"], f["currency"]), text.yi(f["amount_cny"]), note

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        rows = [self._row(f) for f in self.funds]
        headers = (_("Date"), _("Amount"), _("100m CNY"))
        # the three whole columns, one cell after each, and two cells of note
        needed = sum(max(cell_len(c) for c in column) + 1 for column in zip(headers, *(r[:3] for r in rows))) + 2
        if rows and needed > options.max_width:
            yield from self._lines(rows)
            return
        # one cell between columns, the date and the amounts whole (never wrapped); the note takes what is left
        table = Table(box=None, padding=(0, 1, 0, 0), pad_edge=False, show_edge=False, header_style="dim", expand=True)
        table.add_column(headers[0], no_wrap=True)
        table.add_column(headers[1], justify="right", no_wrap=True)
        table.add_column(headers[2], justify="right", no_wrap=True)
        table.add_column(_("Note"), min_width=2, ratio=1)
        for f, (day, amount, yi, note) in zip(self.funds, rows):
            table.add_row(
                day,
                amount,
                yi,
                Text(text.plain(note, keep_newlines=False), no_wrap=True, overflow="ellipsis"),
                style="dim strike" if f["voided"] else None,
            )
        if not rows:
            table.add_row("—", "", "", "")
        yield table

    def _lines(self, rows: list[tuple[str, str, str, str]]) -> RenderResult:
        for f, (day, amount, _yi, note) in zip(self.funds, rows):
            style = "dim strike" if f["voided"] else ""
            converted = "" if f["currency"] == "CNY" else " = " + text.yi_label(f["amount_cny"])
            yield Text(f"{day}  {amount}{converted}", style=style)
            if note:
                yield Text(
                    "  " + text.plain(note, keep_newlines=False),
                    style=f"dim {style}".strip(),
                    no_wrap=True,
                    overflow="ellipsis",
                )


class DealDetailScreen(DealActions, CrmScreen):
    BINDINGS = [
        Binding("escape", "back", N_("Back")),
        *DEAL_BINDINGS,
        Binding("r", "resolve", N_("Resolve")),
        Binding(
            "i", "investment", N_("Investment"), show=False, tooltip=N_("Record completed investment or a year's plan")
        ),
        # corrections (issue 14): in the keys panel (?) and the palette; the footer keeps its room for the above
        Binding("o", "reopen", N_("Reopen blocker"), show=False, tooltip=N_("Reopen the selected resolved blocker")),
        Binding(
            "v", "void", N_("Void entry"), show=False, tooltip=N_("Void a funds, completed-investment or blocker entry")
        ),
        Binding("u", "undo_stage", N_("Reverse stage"), show=False, tooltip=N_("Reverse the latest stage change")),
        Binding("a", "archive", N_("Archive/restore"), show=False, tooltip=N_("Archive the deal, or restore it")),
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
                    yield Label(_("Investment plan and completion"), classes="section")
                    yield Static("", id="detail-investment")
            yield Label(_("Timeline"), classes="section")
            yield TimelineTable(id="detail-timeline")
            yield Label(_("Blockers (r resolves the selected one, o reopens it, b adds one)"), classes="section")
            yield MeasuredTable(id="detail-blockers", cursor_type="row", zebra_stripes=True)
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
        if d.get("archived"):
            title.append("   ")
            title.append(" " + _("Archived on {day}").format(day=d["archived"]["on"]) + " ", "reverse magenta")
        self.query_one("#detail-title", Static).update(title)
        self.query_one("#detail-fields", Static).update(self._fields(d))
        self.query_one("#detail-departments", Static).update(self._departments(d))
        self.query_one("#detail-funds", Static).update(self._funds(d))
        self.query_one("#detail-funds-rate", Static).update(self._funds_rate(d))
        self.query_one("#detail-investment", Static).update(self._investment(d))
        self.query_one("#detail-timeline", TimelineTable).show(deal_timeline(d))
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
                    version=d["version"], who=text.actor(d["updated_by"]) or "?", when=d["updated_at"]
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

    def _funds(self, d: dict) -> FundsTable:
        return FundsTable(d["funds"])

    def _funds_rate(self, d: dict) -> str:
        return _("Funds rate {rate}: {arrived} arrived of {signed}").format(
            rate=percent_text(d["funds_rate"]),
            arrived=text.yi_label(d["funds_cny"]),
            signed=text.yi_label(d["amount_cny"]),
        )

    def _investment(self, d: dict) -> str:
        """Each year: its plan, what was completed, and the completion rate (完成年计划 %)."""
        lines = [
            _("{year}: plan {plan}, completed {done}, {rate}").format(
                year=y["year"],
                plan=text.yi_label(y["plan_cny"]) if y["plan_cny"] is not None else _("none"),
                done=text.yi_label(y["done_cny"]),
                rate=completion_text(y["completion_rate"], y["completion_currency"]),
            )
            for y in d["investment"]
        ]
        return "\n".join(lines) or "—"

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
            rows.append((str(a["at"]), text.actor(a["by"]), field_label(a["field"]), f"{old} → {new}"))
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

        blocker = self._selected_blocker()
        if blocker is None:
            return
        if blocker["resolved_on"]:
            self.notify(
                _("Blocker {id} is already resolved (o reopens it)").format(id=blocker["id"]), severity="warning"
            )
            return
        self.app.push_screen(ResolveDialog(blocker["id"], blocker["text"], blocker.get("version")), self._after)

    def action_investment(self) -> None:
        from screens.investment_dialog import InvestmentDialog

        def saved(result) -> None:
            if result is not None:
                self.notify(_("Investment saved; the timeline shows it"))
                self.load()

        if self.deal is not None:
            self.app.push_screen(InvestmentDialog(self.code, self.deal["currency"]), saved)

    def _selected_blocker(self) -> dict | None:
        table = self.query_one("#detail-blockers", DataTable)
        if self.deal is None or table.row_count == 0:
            self.notify(_("This deal has no blockers"), severity="warning")
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next(b for b in self.deal["blockers"] if str(b["id"]) == key)

    def action_reopen(self) -> None:
        from screens.corrections import ReopenDialog

        blocker = self._selected_blocker()
        if blocker is None:
            return
        if not blocker["resolved_on"]:
            self.notify(_("Blocker {id} is open: only a resolved one can be reopened").format(id=blocker["id"]))
            return
        self.app.push_screen(ReopenDialog(self.code, blocker), self._corrected)

    def action_void(self) -> None:
        from screens.corrections import VoidDialog, void_choices

        entries = void_choices(self.deal) if self.deal else []
        if not entries:
            self.notify(_("This deal has nothing to void"), severity="warning")
            return
        self.app.push_screen(VoidDialog(self.code, entries), self._corrected)

    def action_undo_stage(self) -> None:
        from screens.corrections import UndoStageDialog

        if self.deal is None or len(self.deal["ledger"]) < 2:
            self.notify(_("{code} has no stage change to reverse").format(code=self.code), severity="warning")
            return
        self.app.push_screen(UndoStageDialog(self.code, self.deal["ledger"][-1]), self._corrected)

    def action_archive(self) -> None:
        from screens.corrections import ArchiveDialog

        if self.deal is None:
            return
        restoring = bool(self.deal["archived"])

        def done(result) -> None:
            if result is None:
                return
            if restoring:
                self.notify(_("{code} restored: it counts in lists, KPIs and reports again").format(code=self.code))
            else:
                self.notify(_("{code} archived; A in the deal list shows archived deals").format(code=self.code))
            self.load()

        self.app.push_screen(ArchiveDialog(self.code, self.deal["name"], self.deal["archived"]), done)

    def _corrected(self, result) -> None:
        if result is not None:
            self.notify(_("Corrected; the timeline shows it"))
            self.load()

    @on(DataTable.RowSelected, "#detail-blockers")
    def _blocker_selected(self) -> None:
        self.action_resolve()
