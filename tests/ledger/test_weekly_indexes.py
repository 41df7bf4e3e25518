"""Migrations 0015's and 0021's indexes for the weekly table: there after an upgrade on both backends, gone after
their down() and back after up(); on SQLite the weekly table's queries read them (the listed rows from
deal_weekly_rows alone, in the table's order without a sort; the week's stage entries, funds and blockers by their
days)."""

import datetime
import re

import pytest

from crm.deals.archived import forget_archived
from crm.deals.corrections import archive_deal
from crm.deals.records import create_deal
from crm.listing.filters import DealFilter
from crm.reporting import weekly
from crm.reporting.weekly_queries import _listed_rows, _week_blockers, _week_funds, _week_stages
from db.migrate import runner
from db.models import database
from tests.ledger_checks import since

NAMES = {"deal_weekly_rows", "blocker_raised_on", "funds_arrived_arrived_on"}
STAGE_DAYS = "stage_change_effective_on"  # migration 0021
MONDAY, SUNDAY = datetime.date(2020, 5, 18), datetime.date(2020, 5, 24)


def _indexes(backend: str) -> set[str]:
    if backend == "postgresql":
        sql = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'index'"
    return {name for (name,) in database.execute_sql(sql).fetchall()}


def _plan(query) -> str:
    sql, params = query.sql()
    params = [p.isoformat() if isinstance(p, datetime.date) else p for p in params]
    return "\n".join(step[-1] for step in database.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall())


def test_the_weekly_indexes_are_made_by_the_upgrade_and_undone_by_down(ledger, backend):
    assert NAMES <= _indexes(backend)
    assert runner(ledger).down("0015_weekly_indexes") == since("0015_weekly_indexes")[::-1]
    assert not NAMES & _indexes(backend)
    assert runner(ledger).up() == since("0015_weekly_indexes")
    assert NAMES <= _indexes(backend)


def test_the_stage_ledgers_days_are_indexed_by_the_upgrade_and_undone_by_down(ledger, backend):
    assert STAGE_DAYS in _indexes(backend)
    assert runner(ledger).down("0021_stage_change_effective_on") == since("0021_stage_change_effective_on")[::-1]
    assert STAGE_DAYS not in _indexes(backend)
    assert runner(ledger).up() == since("0021_stage_change_effective_on")
    assert STAGE_DAYS in _indexes(backend)


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize("only_stage, changed", [(None, []), (None, [3, 7]), ("signed", [])])
def test_the_listed_rows_are_read_from_the_covering_index_in_order(ledger, only_stage, changed):
    plan = _plan(_listed_rows(DealFilter(), SUNDAY, only_stage, changed))
    assert plan.startswith("SCAN t1 USING COVERING INDEX deal_weekly_rows"), plan
    assert "TEMP B-TREE" not in plan, plan  # no sort: the index is in the table's order


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_week_s_stage_entries_funds_and_blockers_are_found_by_their_days(ledger):
    assert "USING INDEX stage_change_effective_on (effective_on>? AND effective_on<?)" in _plan(
        _week_stages(None, MONDAY, SUNDAY)
    )
    assert "USING INDEX funds_arrived_arrived_on (arrived_on>? AND arrived_on<?)" in _plan(
        _week_funds(None, MONDAY, SUNDAY)
    )
    plan = _plan(_week_blockers(None, MONDAY, SUNDAY))
    assert "USING INDEX blocker_raised_on (raised_on>? AND raised_on<?)" in plan, plan
    # the plain index on resolved_on, or the covering one of the blockers not voided (migration 0023)
    assert re.search(r"USING (COVERING )?INDEX blocker_resolved_on\w* \(resolved_on>\? AND resolved_on<\?\)", plan), (
        plan
    )


@pytest.mark.parametrize("backend", ["postgresql"])
def test_postgresql_can_read_the_listed_rows_from_the_index_alone_in_order(ledger):
    """A few test rows are cheaper to scan and sort, so the planner is told not to (at a million deals it
    chooses the index itself: BENCHMARKS.md, tenth session)."""
    sql, params = _listed_rows(DealFilter(), SUNDAY, None, [3, 7]).sql()
    with database.atomic():
        database.execute_sql("SET LOCAL enable_seqscan = off")
        database.execute_sql("SET LOCAL enable_sort = off")
        plan = "\n".join(line for (line,) in database.execute_sql("EXPLAIN " + sql, params).fetchall())
    assert "Index Only Scan using deal_weekly_rows" in plan, plan
    assert "Sort" not in plan, plan


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize("scope", [DealFilter(), DealFilter(region="涿州市")], ids=["archived left out", "region"])
def test_the_week_s_stage_entries_are_a_range_of_their_days_for_a_cohort_too(ledger, scope):
    """Once a deal is archived (the table leaves it out by a condition) or the table is narrowed, the cohort is a
    subquery: tested per entry of the range, not leading the planner to look each of its deals up in the ledger by
    deal (found by a review: ten times the range's time at a million deals)."""
    for n in range(3):
        create_deal({"name": f"项目{n}", "amount": "1亿元", "signed_on": "2020-05-20", "region": "涿州市"})
    archive_deal(create_deal({"name": "重复", "amount": "1亿元", "signed_on": "2020-05-20"}).code, "重复录入")
    forget_archived()
    cohort = weekly._Builder(weekly.Week(MONDAY, SUNDAY), scope, datetime.date(2020, 7, 1)).ids
    assert cohort is not None
    plan = _plan(_week_stages(cohort, MONDAY, SUNDAY))
    assert "USING INDEX stage_change_effective_on (effective_on>? AND effective_on<?)" in plan, plan
