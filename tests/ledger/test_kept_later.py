"""Migrations 0016 and 0017 (PostgreSQL): the kept totals' triggers stand aside in a transaction that has set
crm.kept_later to 'on', and only there: a deal created under it, with a blocker, is in no kept table until filled;
one created by the next transaction (or with the setting back 'off') is counted at once. down() gives the
triggers back as they were."""

import datetime

import pytest

from crm.deals import create_deal
from crm.deals.blockers import add_blocker
from crm.reference import add_department
from db import kept_totals
from db import stage_days as sd
from db.kept_later import KEPT_LATER
from db.migrate import runner
from db.models import Department, database
from tests.ledger_checks import earlier_blocker, since

pytestmark = pytest.mark.parametrize("backend", ["postgresql"])

_GATED = "^(crm_(days|plan)_.*|deal_totals|deal_cohort_totals|funds_totals|blocker_totals)$"
_DEFINITIONS = f"SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE tgname ~ '{_GATED}' ORDER BY 1"
_KEPT = (
    sd.TABLE,
    sd.PLAN_TABLE,
    sd.EVENTS_TABLE,
    "deal_totals_delta",
    "deal_cohort_totals_delta",
    "blocker_totals_delta",
)


def _kept_rows() -> int:
    return sum(database.execute_sql(f"SELECT count(*) FROM {t}").fetchone()[0] for t in _KEPT)


def _deal(name: str, voids: bool = True) -> None:
    """A deal and a blocker on it; not `voids`: on a ledger stepped down before migration 0023."""
    deal = create_deal({"name": name, "region": "涿州市", "signed_on": "2020-05-18", "amount": "3亿元"}, actor="测试员")
    if voids:
        add_blocker(deal.code, "用地指标不足", "涿州市人民政府", actor="测试员")
    else:
        department = Department.get(Department.name == "涿州市人民政府").id
        earlier_blocker(deal.id, "用地指标不足", department, datetime.date.today().isoformat())


@pytest.fixture(autouse=True)
def _a_department(ledger):
    add_department("涿州市人民政府")  # the blockers' department


def test_the_kept_totals_stand_aside_only_where_the_transaction_says_so(ledger):
    with database.atomic():
        database.execute_sql(f"SET LOCAL {KEPT_LATER} = 'on'")
        _deal("稍后统计项目")
        assert _kept_rows() == 0  # not counted by the triggers
        database.execute_sql(f"SET LOCAL {KEPT_LATER} = 'off'")
        _deal("即时统计项目")
        assert _kept_rows() > 0
    assert not kept_totals.agree()  # the first deal's share was never filled
    kept_totals.rebuild()
    _deal("下一事务的项目")  # the setting ended with its transaction
    assert kept_totals.agree()


def test_down_gives_the_triggers_back_as_they_were(ledger):
    gated = database.execute_sql(_DEFINITIONS).fetchall()
    assert len(gated) >= 14 and all(KEPT_LATER in definition for _name, definition in gated)
    assert runner(ledger).down("0016_postgres_kept_later") == since("0016_postgres_kept_later")[::-1]
    plain = database.execute_sql(_DEFINITIONS).fetchall()
    assert [name for name, _d in plain] == [name for name, _d in gated]
    assert not any(KEPT_LATER in definition or " WHEN " in definition for _name, definition in plain)
    with database.atomic():
        database.execute_sql(f"SET LOCAL {KEPT_LATER} = 'on'")
        _deal("无视设置的项目", voids=False)  # without 0016 and 0017 the setting means nothing
    assert _kept_rows() > 0 and kept_totals.agree()
    assert runner(ledger).up() == since("0016_postgres_kept_later")
    assert database.execute_sql(_DEFINITIONS).fetchall() == gated
