"""招商台账 entry point: the Textual App, and `crm` — the TUI by default, subcommands for scripts."""

import sys

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header


class CrmApp(App):
    """The TUI (a first screen: the deal list)."""

    TITLE = "招商台账"
    BINDINGS = [("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="deals", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        from crm import deal_views
        from crm.money import Money, format_money, format_yi
        from crm.stages import BY_KEY

        table = self.query_one(DataTable)
        table.add_columns("编号", "项目名称", "县(市、区)", "签约日期", "投资额", "亿元", "阶段")
        for r in deal_views.list_deals():
            table.add_row(r["code"], r["name"], r["region"], str(r["signed_on"] or ""),
                          format_money(Money(r["amount"], r["currency"], r["amount_approximate"])),
                          format_yi(r["amount_cny"]) if r["amount_cny"] is not None else "?",
                          BY_KEY[r["stage"]].label())


def demo_database_url() -> str:
    """The SQLite file `crm --demo` uses when no --db is given."""
    from db.connection import default_path

    return str(default_path().with_name("demo.sqlite3"))


def run_tui(db_url: str | None = None, demo: bool = False, lang: str | None = None) -> int:
    """Open the database (and the demo ledger with `demo`), then run the TUI."""
    from db.connection import open_database

    if demo:
        from db.demo import is_loaded, load_demo

        open_database(db_url or demo_database_url())
        if not is_loaded():
            load_demo()
    else:
        open_database(db_url)
    CrmApp().run()
    return 0


def main(argv=None):
    """Console entry (`crm`)."""
    from cli.main import main as cli_main

    return cli_main(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
