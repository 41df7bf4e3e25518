"""Lines the command line and the TUI's launch tell the officer on stderr while they work (no tables, nothing
imported that the first screen does not need)."""

import sys

from crm.foundation.i18n import _


def upgrading(names: list[str]) -> None:
    """Opening the ledger first upgrades it (the migrations `names`): said before they run, since on a large
    ledger they take minutes and must not be interrupted."""
    message = _(
        "Upgrading the ledger for this version of the program ({n} changes); a large ledger can take minutes: "
        "do not interrupt it"
    )
    print(f"crm: {message.format(n=len(names))}", file=sys.stderr, flush=True)
