"""argparse in the user's language: its own words translated, its help laid out by terminal cells.

argparse writes its headings ("usage:", "options"), the -h option's help and its errors ("expected one
argument", "invalid choice") through gettext; `speak_our_language` hands them to crm.foundation.i18n, whose
cli catalog translates the messages marked below (their text exactly as argparse writes it). Its help pads
and wraps by characters, so a Chinese option value or help text (two cells a character) pushed the help column
out of line and past the terminal's edge: CellHelpFormatter measures cells instead (wcwidth).
"""

from __future__ import annotations

import argparse
import re

from crm.foundation.i18n import N_, _, ngettext

#: argparse's messages a user can meet (Python 3.11's argparse.py), for the catalog.
MESSAGES = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("unrecognized arguments: %s"),
    N_("not allowed with argument %s"),
    N_("ignored explicit argument %r"),
    N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("invalid %(type)s value: %(value)r"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"),
    N_("can't open '%(filename)s': %(error)s"),
)

_SPACES = re.compile(r"\s+")


def speak_our_language() -> None:
    """Make argparse's own messages go through crm.foundation.i18n (the language chosen at the time of each)."""
    argparse._ = _  # type: ignore[attr-defined]  # argparse looks its gettext up as a module global
    argparse.ngettext = ngettext  # type: ignore[attr-defined]


def _wrap(text: str, width: int, indent: str = "") -> list[str]:
    """`text`'s words, spaces made one, in lines of at most `width` cells each starting with `indent`; a line may
    break between two Chinese characters, as Chinese text is set (crm.foundation.lines.wrap_cells)."""
    from crm.foundation.lines import cells, wrap_cells  # only when help is shown: parsing wraps nothing

    text = _SPACES.sub(" ", text).strip()
    return [indent + line for line in wrap_cells(text, max(width - cells(indent), 1))] if text else []


def _wider(text: str) -> int:
    """How many more cells than characters `text` takes in a terminal (a Chinese character takes two)."""
    if text.isascii():
        return 0  # and wcwidth stays unimported: argparse formats usages as it builds the parsers
    from wcwidth import width

    return width(text) - len(text)


def _usage_cells(text: str, shift: int) -> int:
    """The cells of a usage's widest line once its later lines are moved `shift` cells right."""
    first, *more = text.split("\n")
    return max([len(first) + _wider(first), *(len(line) + _wider(line) + shift for line in more if line.strip())])


class CellHelpFormatter(argparse.HelpFormatter):
    """argparse's HelpFormatter, its help column and line ends placed by terminal cells, not characters."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._headings: set[str] = set()  # the sections' headings, each followed by argparse's own ":"

    def _split_lines(self, text: str, width: int) -> list[str]:
        return _wrap(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(_wrap(text, width, indent))

    def _format_usage(self, usage, actions, groups, prefix) -> str:
        wider = _wider(_("usage: ") if prefix is None else prefix)  # argparse indents later lines by its characters
        text = super()._format_usage(usage, actions, groups, prefix)
        over = _usage_cells(text, wider) - self._width
        if over > 0:  # argparse fitted it by characters: again, as much narrower as it came out too wide
            self._width -= over
            try:
                text = super()._format_usage(usage, actions, groups, prefix)
            finally:
                self._width += over
        first, *more = text.split("\n")
        return "\n".join([first, *(" " * wider + line if line.strip() else line for line in more)])

    def start_section(self, heading: str | None) -> None:
        if heading:
            self._headings.add(heading)
        super().start_section(heading)

    def format_help(self) -> str:
        """argparse's help, a section's heading followed by the colon of its language (选项：, options:)."""
        text = super().format_help()
        for heading in self._headings:
            text = text.replace(f"{heading}:\n", _("{heading}:").format(heading=heading) + "\n")
        return text

    def _format_action(self, action: argparse.Action) -> str:
        text = super()._format_action(action)
        header = self._format_action_invocation(action)
        wider = _wider(header)
        first, newline, rest = text.partition("\n")
        at = first.find(header) + len(header)
        after = first[at:]
        if wider <= 0 or not after.strip():
            return text  # all narrow, or the help already starts on the next line
        gap = len(after) - len(after.lstrip(" "))
        if gap - wider >= 2:
            return first[:at] + after[wider:] + newline + rest  # the padding shortened by the extra cells
        return first[:at] + "\n" + " " * (at + gap) + after[gap:] + newline + rest  # no room: help below
