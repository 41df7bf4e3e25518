"""Subcommands for the ledger core: deals, stages, blockers, funds, rates (KPIs: cli.report_commands)."""

import sys

from cli.ledger import open_ledger
from cli.notices import upgrading
from cli.output import print_csv, print_json, print_table, write_pieces
from cli.parsing import blocker_id, command_adder, deal_code, if_version, output_format, version_asked
from cli.show_fields import field_rows, json_record, stage_day
from crm.deals import blockers, corrections, outcomes
from crm.deals.fields import EDITABLE
from crm.deals.fields import FIELDS as DEAL_FIELDS
from crm.deals.stages import BY_KEY
from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import _, list_sep
from crm.foundation.text import whole_number
from crm.listing import deal_text
from crm.listing import views as deal_views
from crm.listing.filters import DealFilter
from crm.reference import entries, fx, registry
from crm.reference.lookup import deal_by_code
from crm.reference.region_notes import region_note
from crm.reference.views import event_infos
from crm.reporting.lights import deal_lights
from crm.values.dates import date_text, parse_date
from crm.values.money import Money, completion_text, format_money, format_yi
from db.connection import open_database


def _overdue(due) -> str:
    """A due date past: the date and the word for it."""
    return _("{due} overdue").format(due=due)


def _date(text):
    return parse_date(text) if text else None


def _int(text, what, minimum: int = 0):
    return whole_number(text, what, minimum=minimum)


def _filter(args) -> DealFilter:
    year = getattr(args, "year", None)
    return DealFilter(
        stage=getattr(args, "stage", None),
        event=args.event,
        region=args.region,
        department=args.department,
        industry=getattr(args, "industry", None),
        search=getattr(args, "search", None),
        year=_int(year, "--year") if year else None,
        liaison=getattr(args, "liaison", None),
        tag=getattr(args, "tag", None),
        archived=bool(getattr(args, "archived", False)),
    ).check_names()


def _amount(row) -> str:
    return format_money(Money(row["amount"], row["currency"], row.get("amount_approximate", False)))


# ---- handlers -------------------------------------------------------------


def init_message(ran: int, fresh: bool) -> str:
    """What `crm init` says: the schema created (a new ledger), upgraded (`ran` migrations), or already up to date."""
    if not ran:
        return _("Schema is up to date")
    if fresh:
        return _("Schema created ({n} migrations run)").format(n=ran)
    return _("Schema upgraded ({n} migrations run)").format(n=ran)


def cmd_init(args):
    """crm init: create the schema of a new ledger, or apply the migrations an older one lacks."""
    from db import migrate

    db = open_database(getattr(args, "db", None), migrate_schema=False, create=True)
    fresh = not migrate.applied_names(db)  # no history yet: every migration run creates the schema
    print(init_message(len(migrate.upgrade(db, upgrading)), fresh))


def cmd_demo(args):
    from crm.samples.demo import load_demo

    open_ledger(args, create=True)
    result = load_demo()
    print(result)


def cmd_deals(args):
    open_ledger(args)
    if args.stale is not None:
        return _stale_deals(args)
    if args.as_of is not None:
        raise InvalidInput(_("--as-of goes with --stale in `crm deals`"))
    flt = _filter(args)
    if args.format in ("csv", "json"):
        text = deal_text.csv_text if args.format == "csv" else deal_text.json_text
        out = sys.stdout
        if not out.isatty() and (out.encoding or "").lower().replace("-", "") == "utf8" and hasattr(out, "buffer"):
            out.flush()  # UTF-8 bytes straight from the database to the pipe or file: no decoding, no encoding
            write_pieces(text(flt, sort=args.sort, reverse=args.reverse, encoded=True), out.buffer)
            out.buffer.flush()
            return
        write_pieces(text(flt, sort=args.sort, reverse=args.reverse))
        return
    rows = deal_views.list_deals(flt, sort=args.sort, reverse=args.reverse)
    lit = deal_lights([r["code"] for r in rows])
    headers = [
        _("Code"),
        _("Name"),
        _("Region"),
        _("Event"),
        _("Signed"),
        _("Amount"),
        _("100m CNY"),
        _("Stage"),
        _("Light"),
        _("Days in stage"),
        _("Open blockers"),
        _("Lead unit"),
        _("Latest progress"),
    ]
    table = [
        [
            r["code"],
            r["name"],
            r["region"],
            r["event"] or "",
            date_text(r["signed_on"], r.get("signed_on_month", False)),
            _amount(r),
            format_yi(r["amount_cny"]) if r["amount_cny"] is not None else "?",
            BY_KEY[r["stage"]].label(),
            _light(lit.get(r["code"])),
            r["days_in_stage"],
            r["open_blockers"],
            r["lead_unit"] or "",
            _latest(r),
        ]
        for r in rows
    ]
    print_table(headers, table)
    print(_("{n} deals").format(n=len(rows)), file=sys.stderr)


def _light(light) -> str:
    """A deal's traffic light in words (crm.reporting.lights); empty for deals without one (在谈, 终止)."""
    if light is None:
        return ""
    return {"green": _("green"), "yellow": _("yellow"), "red": _("red")}[light.light]


def _latest(row: dict) -> str:
    entry = row.get("latest_progress")
    if not entry:
        return ""
    text = entry["text"].replace("\n", " ")
    return f"{entry['on']} {text[:30]}{'…' if len(text) > 30 else ''}"


def _stale_deals(args):
    from crm.listing.stale import stale_deals

    found = stale_deals(_int(args.stale, "--stale"), _filter(args), _date(args.as_of))
    if args.format == "json":
        return print_json([vars(s) for s in found])
    if args.format == "csv":
        return print_csv(
            ["code", "name", "region", "stage", "last_event", "quiet_days"],
            [[s.code, s.name, s.region, s.stage, s.last_event, s.quiet_days] for s in found],
        )
    print_table(
        [_("Code"), _("Name"), _("Region"), _("Stage"), _("Last event"), _("Days quiet")],
        [[s.code, s.name, s.region, BY_KEY[s.stage].label(), s.last_event, s.quiet_days] for s in found],
    )
    print(
        _("{n} deals with nothing recorded for more than {days} days").format(n=len(found), days=args.stale),
        file=sys.stderr,
    )


def cmd_show(args):
    open_ledger(args)
    d = deal_views.detail(args.code)
    if args.format == "json":
        return print_json(json_record(d))
    print_table([_("Field"), _("Value")], field_rows(d))
    print("\n" + _("Stage ledger"))
    print_table(
        [_("Date"), _("From"), _("To"), _("By"), _("Note")],
        [
            [
                stage_day(d, e["on"], e["to"]),
                BY_KEY[e["from"]].label() if e["from"] else "",
                BY_KEY[e["to"]].label(),
                e["by"],
                e["note"],
            ]
            for e in d["ledger"]
        ],
    )
    if d["blockers"]:
        print("\n" + _("Blockers"))
        print_table(
            [_("No."), _("Blocker"), _("Department"), _("Due"), _("Resolved")],
            [
                [
                    b["id"],
                    b["text"],
                    b["department"],
                    (b["due_on"] or "") if not b["overdue"] else _overdue(b["due_on"]),
                    b["resolved_on"] or "",
                ]
                for b in d["blockers"]
            ],
        )
    if d["voided_blockers"]:
        print("\n" + _("Voided blockers (entered by mistake; counted nowhere)"))
        print_table(
            [_("No."), _("Blocker"), _("Department"), _("Due"), _("Voided")],
            [[v["id"], v["text"], v["department"], v["due_on"] or "", _voided(v)] for v in d["voided_blockers"]],
        )
    if d["progress"]:
        print("\n" + _("Progress log"))
        print_table([_("Date"), _("By"), _("Progress")], [[e["on"], e["by"], e["text"]] for e in d["progress"]])
    if d["investment"]:
        print("\n" + _("Investment plan and completion"))
        print_table(
            [_("Year"), _("Plan (100m CNY)"), _("Completed (100m CNY)"), _("Completion")],
            [
                [
                    y["year"],
                    format_yi(y["plan_cny"]) if y["plan_cny"] is not None else "—",
                    format_yi(y["done_cny"]),
                    completion_text(y["completion_rate"], y["completion_currency"]),
                ]
                for y in d["investment"]
            ],
        )
    if d["tags"]:
        print("\n" + _("Tags") + ": " + list_sep().join(d["tags"]))
    if d["funds"]:
        print("\n" + _("Funds arrived"))
        print_table(
            [_("No."), _("Date"), _("Amount"), _("100m CNY"), _("Voided")],
            [
                [
                    f["id"],
                    f["on"],
                    format_money(Money(f["amount"], f["currency"])),
                    format_yi(f["amount_cny"]) if f["amount_cny"] is not None else "?",
                    f"{f['voided']['at']} {f['voided']['note']}" if f["voided"] else "",
                ]
                for f in d["funds"]
            ],
        )


def _deal_values(args) -> dict:
    return {f: getattr(args, f) for f in EDITABLE if getattr(args, f, None) is not None}


def _region_note(args) -> str | None:
    """What to say of the region given (--region), asked before saving: a name no one knows may be a typo."""
    return region_note(args.region) if getattr(args, "region", None) else None


def _say_note(note: str | None) -> None:
    if note:
        print(_("warning: {warning}").format(warning=note), file=sys.stderr)


def cmd_add(args):
    open_ledger(args)
    note = _region_note(args)
    deal = outcomes.new_deal(_deal_values(args), stage=args.stage, supporting=args.supporting or [])
    print(deal.code)
    if deal.missing_rate:
        print(deal.missing_rate, file=sys.stderr)
    _say_note(note)


def cmd_edit(args):
    open_ledger(args)
    values = _deal_values(args)
    if not values and args.supporting is None:
        raise InvalidInput(_("Nothing to change: give at least one field, e.g. --name or --amount"))
    version = version_asked(args)
    note = _region_note(args)
    # One call, one transaction: fields and supporting departments are saved
    # together or not at all, and --if-version guards both.
    deal = outcomes.changed_deal(args.code, values, if_version=version, supporting=args.supporting)
    print(_("{code} saved (version {version})").format(code=deal.code, version=deal.version))
    _say_note(note)


def cmd_stage(args):
    open_ledger(args)
    if args.undo:
        if args.stage is not None or args.on is not None:
            raise InvalidInput(_("--undo reverses the latest stage change: give no stage and no --on"))
        if args.if_stage is not None:
            raise InvalidInput(_("--if-stage goes with a stage to move to, not with --undo"))
        entry = outcomes.undone_stage(args.code, note=args.note or "")
    elif args.stage is None:
        raise InvalidInput(_("Give the stage to move to, or --undo --note WHY to reverse the latest change"))
    else:
        entry = outcomes.moved_stage(
            args.code, args.stage, on=_date(args.on), note=args.note or "", expected=args.if_stage
        )
    print(
        _("{code}: {src} → {dst} on {on}").format(
            code=args.code,
            src=BY_KEY[entry.from_stage].label(),
            dst=BY_KEY[entry.to_stage].label(),
            on=entry.effective_on,
        )
    )


def cmd_blocker_add(args):
    open_ledger(args)
    b = outcomes.raised_blocker(args.code, args.text, args.department, due=_date(args.due), raised=_date(args.raised))
    print(b.id)


def cmd_blocker_resolve(args):
    open_ledger(args)
    version = version_asked(args)
    b = outcomes.resolved_blocker(args.id, note=args.note or "", on=_date(args.on), if_version=version)
    print(_("Blocker {id} resolved on {on}").format(id=b.id, on=b.resolved_on))


def cmd_blocker_reopen(args):
    open_ledger(args)
    b = outcomes.reopened_blocker(args.id, note=args.note or "")
    print(_("Blocker {id} reopened").format(id=b.id))


def _voided(v: dict) -> str:
    """When, by whom and why a blocker was voided, in one cell."""
    return _("voided {at} by {by}: {note}").format(at=v["voided_at"], by=v["voided_by"], note=v["note"])


def cmd_blocker_edit(args):
    open_ledger(args)
    if args.due is not None and args.no_due:
        raise InvalidInput(_("Give --due DATE or --no-due, not both"))
    due = None if args.no_due else (_date(args.due) if args.due is not None else blockers.KEEP)
    if args.text is None and args.department is None and due is blockers.KEEP:
        raise InvalidInput(_("Nothing to change: give --text, --department, --due or --no-due"))
    version = version_asked(args)
    b = blockers.edit_blocker(args.id, text=args.text, department=args.department, due=due, if_version=version)
    print(_("Blocker {id} saved (version {version})").format(id=b.id, version=b.version))


def cmd_blocker_void(args):
    open_ledger(args)
    version = version_asked(args)
    kept = corrections.void_blocker(args.id, note=args.note or "", if_version=version)
    print(
        _("Blocker {id} of {code} voided: it is counted nowhere; `crm show {code}` lists it as voided").format(
            id=kept["id"], code=kept["deal"]
        )
    )


def cmd_archive(args):
    open_ledger(args)
    deal = outcomes.archived_deal(args.code, note=args.note or "")
    print(
        _("{code} archived on {day}: it leaves lists, KPIs and reports (`crm unarchive {code}` restores it)").format(
            code=deal.code, day=deal.archived_on
        )
    )


def cmd_unarchive(args):
    open_ledger(args)
    deal = outcomes.restored_deal(args.code, note=args.note or "")
    print(_("{code} restored").format(code=deal.code))


def cmd_blocker_list(args):
    open_ledger(args)
    rows = outcomes.blocker_entries(open_only=args.open, department=args.department, code=args.code)
    # Voided blockers were never open: --all adds them, marked, unless only open ones are asked for.
    voided = [] if not args.all or args.open else _voided_entries(args)
    if args.format == "json":
        return print_json([vars(b) for b in rows] + [{**vars(v), "voided": True} for v in voided])
    headers = [_("No."), _("Deal"), _("Blocker"), _("Department"), _("Raised"), _("Due"), _("Resolved")]
    table = [
        [
            b.id,
            b.deal,
            b.text,
            b.department,
            b.raised_on,
            _overdue(b.due_on) if b.overdue else (b.due_on or ""),
            b.resolved_on or "",
        ]
        for b in rows
    ]
    if args.all:
        headers.append(_("Voided"))
        table = [[*row, ""] for row in table] + [
            [v.id, v.deal, v.text, v.department, v.raised_on, v.due_on or "", v.resolved_on or "", _voided(vars(v))]
            for v in voided
        ]
    print_table(headers, table)


def _voided_entries(args) -> list:
    """The voided blockers `crm blocker list --all` adds, narrowed like the rest by --code and --department."""
    deal = deal_by_code(args.code) if args.code else None
    return blockers.voided_blockers(deal, department=args.department)


def cmd_funds(args):
    open_ledger(args)
    if args.code == "void":  # `crm funds void ID --note WHY`
        row = outcomes.funds_voided(args.amount, note=args.note or "")
        print(
            _("Funds entry {id} voided ({amount} on {on})").format(id=row.id, amount=format_money(row.money), on=row.on)
        )
        return
    row = outcomes.funds_arrived(args.code, args.amount, on=_date(args.on), note=args.note or "")
    print(_("{code}: {amount} arrived on {on}").format(code=args.code, amount=format_money(row.money), on=row.on))
    if row.missing_rate:
        print(row.missing_rate, file=sys.stderr)


def cmd_fx_set(args):
    open_ledger(args)
    rate = entries.rate_set(args.currency, parse_date(args.date), args.rate, source=args.source or "")
    print(rate.described)


def cmd_fx_void(args):
    open_ledger(args)
    rate = entries.rate_voided(args.currency, parse_date(args.date), note=args.note or "")
    print(_("Rate voided: {rate}; what it converted now uses the rate before it").format(rate=rate.described))


def cmd_fx_list(args):
    open_ledger(args)
    rates = entries.rate_entries(args.currency)
    print_table(
        [_("Currency"), _("Date"), _("CNY per unit"), _("Source"), _("Voided")],
        [
            [
                r.currency,
                r.on,
                fx.rate_text(r.rate),
                r.source,
                f"{r.voided_at} {r.voided_by}: {r.void_note}" if r.voided_at else "",
            ]
            for r in rates
        ],
    )


def cmd_department_add(args):
    open_ledger(args)
    d = entries.department_added(args.name, kind=args.kind, contact=args.contact or "")
    print(d.name)


def cmd_department_list(args):
    open_ledger(args)
    print_table(
        [_("Department"), _("Kind"), _("Contact")],
        [[d.name, registry.DEPARTMENT_KINDS[d.kind][0], d.contact] for d in entries.department_entries()],
    )


def cmd_event_add(args):
    open_ledger(args)
    e = entries.event_added(args.name, held_on=_date(args.on), place=args.place or "", organiser=args.organiser or "")
    print(e.name)


def cmd_event_list(args):
    open_ledger(args)
    print_table([_("Event"), _("Date"), _("Place")], [[e.name, e.held_on or "", e.place] for e in event_infos()])


def cmd_department_edit(args):
    open_ledger(args)
    if args.new_name is None and args.kind is None and args.contact is None:
        raise InvalidInput(_("Nothing to change: give --name, --kind or --contact"))
    version = version_asked(args)
    d = entries.department_edited(
        args.name, new_name=args.new_name, kind=args.kind, contact=args.contact, if_version=version
    )
    print(_("{name} saved (version {version})").format(name=d.name, version=d.version))


def cmd_department_show(args):
    open_ledger(args)
    d = entries.department_entry(args.name)
    if args.format == "json":
        return print_json(vars(d))
    print_table(
        [_("Field"), _("Value")],
        [
            (_("Department"), d.name),
            (_("Kind"), registry.DEPARTMENT_KINDS[d.kind][0]),
            (_("Contact"), d.contact),
            (_("Version"), d.version),
            (_("Changed"), f"{d.updated_at} {d.updated_by}"),
        ],
    )


# ---- parser ---------------------------------------------------------------


def _filters(p, stage=True):
    if stage:
        p.add_argument("--stage", help=_("stage, in Chinese or English (开工, construction)"))
    p.add_argument("--event", help=_("signing event (any part of its name)"))
    p.add_argument("--region", help=_("county or district (涿州 = 涿州市, 清苑县 = 清苑区)"))
    p.add_argument("--department", help=_("lead or supporting department (any part)"))
    p.add_argument("--archived", action="store_true", help=_("archived deals too"))


def _deal_fields(p):
    """One option per field of a deal, as crm.deals.fields declares it, and --supporting."""
    for field in DEAL_FIELDS:
        p.add_argument(field.flag, dest=field.key, metavar=field.metavar, help=_(field.help or field.label))
    p.add_argument("--supporting", nargs="*", metavar="DEPT", help=_("supporting departments (配合单位)"))


def _currency(p) -> None:
    p.add_argument("currency", metavar=_("CURRENCY"), help=_("USD, EUR, HKD …"))


def _department_name(p) -> None:
    p.add_argument("name", metavar=_("NAME"), help=_("the department (any unique part of its name)"))


def _department_details(p, kind: str | None) -> None:
    """--kind (`kind` when not given) and --contact of a department."""
    p.add_argument("--kind", default=kind, choices=sorted(registry.DEPARTMENT_KINDS), help=_("what kind of body it is"))
    p.add_argument("--contact", help=_("a person or telephone to reach"))


def register(sub, common):
    """Add the core subcommands to `sub`."""

    cmd = command_adder(sub, common)

    cmd("init", cmd_init, _("create or upgrade the schema"))
    cmd("demo", cmd_demo, _("load the demo ledger into the database"))

    p = cmd("deals", cmd_deals, _("list deals"))
    _filters(p)
    p.add_argument("--industry", help=_("industry or sub-industry (any part)"))
    p.add_argument("--year", help=_("signing year"))
    p.add_argument("--search", help=_("code, any part of the name or investor, or pinyin initials"))
    p.add_argument("--liaison", help=_("liaison leader (包联领导), any part of the name"))
    p.add_argument("--tag", help=_("a tag (京津合作, 市重点 …)"))
    p.add_argument(
        "--sort",
        choices=deal_views.SORTS,
        default="signed",
        metavar="KEY",  # the keys are in the help, which wraps; a usage line cannot
        help=_("the TUI list's sorts: {keys}").format(keys=", ".join(deal_views.SORTS)),
    )
    p.add_argument("--reverse", action="store_true", help=_("the other direction"))
    p.add_argument("--stale", metavar="DAYS", help=_("only deals with nothing recorded for more than DAYS days"))
    p.add_argument("--as-of", dest="as_of", metavar="DATE", help=_("with --stale: the day to count back from"))
    output_format(p, ["table", "csv", "json"])

    p = cmd("archive", cmd_archive, _("archive a deal: it leaves lists, KPIs and reports, and keeps every record"))
    deal_code(p)
    p.add_argument("--note", help=_("why (required)"))
    p = cmd("unarchive", cmd_unarchive, _("restore an archived deal"))
    deal_code(p)
    p.add_argument("--note", help=_("why (kept in the audit trail)"))

    p = cmd("show", cmd_show, _("one deal: fields, departments, ledger, blockers, funds"))
    deal_code(p)
    output_format(p, ["table", "json"])

    p = cmd("add", cmd_add, _("add a deal and print its code"))
    _deal_fields(p)
    p.add_argument("--stage", help=_("initial stage (default 签约 when signed, else 在谈)"))

    p = cmd("edit", cmd_edit, _("change fields of a deal"))
    deal_code(p)
    _deal_fields(p)
    if_version(p, "deal")

    p = cmd("stage", cmd_stage, _("move a deal to another stage, or reverse the latest change (--undo)"))
    deal_code(p)
    p.add_argument(
        "stage", nargs="?", metavar=_("STAGE"), help=_("the new stage, in Chinese or English (开工, construction)")
    )
    p.add_argument(
        "--undo",
        action="store_true",
        help=_("reverse the latest stage change (a new ledger entry back to the stage before; needs --note)"),
    )
    p.add_argument("--on", metavar="DATE", help=_("effective date (default today)"))
    p.add_argument("--note", help=_("required when moving backwards or off the main line"))
    p.add_argument(
        "--if-stage",
        dest="if_stage",
        metavar=_("STAGE"),
        help=_("refuse (exit 3) when the deal is no longer at this stage: someone moved it since you looked"),
    )

    blocker = cmd("blocker", None, _("blockers: add, resolve, reopen, edit, void, list"))
    bsub = blocker.add_subparsers(
        dest="blocker_command", metavar="ACTION", parser_class=sub._parser_class, required=True
    )
    p = cmd("add", cmd_blocker_add, _("record a blocker on a deal"), bsub)
    deal_code(p)
    p.add_argument("text", metavar=_("TEXT"), help=_("what holds the deal up"))
    p.add_argument("--department", required=True, help=_("the department that must clear it"))
    p.add_argument("--due", metavar="DATE", help=_("the day it should be cleared by"))
    p.add_argument("--raised", metavar="DATE", help=_("default today"))
    p = cmd("resolve", cmd_blocker_resolve, _("mark a blocker resolved"), bsub)
    blocker_id(p)
    p.add_argument("--note", help=_("the resolution"))
    p.add_argument("--on", metavar="DATE", help=_("the day it was resolved (default today)"))
    if_version(p, "blocker")
    p = cmd("reopen", cmd_blocker_reopen, _("reopen a resolved blocker"), bsub)
    blocker_id(p)
    p.add_argument("--note", help=_("why it is open again (required)"))
    p = cmd("edit", cmd_blocker_edit, _("correct a blocker's text, department or due date (audited)"), bsub)
    blocker_id(p)
    p.add_argument("--text", help=_("what holds the deal up"))
    p.add_argument("--department", help=_("the department that must clear it"))
    p.add_argument("--due", metavar="DATE", help=_("the day it should be cleared by"))
    p.add_argument("--no-due", dest="no_due", action="store_true", help=_("clear the due date"))
    if_version(p, "blocker")
    p = cmd(
        "void",
        cmd_blocker_void,
        _("void a blocker entered by mistake: it leaves every count and stays in the deal's history"),
        bsub,
    )
    blocker_id(p)
    p.add_argument("--note", help=_("why it is voided (required)"))
    if_version(p, "blocker")
    p = cmd("list", cmd_blocker_list, _("list blockers"), bsub)
    p.add_argument("--open", action="store_true", help=_("only open blockers"))
    p.add_argument("--all", action="store_true", help=_("voided blockers too, marked"))
    p.add_argument("--department", help=_("only this department's (any part of its name)"))
    p.add_argument("--code", help=_("only this deal's"))
    output_format(p, ["table", "json"])

    p = cmd("funds", cmd_funds, _("record funds arrived for a deal, or void an entry: crm funds void ID --note WHY"))
    p.add_argument("code", metavar=_("CODE"), help=_("the deal, or `void`"))
    p.add_argument(
        "amount",
        metavar=_("AMOUNT"),
        help=_("e.g. 5000万元; without a currency, the deal's currency (after `void`: the entry's number)"),
    )
    p.add_argument("--on", metavar="DATE", help=_("the day the funds arrived (default today)"))
    p.add_argument("--note", help=_("a note (after `void`: why, required)"))

    fxp = cmd("fx", None, _("exchange rates: set, list"))
    fsub = fxp.add_subparsers(dest="fx_command", metavar="ACTION", parser_class=sub._parser_class, required=True)
    p = cmd("set", cmd_fx_set, _("set the CNY rate of a currency from a date"), fsub)
    _currency(p)
    p.add_argument("date", metavar="DATE", help=_("the first day the rate applies"))
    p.add_argument("rate", metavar=_("RATE"), help=_("CNY per one unit, e.g. 7.1030"))
    p.add_argument("--source", help=_("where the rate comes from (中国人民银行 …)"))
    p = cmd("void", cmd_fx_void, _("void a rate (what it converted is converted again at the rate before it)"), fsub)
    _currency(p)
    p.add_argument("date", metavar="DATE", help=_("the first day of the rate voided"))
    p.add_argument("--note", help=_("why the rate was wrong (required)"))
    p = cmd("list", cmd_fx_list, _("list rates"), fsub)
    p.add_argument("--currency", help=_("only this currency's"))

    dept = cmd("department", None, _("departments: add, list"))
    dsub = dept.add_subparsers(
        dest="department_command", metavar="ACTION", parser_class=sub._parser_class, required=True
    )
    p = cmd("add", cmd_department_add, _("add a department"), dsub)
    p.add_argument("name", metavar=_("NAME"), help=_("the department's full name"))
    _department_details(p, kind="department")
    cmd("list", cmd_department_list, _("list departments"), dsub)
    p = cmd("edit", cmd_department_edit, _("rename a department or change its kind or contact"), dsub)
    _department_name(p)
    p.add_argument("--name", dest="new_name", help=_("new name"))
    _department_details(p, kind=None)
    if_version(p, "department")
    p = cmd("show", cmd_department_show, _("one department, with its version"), dsub)
    _department_name(p)
    output_format(p, ["table", "json"])

    ev = cmd("event", None, _("signing events: add, list"))
    esub = ev.add_subparsers(dest="event_command", metavar="ACTION", parser_class=sub._parser_class, required=True)
    p = cmd("add", cmd_event_add, _("add a signing event"), esub)
    p.add_argument("name", metavar=_("NAME"), help=_("the event's name (第二届京津冀产业合作洽谈会 …)"))
    p.add_argument("--on", metavar="DATE", help=_("the day it was held"))
    p.add_argument("--place", help=_("where it was held"))
    p.add_argument("--organiser", help=_("who held it"))
    cmd("list", cmd_event_list, _("list events"), esub)
