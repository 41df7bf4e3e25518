"""Applying a Plan to the ledger in one transaction: new deals in batches, known ones updated."""

from __future__ import annotations

import contextlib
import datetime
import gc
import threading
from pathlib import Path

from peewee import IntegrityError, fn

from crm.deals.records import create_deal, edit_deal, set_supporting, supporting_departments
from crm.deals.stages import change_stage
from crm.foundation.config import current_actor
from crm.foundation.errors import Conflict, CrmError, InvalidInput
from crm.foundation.i18n import _, list_sep
from crm.importing import aside, records
from crm.importing.aside import (
    KeptDaysAside,
    KeptDaysLater,
    appending_cache,
    roomy_cache,
    set_indexes_aside,
    set_kept_days_aside,
)
from crm.importing.bulk import BATCH, NewDeal, NewDeals
from crm.importing.cells import cell_text, inline
from crm.importing.county import put_in_notes
from crm.importing.existing import Made, _Deals
from crm.importing.invested import Invested
from crm.importing.investment_columns import read_as
from crm.importing.missing_rates import missing_rates
from crm.importing.names import _Resolver, add_problems, new_problems, resolve_solved, unit_names
from crm.importing.plan import Plan, no_region_warning, read_plan
from crm.importing.progress import add_progress_once, approximate_funds, lower_funds, record_cumulative_funds
from crm.importing.reached import StageDays, stage_moves
from crm.importing.report import Report
from crm.importing.rows import _OUR_CODE, DEAL_FIELDS, Problem, RowPlan, _cell_of, name_key
from crm.reference.region_notes import ledger_regions, unknown_regions_note
from db.connection import is_postgres
from db.models import AuditEntry, Deal, database

# ---- applying -------------------------------------------------------------


class CodesTaken(Conflict):
    """Another writer took the deal codes this import counted on (PostgreSQL); nothing was written.

    Transient: the command line and the screens' database threads run the import again
    (crm.foundation.errors.retry_transient), which counts on from the codes taken since.
    """

    transient = True


#: DEAL_FIELDS as a set, for the membership test per field of each row.
_DEAL_FIELDS = frozenset(DEAL_FIELDS)
#: The cells and values of a row once its new deal is checked and kept for writing: nothing (never written to).
_APPLIED: dict = {}


class _Rollback(Exception):
    """Internal: leave the import transaction without writing."""


def run_import(
    path: str | Path,
    sheet: str | None = None,
    dry_run: bool = False,
    today: datetime.date | None = None,
    actor: str | None = None,
    progress=None,
    bulk: bool = True,
    overrides: dict | None = None,
    strict: bool = False,
    skip_rows: set | None = None,
) -> Report:
    """Read, check and (unless `dry_run` or any row is refused) write `path` in one transaction.

    New deals are checked as create_deal checks them and written in batches
    (crm.importing.bulk); `bulk=False` creates them one by one through
    create_deal instead, with the same result, much more slowly.
    """
    with _collector_paused():
        return _run_import(
            path, sheet, dry_run, today, actor, progress, bulk, overrides or {}, strict, skip_rows or set()
        )


_paused = 0  # imports running with the collector paused (the TUI imports in a worker thread)
_pause_lock = threading.Lock()


@contextlib.contextmanager
def _collector_paused():
    """Python's cycle collector off while importing.

    An import keeps a few objects per cell alive until it ends (the plan, the
    rows, the deals checked): millions, which each full collection walks
    again, ~5 s of 35 at 100,000 rows, to find next to nothing (the import
    makes few cycles). Collections resume when the last import running ends.
    """
    global _paused
    with _pause_lock:
        ours = gc.isenabled() or _paused > 0  # else someone else turned it off: theirs to turn on
        if ours:
            _paused += 1
            gc.disable()
    try:
        yield
    finally:
        if ours:
            with _pause_lock:
                _paused -= 1
                if not _paused:
                    gc.enable()


def _run_import(path, sheet, dry_run, today, actor, progress, bulk, overrides, strict, skip_rows) -> Report:
    today = today or datetime.date.today()
    actor = actor or current_actor()
    plan = read_plan(
        path, sheet, today, progress=None, overrides=overrides, remembered=records.remembered_mapping, stream=True
    )
    chunks = plan.chunks
    report = Report(source=str(path), sheet=plan.sheet, dry_run=dry_run)
    report.header_row = plan.header.row
    report.columns = {f: inline(str(plan.header.labels[c])) for f, c in plan.header.columns.items()}
    report.ignored_columns = [inline(str(label)) for label in plan.header.ignored]
    report.invest_columns = {
        inline(str(plan.header.labels[c.col])): read_as(c) for c in getattr(plan.invest, "columns", ())
    }
    report.header_labels = [inline(str(plan.header.labels[c])) for c in sorted(plan.header.labels)]
    report.guesses = {inline(str(label)): f for label, f in (plan.header.guesses or {}).items()}
    report.notices = list(plan.notices)
    in_use = ledger_regions()  # before the import writes: a region of the file is then new to the ledger
    note = _("Imported from {file}, row {row}")
    file_name = Path(path).name
    try:
        with roomy_cache(), records.holding_the_ledger():
            apply = _Applying(plan, report, actor, today, bulk, skip_rows, strict)
            with apply.new.write_behind():
                done, total = 0, chunks.count
                for rows in chunks:
                    # Each chunk applied as it is read: the rows read and not yet applied stay a chunk's worth.
                    if skip_rows:
                        rows = _leave_out(plan, rows, skip_rows)
                    apply.take(rows)
                    for row in rows:
                        done += 1
                        if progress and (done % 200 == 0 or done == total):
                            progress(done, total)
                        if row.values:
                            apply.row(row, note.format(file=file_name, row=row.row))
                    if progress and done < chunks.taken:  # rows left out: the count still reaches the total
                        done = chunks.taken
                        progress(done, total)
                    # The chunk let go before the next is read: else two chunks' rows are alive at once.
                    rows = row = None
                    apply.deals.rows = []
                if progress and done < chunks.count:  # a streamed sheet's count was at most the rows: done
                    progress(chunks.count, chunks.count)
                apply.flush(wait=True)
                _read_into(report, plan, chunks, skip_rows, strict)
                report.notices += apply.days.lines()
                if (regions := unknown_regions_note([*apply.regions, plan.region], in_use)) is not None:
                    report.notices.append(regions)
                if (warning := no_region_warning(plan, len(report.created))) is not None:
                    report.warnings.insert(0, warning)  # the sheet's, before its rows'
                if not report.problems:
                    with apply.new.paused():
                        apply.finish(plan.stated_on or today)
                        apply.missing_rates()
                if report.problems or dry_run:
                    raise _Rollback
                with apply.new.paused():
                    report.import_id = records.record_import(
                        report,
                        plan.header_key,
                        overrides,
                        actor,
                        apply.marks,
                        apply.saved,
                        apply.resolved,
                        apply.invested.replaced,
                    )
                kept = apply.kept.catch_up() if apply.kept is not None else []
                apply.new.write([*kept, *((sql, ()) for sql in apply.indexes_aside)])
                # Dropped while the writer builds the indexes: the two overlap.
                apply.deals.close()
                apply.deals = None
            report.written = True
    except _Rollback:
        pass
    return report


def _read_into(report: Report, plan: Plan, chunks, skip_rows: set, strict: bool) -> None:
    """Put what reading the rows found (every chunk read) before what applying them found, as the report lists it."""
    if skip_rows:
        plan.problems = [p for p in plan.problems if p.row not in skip_rows]
        plan.warnings = [w for w in plan.warnings if w.row not in skip_rows]
    report.rows_read = chunks.rows_read - chunks.left_out
    report.skipped = [*plan.skipped, *chunks.skipped_by_user]  # a streamed sheet's are known once all are read
    report.notices += chunks.late_notices
    read = list(plan.problems)
    if strict:
        read += [w for w in plan.warnings if w.code in ("totals_mismatch", "unit_conflict", "amount_twin_differs")]
    report.problems[:0] = read
    report.warnings[:0] = plan.warnings
    report.totals_checked = list(plan.totals_checked)


def _leave_out(plan: Plan, rows: list, skip: set) -> list:
    """The rows of a chunk but those the user chose to skip (counted as skipped by the user)."""
    chunks = plan.chunks
    left = [r for r in rows if r.row not in skip]
    if len(left) < len(rows):
        chunks.skipped_by_user += [(r.row, "skipped_by_user") for r in rows if r.row in skip]
        chunks.left_out += len(rows) - len(left)
    return left


class _Applying:
    """Applies the rows of a plan in order: new deals in batches, matched deals one by one."""

    def __init__(
        self,
        plan: Plan,
        report: Report,
        actor: str,
        today: datetime.date,
        bulk: bool,
        skip_rows: set,
        strict: bool = False,
    ):
        self.report, self.actor, self.today, self.bulk, self.strict = report, actor, today, bulk, strict
        self.plan = plan
        self.labels = plan.labels
        self.new = NewDeals(actor)
        self.resolver = _Resolver(report, actor, self.new.paused)
        self.resolver.labels = plan.labels
        self.deals = _Deals([])
        chunks = plan.chunks
        # Into an empty ledger the file's codes matter only for a name found twice: read then, if ever.
        self.file_codes = _FileCodes(lambda: chunks.codes(skip_rows)) if self.deals.empty else chunks.codes(skip_rows)
        self.indexes_aside: list[str] = []
        self.kept: KeptDaysAside | KeptDaysLater | None = None  # the kept totals while their triggers stand aside
        self.days = StageDays(plan, report, today)  # the day each new deal reached its stage, as the sheet says
        # The day the sheet's data is of (填报日期, 数据截至…): its problems are raised, and solved, then.
        self.on = plan.stated_on or today
        self.marks = records.marks()
        self.saved: dict = {}  # deal id -> its columns before this import changed it (for revert)
        self.resolved: dict = {}  # blocker id -> what resolving it changed, as it was (for revert)
        self.after: list = []  # (row, deal) of rows with progress, funds or investment, written once deals exist
        self.invested = Invested(report, actor)  # their plans and completed months (crm.importing.invested)
        self.regions: set = set()  # the rows' distinct regions, checked against the national table once each
        if bulk and self.deals.empty and chunks.count - len(skip_rows) >= aside.REBUILD_AT:
            # Only the deals the import creates can be looked up: by id and code, which keep their indexes.
            self.indexes_aside = set_indexes_aside(Deal)
            self.kept = set_kept_days_aside(events_later="funds" in plan.header.columns)
            if self.kept is not None:
                self.new.after_batch = self.kept.batch  # each batch's totals filled as it is written
                self.new.reached_later = self.kept.reached_later
            if self.indexes_aside:
                appending_cache()

    def take(self, rows: list[RowPlan]) -> None:
        """The next chunk of rows, about to be applied: the deals they name looked up, then their names."""
        self.new.next_rows()
        self.regions.update({row.values.get("region") for row in rows if row.values})
        self.deals.take(rows)
        self.look_up_names()

    def look_up_names(self) -> None:
        """Find (or create) the departments, events and people the rows taken name, each once, in the rows' order.

        Applying a row then finds them remembered and asks the database
        nothing: a writer thread (NewDeals.write_behind) can keep it busy
        meanwhile. What a row has refused is left for applying it to refuse
        (and what it created stays: any refusal rolls the whole import back).
        """
        if not self.bulk:
            return
        for row in self.deals.rows:
            self.resolver.start_row(row.row)
            try:
                values, supporting, adding = self._resolve(row)
                self.new.look_up(values, [*(supporting or []), *adding])
                for _item, department, _raised in new_problems(row, values, row.signed_on, self.resolver, self.on):
                    self.new.look_up({"lead_unit": department}, [])
            except CrmError:
                continue

    def row(self, row: RowPlan, note: str) -> None:
        """Apply one row; a refusal becomes the row's problem (the import then writes nothing)."""
        self.resolver.start_row(row.row)
        try:
            match, by_code = self.deals.find(row, self.file_codes)
            refusal = None
        except InvalidInput as err:
            match, by_code, refusal = None, False, err
        try:
            if match is None and refusal is None and not self.deals.empty:
                self._alike(row)
            if match is None and self.bulk:
                # No savepoint: a refused new row leaves nothing behind but what the resolver
                # created, and any refusal rolls the whole import back.
                self._create(row, refusal)
            else:
                self.flush(wait=True)  # the row's savepoint must not take in rows still being written
                self._kept_by_triggers()
                try:
                    with database.atomic():
                        self._one_by_one(row, match, by_code, refusal, note)
                except CrmError:
                    self.resolver.forget_row()
                    raise
        except CodesTaken:
            raise  # the whole import runs again, not this row's problem
        except CrmError as err:
            self.report.problems.append(_row_problem(row, err, self.labels))
        if len(self.new.pending) >= BATCH:
            self.flush()

    def flush(self, wait: bool = False) -> None:
        """Write the new deals checked so far; with `wait`, not before they are written."""
        try:
            self.new.flush()
            if wait:
                self.new.wait()
        except IntegrityError as err:
            # Another writer took the same codes meanwhile (PostgreSQL), or ids (a write behind, SQLite).
            message = _(
                "Deals were added by someone else while importing ({reason}); nothing was imported: run the "
                "import again"
            ).format(reason=str(err).splitlines()[0] if str(err) else type(err).__name__)
            if is_postgres() and not self.report.problems and not self.plan.problems:
                # The whole import is rolled back and run again from the file, counting on from the codes taken since.
                raise CodesTaken(message) from None
            self.report.problems.append(Problem(None, None, None, "conflict", message))

    def _kept_by_triggers(self) -> None:
        """Before a deal written may change: the as-of totals filled for what is written, their triggers back."""
        if self.kept is not None and not self.kept.caught_up:
            self.new.write(self.kept.catch_up())
            self.new.wait()

    def finish(self, on: datetime.date) -> None:
        """Each row's progress text as a progress entry dated `on`, its funds as the difference from the ledger,
        and its plans and completed investment (crm.importing.invested).

        A text the deal already has is not added again, and funds the ledger already holds are not
        recorded again: importing a file twice adds nothing.
        """
        for row, deal in self.after:
            try:
                if row.progress:
                    self.report.progress_added += add_progress_once(deal.id, row.progress, on, self.actor)
                if row.funds:
                    added, held = record_cumulative_funds(deal.id, row.funds, on, self.actor)
                    if added is not None:
                        self.report.funds_added.append((row.row, deal.code, added))
                        if row.funds.approximate:
                            self.report.warnings.append(approximate_funds(row, row.funds, self.labels))
                    elif row.funds.amount < held:
                        self.report.warnings.append(lower_funds(row, row.funds, deal.code, held, self.labels))
                if row.invested:
                    self.invested.write(row, deal)
            except CrmError as err:
                self.report.problems.append(_row_problem(row, err, self.labels))

    def missing_rates(self) -> None:
        """Warn, once per currency, of the deals this import created or changed that no exchange rate converts."""
        self.report.warnings += missing_rates(self.marks["deal"], self.saved, self.labels.get("amount"))

    def _resolve(self, row: RowPlan) -> tuple[dict, list | None, list]:
        """(the row's values with the ledger's names, its supporting departments or None when the sheet has no
        such column, the units its 责任单位 cell names after the lead unit: supporting departments to add)."""
        values = dict(row.values)
        if self.plan.region:  # a sheet without a county column: the county its title names
            values["region"] = self.plan.region
        if values.get("event"):
            values["event"] = self.resolver.event(values["event"], row.signed_on)
        adding: list = []
        if values.get("lead_unit"):
            # 徐水区发改局、徐水区自然资源和规划局: the first leads (牵头), the others support (配合).
            first, *more = unit_names(values["lead_unit"]) or [values["lead_unit"]]
            values["lead_unit"] = self.resolver.department(first)
            adding = [n for n in (self.resolver.department(m) for m in more) if n != values["lead_unit"]]
        if values.get("liaison"):
            values["liaison"] = self.resolver.person(values["liaison"])
        supporting = (
            None if row.supporting is None else [self.resolver.department(n, "supporting") for n in row.supporting]
        )
        if supporting is not None and adding:
            supporting, adding = list(dict.fromkeys([*supporting, *adding])), []
        return values, supporting, list(dict.fromkeys(adding))

    def _alike(self, row: RowPlan) -> None:
        """A row that finds no deal, named as one the ledger has (signed another day) or as one but for a trailing
        项目: warned about, refused under --strict."""
        alike = self.deals.alike(row, self.file_codes)
        if not alike:
            return
        message = _(
            "Maybe this is {deals}: if it is the same deal, write its code (项目编号) in the sheet; else it is a new deal"
        ).format(deals=list_sep().join(_described(d) for d in alike[:3]))
        if self.strict:
            raise _refuse(message, "maybe_same_deal", "name")
        label, raw = _cell_of(row, self.labels, "name") or (None, row.values.get("name"))
        self.report.warnings.append(Problem(row.row, label, cell_text(raw), "maybe_same_deal", message))

    def _create(self, row: RowPlan, refusal: InvalidInput | None) -> None:
        values, supporting, adding = self._resolve(row)
        if refusal is not None:
            raise refusal
        put_in_notes(values, None)
        code = _new_code(row, values)
        # Funds arrive only under a signed agreement: a new deal a funds sheet names is 签约 at least, not 在谈.
        stage = row.stage or ("signed" if row.funds is not None and row.funds.amount > 0 else None)
        deal = self.new.check(
            {k: v for k, v in values.items() if k in _DEAL_FIELDS},
            stage,
            [*(supporting or []), *adding],
            code,
            row.money,
            self.days.for_new(row, stage),
        )
        for item, department, raised in new_problems(row, values, deal.signed_on, self.resolver, self.on):
            self.new.check_blocker(deal, item.text, department, item.due, raised)
        self.new.add(deal)
        if row.progress or row.funds or row.invested:
            self.after.append((row, deal))
        else:
            # Checked and kept for writing: the memory of its cells goes to the deals still to come.
            row.raw = row.values = _APPLIED
        self.deals.created(row, deal)
        self.report.created.append((row.row, deal.code, deal.name))
        self.report.blockers_added += len(deal.blockers)

    def _one_by_one(self, row: RowPlan, deal, by_code: bool, refusal, note: str) -> None:
        values, supporting, adding = self._resolve(row)
        if refusal is not None:
            raise refusal
        if deal is None:
            put_in_notes(values, None)
            code = _new_code(row, values)
            deal = create_deal(
                {k: v for k, v in values.items() if k in _DEAL_FIELDS},
                stage=row.stage,
                supporting=[*(supporting or []), *adding],
                code=code,
                actor=self.actor,
                require_rate=False,
                reached=self.days.for_new(row, row.stage),
            )
            added = add_problems(deal, row, values, self.resolver, self.actor, self.on)
            deal.event_name = deal.event.name if deal.event_id else None
            if row.progress or row.funds or row.invested:
                self.after.append((row, deal))
            self.deals.created(row, deal)
            self.report.created.append((row.row, deal.code, deal.name))
            self.report.blockers_added += added
            return
        if isinstance(deal, Made):
            deal = Deal.get(Deal.code == deal.code)  # created by this import: written by now
        elif by_code or isinstance(deal, NewDeal):
            deal = Deal.get_by_id(deal.id)  # as read when the row is reached (a code is looked up afresh)
        if deal.region and self.plan.region:  # the title's county fills in a deal's missing one, replaces none
            values.pop("region")
        put_in_notes(values, deal.notes)
        first = deal.id not in self.saved  # an earlier row may have changed it already
        self.saved.setdefault(deal.id, records.snapshot(deal))
        changed = _update(deal, row, values, (supporting, adding), self.actor, self.today, note, self.report, self.days)
        deal = Deal.get_by_id(deal.id)
        self.deals.updated(changed, deal)
        if row.progress or row.funds or row.invested:
            self.after.append((row, deal))
        added = add_problems(deal, row, values, self.resolver, self.actor, self.on)
        solved = resolve_solved(deal, row, self.on, self.actor, self.resolved, self.report)
        self.report.blockers_added += added
        if changed or added or solved:
            self.report.updated.append(
                (row.row, deal.code, deal.name, changed + (["blockers"] if added or solved else []))
            )
        else:
            self.report.unchanged.append((row.row, deal.code))
            if first:
                # Left as it was: nothing to put back, and a later change to it holds no revert up.
                del self.saved[deal.id]


class _FileCodes:
    """The codes of the file's rows as a set, read on the first question asked of it."""

    def __init__(self, read):
        self._read, self._codes = read, None

    def __contains__(self, code: object) -> bool:
        if self._codes is None:
            self._codes = self._read()
        return code in self._codes


def _new_code(row: RowPlan, values: dict) -> str | None:
    """The code a new deal keeps from the file (one shaped like ours), else None (the next free one)."""
    if "amount" not in values:
        raise _refuse(_("A new deal needs its total investment (总投资)"), "missing_amount", "amount")
    return row.code if row.code and _OUR_CODE.fullmatch(row.code) else None


def _row_problem(row: RowPlan, err: CrmError, labels: dict) -> Problem:
    """A refusal by the ledger core, placed on the row and, where known, the column it concerns."""
    code = getattr(err, "import_code", None) or type(err).__name__.lower()
    field_name = getattr(err, "import_field", None) or "name"
    label, raw = _cell_of(row, labels, field_name) or (None, None)
    if field_name == "name" and raw is None:
        raw = row.values.get("name")
    return Problem(row.row, label, cell_text(raw) if raw is not None else None, code, str(err))


def _described(deal) -> str:
    """A deal as a warning names it: its code, name and signing date (a month when only that is known)."""
    if deal.signed_on is None:
        return _("{code} ({name})").format(code=deal.code, name=deal.name)
    signed = deal.signed_on.strftime("%Y-%m") if deal.signed_on_month else deal.signed_on.isoformat()
    return _("{code} ({name}, {signed})").format(code=deal.code, name=deal.name, signed=signed)


def _refuse(message: str, code: str, field_name: str) -> InvalidInput:
    err = InvalidInput(message)
    err.import_code, err.import_field = code, field_name
    return err


def _update(
    deal: Deal,
    row: RowPlan,
    values: dict,
    departments: tuple,
    actor,
    today,
    note,
    report,
    days: StageDays,
) -> list:
    fields = {k: v for k, v in values.items() if k in _DEAL_FIELDS}
    if name_key(fields.get("name", "")) == name_key(deal.name):
        # The same name in full- or half-width brackets, spaced differently: not a rename.
        fields.pop("name", None)
    last_audit = AuditEntry.select(fn.MAX(AuditEntry.id)).scalar() or 0
    saved = edit_deal(deal.code, fields, actor=actor, require_rate=False) if fields else deal
    changed = []
    for f, old, new in (
        AuditEntry.select(AuditEntry.field, AuditEntry.old, AuditEntry.new)
        .where((AuditEntry.id > last_audit) & (AuditEntry.table == "deal") & (AuditEntry.row_id == deal.id))
        .order_by(AuditEntry.id)
        .tuples()
    ):
        changed.append(f)
        report.changes.append((row.row, deal.code, f, old, new))
        if f == "amount":
            report.currencies[deal.code] = (deal.currency, saved.currency)
    supporting, adding = departments  # the sheet's supporting departments (or None), and units to add to them
    if supporting is not None or adding:
        held = [d.name for d in supporting_departments(saved)]
        wanted = supporting if supporting is not None else [*held, *(n for n in adding if n not in held)]
        if set(held) != set(wanted):
            set_supporting(saved.code, wanted, actor=actor)
            changed.append("supporting")
            report.changes.append((row.row, deal.code, "supporting", "、".join(sorted(held)), "、".join(wanted)))
    if row.stage and row.stage != saved.stage and stage_moves(saved, row, report, days.stated_on):
        # On the day the row says it was reached, else a sheet dated by its title (数据截至…) moves it on that date.
        change_stage(
            saved.code,
            row.stage,
            on=days.move_day(row, saved, max(days.stated_on or today, saved.stage_since)),
            note=note,
            actor=actor,
            require_rate=False,
        )
        report.stage_changes += 1
        changed.append("stage")
        report.changes.append((row.row, deal.code, "stage", saved.stage, row.stage))
    return changed
