"""An import holds the ledger's tables from its start (crm.importing.records.holding_the_ledger) and takes named holds
as its rows need them: a year's deal codes, a currency's rates. A colleague who held such a name and then waited
for the tables held the import up in turn, and PostgreSQL broke the deadlock after a second by failing one of the
two (an import of a minute started again from its first row). Now a colleague who adds a deal or sets a rate
holds nothing an import may need before the import has ended (db.connection.writing), and the import goes on. SQLite has one writer: the colleague waits for the import either way."""

import datetime
import time
from decimal import Decimal

from crm.deals.records import code_prefix, create_deal, last_code
from crm.importing.records import holding_the_ledger
from crm.reference import fx
from db.models import Deal, FxRate
from tests.ledger_checks import in_a_second_connection, waits

DAY = datetime.date(2020, 5, 18)
#: Well under PostgreSQL's deadlock_timeout (1 s) plus a failed transaction's retry.
QUICK = 0.5


def _as_an_import(colleague, then) -> object:
    """Hold the ledger as an import does, start `colleague` in a second connection, assert it waits, then run
    `then()` (what the import does next) and return its result; assert `then` did not wait on the colleague and
    that the colleague finished without an error once the import committed."""
    with holding_the_ledger():  # as crm.importing.apply opens an import
        thread, outcome = in_a_second_connection(colleague)
        assert waits(thread)
        started = time.monotonic()
        result = then()
        assert time.monotonic() - started < QUICK
    thread.join(10)
    assert not thread.is_alive() and outcome and not isinstance(outcome[0], Exception), outcome
    return result


def test_a_deal_added_while_an_import_runs_leaves_the_import_its_codes(ledger):
    create_deal({"name": "已有项目", "region": "涿州市", "signed_on": DAY.isoformat(), "amount": "1亿元"})
    prefix = code_prefix(DAY.year)
    last = _as_an_import(
        lambda: create_deal(
            {"name": "同事新增的项目", "region": "定兴县", "signed_on": DAY.isoformat(), "amount": "2亿元"}
        ),
        lambda: last_code(prefix),
    )
    assert last == f"{prefix}0001"
    # the colleague's deal took the next code once the import had ended
    assert Deal.get(Deal.name == "同事新增的项目").code == f"{prefix}0002"


def test_a_rate_set_while_an_import_runs_leaves_the_import_its_rates(ledger):
    fx.set_rate("USD", DAY, "7.1")
    rate = _as_an_import(lambda: fx.set_rate("USD", DAY, "7.5"), lambda: fx.rate_on("USD", DAY).rate)
    assert rate == Decimal("7.1")
    assert FxRate.get((FxRate.currency == "USD") & (FxRate.on == DAY)).rate == Decimal("7.5")


def test_a_rate_voided_while_an_import_runs_leaves_the_import_its_rates(ledger):
    fx.set_rate("USD", DAY - datetime.timedelta(days=1), "7.0")
    fx.set_rate("USD", DAY, "7.1")
    rate = _as_an_import(lambda: fx.void_rate("USD", DAY, "录错了"), lambda: fx.rate_on("USD", DAY).rate)
    assert rate == Decimal("7.1")
    assert fx.rate_on("USD", DAY).rate == Decimal("7.0")
