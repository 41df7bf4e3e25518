"""The `crm` command line: the TUI by default, subcommands for scripts.

Every failure a user can cause ends here as one line on stderr and an exit
code: 2 for bad arguments or values, 3 for an edit refused as stale.
"""

import argparse
import re
import sys
from collections.abc import Callable

from cli.argparse_language import CellHelpFormatter, speak_our_language
from crm.foundation.errors import CrmError, as_crm_error, one_line, retry_transient
from crm.foundation.files import clean_up_on_sigterm
from crm.foundation.i18n import _, set_language
from crm.foundation.text import terminal_safe


class UsageError(CrmError):
    """Bad command-line arguments."""


class Parser(argparse.ArgumentParser):
    """argparse that reports errors as one line instead of usage + message."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", CellHelpFormatter)
        super().__init__(*args, **kwargs)
        # "--amount -5亿元" hands -5亿元 to the amount reader (which names it and
        # says why), instead of taking it for an unknown option.
        self._negative_number_matcher = re.compile(r"^-\d")

    def error(self, message):
        # The funnel prints "crm: " before every error: of the prog, only a subcommand's name adds anything.
        command = self.prog.partition(" ")[2]
        raise UsageError(f"{command}: {message}" if command else message)


# Modules that add subcommands; each has register(subparsers, common).
COMMAND_MODULES = [
    "cli.core_commands",
    "cli.synthetic_commands",
    "cli.admin_commands",
    "cli.io_commands",
    "cli.report_commands",
]
# The module of a command that scripts run often on big ledgers. Importing every command module
# pulls in most of crm/ (and tabulate): a tenth of a second that `crm export weekly` does not need.
ONLY_MODULE = {"export": "cli.io_commands", "import": "cli.io_commands", "deals": "cli.core_commands"}
# Options of the main parser that take a value (the word after them is not the command).
_VALUED = ("--db", "--lang")


def _command_word(argv) -> str | None:
    """The subcommand `argv` names, or None when that is not plain (help first, an abbreviated option…)."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in _VALUED:
            skip = True
        elif arg.startswith("-"):
            if arg in ("-h", "--help") or not (arg == "--demo" or arg.startswith(tuple(o + "=" for o in _VALUED))):
                return None
        else:
            return arg
    return None


def _opens_tui(argv) -> bool:
    """True when `argv` holds only the main options (--db, --lang, --demo): the TUI, no subcommand, no help."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in _VALUED:
            skip = True
        elif not (arg == "--demo" or arg.startswith(tuple(o + "=" for o in _VALUED))):
            return False
    return not skip


def build_parser(only: str | None = None, commands: bool = True) -> Parser:
    """The full argument parser, or with `only` (a module of COMMAND_MODULES) just that module's commands.

    Without `commands`, just the main options: what launching the TUI parses.
    """
    import importlib

    # Options accepted both before and after the subcommand name.
    common = Parser(add_help=False, argument_default=argparse.SUPPRESS)
    common.add_argument(
        "--db", metavar="URL", help=_("database URL or SQLite file (default: CRM_DATABASE_URL or the user data file)")
    )
    common.add_argument("--lang", choices=["zh", "en"], help=_("language of messages and screens"))

    parser = Parser(prog="crm", description=_("招商台账 — the investment-attraction deal ledger"), parents=[common])
    parser.add_argument("--demo", action="store_true", help=_("open the TUI on the demo ledger (created on first use)"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for name in ([only] if only else COMMAND_MODULES) if commands else []:
        importlib.import_module(name).register(sub, common)
    return parser


def _early_language(argv) -> None:
    # Messages from the parser itself must already speak the chosen language.
    lang = None
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            lang = argv[i + 1]
        elif arg.startswith("--lang="):
            lang = arg.split("=", 1)[1]
    set_language(lang)


class _TerminalSafe:
    """A text stream to a terminal that shows control and bidi characters as escapes (crm.foundation.text)."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        # A leading carriage return is the progress line rewriting itself; anywhere else it could hide text.
        head = "\r" if text.startswith("\r") else ""
        return self._stream.write(head + terminal_safe(text[len(head) :]))

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _check_arguments(argv) -> None:
    # Bytes that are not UTF-8 arrive as lone surrogates (PEP 383); they cannot be stored or compared.
    for arg in argv:
        if any("\udc80" <= ch <= "\udcff" for ch in arg):
            shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            raise UsageError(
                _("The argument {arg} is not valid UTF-8 text: retype it, or set a UTF-8 locale").format(arg=shown)
            )


def _unexpected(exc: BaseException) -> int:
    """A bug, not a user's mistake: one line on stderr, the traceback kept in a file for the report."""
    import os
    import tempfile
    import traceback

    if os.environ.get("CRM_DEBUG"):
        raise exc
    fd, path = tempfile.mkstemp(prefix="crm-error-", suffix=".txt")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        traceback.print_exception(exc, file=fh)
    print(
        one_line(
            _("crm: unexpected error ({kind}); nothing more was written; details in {path}").format(
                kind=type(exc).__name__, path=path
            )
        ),
        file=sys.stderr,
    )
    return 1


def _has_terminal() -> bool:
    """True when the screens can run: standard input and output are a terminal."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def _check_db(args) -> None:
    # An empty --db (an unset shell variable) would otherwise mean no --db: the officer's own file, not the one meant.
    if getattr(args, "db", None) is not None and not args.db.strip():
        raise UsageError(
            _("--db is empty: give a SQLite file or a postgresql://… URL, or leave --db out for your own ledger")
        )


def _run(args, tui) -> int:
    _check_db(args)
    if args.command is None:
        if not _has_terminal():
            raise UsageError(_("The screens need a terminal; run a command instead (crm --help lists them)"))
        return tui(db_url=getattr(args, "db", None), demo=args.demo, lang=getattr(args, "lang", None))
    if args.demo:
        raise UsageError(_("--demo opens the TUI; to load the demo ledger into a database use `crm demo`"))
    # A PostgreSQL transaction that lost a race saved nothing: the command is run again before exit 3.
    return retry_transient(lambda: args.handler(args)) or 0


def _close_ledger() -> None:
    connection = sys.modules.get("db.connection")
    if connection is not None:
        connection.close_database()  # SQLite: the -wal file folded into the ledger, so a copy of the file is whole


def main(argv: list[str], tui: Callable[..., int]) -> int:
    """Run the command line; returns the exit code. `tui(db_url=, demo=, lang=)` runs the TUI when no command is given."""
    speak_our_language()
    _early_language(argv)
    clean_up_on_sigterm()
    out, err = sys.stdout, sys.stderr
    try:
        _check_arguments(argv)
        only = ONLY_MODULE.get(_command_word(argv))
        # A command of one module parses the same whether or not the others' commands are registered;
        # launching the TUI needs none of them (they import most of crm/ and tabulate before the first paint).
        args = (build_parser(only) if only else build_parser(commands=not _opens_tui(argv))).parse_args(argv)
        set_language(getattr(args, "lang", None))
        if args.command is not None:
            # Text from ledgers and spreadsheets reaches the terminal escaped (ESC, bidi overrides …).
            sys.stdout = _TerminalSafe(out) if out.isatty() else out
            sys.stderr = _TerminalSafe(err) if err.isatty() else err
        return _run(args, tui)
    except KeyboardInterrupt:
        print(_("crm: interrupted; nothing more was written"), file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 — the one funnel: every error ends as one line
        mine = as_crm_error(exc)
        if mine is None:
            return _unexpected(exc)
        print(f"crm: {mine}", file=sys.stderr)
        return mine.exit_code
    finally:
        _close_ledger()
        sys.stdout, sys.stderr = out, err
