"""What each command module's register() adds its subcommands with."""

import argparse
from collections.abc import Callable

from crm.foundation.i18n import N_, _
from crm.foundation.text import whole_number


def command_adder(sub, common: argparse.ArgumentParser) -> Callable[..., argparse.ArgumentParser]:
    """cmd(name, handler, help_text, parent=sub): add subcommand `name` to `parent`, run by `handler`.

    The subcommand takes the main options (`common`: --db, --lang) and shows `help_text` in both the
    list of commands and its own --help; cmd returns its parser, for the command's own arguments.
    """

    def cmd(name: str, handler, help_text: str, parent=sub) -> argparse.ArgumentParser:
        p = parent.add_parser(name, parents=[common], help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    return cmd


def deal_code(p: argparse.ArgumentParser) -> None:
    """Add the positional deal code of a command that acts on one deal (args.code)."""
    p.add_argument("code", metavar=_("CODE"), help=_("the deal's code (ZS2020-0001); `crm deals` lists them"))


def output_format(p: argparse.ArgumentParser, choices: list[str], default: str | None = "table") -> None:
    """Add --format, one of `choices` (args.format; `default` when it is not given)."""
    p.add_argument("--format", choices=choices, default=default, help=_("output format"))


def blocker_id(p: argparse.ArgumentParser) -> None:
    """Add the positional blocker number of a command that acts on one blocker (args.id)."""
    p.add_argument("id", metavar="ID", help=_("the blocker's number (`crm blocker list` shows them)"))


#: What --if-version refuses, by the kind of record a command changes.
_IF_VERSION_HELP = {
    "deal": N_("refuse if the deal is no longer at version N"),
    "blocker": N_("refuse if the blocker is no longer at version N"),
    "department": N_("refuse if the department is no longer at version N"),
}


def if_version(p: argparse.ArgumentParser, record: str) -> None:
    """Add --if-version N to a command that changes one `record` (deal, blocker or department): the change is
    refused when the record is no longer at version N. version_asked(args) reads it."""
    p.add_argument("--if-version", dest="if_version", metavar="N", help=_(_IF_VERSION_HELP[record]))


def version_asked(args: argparse.Namespace) -> int | None:
    """The version --if-version gave (a whole number from 1), None when it was not given; anything else is
    refused with one line naming --if-version."""
    return None if args.if_version is None else whole_number(args.if_version, "--if-version", minimum=1)
