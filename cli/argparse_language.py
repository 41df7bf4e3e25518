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
#: A wide (Chinese) character with the closing marks after it: a place a line may break before and after.
#: Compiled when a help is first laid out (re keeps it): compiling its ranges costs a launch ~3 ms.
_WIDE = r"([\u2e80-\u9fff\uf900-\ufaff\uff01-\uff60][、，。；：！？）」』】,.;:!?)]*)"


def speak_our_language() -> None:
    """Make argparse's own messages go through crm.foundation.i18n (the language chosen at the time of each)."""
    argparse._ = _  # type: ignore[attr-defined]  # argparse looks its gettext up as a module global
    argparse.ngettext = ngettext  # type: ignore[attr-defined]


def _wrap(text: str, width: int, indent: str = "") -> list[str]:
    """`text`'s words, spaces made one, in lines of at most `width` cells; a line may break between two Chinese
    characters (a closing mark stays with the character before it), as Chinese text is set."""
    from wcwidth import SequenceTextWrapper  # only when help is shown: ~20 ms of import that parsing does not need

    class Wrapper(SequenceTextWrapper):
        def _split(self, text: str) -> list[str]:
            return [piece for chunk in super()._split(text) for piece in re.split(_WIDE, chunk) if piece]

    wrapper = Wrapper(width=width, initial_indent=indent, subsequent_indent=indent)
    return wrapper.wrap(_SPACES.sub(" ", text).strip())


def _wider(text: str) -> int:
    """How many more cells than characters `text` takes in a terminal (a Chinese character takes two)."""
    if text.isascii():
        return 0  # and wcwidth stays unimported: argparse formats usages as it builds the parsers
    from wcwidth import width

    return width(text) - len(text)


class CellHelpFormatter(argparse.HelpFormatter):
    """argparse's HelpFormatter, its help column and line ends placed by terminal cells, not characters."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        return _wrap(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(_wrap(text, width, indent))

    def _format_usage(self, usage, actions, groups, prefix) -> str:
        text = super()._format_usage(usage, actions, groups, prefix)
        over = max(len(line) + _wider(line) for line in text.split("\n")) - self._width
        if over > 0:  # argparse fitted it by characters: again, as much narrower as it came out too wide
            self._width -= over
            try:
                text = super()._format_usage(usage, actions, groups, prefix)
            finally:
                self._width += over
        wider = _wider(_("usage: ") if prefix is None else prefix)  # argparse indents later lines by its characters
        first, *more = text.split("\n")
        return "\n".join([first, *(" " * wider + line if line.strip() else line for line in more)])

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
