"""Which stage changes an undo reversed, asked for a whole cohort (crm deals --stale, the stale reports), reads the
ledger's undos through their own index (migration 0024), not every audit entry of every deal."""

from crm.deals.corrections import undo_stage
from crm.deals.reversals import reversed_entries, undo_query
from crm.deals.stages import change_stage
from db.models import Deal, StageChange, database

CODE = "ZS2020-0010"


def test_a_cohort_reads_the_undos_through_their_index(demo_ledger, backend):
    change_stage(CODE, "operating")
    undo_stage(CODE, "选错阶段")
    reversed_ids = reversed_entries(Deal.select(Deal.id))
    last_two = [e.id for e in StageChange.select().join(Deal).where(Deal.code == CODE).order_by(StageChange.id)][-2:]
    assert reversed_ids == set(last_two)
    assert reversed_entries([Deal.get(Deal.code == CODE).id]) == set(last_two)
    if backend == "sqlite":
        sql, params = undo_query().sql()
        plan = " ".join(str(row[3]) for row in database.obj.execute_sql("EXPLAIN QUERY PLAN " + sql, params))
        assert "audit_entry_undo" in plan, plan
