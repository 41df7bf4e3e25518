"""The acceptance line of the ledger core, end to end through the CLI."""

import json
from decimal import Decimal


def test_langfang_2020_kpi_is_117_yi(demo_url, run_cli):
    code, out, err = run_cli("--db", demo_url, "kpi", "--event", "廊坊", "--year", "2020", "--format", "json")
    assert code == 0, err
    k = json.loads(out)
    assert k["deals"] == 3
    assert Decimal("11700000000") <= Decimal(k["total_cny"]) <= Decimal("11800000000")
    assert [(r["currency"], r["on"], r["rate"]) for r in k["fx_used"]] == [("USD", "2020-05-18", "7.1030")]
