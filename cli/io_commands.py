"""`crm export weekly` and `crm import FILE`.

Both show progress on stderr when stderr is a terminal and the work is large;
everything else they print is meant for the reader (stdout) or is a problem
(stderr). Exit codes: 0 done, 2 refused (any row of an import, or a bad
argument).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli.ledger import open_ledger
from cli.parsing import output_format
from crm.foundation.errors import InvalidInput
from crm.foundation.files import check_output, regular_input
from crm.foundation.i18n import _, list_sep
from crm.listing.filters import DealFilter
from crm.values.money import Money, format_money
from exports.weekly_files import FORMATS, collector_paused, format_for, write_weekly

#: Show progress only for work this large (rows), and only on a terminal.
PROGRESS_FROM = 2000
#: Created and updated deals listed one per line, at most.
LISTED = 30


class Progress:
    """`what 1200/10000` rewritten in place on stderr, when stderr is a terminal."""

    def __init__(self, what: str, stream=None):
        self.what = what
        self.stream = stream or sys.stderr
        self.active = False

    def __call__(self, done: int, total: int) -> None:
        if total < PROGRESS_FROM or not self.stream.isatty():
            return
        self.active = True
        self.stream.write(f"\r{self.what} {done}/{total}")
        self.stream.flush()

    def close(self) -> None:
        if self.active:
            self.stream.write("\n")
            self.stream.flush()
            self.active = False


def _format(args) -> str:
    if args.format:
        return args.format
    if args.output:
        return format_for(args.output)
    return "txt"


def cmd_export_weekly(args):
    fmt = _format(args)
    if fmt == "xlsx" and not args.output:
        raise InvalidInput(_("An xlsx file cannot go to the terminal: give -o FILE.xlsx, or --format csv/md/txt/html"))
    from crm.reporting import weekly

    open_ledger(args)
    if args.output:
        check_output(args.output, force=args.force)  # refused before the table is built, not after
    week = weekly.resolve_week(args.week)
    scope = DealFilter(
        stage=args.stage,
        event=args.event,
        region=args.region,
        department=args.department,
        liaison=args.liaison,
        tag=args.tag,
        archived=bool(getattr(args, "archived", False)),
    ).check_names()
    progress = Progress(_("Writing rows"))
    try:
        with collector_paused():
            table = weekly.stream(week, scope)
            if args.output:
                write_weekly(table, fmt, Path(args.output), progress=progress, force=args.force)
            else:
                from exports import weekly_csv, weekly_text

                if fmt == "csv":
                    weekly_csv.write_csv(table, sys.stdout, progress, bom=not sys.stdout.isatty())
                else:
                    weekly_text.write(table, fmt, sys.stdout, progress)
                sys.stdout.flush()
            s = table.summary
            # Freed while the collector is off: once it is back, it has only the rest to walk through.
            del table
    finally:
        progress.close()
    if args.output:
        print(
            _("{path}: {week}, {n} deals, {total}").format(
                path=args.output, week=week.key, n=s.rows, total=format_money(Money(s.total_cny, "CNY"))
            ),
            file=sys.stderr,
        )


def cmd_import(args):
    from crm.importing import importer

    if args.file in ("list", "revert") and not Path(args.file).exists():
        open_ledger(args)
        return _import_log(args)
    skip_rows = _rows_to_skip(args.skip)
    regular_input(args.file)  # a FIFO or device would make the read wait forever
    open_ledger(args)
    overrides = _mapping(args.map or [])
    progress = Progress(_("Importing rows"))
    try:
        report = importer.run_import(
            args.file,
            sheet=args.sheet,
            dry_run=args.dry_run,
            progress=progress,
            overrides=overrides,
            strict=args.strict,
            skip_rows=skip_rows,
        )
    finally:
        progress.close()
    if args.format == "json":
        from cli.output import print_json  # (it imports tabulate, which the export does not need)

        print_json(report.as_json())
    else:
        _print_report(report, skip_rows)
    _print_problems(report)
    return 0 if report.ok else 2


def _import_log(args) -> int:
    """`crm import list` and `crm import revert N`."""
    from crm.foundation.config import current_actor
    from crm.importing import records

    if args.file == "list":
        rows = records.list_imports()
        for r in rows:
            state = _("reverted {at:%Y-%m-%d %H:%M}").format(at=r.reverted_at) if r.reverted_at else ""
            print(
                _("{n}  {at:%Y-%m-%d %H:%M}  {actor}  {source}  created {created}, updated {updated}  {state}")
                .format(
                    n=r.id, at=r.at, actor=r.actor, source=r.source, created=r.created, updated=r.updated, state=state
                )
                .rstrip()
            )
        if not rows:
            print(_("No imports recorded"))
        return 0
    if not args.number or not args.number.isdigit():
        raise InvalidInput(_("crm import revert N: N is the number `crm import list` shows"))
    done = records.revert_import(int(args.number), current_actor())
    print(
        _("Import {n} ({source}) reverted: {created} deals removed, {updated} put back").format(
            n=done.id, source=done.source, created=done.created, updated=done.updated
        )
    )
    return 0


def _rows_to_skip(given: list[str] | None) -> set[int]:
    """--skip 7,12 15-18 (given once or more): the sheet's row numbers to leave out, read as the TUI's 跳过的行."""
    from crm.importing.importer import parse_rows  # the TUI's reading of 跳过的行

    if not given:
        return set()
    try:
        return parse_rows(",".join(given))
    except InvalidInput as err:
        raise InvalidInput(_("--skip: {reason}").format(reason=err)) from None


def _skipped_lines(report, asked: set[int]) -> list[str]:
    """What the report says of --skip: the rows left out as asked, and the numbers that named no data row."""
    from crm.importing.tables_below import row_ranges

    left_out = sorted(row for row, why in report.skipped if why == "skipped_by_user")
    lines = []
    if left_out:
        lines.append(_("Rows skipped as asked (--skip): {rows}").format(rows=row_ranges(left_out)))
    missed = sorted(asked - set(left_out))
    if missed:
        missing = _("--skip {rows}: no data row of the sheet has this number; nothing was left out for it")
        lines.append(_("warning: {warning}").format(warning=missing.format(rows=row_ranges(missed))))
    return lines


def _mapping(pairs: list[str]) -> dict:
    """--map 列名=字段 …: header → field key (or - for a column to leave unused)."""
    from crm.importing.headers import field_named

    mapping = {}
    for pair in pairs:
        label, sep, name = pair.partition("=")
        if not sep or not label.strip():
            raise InvalidInput(_("--map takes 列名=字段, e.g. --map 所属县区=region; not {pair!r}").format(pair=pair))
        mapping[label.strip()] = field_named(name.strip())
    return mapping


def _print_report(report, skip_rows: set[int] | None = None) -> None:
    from crm.importing import field_label, map_name  # map_name: the Chinese field name --map accepts

    out = sys.stdout
    where = f"{report.source}" + (f" [{report.sheet}]" if report.sheet else "")
    print(
        _("{file}: header in row {row}; {n} data rows").format(file=where, row=report.header_row, n=report.rows_read),
        file=out,
    )
    print(
        _("Columns used: {columns}").format(
            columns=list_sep().join(
                [f"{label}→{map_name(field)}" for field, label in report.columns.items()]
                + [f"{label}→{what}" for label, what in report.invest_columns.items()]
            )
        ),
        file=out,
    )
    if report.ignored_columns:
        shown = [
            label
            if not report.guesses.get(label)
            else _("{label} (perhaps {field}: --map {label}={field})").format(
                label=label, field=map_name(report.guesses[label])
            )
            for label in report.ignored_columns
        ]
        print(_("Columns not used: {columns}").format(columns=list_sep().join(shown)), file=out)
    if report.dry_run or not report.ok:
        verb = _("would create {created}, update {updated}, leave {unchanged} unchanged")
    else:
        verb = _("created {created}, updated {updated}, left {unchanged} unchanged")
    print(
        verb.format(created=len(report.created), updated=len(report.updated), unchanged=len(report.unchanged)), file=out
    )
    print(
        _("stage changes {stages}, problems added {blockers}, rows skipped {skipped}").format(
            stages=report.stage_changes, blockers=report.blockers_added, skipped=len(report.skipped)
        ),
        file=out,
    )
    for line in _skipped_lines(report, skip_rows or set()):
        print(line, file=out)
    for label, names in (
        (_("New departments"), report.departments_created),
        (_("New events"), report.events_created),
        (_("New people"), report.people_created),
    ):
        if names:
            print(_("{label}: {names}").format(label=label, names=report.listed(names)), file=out)
    # Only the lines shown are formatted: a first import of 100,000 rows creates as many deals.
    new_line, updated_line = _("  row {row}: new {code} {name}"), _("  row {row}: {code} {name} — {fields}")
    lines = [new_line.format(row=row, code=code, name=name) for row, code, name in report.created[:LISTED]]
    lines += [
        updated_line.format(row=row, code=code, name=name, fields=list_sep().join(map(field_label, fields)))
        for row, code, name, fields in report.updated[: LISTED - len(lines)]
    ]
    for line in lines:
        print(line, file=out)
    _more(len(report.created) + len(report.updated), out)
    for row, code, label, old, new in report.changes_shown(LISTED):
        print(
            _("  row {row}: {code} {field}: {old} → {new}").format(row=row, code=code, field=label, old=old, new=new),
            file=out,
        )
    _more(len(report.changes), out)
    if report.progress_added or report.funds_added:
        print(
            _("progress entries added {progress}, funds arrivals recorded {funds}").format(
                progress=report.progress_added, funds=len(report.funds_added)
            ),
            file=out,
        )
    if report.plans_set or report.investments_set:
        print(
            _("yearly plans set {plans}, months of completed investment set {months}").format(
                plans=len(report.plans_set), months=len(report.investments_set)
            ),
            file=out,
        )
    for warning in report.warnings[:LISTED]:
        print(_("warning: {warning}").format(warning=warning), file=out)
    _more(len(report.warnings), out)
    if report.import_id is not None:
        print(_("Recorded as import {n} (crm import revert {n} undoes it)").format(n=report.import_id), file=out)
    for row, column, total, summed in report.totals_checked:
        print(
            _("Totals row {row} ({column}): {total}; rows add up to {sum}").format(
                row=row, column=column, total=total, sum=summed
            ),
            file=out,
        )
    for notice in report.notices:
        print(notice, file=out)
    if report.dry_run and report.ok:
        print(_("Dry run: nothing was written"), file=out)


def _more(count: int, out) -> None:
    """After the first LISTED of `count` lines: how many more the text leaves out."""
    if count > LISTED:
        print(_("  … and {n} more (--format json lists them all)").format(n=count - LISTED), file=out)


def _print_problems(report) -> None:
    """Every refused row on stderr: row, column, the value quoted, why."""
    for problem in report.problems:
        print(f"crm: {problem}", file=sys.stderr)
    if report.problems:
        print(_("crm: {n} problems; nothing was written").format(n=len(report.problems)), file=sys.stderr)


def register(sub, common):
    """Add `export` and `import` to the subcommands."""
    export = sub.add_parser(
        "export", parents=[common], help=_("export reports: weekly"), description=_("export reports: weekly")
    )
    esub = export.add_subparsers(dest="export_command", metavar="REPORT", parser_class=sub._parser_class, required=True)
    p = esub.add_parser(
        "weekly",
        parents=[common],
        help=_("the weekly deal table (周报)"),
        description=_("the weekly deal table (周报) of an ISO week: xlsx, csv, md, txt or html"),
    )
    p.set_defaults(handler=cmd_export_weekly)
    p.add_argument("--week", help=_("2020-W21 or any date in the week (default: the last complete week)"))
    p.add_argument("--format", choices=FORMATS, help=_("default: from the -o file name, else txt"))
    p.add_argument("-o", "--output", metavar="PATH", help=_("write to PATH (xlsx needs it); default stdout"))
    p.add_argument("--force", action="store_true", help=_("replace an existing file (never a database)"))
    p.add_argument("--event", help=_("signing event (any part of its name)"))
    p.add_argument("--region", help=_("county or district (any part)"))
    p.add_argument("--liaison", help=_("liaison leader (包联领导), any part of the name"))
    p.add_argument("--tag", help=_("a tag (京津合作, 市重点 …)"))
    p.add_argument("--department", help=_("lead or supporting department (any part)"))
    p.add_argument("--stage", help=_("only deals at this stage at the end of the week"))
    p.add_argument("--archived", action="store_true", help=_("archived deals too"))

    p = sub.add_parser(
        "import",
        parents=[common],
        help=_("import a ledger (xlsx, xls, et, ods or csv)"),
        description=_(
            "import a bureau's ledger (xlsx, xls, WPS et, ods or csv): new deals are created, known ones "
            "updated; nothing is written when any row is refused"
        ),
    )
    p.set_defaults(handler=cmd_import)
    p.add_argument(
        "file",
        metavar="FILE",
        help=_("the ledger to import; or `list` (the imports recorded), or `revert N` (undo import N)"),
    )
    p.add_argument("number", nargs="?", metavar="N", help=argparse.SUPPRESS)
    p.add_argument(
        "--sheet",
        metavar="NAME",
        help=_(
            "the worksheet to read (default: the first visible one with a header row; a hidden sheet only when named)"
        ),
    )
    p.add_argument(
        "--dry-run",
        dest="dry_run",
        action="store_true",
        help=_("report what would be created, updated and skipped; write nothing"),
    )
    output_format(p, ["text", "json"], "text")
    p.add_argument(
        "--map",
        action="append",
        metavar="列名=字段",
        help=_(
            "use column 列名 for field 字段 (region, investor, stage, funds …; - leaves it unused); "
            "remembered for files with the same header row"
        ),
    )
    p.add_argument(
        "--skip",
        action="append",
        metavar="ROWS",
        help=_(
            "leave out these rows of the sheet, by the numbers the sheet shows: 7,12 or 15-18 (as 跳过的行 in the TUI)"
        ),
    )
    p.add_argument(
        "--strict",
        action="store_true",
        help=_(
            "refuse the file when a totals row does not add up or two columns give one amount differently (otherwise a warning)"
        ),
    )
