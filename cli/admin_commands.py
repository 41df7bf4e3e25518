"""Subcommands for looking after the ledger: backup, restore, the audit log."""

import sys

from cli.ledger import open_ledger
from cli.notices import upgrading
from cli.output import print_json, print_table
from cli.parsing import command_adder, output_format
from crm.backup import copies as backup
from crm.deals.trail import deal_trail, field_label, shown_value
from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import _
from crm.reference.entries import rate_trail
from db.connection import describe, open_database


def _rows(result) -> str:
    return backup.rows_summary(result.rows) or _("no rows")


# ---- handlers -------------------------------------------------------------


def cmd_backup(args):
    db = open_ledger(args)
    result = backup.backup(args.path, force=args.force)
    print(result.path)
    if result.rows:
        print(
            _("Backup of {db} written to {path} ({size} bytes; {rows})").format(
                db=describe(db), path=result.path, size=result.size, rows=_rows(result)
            ),
            file=sys.stderr,
        )
    else:
        print(
            _("Backup of {db} written to {path} ({size} bytes)").format(
                db=describe(db), path=result.path, size=result.size
            ),
            file=sys.stderr,
        )


def cmd_restore(args):
    # A fresh database is left unmigrated until the backup's schema is known.
    db = open_database(getattr(args, "db", None), migrate_schema=False, create=True)
    result = backup.restore(args.path, force=args.force, notice=upgrading)
    print(_("Restored {path} into {db} ({rows})").format(path=result.path, db=describe(db), rows=_rows(result)))


def _record(entry) -> str:
    if entry["table"] == "deal":
        return _("deal")
    if entry["table"] == "blocker":
        return _("blocker {id}").format(id=entry["row_id"])
    if entry["table"] == "funds_arrived":
        return _("funds {id}").format(id=entry["row_id"])
    if entry["table"] == "investment_done":
        return _("completed investment {id}").format(id=entry["row_id"])
    if entry["table"] == "investment_plan":
        return _("investment plan {id}").format(id=entry["row_id"])
    if entry["table"] == "fx_rate":
        return _("exchange rate {id}").format(id=entry["row_id"])
    return f"{entry['table']} {entry['row_id']}"


def cmd_log(args):
    if bool(args.code) == bool(args.rates):
        raise InvalidInput(_("Name a deal (crm log CODE) or ask for the exchange rates' trail (crm log --rates)"))
    open_ledger(args)
    entries = rate_trail() if args.rates else deal_trail(args.code)
    if args.format == "json":
        return print_json(entries)
    print_table(
        [_("When"), _("Who"), _("Record"), _("Field"), _("Old value"), _("New value")],
        [
            [
                e["at"],
                e["by"],
                _record(e),
                field_label(e["field"]),
                shown_value(e["field"], e["old"], e["currency"]),
                shown_value(e["field"], e["new"], e["currency"]),
            ]
            for e in entries
        ],
    )


# ---- parser ---------------------------------------------------------------


def register(sub, common):
    """Add the admin subcommands to `sub` (after cli.core_commands)."""

    cmd = command_adder(sub, common)

    p = cmd("backup", cmd_backup, _("write a consistent copy of the ledger (safe while others work)"))
    p.add_argument(
        "path", metavar="PATH", help=_("backup file to write (or a folder for a dated name); readable by you only")
    )
    p.add_argument("--force", action="store_true", help=_("replace an existing file"))

    p = cmd("restore", cmd_restore, _("replace the ledger by a backup"))
    p.add_argument("path", metavar="PATH", help=_("a file written by `crm backup`"))
    p.add_argument("--force", action="store_true", help=_("replace a ledger that is not empty"))

    p = cmd("log", cmd_log, _("the audit trail of a deal, or of the exchange rates: who changed what, when"))
    p.add_argument("code", nargs="?", metavar=_("CODE"), help=_("the deal (with --rates: none)"))
    p.add_argument(
        "--rates", action="store_true", help=_("the exchange rates' trail: each rate set, replaced or voided")
    )
    output_format(p, ["table", "json"])
