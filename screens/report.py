"""Report: the table of `crm report regions|departments|liaisons|events|industries|tags` on screen.

One row per group with the as-of KPIs (crm.reporting.summaries), then the 合计
row, which is `crm kpi --as-of` of the same cohort. The cohort is the deal
list's filter, as on the Board; g changes the grouping, k the ranking, a the
as-of date, and x saves the table shown as xlsx or csv (the CLI's file).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Header, Input, Select, Static

from crm.foundation.errors import CrmError, Interrupted
from crm.foundation.i18n import N_, _, ngettext
from crm.listing.pages import ListFilter
from crm.reporting import summaries
from exports import summary_table
from exports.summary_table import COLUMNS, DIMENSION_LABELS
from screens import text
from screens.base import CrmScreen
from screens.dialogs import Dialog
from screens.forms import FormRow, OutputChoice, path_hint, read_date, show_hint
from screens.keys_footer import KeysFooter
from screens.measured_table import MeasuredTable

LIGHT_STYLES = {"yellow": "bold yellow", "red": "bold red"}
NAME_ORDER = "name"
LABEL_WIDTH = 20  # cells of the group's name: a long event name is cut, not the KPIs


@dataclass(frozen=True)
class Asked:
    """What a report is for: grouping, ranking, as-of day and the deal list's filter."""

    dimension: str
    rank_by: str | None
    day: object
    cohort: ListFilter


def compute(asked: Asked) -> list[summaries.SummaryRow]:
    """The report's rows (runs in a database thread)."""
    return summaries.summarise(asked.dimension, asked.cohort, asked.day, rank_by=asked.rank_by)


class ReportScreen(CrmScreen):
    """KPIs per region, lead unit, liaison leader, event, industry or tag of the deal list's cohort, and the total."""

    MODE = "report"
    DEFAULT_CSS = """
    #report-controls { height: 1; margin: 1 1 0 1; }
    #report-controls Select { width: 26; margin-right: 2; }
    #report-controls Input { width: 16; }
    #report-asof-hint { width: 1fr; padding: 0 1; color: $text-muted; }
    #report-asof-hint.-error { color: $error; }
    #report-scope { height: 1; padding: 0 1; margin-top: 1; }
    #report-table { height: 1fr; }
    """
    BINDINGS = [
        Binding("g", "next_dimension", N_("Group by"), tooltip=N_("Region, lead unit, liaison, event, industry, tag")),
        Binding("k", "next_rank", N_("Rank by"), tooltip=N_("Name order, or a KPI from high to low")),
        Binding("a", "as_of", N_("As of"), tooltip=N_("The date the ledger is reported as of")),
        Binding("x", "export_report", N_("Export"), tooltip=N_("Save this table as xlsx or csv")),
        Binding("ctrl+r", "refresh", N_("Refresh"), show=False),
    ]

    def __init__(self) -> None:
        super().__init__(id="report-screen")
        self.dimension = "regions"
        self.rank_by: str | None = None
        self.day = None  # None: the app's today
        self.rows: list[summaries.SummaryRow] = []
        self.shown: Asked | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="report-controls"):
            yield Select(
                [(_(label), key) for key, (label, _head) in DIMENSION_LABELS.items()],
                id="report-dimension",
                value=self.dimension,
                allow_blank=False,
                compact=True,
            )
            yield Select(
                [(_("Name order"), NAME_ORDER)]
                + [(_("Rank by {kpi}").format(kpi=_(COLUMNS[k][0])), k) for k in summaries.RANKABLE],
                id="report-rank",
                value=NAME_ORDER,
                allow_blank=False,
                compact=True,
            )
            yield Input(self.today.isoformat(), id="report-asof", compact=True)
            yield Static("", id="report-asof-hint")
        yield Static("", id="report-scope")
        yield MeasuredTable(id="report-table", cursor_type="row", zebra_stripes=True, fixed_columns=1)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = _("Report")
        self.query_one("#report-table", DataTable).focus()

    def on_screen_resume(self) -> None:
        if self._asked() != self.shown:
            self.load()

    # ---- what is asked ----------------------------------------------------------------

    def _cohort(self) -> ListFilter:
        return getattr(self.app, "deal_filter", None) or ListFilter()

    def _asked(self) -> Asked:
        return Asked(self.dimension, self.rank_by, self.day or self.today, self._cohort())

    def scope_text(self) -> str:
        """Which deals the report covers, in words."""
        flt = self._cohort()
        if flt.is_empty():
            return _("Every deal (the deal list is not filtered)")
        return _("Filtered as in the deal list: {filters}").format(filters=getattr(self.app, "deal_filter_text", ""))

    def load(self) -> None:
        self.db.stop("report")  # a report no longer wanted (another grouping, day or filter) stops at once
        self.run_worker(functools.partial(self._load, self._asked()), exclusive=True, group="report")

    async def _load(self, asked: Asked) -> None:
        self._status(_("Computing…"))
        try:
            rows = await self.db.run_aggregate(
                compute, asked, what="report", wanted=lambda: self._asked() == asked and self.is_current
            )
        except Interrupted:
            return  # superseded: the newer report's load shows its own
        except CrmError as err:
            self._status(str(err))
            self.notify(str(err), severity="error")
            return
        self._show(asked, rows)

    def _status(self, extra: str = "") -> None:
        line = _("As of {day}").format(day=(self.day or self.today).isoformat()) + "  ·  " + self.scope_text()
        self.query_one("#report-scope", Static).update(line + (f"  ·  {extra}" if extra else ""))

    # ---- the table ----------------------------------------------------------------------

    def _show(self, asked: Asked, rows: list[summaries.SummaryRow]) -> None:
        self.rows, self.shown = rows, asked
        table = self.query_one("#report-table", DataTable)
        _keys, values = summary_table.table(rows)
        headers = summary_table.headers(asked.dimension)
        with self.app.batch_update():
            table.clear(columns=True)
            table.add_column(headers[0], key="group")
            for key, header in zip(COLUMNS, headers[1:]):
                table.add_column(Text(header, justify="right"), key=key)
            for n, (row, plain, shown) in enumerate(zip(rows, values, summary_table.shown_rows(rows))):
                table.add_row(*self._cells(row, plain, shown), key=str(n))
        groups = len(rows) - 1
        self._status(ngettext("{n} group", "{n} groups", groups).format(n=groups))

    def _cells(self, row: summaries.SummaryRow, plain: list, shown: list[str]) -> list[Text]:
        """The cells `shown` as the table draws them: the 合计 row bold, the lights' counts in their colour."""
        base = "bold" if row.total else ""
        label = shown[0]
        cells = [Text(text.fit(label, min(LABEL_WIDTH, max(cell_len(label), 1))), style=base)]
        for key, value, cell_text in zip(COLUMNS, plain[1:], shown[1:]):
            style = LIGHT_STYLES.get(key, "") if value else ""
            cells.append(Text(cell_text, style=f"{base} {style}".strip(), justify="right"))
        return cells

    def table_text(self) -> list[list[str]]:
        """What the table shows, row by row (the group's name first)."""
        table = self.query_one("#report-table", DataTable)
        return [[str(c) for c in table.get_row_at(n)] for n in range(table.row_count)]

    # ---- choosing -------------------------------------------------------------------------

    @on(Select.Changed, "#report-dimension")
    def _dimension_chosen(self, event: Select.Changed) -> None:
        if event.value != self.dimension:
            self.dimension = event.value
            self.load()

    @on(Select.Changed, "#report-rank")
    def _rank_chosen(self, event: Select.Changed) -> None:
        rank = None if event.value == NAME_ORDER else event.value
        if rank != self.rank_by:
            self.rank_by = rank
            self.load()

    @on(Input.Changed, "#report-asof")
    def _day_typed(self, event: Input.Changed) -> None:
        day, hint, error = read_date(event.value, self.today)
        show_hint(self.query_one("#report-asof-hint", Static), hint if error else "", error)

    @on(Input.Submitted, "#report-asof")
    def _day_entered(self, event: Input.Submitted) -> None:
        day, _hint, error = read_date(event.value, self.today)
        if error:
            return
        self.day = day
        if day is None:
            event.input.value = self.today.isoformat()
        self.query_one("#report-table", DataTable).focus()
        if self._asked() != self.shown:
            self.load()

    def action_next_dimension(self) -> None:
        keys = list(DIMENSION_LABELS)
        self.query_one("#report-dimension", Select).value = keys[(keys.index(self.dimension) + 1) % len(keys)]

    def action_next_rank(self) -> None:
        keys = [NAME_ORDER, *summaries.RANKABLE]
        current = keys.index(self.rank_by or NAME_ORDER)
        self.query_one("#report-rank", Select).value = keys[(current + 1) % len(keys)]

    def action_as_of(self) -> None:
        self.query_one("#report-asof", Input).focus()

    def action_refresh(self) -> None:
        self.load()

    def action_export_report(self) -> None:
        if not self.rows or self.shown is None:
            self.notify(_("The report is still being computed"), severity="warning")
            return
        self.app.push_screen(ReportExportDialog(self.rows, self.shown, self.scope_text()), self._exported)

    def _exported(self, message: str | None) -> None:
        if message:
            self.notify(message, timeout=8)


class ReportExportDialog(Dialog):
    """Save the report shown (its rows as computed) as xlsx or csv; an existing file only when Save is pressed again."""

    def __init__(self, rows: list, asked: Asked, scope: str, directory: Path | None = None) -> None:
        super().__init__()
        self.rows, self.asked, self.scope = rows, asked, scope
        self.directory = directory
        self._output = OutputChoice()

    def dialog_title(self) -> str:
        return _("Export the report")

    def fields(self) -> ComposeResult:
        yield FormRow(
            _("Format"),
            Select(
                [("xlsx (Excel/WPS)", "xlsx"), ("csv (UTF-8)", "csv")],
                id="report-format",
                value="xlsx",
                allow_blank=False,
                compact=True,
            ),
            "hint-format",
            required=True,
        )
        yield FormRow(_("Save as"), Input(str(self._default_path("xlsx")), id="report-path", compact=True), "hint-path")
        yield Static(self.scope, classes="dialog-line")

    def _default_path(self, fmt: str) -> Path:
        if self.directory is None:
            from screens.transfer import default_export_directory

            self.directory = default_export_directory()
        # the grouping in the file name's language: an English key in a Chinese name read as a stray word
        grouping = _(DIMENSION_LABELS[self.asked.dimension][1]).lower().replace(" ", "-")
        name = _("report")
        return self.directory / f"{name}-{grouping}-{self.asked.day.isoformat()}.{fmt}"

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#report-path", Input))

    @on(Select.Changed, "#report-format")
    def _format_chosen(self, event: Select.Changed) -> None:
        field = self.query_one("#report-path", Input)
        path = Path(field.value.strip()) if field.value.strip() else None
        if path is None or path.suffix.lower() in summary_table.SUFFIXES:
            field.value = str((path or self._default_path(event.value)).with_suffix(f".{event.value}"))

    @on(Input.Changed, "#report-path")
    def _path_changed(self, event: Input.Changed) -> None:
        path_hint(self.query_one("#hint-path", Static), event.value)

    def save(self) -> None:
        fmt = self.query_one("#report-format", Select).value
        path, force, error = self._output.checked(
            self.query_one("#report-path", Input).value, fmt, summary_table.SUFFIXES
        )
        if path is None:
            self.show_error(error)
            return
        self.run_worker(functools.partial(self._write, fmt, path, force), exclusive=True, group="report-export")

    async def _write(self, fmt: str, path: Path, force: bool) -> None:
        try:
            await self.db.run_long(summary_table.write, self.rows, fmt, path, self.asked.dimension, force)
        except CrmError as err:
            self.show_error(str(err))
            return
        groups = len(self.rows) - 1  # the rows but the 合计
        self.dismiss(
            ngettext(
                "{path}: {n} group and the total, as of {day}", "{path}: {n} groups and the total, as of {day}", groups
            ).format(path=path, n=groups, day=self.asked.day.isoformat())
        )
