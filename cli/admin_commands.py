"""Subcommands for looking after the ledger: backup, restore, the audit log, editing departments."""

import argparse
import sys

from crm import backup, registry
from crm.errors import InvalidInput
from crm.i18n import _
from crm.stages import BY_KEY
from crm.trail import deal_trail
from cli.output import print_json, print_table
from db.connection import describe, open_database


def _int(text, what):
    try:
        return int(text)
    except (TypeError, ValueError):
        raise InvalidInput(_("{what} must be a whole number, not {text!r}").format(what=what, text=text)) from None


def _rows(result) -> str:
    return ", ".join(f"{table} {n}" for table, n in result.rows.items() if n) or _("no rows")


# ---- handlers -------------------------------------------------------------

def cmd_backup(args):
    db = open_database(getattr(args, "db", None))
    result = backup.backup(args.path, force=args.force)
    print(result.path)
    if result.rows:
        print(_("Backup of {db} written to {path} ({size} bytes; {rows})").format(
            db=describe(db), path=result.path, size=result.size, rows=_rows(result)), file=sys.stderr)
    else:
        print(_("Backup of {db} written to {path} ({size} bytes)").format(
            db=describe(db), path=result.path, size=result.size), file=sys.stderr)


def cmd_restore(args):
    # A fresh database is left unmigrated until the backup's schema is known.
    db = open_database(getattr(args, "db", None), migrate_schema=False)
    result = backup.restore(args.path, force=args.force)
    print(_("Restored {path} into {db} ({rows})").format(path=result.path, db=describe(db), rows=_rows(result)))


def _shown(field, value):
    if value is None:
        return ""
    if field == "stage" and value in BY_KEY:
        return BY_KEY[value].label()
    return value


def _record(entry) -> str:
    if entry["table"] == "deal":
        return _("deal")
    if entry["table"] == "blocker":
        return _("blocker {id}").format(id=entry["row_id"])
    if entry["table"] == "funds_arrived":
        return _("funds {id}").format(id=entry["row_id"])
    return f'{entry["table"]} {entry["row_id"]}'


def cmd_log(args):
    open_database(getattr(args, "db", None))
    entries = deal_trail(args.code)
    if args.format == "json":
        return print_json(entries)
    print_table([_("When"), _("Who"), _("Record"), _("Field"), _("Old value"), _("New value")],
                [[e["at"], e["by"], _record(e), e["field"], _shown(e["field"], e["old"]), _shown(e["field"], e["new"])]
                 for e in entries])


def _department_json(d) -> dict:
    return {"name": d.name, "kind": d.kind, "contact": d.contact, "version": d.version,
            "updated_at": d.updated_at, "updated_by": d.updated_by}


def cmd_department_edit(args):
    open_database(getattr(args, "db", None))
    if args.new_name is None and args.kind is None and args.contact is None:
        raise InvalidInput(_("Nothing to change: give --name, --kind or --contact"))
    version = _int(args.if_version, "--if-version") if args.if_version is not None else None
    d = registry.edit_department(args.name, new_name=args.new_name, kind=args.kind, contact=args.contact,
                                 if_version=version)
    print(_("{name} saved (version {version})").format(name=d.name, version=d.version))


def cmd_department_show(args):
    from crm.lookup import department_by_name

    open_database(getattr(args, "db", None))
    d = department_by_name(args.name)
    if args.format == "json":
        return print_json(_department_json(d))
    print_table([_("Field"), _("Value")], [
        (_("Department"), d.name), (_("Kind"), registry.DEPARTMENT_KINDS[d.kind][0]), (_("Contact"), d.contact),
        (_("Version"), d.version), (_("Changed"), f"{d.updated_at} {d.updated_by}"),
    ])


# ---- parser ---------------------------------------------------------------

def _subcommands(parser) -> argparse._SubParsersAction:
    """The subcommand table of an existing command (e.g. `department`), to add actions to it."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    raise LookupError(parser.prog)


def register(sub, common):
    """Add the admin subcommands to `sub` (after cli.core_commands)."""
    def cmd(name, handler, help_text, parent=sub):
        p = parent.add_parser(name, parents=[common], help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    p = cmd("backup", cmd_backup, _("write a consistent copy of the ledger (safe while others work)"))
    p.add_argument("path", help=_("backup file to write (or a folder for a dated name); readable by you only"))
    p.add_argument("--force", action="store_true", help=_("replace an existing file"))

    p = cmd("restore", cmd_restore, _("replace the ledger by a backup"))
    p.add_argument("path", help=_("a file written by `crm backup`"))
    p.add_argument("--force", action="store_true", help=_("replace a ledger that is not empty"))

    p = cmd("log", cmd_log, _("the audit trail of a deal: who changed what, when"))
    p.add_argument("code")
    p.add_argument("--format", choices=["table", "json"], default="table")

    department = sub.choices.get("department")
    if department is not None:
        dsub = _subcommands(department)
        p = cmd("edit", cmd_department_edit, _("rename a department or change its kind or contact"), dsub)
        p.add_argument("name", help=_("the department (any unique part of its name)"))
        p.add_argument("--name", dest="new_name", help=_("new name"))
        p.add_argument("--kind", choices=sorted(registry.DEPARTMENT_KINDS))
        p.add_argument("--contact")
        p.add_argument("--if-version", dest="if_version", metavar="N",
                       help=_("refuse if the department is no longer at version N"))
        p = cmd("show", cmd_department_show, _("one department, with its version"), dsub)
        p.add_argument("name")
        p.add_argument("--format", choices=["table", "json"], default="table")
