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
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import DataTable, Header, Label, Static

from crm.deals.blockers import is_overdue
from crm.deals.fields import approval_label, area_label, label_of
from crm.deals.timeline import deal_timeline
from crm.deals.trail import field_label, shown_value
from crm.foundation.errors import CrmError
from crm.foundation.i18n import N_, _
from crm.listing import views as deal_views
from crm.reference import fx
from crm.values.dates import date_text
from crm.values.money import completion_text, percent_text
from screens import text
from screens.base import CrmScreen
from screens.deal_actions import DEAL_BINDINGS, DealActions
from screens.forms import WrappedText
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


NO_BREAK = "\u00a0"


def whole(amount: str) -> str:
    """`amount` kept on one line by Wrapped: CNY 1,500 million never as CNY 1,500 / million."""
    return amount.replace(" ", NO_BREAK)


class WholeAmounts(WrappedText):
    """A Static's text wrapped as WrappedText wraps it, the amounts marked by `whole` kept on one line."""

    def __str__(self) -> str:
        return self.value.replace(NO_BREAK, " ")

    def _at(self, width: int) -> Content:
        if self._wrapped[0] != width:
            lines = text.wrap_lines(self.value, width)
            self._wrapped = (width, Content("\n".join(lines).replace(NO_BREAK, " ")))
        return self._wrapped[1]


class Wrapped:
    """A value for a cell of a rich grid, in lines text.wrap_lines breaks: between Chinese characters and at
    spaces, never inside a number or a date (rich folds 河北日报2020年5月 into 河北日报20 / 20年5月), and no closing
    bracket starting a line. `parts` share a line when they fit one; else each starts a line of its own."""

    def __init__(self, *parts: str) -> None:
        self.parts = [text.plain(part) for part in parts if part]

    def lines(self, width: int) -> list[str]:
        """The lines of the value at `width` cells (the no-break spaces of `whole` shown as spaces)."""
        joined = "  ".join(self.parts)
        if "\n" not in joined and cell_len(joined) <= width:
            return [joined.replace(NO_BREAK, " ")]
        return [line.replace(NO_BREAK, " ") for part in self.parts for line in text.wrap_lines(part, width)]

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        widest = max((cell_len(line) for part in self.parts for line in part.split("\n")), default=1)
        return Measurement(min(widest, 8), widest)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Text("\n".join(self.lines(options.max_width)), no_wrap=True, overflow="ellipsis")


BLOCKER_LINES = 12  # the most lines the Detail's blockers table takes; it scrolls beyond


def shared_widths(natural: list[int], room: int, wrapping: tuple[int, ...]) -> list[int]:
    """Column widths in `room` cells: each column its `natural` width where all fit; else the columns of `wrapping`
    (their text wraps) share what the others leave, a narrow one keeping its natural width and giving the rest to
    the wider ones (at least four cells each)."""
    widths = list(natural)
    left = room - sum(w for i, w in enumerate(natural) if i not in wrapping)
    if sum(natural[i] for i in wrapping) <= left:
        return widths
    pending = sorted(wrapping, key=lambda i: natural[i])
    while pending:
        share = max(4, left // len(pending))
        i = pending.pop(0)
        widths[i] = min(natural[i], share)
        left -= widths[i]
    return widths


def wrapped_text(cell: Text, width: int) -> Text:
    """`cell` in lines of `width` cells that text.wrap_lines breaks (never inside a number or a date), its style kept."""
    if cell.cell_len <= width:
        return cell
    return Text("\n".join(text.wrap_lines(cell.plain, width)), style=cell.style)


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
        # corrections (issue 14): in the keys panel (?), the palette, and the footer when it has room (FOOTER_WHEN_ROOM)
        Binding("o", "reopen", N_("Reopen blocker"), show=False, tooltip=N_("Reopen the selected resolved blocker")),
        Binding(
            "v", "void", N_("Void entry"), show=False, tooltip=N_("Void a funds, completed-investment or blocker entry")
        ),
        Binding("u", "undo_stage", N_("Reverse stage"), show=False, tooltip=N_("Reverse the latest stage change")),
        Binding("a", "archive", N_("Archive/restore"), show=False, tooltip=N_("Archive the deal, or restore it")),
        Binding("ctrl+r", "refresh", N_("Refresh"), show=False),
    ]
    # shown in the footer as its width allows, in this order (screens.keys_footer)
    FOOTER_WHEN_ROOM = (
        "undo_stage",
        "archive",
        "void",
        "reopen",
        "investment",
        "funds",
        "departments",
        "copy_summary",
        "refresh",
    )

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

    def on_resize(self) -> None:
        if self.deal is not None:
            self.call_after_refresh(self._blockers, self.deal, self.today)  # once the table has its new width

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
        grid.add_column()
        rate = d.get("fx_rate")
        amount_cny = whole(text.yi_label(d["amount_cny"])) if d["amount_cny"] is not None else _("no exchange rate yet")
        # the rate on a line of its own when both do not fit one: a line never ends in @
        converted = Wrapped(
            amount_cny,
            "@ "
            + _("{currency} {rate} of {day}").format(
                currency=rate["currency"], rate=fx.rate_text(rate["rate"]), day=rate["on"]
            )
            if rate
            else "",
        )
        rows = [
            (_(label_of("investor")), d["investor"]),
            (_(label_of("region")), d["region"]),
            (_(label_of("industry")), " / ".join(x for x in (d["industry"], d["sub_industry"]) if x)),
            (_(label_of("event")), d["event"] or ""),
            (_(label_of("signed_on")), date_text(d["signed_on"], "signed_on" in d["month_only"])),
            (_(label_of("amount")), text.money(d["amount"], d["currency"], d["amount_approximate"])),
            (_("In CNY"), converted),
            (_(label_of("approval")), approval_label(d.get("approval"))),
            (_(label_of("liaison")), d["liaison"] or ""),
            (_(label_of("planned_start")), date_text(d["planned_start"], "planned_start" in d["month_only"])),
            (
                _(label_of("planned_completion")),
                date_text(d["planned_completion"], "planned_completion" in d["month_only"]),
            ),
            (
                _(label_of("floor_area")),
                area_label(d["floor_area"]),
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
            grid.add_row(label, value if isinstance(value, Wrapped) else Wrapped(str(value or "") or "—"))
        return grid

    def _departments(self, d: dict) -> Table:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column()
        if not d["departments"]:
            grid.add_row("", Wrapped(_("none yet (d to assign)")))
        for dept in d["departments"]:
            grid.add_row(_("Lead") if dept["role"] == "lead" else _("Supporting"), Wrapped(dept["name"]))
        return grid

    def _funds(self, d: dict) -> FundsTable:
        return FundsTable(d["funds"])

    def _funds_rate(self, d: dict) -> WholeAmounts:
        return WholeAmounts(
            _("Funds rate {rate}: {arrived} arrived of {signed}").format(
                rate=percent_text(d["funds_rate"]),
                arrived=whole(text.yi_label(d["funds_cny"])),
                signed=whole(text.yi_label(d["amount_cny"])),
            )
        )

    def _investment(self, d: dict) -> WholeAmounts:
        """Each year: its plan, what was completed, and the completion rate (完成年计划 %), a line (or more) each."""
        lines = [
            _("{year}: plan {plan}, completed {done}, {rate}").format(
                year=y["year"],
                plan=whole(text.yi_label(y["plan_cny"])) if y["plan_cny"] is not None else _("none"),
                done=whole(text.yi_label(y["done_cny"])),
                rate=completion_text(y["completion_rate"], y["completion_currency"]),
            )
            for y in d["investment"]
        ]
        return WholeAmounts(text.plain("\n".join(lines)) or "—")

    def _blockers(self, d: dict, today: datetime.date) -> None:
        """The blockers in columns fit to the table's width: the dates whole, the text, department and status
        wrapped onto as many lines as they need (at 80 columns the dates were off the edge)."""
        table = self.query_one("#detail-blockers", DataTable)
        if not table.size.width:
            self.call_after_refresh(self._blockers, d, today)  # not laid out yet: the columns fit its width
            return
        blockers = blockers_in_order(d["blockers"], today)
        rows = [self._blocker_cells(b, today) for b in blockers]
        headers = [_("No."), _("Blocker"), _("Department"), _("Raised"), _("Due"), _("Status")]
        natural = [max([cell_len(h)] + [row[i].cell_len for row in rows]) for i, h in enumerate(headers)]
        room = table.size.width - 2 * table.cell_padding * len(headers)
        for scrollbar in (0, table.styles.scrollbar_size_vertical):  # the scrollbar's room once the rows need it
            widths = shared_widths(natural, room - scrollbar, wrapping=(1, 2, 5))
            cells = [[wrapped_text(cell, width) for cell, width in zip(row, widths)] for row in rows]
            heights = [max(len(cell.plain.split("\n")) for cell in row) for row in cells]
            if sum(heights) + 2 <= BLOCKER_LINES:
                break
        table.clear(columns=True)
        for header, width in zip(headers, widths):
            table.add_column(header, width=width)
        for b, row, height in zip(blockers, cells, heights):
            table.add_row(*row, key=str(b["id"]), height=height)
        table.styles.height = max(3, min(sum(heights) + 2, BLOCKER_LINES))

    def _blocker_cells(self, b: dict, today: datetime.date) -> list[Text]:
        if b["resolved_on"]:
            status = Text(
                _("resolved {day}: {how}").format(day=b["resolved_on"], how=text.plain(b["resolution"] or "—")),
                style="dim",
            )
        elif b["overdue"]:
            status = Text(_("OVERDUE by {days} days").format(days=(today - b["due_on"]).days), style="bold red")
        else:
            status = Text(_("open"), style="yellow")
        plain = [str(b["id"]), b["text"], b["department"], text.day(b["raised_on"]), text.day(b["due_on"])]
        return [Text(text.plain(value, keep_newlines=False)) for value in plain] + [status]

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
