"""招商台账 entry point: `crm` — the TUI by default, subcommands for scripts.

The Textual app itself lives in screens/app.py.
"""

import gc
import sys

from db.drivers import without_postgres_driver

# Before anything imports peewee: a SQLite ledger never loads PostgreSQL's driver, a PostgreSQL one on opening it.
without_postgres_driver()


def demo_database_url() -> str:
    """The SQLite file `crm --demo` uses when no --db is given."""
    from db.connection import default_path

    return str(default_path().with_name("demo.sqlite3"))


def run_tui(db_url: str | None = None, demo: bool = False, lang: str | None = None) -> int:
    """Open the database (and the demo ledger with `demo`), then run the TUI."""
    # What start-up makes lives as long as the app: the collector walking it before the first frame is
    # wasted; the app freezes it and turns the collector on again once that frame is painted (CrmApp.on_ready).
    gc.disable()
    try:
        return _run_tui(db_url, demo, lang)
    finally:
        gc.enable()


def _upgrading(names: list[str]) -> None:
    """cli.notices.upgrading, imported only when a ledger is upgraded: nothing of cli/ but its parsing before the
    first rows."""
    from cli.notices import upgrading

    upgrading(names)


def _run_tui(db_url: str | None, demo: bool, lang: str | None) -> int:
    from crm.foundation.i18n import set_language

    if lang is not None:
        set_language(lang)
    from db.connection import close_database, names_a_server, open_database

    opening = None
    if demo:
        from crm.samples.demo import is_loaded, load_demo

        open_database(db_url or demo_database_url(), create=True, notice=_upgrading)
        if not is_loaded():
            load_demo()
    elif names_a_server(db_url):
        from db.opening import Opening

        # A server is connected to, the schema checked and the first page read while the screens load: round
        # trips that a SQLite file, read without waiting, does not have (there a thread would only take turns).
        opening = Opening(db_url, then=_home_page, notice=_upgrading)
    else:
        open_database(db_url, create=False, notice=_upgrading)
    from screens.app import CrmApp

    if opening is not None:
        opening.wait()
    try:
        CrmApp(demo=demo, home_page=opening.then_result if opening else None).run()
    finally:
        close_database()  # SQLite: the -wal file folded into the ledger, so copying the file copies every change
    return 0


def _home_page():
    from crm.listing import home_page

    return home_page()


def main(argv=None):
    """Console entry (`crm`)."""
    from cli.main import main as cli_main

    return cli_main(sys.argv[1:] if argv is None else argv, tui=run_tui)


if __name__ == "__main__":
    sys.exit(main())
