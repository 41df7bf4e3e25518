"""Export and Import dialogs, on top of the weekly export (crm.reporting.weekly +
exports/) and the ledger importer (crm.importing.importer).

Export: choose the week (default: the last complete one), the format and the
path; the file is written whole or not at all. Import: choose the file (and
sheet), preview what the import would do (a dry run: created, updated,
unchanged, every problem), then import — the Import button only becomes
active after a preview without problems. Both run in the long-work thread
with a progress bar.
"""

from __future__ import annotations

import datetime
import functools
import threading
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Checkbox, Input, ProgressBar, Select, Static

from crm.foundation.errors import CrmError, Interrupted
from crm.foundation.i18n import N_, _, list_sep
from crm.importing import importer
from crm.importing.headers import MAPPABLE, field_label, map_name
from crm.listing.pages import ListFilter
from crm.reporting import weekly
from crm.reporting.cohorts import as_deal_filter
from crm.values.dates import iso_week_label
from crm.values.money import Money, format_money, parse_amount
from exports.weekly_files import FORMATS, SUFFIXES, write_weekly
from screens import text
from screens.dialogs import Dialog
from screens.forms import CheckBox, FormRow, OutputChoice, path_hint, show_hint

FORMAT_LABELS = {
    "xlsx": "xlsx (Excel/WPS)",
    "csv": "csv (Excel/WPS, UTF-8 BOM)",
    "md": "md (Markdown)",
    "txt": "txt",
    "html": "html",
}


def export_weekly(
    week: weekly.Week,
    scope: ListFilter | None,
    fmt: str,
    path: Path,
    today: datetime.date,
    progress=None,
    force: bool = False,
) -> weekly.WeeklyTable:
    """Build the week's table and write it to `path` in `fmt` (runs in the long-work thread); `force` replaces a file."""
    table = weekly.stream(week, as_deal_filter(scope) if scope else None, today=today)
    write_weekly(table, fmt, path, progress=progress, force=force)
    return table


def default_export_directory() -> Path:
    """Where an export is saved unless another folder is typed: the user's documents (else downloads, else home).

    Not the working directory: under `make run` that is the source checkout.
    """
    import platformdirs

    for folder in (platformdirs.user_documents_dir(), platformdirs.user_downloads_dir()):
        if folder and Path(folder).is_dir():
            return Path(folder)
    return Path.home()


class ExportDialog(Dialog):
    """Write the weekly deal table (周报) of a week to a file."""

    def __init__(self, directory: Path | None = None) -> None:
        super().__init__()
        self.directory = directory or default_export_directory()
        self._auto_path = ""  # the path last filled in from the week and format
        self._path_typed = False  # once the path is edited (even emptied) it is never filled in again
        self._output = OutputChoice()

    def dialog_title(self) -> str:
        return _("Export the weekly table")

    def fields(self) -> ComposeResult:
        week = weekly.resolve_week(None, today=self.today)
        yield FormRow(_("Week"), Input(week.key, id="export-week", compact=True), "hint-week", required=True)
        yield FormRow(
            _("Format"),
            Select(
                [(FORMAT_LABELS[f], f) for f in FORMATS],
                id="export-format",
                value="xlsx",
                allow_blank=False,
                compact=True,
            ),
            "hint-format",
            required=True,
        )
        yield FormRow(_("Save as"), Input(id="export-path", compact=True), "hint-path", required=True)
        scope = self._scope_text()
        label = (
            _("Only the deals of the filtered list ({filters})").format(filters=scope)
            if scope
            else _("Every deal (the deal list is not filtered)")
        )
        yield CheckBox(label, id="export-scope", value=bool(scope), disabled=not scope)
        yield ProgressBar(id="export-progress", show_eta=False)

    def _scope_text(self) -> str:
        flt = getattr(self.app, "deal_filter", None)
        if flt is None or flt.is_empty():
            return ""
        return getattr(self.app, "deal_filter_text", "")

    def _default_path(self, week: weekly.Week, fmt: str) -> Path:
        stem = _("weekly")
        return self.directory / f"{stem}-{week.key}.{fmt}"

    def on_mount(self) -> None:
        self.query_one("#export-progress", ProgressBar).display = False
        self._check()
        self.set_focus(self.query_one("#export-week", Input))

    @on(Input.Changed, "#export-path")
    def _path_changed(self, event: Input.Changed) -> None:
        self._path_typed = True
        self._check()

    @on(Input.Changed, "#export-week")
    @on(Select.Changed, "#export-format")
    def _check(self) -> None:
        week = self._week()
        fmt = self.query_one("#export-format", Select).value
        path_input = self.query_one("#export-path", Input)
        if week is not None and not self._path_typed:
            self._auto_path = str(self._default_path(week, fmt))
            with self.prevent(Input.Changed):
                path_input.value = self._auto_path
        path_hint(self.query_one("#hint-path", Static), path_input.value)

    def _week(self) -> weekly.Week | None:
        hint = self.query_one("#hint-week", Static)
        try:
            week = weekly.resolve_week(self.query_one("#export-week", Input).value, today=self.today)
        except CrmError as err:
            show_hint(hint, str(err), True)
            return None
        show_hint(hint, iso_week_label(week.monday))
        return week

    def save(self) -> None:
        week = self._week()
        if week is None:
            self.show_error(_("Enter the week, e.g. 2020-W21 or a date in it"))
            return
        fmt = self.query_one("#export-format", Select).value
        path, force, error = self._output.checked(self.query_one("#export-path", Input).value, fmt, SUFFIXES)
        if path is None:
            self.show_error(error)
            return
        scope = None
        if self.query_one("#export-scope", Checkbox).value:
            flt = self.app.deal_filter
            scope = flt
        self.run_worker(functools.partial(self._export, week, scope, fmt, path, force), exclusive=True, group="export")

    async def _export(self, week, scope, fmt, path, force: bool = False) -> None:
        bar = self.query_one("#export-progress", ProgressBar)
        bar.display = True
        self.query_one("#save", Button).disabled = True

        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(bar.update, total=total, progress=done)

        try:
            table = await self.db.run_long(export_weekly, week, scope, fmt, path, self.today, progress, force)
        except CrmError as err:
            self.show_error(str(err))
            return
        except OSError as err:
            self.show_error(_("Cannot write {path}: {reason}").format(path=path, reason=err.strerror or err))
            return
        finally:
            self.query_one("#save", Button).disabled = False
            bar.display = False
        s = table.summary
        message = _("{path}: {week}, {n} deals, {total}").format(
            path=path, week=week.key, n=s.rows, total=format_money(Money(s.total_cny, "CNY"))
        )
        if scope is not None:
            message += "  ·  " + _("only the filtered list: {filters}").format(filters=self._scope_text())
        self.dismiss(message)


class ImportDialog(Dialog):
    """Preview, then import, a bureau's ledger (xlsx or csv).

    After a preview each column of the file's header has a chooser of the
    fields it may hold; a choice is written under Columns (列名=字段, as
    `crm import --map` takes it) and previewed again, and an import remembers
    it for the next file with the same headers.
    """

    BINDINGS = [
        Binding("ctrl+s", "save", N_("Import")),  # the footer names the key as the button does
        Binding("ctrl+l", "imports", N_("Imports"), tooltip=N_("The imports recorded: revert one")),
        # on a short terminal the choosers are below the report's first lines: one key brings the first in sight
        Binding("ctrl+o", "columns", N_("Columns"), tooltip=N_("To the column choosers, below the preview")),
    ]
    DEFAULT_CSS = """
    ImportDialog #import-columns { height: auto; }
    ImportDialog .import-col { height: 1; }
    ImportDialog .import-col-label { width: 24; height: 1; }
    ImportDialog .import-col Select { width: 36; }
    """

    def __init__(self) -> None:
        super().__init__(classes="import-dialog")
        self.previewed: tuple | None = None  # (path, sheet, column map, rows to skip) of a clean preview
        self.column_labels: list[str] = []  # the previewed header, in column order (chooser i is column i)
        self.chosen: dict[str, str] = {}  # header -> the field its chooser shows ("-": not used)

    def dialog_title(self) -> str:
        return _("Import a ledger")

    def fields(self) -> ComposeResult:
        yield FormRow(
            _("File"), Input(id="import-path", compact=True, placeholder="台账.xlsx"), "hint-path", required=True
        )
        yield FormRow(
            _("Columns"), Input(id="import-map", compact=True, placeholder="合作伙伴=投资方, 填报人=-"), "hint-map"
        )
        yield FormRow(_("Skip rows"), Input(id="import-skip", compact=True, placeholder="7, 12"), "hint-skip")
        yield FormRow(
            _("Sheet"),
            Input(id="import-sheet", compact=True, placeholder=_("the first visible one with a header")),
            "hint-sheet",
        )
        yield Button(_("Preview"), id="preview", compact=True)  # one row: the report below needs the room
        yield ProgressBar(id="import-progress", show_eta=False)
        with VerticalScroll(id="import-report"):
            # what the preview found (its counts, notices and problems) first: on a small terminal the column
            # choosers below it would push it out of sight
            yield Static(_("Preview first: nothing is written until you press Import."), id="import-text")
            yield Vertical(id="import-columns")

    #: There while a file is read or imported; set by Esc: the rows' next progress report stops the work.
    _stop: threading.Event | None = None

    def on_mount(self) -> None:
        self.query_one("#import-progress", ProgressBar).display = False
        self.query_one("#save", Button).label = _("Import")
        self.query_one("#save", Button).disabled = True
        self.set_focus(self.query_one("#import-path", Input))

    @on(Input.Changed)
    def _changed(self) -> None:
        raw = self.query_one("#import-path", Input).value.strip()
        hint = self.query_one("#hint-path", Static)
        path = Path(raw).expanduser() if raw else None
        if path is None:
            show_hint(hint, "")
        elif not path.is_file():
            show_hint(hint, _("no such file"), True)
        else:
            show_hint(hint, _("{size} KB").format(size=max(path.stat().st_size // 1024, 1)))
        if self.previewed != self._source():
            self.query_one("#save", Button).disabled = True

    def _source(self) -> tuple[str, str, str, str]:
        """(path, sheet, column map, rows to skip) as typed: a preview holds for exactly these."""
        return tuple(self.query_one(f"#import-{k}", Input).value.strip() for k in ("path", "sheet", "map", "skip"))

    def action_cancel(self) -> None:
        """Esc: while a file is being read or imported, stop it (an import stopped among its rows writes nothing; one
        already writing its last steps is written, and the dialog says so); else close, as any dialog does."""
        if self._stop is None:
            super().action_cancel()
            return
        self._stop.set()
        self.show_error(_("Cancelling…"))

    def action_imports(self) -> None:
        """ctrl+l: the imports recorded, to revert one (screens.imports)."""
        from screens.imports import open_imports

        open_imports(self.app)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """ctrl+o (to the column choosers) is there once a preview has shown them."""
        if action == "columns":
            return bool(self.column_labels)
        return super().check_action(action, parameters)

    def action_columns(self) -> None:
        """ctrl+o: focus the first column's chooser, scrolled into sight (tab goes on to the next)."""
        for first in self.query("#import-col-0").results(Select):  # none while a new preview remounts them
            self.set_focus(first)

    def submit(self) -> None:
        """Enter previews; importing needs the Import button (or ctrl+s) after a clean preview."""
        self.action_preview()

    @on(Button.Pressed, "#preview")
    def action_preview(self) -> None:
        source = self._source()
        if not source[0]:
            self.show_error(_("Enter the file to import"))
            return
        self.show_error("")
        self.run_worker(functools.partial(self._run, *source, dry_run=True), exclusive=True, group="import")

    def save(self) -> None:
        if self.previewed != self._source():
            self.show_error(_("Preview the file first"))
            return
        self.run_worker(functools.partial(self._run, *self.previewed, dry_run=False), exclusive=True, group="import")

    async def _run(self, path: str, sheet: str, mapping: str, skip: str, dry_run: bool) -> None:
        bar = self.query_one("#import-progress", ProgressBar)
        bar.display = True
        buttons = [self.query_one("#save", Button), self.query_one("#preview", Button)]
        for b in buttons:
            b.disabled = True

        stop = self._stop = threading.Event()

        def progress(done: int, total: int) -> None:
            if stop.is_set():  # raised among the rows, before anything is committed: the import rolls back
                raise Interrupted(_("Import cancelled: nothing was written"))
            self.app.call_from_thread(bar.update, total=total, progress=done)

        try:
            overrides, skip_rows = importer.parse_map(mapping), importer.parse_rows(skip)
            report = await self.db.run_long(
                importer.run_import,
                Path(path).expanduser(),
                sheet=sheet or None,
                dry_run=dry_run,
                today=self.today,
                progress=progress,
                overrides=overrides,
                skip_rows=skip_rows,
            )
        except CrmError as err:
            self.show_error(str(err))
            self.query_one("#preview", Button).disabled = False
            return
        except OSError as err:
            self.show_error(_("Cannot read {path}: {reason}").format(path=path, reason=err.strerror or err))
            self.query_one("#preview", Button).disabled = False
            return
        finally:
            bar.display = False
            self._stop = None
        self.query_one("#preview", Button).disabled = False
        self.query_one("#import-text", Static).update(text.shown(report_text(report)))
        if dry_run:
            await self._show_columns(report)
            self.previewed = (path, sheet, mapping, skip) if report.ok else None
            self.query_one("#save", Button).disabled = not report.ok
            if not report.ok:
                self.show_error(
                    _("{n} problems: fix the file and preview again; nothing was written").format(
                        n=len(report.problems)
                    )
                )
            return
        if report.written:
            self.dismiss(imported_text(Path(path).name, report))
        else:
            self.previewed = None
            self.show_error(_("{n} problems; nothing was written").format(n=len(report.problems)))

    async def _show_columns(self, report: importer.Report) -> None:
        """A chooser per column of the previewed header, showing the field the preview read it as."""
        used = {label: f for f, label in report.columns.items()}
        labels = list(report.header_labels)
        chosen = {label: used.get(label, "-") for label in labels}
        if labels == self.column_labels and chosen == self.chosen:
            return
        self.column_labels, self.chosen = labels, chosen
        box = self.query_one("#import-columns", Vertical)
        await box.remove_children()
        if not labels:
            self.refresh_bindings()
            return
        # a column the preview read as a field one cannot choose (序号, 折合人民币: checked only) shows it too
        fixed = dict.fromkeys(f for f in chosen.values() if f != "-" and f not in MAPPABLE)
        options = [(_("(not used)"), "-")] + [(field_label(f), f) for f in (*MAPPABLE, *fixed)]
        rows = [Static(_("Choose what each column holds; the choice is remembered for files with the same headers"))]
        for i, label in enumerate(labels):
            if label in report.invest_columns:  # read as a plan or a month's figure: nothing to choose
                invested = [(report.invest_columns[label], "-")]
                select = Select(
                    invested, value="-", allow_blank=False, compact=True, disabled=True, id=f"import-col-{i}"
                )
            else:
                select = Select(options, value=chosen[label], allow_blank=False, compact=True, id=f"import-col-{i}")
            rows.append(Horizontal(Static(text.shown(label), classes="import-col-label"), select, classes="import-col"))
        with self.prevent(Select.Changed):
            await box.mount(*rows)
        self.refresh_bindings()  # ctrl+o in the footer

    @on(Select.Changed, ".import-col Select")
    def _column_chosen(self, event: Select.Changed) -> None:
        label = self.column_labels[int(str(event.select.id).rsplit("-", 1)[1])]
        if event.value == self.chosen.get(label):
            return
        self.chosen[label] = str(event.value)
        typed = self.query_one("#import-map", Input)
        mapping = map_pairs(typed.value)
        mapping[label] = "-" if event.value == "-" else map_name(str(event.value))
        typed.value = ", ".join(f"{k}={v}" for k, v in mapping.items())
        self.action_preview()


def map_pairs(text: str) -> dict[str, str]:
    """The 列名=字段 pairs typed under Columns, as written (importer.parse_map checks them)."""
    pairs = {}
    for pair in text.replace("，", ",").replace("\n", ",").split(","):
        label, sep, name = pair.partition("=")
        if sep and label.strip():
            pairs[label.strip()] = name.strip()
    return pairs


def report_text(report: importer.Report, listed: int = 30) -> str:
    """What an import did or would do, as lines for the dialog: what it read and its counts (funds and progress
    too), then what the officer must read before importing (notices, warnings, problems), the totals rows checked
    and the import's number, then the columns, the deals row by row and the funds arrivals it records."""
    lines = [
        _("{file}: header in row {row}; {n} data rows").format(
            file=Path(report.source).name + (f" [{report.sheet}]" if report.sheet else ""),
            row=report.header_row,
            n=report.rows_read,
        )
    ]
    verb = (
        _("would create {created}, update {updated}, leave {unchanged} unchanged")
        if report.dry_run or not report.written
        else _("created {created}, updated {updated}, left {unchanged} unchanged")
    )
    counts = verb.format(created=len(report.created), updated=len(report.updated), unchanged=len(report.unchanged))
    recorded = added_text(report)
    # the funds and progress on the counts' line: on a small terminal the notices below stay in sight
    lines.append(_("{counts}; {recorded}").format(counts=counts, recorded=recorded) if recorded else counts)
    lines.append(
        _("stage changes {stages}, blockers added {blockers}, rows skipped {skipped}").format(
            stages=report.stage_changes, blockers=report.blockers_added, skipped=len(report.skipped)
        )
    )
    # the totals rows checked and the import's number after what must be read before importing (notices, warnings)
    lines += _to_read(report) + checked_lines(report)
    return "\n".join([*lines, *_columns(report), *_deals(report, listed), *_funds(report, listed)])


def added_text(report: importer.Report) -> str:
    """What an import records besides the deals and their problems (progress entries, funds arrived, plans and
    months of completed investment); "" if none."""
    said = []
    if report.progress_added or report.funds_added:
        said.append(
            _("progress entries added {progress}, funds arrivals recorded {funds}").format(
                progress=report.progress_added, funds=len(report.funds_added)
            )
        )
    if report.plans_set or report.investments_set:
        said.append(
            _("yearly plans set {plans}, months of completed investment set {months}").format(
                plans=len(report.plans_set), months=len(report.investments_set)
            )
        )
    return _("{counts}; {recorded}").format(counts=said[0], recorded=said[1]) if len(said) == 2 else "".join(said)


def checked_lines(report: importer.Report) -> list[str]:
    """Each totals row checked against the rows above it, then the import's number once written (to revert it)."""
    lines = [
        _("Totals row {row} ({column}): {total}; rows add up to {sum}").format(
            row=row, column=column, total=total, sum=summed
        )
        for row, column, total, summed in report.totals_checked
    ]
    if report.import_id is not None:
        lines.append(
            _("Recorded as import {n}: {command} in the command palette (ctrl+p) undoes it").format(
                n=report.import_id, command=_("Revert an import")
            )
        )
    return lines


def imported_text(name: str, report: importer.Report) -> str:
    """The toast of an import written: the file, its number (to revert it), its counts, and the funds and progress
    it recorded."""
    message = _("Imported {file} as import {n}: {created} created, {updated} updated, {unchanged} unchanged").format(
        file=name,
        n=report.import_id,
        created=len(report.created),
        updated=len(report.updated),
        unchanged=len(report.unchanged),
    )
    recorded = added_text(report)
    return f"{message}\n{recorded}" if recorded else message


def _indented(items: list, most: int) -> list[str]:
    """The first `most` of `items` indented, then how many more there are (when there are)."""
    lines = [f"  {item}" for item in items[:most]]
    if len(items) > most:
        lines.append("  " + _("… and {n} more").format(n=len(items) - most))
    return lines


def _to_read(report: importer.Report) -> list[str]:
    """The report's notices, warnings and problems (at most 100 of each kind listed)."""
    lines = [str(notice) for notice in report.notices]
    if report.warnings:
        lines.append(_("Warnings (the import goes ahead; skip a row under Skip rows):"))
        lines += _indented(report.warnings, 100)
    if report.problems:
        lines.append(_("Problems (nothing is written while there are any):"))
        lines += _indented(report.problems, 100)
    return lines


def _columns(report: importer.Report) -> list[str]:
    """The columns the import reads, and those it leaves (with the field each may be)."""
    lines = []
    if report.columns or report.invest_columns:
        lines.append(
            _("Columns used: {columns}").format(
                columns=list_sep().join(
                    [f"{label}→{field_label(f)}" for f, label in report.columns.items()]
                    + [f"{label}→{what}" for label, what in report.invest_columns.items()]
                )
            )
        )
    if report.ignored_columns:
        shown = [
            label
            if not report.guesses.get(label)
            else _("{label} (perhaps {field})").format(label=label, field=field_label(report.guesses[label]))
            for label in report.ignored_columns
        ]
        lines.append(
            _("Columns not used (name them under Columns: 列名=字段): {columns}").format(columns=list_sep().join(shown))
        )
    return lines


def _deals(report: importer.Report, listed: int) -> list[str]:
    """The departments, events and people the import adds, then its deals and changes row by row (at most
    `listed` deals and three times as many changes)."""
    lines = []
    for label, names in (
        (_("New departments"), report.departments_created),
        (_("New events"), report.events_created),
        (_("New people"), report.people_created),
    ):
        if names:
            lines.append(_("{label}: {names}").format(label=label, names=report.listed(names)))
    items = [_("row {row}: new {code} {name}").format(row=r, code=c, name=n) for r, c, n in report.created]
    items += [
        _("row {row}: {code} {name} — {fields}").format(
            row=r, code=c, name=n, fields=list_sep().join(map(field_label, f))
        )
        for r, c, n, f in report.updated
    ]
    lines += _indented(items, listed)
    changes = [
        _("row {row}: {code} {field}: {old} → {new}").format(row=r, code=c, field=f, old=o, new=n)
        for r, c, f, o, n in report.changes_shown()
    ]
    return lines + _indented(changes, listed * 3)


def _funds(report: importer.Report, listed: int) -> list[str]:
    """Each funds arrival the import records (the first `listed`), with its row and deal."""
    if not report.funds_added:
        return []
    items = [
        _("row {row}: {code} funds arrived {amount}").format(row=r, code=c, amount=_amount(a))
        for r, c, a in report.funds_added
    ]
    return [_("Funds arrivals recorded:"), *_indented(items, listed)]


def _amount(recorded: str) -> str:
    """An amount the importer recorded (its text, e.g. 80000000.00CNY) as people read it (8000万元)."""
    try:
        return format_money(parse_amount(recorded))
    except CrmError:
        return recorded
