"""Blockers: every open blocker, grouped by the department that must clear
it, overdue first, with the deal it blocks; resolve one in place (r) or
correct its text, department or due date (e)."""

from __future__ import annotations

from rich.cells import cell_len
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

#: The table's columns (English source); the number, the dates and the days overdue are never cut.
COLUMNS = (N_("No."), N_("Deal"), N_("Blocker"), N_("Raised"), N_("Due"), N_("Overdue"))
DATE_CELLS = 10  # 2020-05-18
MIN_TEXT = 8  # the deal and the blocker's text keep at least this many cells, however narrow the terminal
BLOCKER_SHARE = 0.55  # of the cells the deal and the blocker's text share, the text's
NAME_AFTER_CODE = 10  # a deal's cell narrower than its code and this much of its name shows the name alone


class BlockersScreen(CrmScreen):
    BINDINGS = [
        Binding("r", "resolve", N_("Resolve")),
        Binding("e", "edit", N_("Correct"), tooltip=N_("Correct the blocker's text, department or due date")),
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
        self._groups: list | None = None  # what the last load read, laid out again at another width

    def on_screen_resume(self) -> None:
        self.load()

    def on_resize(self) -> None:
        if self._groups is not None:
            self.call_after_refresh(self._fill, self._groups)  # once the table has its new width

    def load(self) -> None:
        self.run_worker(self._load, exclusive=True, group="blockers")

    async def _load(self) -> None:
        try:
            groups = await self.db.run_aggregate(blocker_board.open_by_department, self.today)
        except CrmError as err:
            self.notify(text.shown(err), severity="error")
            return
        self._groups = groups
        self._fill(groups)

    def _overdue(self, b: blocker_board.OpenBlocker) -> Text:
        days = b.overdue_days(self.today)
        return Text(_("{days} days").format(days=days), style="bold red") if days else Text("—", style="dim")

    def _widths(self, groups: list) -> tuple[int, int, int, int]:
        """(number, deal, blocker, overdue) cells for the table's width: the number, the dates and the days
        overdue whole, the rest shared by the deal and the blocker's text (each cut with …)."""
        table = self.query_one(DataTable)
        blockers = [b for group in groups for b in group.blockers]
        number = max([cell_len(_("No."))] + [len(str(b.id)) for b in blockers])
        overdue = max([cell_len(_("Overdue"))] + [self._overdue(b).cell_len for b in blockers])
        dates = max(DATE_CELLS, cell_len(_("Raised")), cell_len(_("Due")))
        padding = 2 * table.cell_padding * len(COLUMNS)
        room = table.size.width - padding - number - overdue - 2 * dates
        deal = max(MIN_TEXT, int(room * (1 - BLOCKER_SHARE)))
        lines = 1 + sum(
            len(text.wrap_lines(group.department, deal)) + len(group.blockers) + (group.open > len(group.blockers))
            for group in groups
        )
        if lines > table.size.height:  # the vertical scrollbar takes its cells from the deal and the text
            room -= table.styles.scrollbar_size_vertical
            deal = max(MIN_TEXT, int(room * (1 - BLOCKER_SHARE)))
        return number, deal, max(MIN_TEXT, room - deal), overdue

    @staticmethod
    def _deal(b: blocker_board.OpenBlocker, width: int) -> str:
        """The deal a blocker holds up: its code and name, or its name alone where the code would leave no room."""
        if width < len(b.deal_code) + 1 + NAME_AFTER_CODE:
            return b.deal_name
        return f"{b.deal_code} {b.deal_name}"

    def _fill(self, groups: list) -> None:
        """Show `groups` in columns fit to the table's width, the cursor kept on its blocker."""
        table = self.query_one(DataTable)
        if not table.size.width:
            self.call_after_refresh(self._fill, groups)  # not laid out yet: its columns fit its width
            return
        keep = None
        keep_row = table.cursor_row
        if table.row_count:
            keep = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        number, deal, about, overdue = self._widths(groups)
        table.clear(columns=True)
        for label, width in zip(COLUMNS, (number, deal, about, DATE_CELLS, DATE_CELLS, overdue)):
            table.add_column(_(label), width=width)
        self.blockers = {}
        total = late = 0
        for group in groups:
            counts = Text.assemble(
                _("{n} open").format(n=group.open),
                " ",
                (_("{n} overdue").format(n=group.overdue), "bold red" if group.overdue else "dim"),
            )
            counts.truncate(about, overflow="ellipsis")
            # the department whole, over as many lines as it needs: it names the group
            names = text.wrap_lines(text.plain(group.department, keep_newlines=False), deal)
            head = Text("\n".join(names), style="bold")
            table.add_row("", head, counts, "", "", "", key=f"dept:{group.department}", height=len(names))
            total += group.open
            late += group.overdue
            for b in group.blockers:
                table.add_row(
                    str(b.id),
                    Text(text.fit(text.plain(self._deal(b, deal)), deal)),
                    Text(text.fit(text.plain(b.text), about)),
                    b.raised_on.isoformat(),
                    b.due_on.isoformat() if b.due_on else "",
                    self._overdue(b),
                    key=str(b.id),
                )
                self.blockers[str(b.id)] = b
            if group.open > len(group.blockers):
                more = _("… and {n} more, less urgent").format(n=group.open - len(group.blockers))
                table.add_row(
                    "", Text(text.fit(more, deal), style="dim"), "", "", "", "", key=f"more:{group.department}"
                )
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
            ResolveDialog(blocker.id, blocker.text, blocker.version, deal=f"{blocker.deal_code} {blocker.deal_name}")
        )

    def action_edit(self) -> None:
        from screens.corrections import BlockerEditDialog

        blocker = self._selected()
        if blocker is None:
            self.notify(_("Choose a blocker (not a department line)"), severity="warning")
            return
        self.app.push_screen(
            BlockerEditDialog(blocker.id, blocker.text, blocker.department, blocker.due_on, blocker.version)
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
