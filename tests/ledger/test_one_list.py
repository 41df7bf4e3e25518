"""One deal-list path: `crm deals` lists the deals in exactly the order the TUI's
list pages through them, for every sort the TUI offers, both ways."""

import csv
import io
import json

import pytest

from crm.listing import deal_text, pages, views
from crm.listing.filters import DealFilter


def _tui_order(flt, order):
    codes, key = [], None
    while True:
        page = pages.page_after(flt, order, key, limit=7)  # small pages: the keyset walk crosses segments
        if not page:
            return codes
        codes += [r.code for r in page]
        key = page[-1].key


@pytest.mark.parametrize("sort", list(pages.SORTS))
@pytest.mark.parametrize("reverse", [False, True], ids=["default", "reverse"])
def test_the_cli_lists_in_the_tuis_order(demo_ledger, sort, reverse):
    order = pages.Order(sort)
    expected = _tui_order(DealFilter(), order.reversed() if reverse else order)
    printed = "".join(deal_text.csv_text(DealFilter(), sort=sort, reverse=reverse))  # what `crm deals` streams
    streamed = [row[0] for row in csv.reader(io.StringIO(printed))][1:]
    listed = [r["code"] for r in views.list_deals(DealFilter(), sort=sort, reverse=reverse)]
    assert streamed == listed == expected
    assert len(expected) == len(set(expected)) > 30


def test_the_cli_offers_the_tuis_sorts(demo_url, run_cli):
    code, out, _err = run_cli("--db", demo_url, "deals", "--sort", "blockers", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    counts = [r["open_blockers"] for r in rows]
    assert counts == sorted(counts, reverse=True) and counts[0] > 0
    code, _out, err = run_cli("--db", demo_url, "deals", "--sort", "nonsense")
    assert code == 2 and "nonsense" in err
