"""Migration 0016 (PostgreSQL): the kept totals' triggers stand aside in a transaction that has set crm.kept_later
to 'on', and only there: a deal created under it is in no kept table until filled, one created by the next
transaction (or with the setting back 'off') is counted at once. down() gives the triggers back as they were."""

import pytest

from crm.deals import create_deal
from db import kept_totals
from db import stage_days as sd
from db.migrate import runner
from db.models import database

pytestmark = pytest.mark.parametrize("backend", ["postgresql"])

_DEFINITIONS = "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE tgname ~ '^crm_(days|plan)_' ORDER BY 1"


def _kept_rows() -> int:
    return sum(database.execute_sql(f"SELECT count(*) FROM {t}").fetchone()[0] for t in (sd.TABLE, sd.PLAN_TABLE))


def _deal(name: str) -> None:
    create_deal({"name": name, "region": "涿州市", "signed_on": "2020-05-18", "amount": "3亿元"}, actor="测试员")


def test_the_kept_totals_stand_aside_only_where_the_transaction_says_so(ledger):
    with database.atomic():
        database.execute_sql(f"SET LOCAL {sd.KEPT_LATER} = 'on'")
        _deal("稍后统计项目")
        assert _kept_rows() == 0  # not counted by the triggers
        database.execute_sql(f"SET LOCAL {sd.KEPT_LATER} = 'off'")
        _deal("即时统计项目")
        assert _kept_rows() > 0
    assert not kept_totals.agree()  # the first deal's share was never filled
    kept_totals.rebuild()
    _deal("下一事务的项目")  # the setting ended with its transaction
    assert kept_totals.agree()


def test_down_gives_the_triggers_back_as_they_were(ledger):
    gated = database.execute_sql(_DEFINITIONS).fetchall()
    assert len(gated) >= 10 and all(sd.KEPT_LATER in definition for _name, definition in gated)
    assert runner(ledger).down() == ["0016_postgres_kept_later"]
    plain = database.execute_sql(_DEFINITIONS).fetchall()
    assert [name for name, _d in plain] == [name for name, _d in gated]
    assert not any(sd.KEPT_LATER in definition or " WHEN " in definition for _name, definition in plain)
    with database.atomic():
        database.execute_sql(f"SET LOCAL {sd.KEPT_LATER} = 'on'")
        _deal("无视设置的项目")  # without 0016 the setting means nothing
    assert _kept_rows() > 0 and kept_totals.agree()
    assert runner(ledger).up() == ["0016_postgres_kept_later"]
    assert database.execute_sql(_DEFINITIONS).fetchall() == gated
