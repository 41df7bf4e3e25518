"""Blockers: every open blocker, grouped by the department that must clear
it, overdue first, with the deal it blocks; resolve one in place (r)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Static

from crm.foundation.errors import CrmError
from crm.foundation.i18n import N_, _
from crm.listing import blocker_board
from screens import text
from screens.base import CrmScreen
from screens.keys_footer import KeysFooter
from screens.measured_table import MeasuredTable


class BlockersScreen(CrmScreen):
    BINDINGS = [
        Binding("r", "resolve", N_("Resolve")),
        Binding("enter", "open_deal", N_("Open deal"), priority=True),  # over the table's own, so the footer says it
        Binding("ctrl+r", "refresh", N_("Refresh"), show=False),
    ]

    def __init__(self) -> None:
        super().__init__(id="blockers-screen")
        self.blockers: dict[str, blocker_board.OpenBlocker] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield MeasuredTable(id="blocker-table", cursor_type="row")
        yield Static("", classes="status-line", id="blocker-status")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = _("Open blockers by department")
        table = self.query_one(DataTable)
        table.add_columns(_("No."), _("Deal"), _("Blocker"), _("Raised"), _("Due"), _("Overdue"))

    def on_screen_resume(self) -> None:
        self.load()

    def load(self) -> None:
        self.run_worker(self._load, exclusive=True, group="blockers")

    async def _load(self) -> None:
        try:
            groups = await self.db.run_aggregate(blocker_board.open_by_department, self.today)
        except CrmError as err:
            self.notify(text.shown(err), severity="error")
            return
        table = self.query_one(DataTable)
        keep = None
        keep_row = table.cursor_row
        if table.row_count:
            keep = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        table.clear()
        self.blockers = {}
        today = self.today
        total = late = 0
        for group in groups:
            head = Text.assemble(
                (text.plain(group.department), "bold"),
                "  ",
                _("{n} open").format(n=group.open),
                "  ",
                (_("{n} overdue").format(n=group.overdue), "bold red" if group.overdue else "dim"),
            )
            table.add_row("", head, "", "", "", "", key=f"dept:{group.department}")
            total += group.open
            late += group.overdue
            for b in group.blockers:
                days = b.overdue_days(today)
                overdue = Text(_("{days} days").format(days=days), style="bold red") if days else Text("—", style="dim")
                table.add_row(
                    str(b.id),
                    text.shown(f"{b.deal_code} {b.deal_name}"),
                    text.shown(b.text),
                    b.raised_on.isoformat(),
                    b.due_on.isoformat() if b.due_on else "",
                    overdue,
                    key=str(b.id),
                )
                self.blockers[str(b.id)] = b
            if group.open > len(group.blockers):
                more = _("… and {n} more, less urgent").format(n=group.open - len(group.blockers))
                table.add_row("", Text(more, style="dim"), "", "", "", "", key=f"more:{group.department}")
        status = _("{n} open blockers, {late} overdue, in {departments} departments").format(
            n=total, late=late, departments=len(groups)
        )
        self.query_one("#blocker-status", Static).update(status)
        if keep is not None:
            try:
                table.move_cursor(row=table.get_row_index(keep))
            except Exception:  # noqa: BLE001 — the row is gone (resolved): the cursor stays where it was
                table.move_cursor(row=self._blocker_row_from(min(keep_row, table.row_count - 1)))
        elif self.blockers:
            table.move_cursor(row=1)
        table.focus()

    def _blocker_row_from(self, row: int) -> int:
        """`row` if it is a blocker's line, else the next blocker's line below it (else above it)."""
        table = self.query_one(DataTable)
        keys = [table.coordinate_to_cell_key((n, 0)).row_key.value for n in range(table.row_count)]
        below = [n for n in range(max(row, 0), len(keys)) if keys[n] in self.blockers]
        above = [n for n in range(min(row, len(keys)) - 1, -1, -1) if keys[n] in self.blockers]
        return (below or above or [max(row, 0)])[0]

    def _selected(self) -> blocker_board.OpenBlocker | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.blockers.get(key)

    def action_resolve(self) -> None:
        from screens.dialogs import ResolveDialog

        blocker = self._selected()
        if blocker is None:
            self.notify(_("Choose a blocker (not a department line)"), severity="warning")
            return
        self.app.push_screen(
            ResolveDialog(blocker.id, f"{blocker.deal_code} {blocker.deal_name}: {blocker.text}", blocker.version)
        )

    def action_open_deal(self) -> None:
        from screens.detail import open_deal

        blocker = self._selected()
        if blocker is not None:
            open_deal(self.app, blocker.deal_code)

    @on(DataTable.RowSelected)
    def _selected_row(self) -> None:
        self.action_open_deal()

    def action_refresh(self) -> None:
        self.load()
