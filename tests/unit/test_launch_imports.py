"""Launching the TUI imports only what its first screen needs: the pinyin
dictionaries, the workbook readers and writers, the table printer, the
charts and PostgreSQL's driver load on first use, not before the first rows
are painted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Imported by what the first screen never does: writing a deal's name (pypinyin), reading or writing a
# workbook (openpyxl, xlsxwriter, python_calamine), printing a CLI table (tabulate), drawing charts, and what
# only a PostgreSQL ledger needs: its driver (which peewee would import with itself, see db/drivers.py) and
# playhouse's migration runner and backend extensions (an up-to-date ledger runs no migration); the keys
# panel's Markdown widget (markdown-it and pygments) opens with the panel; wcwidth lays out a help text;
# dateutil reads free-form dates (typed or imported).
NOT_BEFORE_FIRST_ROWS = {
    "dateutil",
    "psycopg2",
    "psycopg",
    "playhouse",
    "pypinyin",
    "openpyxl",
    "xlsxwriter",
    "python_calamine",
    "tabulate",
    "plotext",
    "textual_plotext",
    "markdown_it",
    "pygments",
    "wcwidth",
}
# Modules of packages the first screen does use: the TOML reader (no config file: nothing to read), getpass
# (CRM_USER names the user) and secrets (a file written); the quick filters' event and department choices
# (crm.reference.views, read after the first rows); the Board's and Dashboard's groups and the stale-deal reports
# (the list needs only each row's quiet days); the CSV reader (the region table is read when a region is
# compared); Textual's TextArea, which no screen with the list's keys has.
MODULES_NOT_BEFORE_FIRST_ROWS = {
    "textual.widgets._text_area",
    "csv",
    "crm.listing.groups",
    "crm.listing.stale",
    "zoneinfo",
    "tomllib",
    "getpass",
    "secrets",
    "crm.reference.views",
    "crm.foundation.lines",  # the line wrapper: a form's hint, a long timeline note, a help text
    # archiving, voiding and undoing (the list asks only whether any deal is archived: crm.deals.archived), and
    # the exchange rates a stage change converts with on signing
    "crm.deals.corrections",
    "crm.deals.blockers",
    "crm.reference.fx",
}


def _run(*argv: str, config_home: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CRM_USER": "test"}
    if config_home is not None:
        env["XDG_CONFIG_HOME"] = str(config_home)
    return subprocess.run([sys.executable, *argv], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_launch_paints_the_first_rows_without_the_modules_it_does_not_need(tmp_path):
    ledger = str(tmp_path / "ledger.sqlite3")
    made = _run("-m", "app", "--db", ledger, "demo")
    assert made.returncode == 0, made.stderr
    launched = _run(
        "-m", "tests.perf.launch", "crm", "--db", ledger, "--spawned-at", repr(time.time()), config_home=tmp_path
    )
    assert launched.returncode == 0, launched.stderr
    loaded = json.loads(launched.stdout.strip().splitlines()[-1])
    packages, modules = set(loaded["packages"]), set(loaded["modules"])
    assert not set(loaded["loaded"]) & MODULES_NOT_BEFORE_FIRST_ROWS, sorted(
        set(loaded["loaded"]) & MODULES_NOT_BEFORE_FIRST_ROWS
    )
    assert {"textual", "peewee"} <= packages and "screens.deal_list" in modules, "the first rows were painted"
    assert not packages & NOT_BEFORE_FIRST_ROWS, sorted(packages & NOT_BEFORE_FIRST_ROWS)
    # the subcommands' modules (they import most of crm/ and tabulate) are not registered to open the TUI
    parsing = ("cli.main", "cli.argparse_language")
    assert not {m for m in modules if m.startswith("cli.") and m not in parsing}, sorted(modules)
    assert not {m for m in modules if m.startswith(("exports.", "crm.importing", "crm.samples"))}, sorted(modules)
