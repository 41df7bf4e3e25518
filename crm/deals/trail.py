"""The audit trail of one deal, as `crm log CODE` and the TUI show it.

A deal's trail is every audit entry of the deal itself (field edits, stage
changes, archiving, supporting departments) and of the blockers, arrivals of
funds, year plans and completed investment recorded on it (voids included),
oldest first. Who is the name crm.foundation.config.current_actor gave
when the change was made: the operating-system user, or the name set in the
config file or CRM_USER.
"""

from crm.reference.lookup import deal_by_code
from db.models import AuditEntry, Deal, Blocker, FundsArrived, InvestmentDone, InvestmentPlan


def deal_trail(code: str, deal: Deal | None = None) -> list[dict]:
    """The audit entries of deal `code` (or of `deal`, already read) and of its blockers, funds and
    investment, oldest first."""
    deal = deal or deal_by_code(code)
    blocker_ids = Blocker.select(Blocker.id).where(Blocker.deal == deal)
    funds_ids = FundsArrived.select(FundsArrived.id).where(FundsArrived.deal == deal)
    done_ids = InvestmentDone.select(InvestmentDone.id).where(InvestmentDone.deal == deal)
    plan_ids = InvestmentPlan.select(InvestmentPlan.id).where(InvestmentPlan.deal == deal)
    query = (
        AuditEntry.select()
        .where(
            ((AuditEntry.table == "deal") & (AuditEntry.row_id == deal.id))
            | ((AuditEntry.table == "blocker") & AuditEntry.row_id.in_(blocker_ids))
            | ((AuditEntry.table == "funds_arrived") & AuditEntry.row_id.in_(funds_ids))
            | ((AuditEntry.table == "investment_done") & AuditEntry.row_id.in_(done_ids))
            | ((AuditEntry.table == "investment_plan") & AuditEntry.row_id.in_(plan_ids))
        )
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    return [
        {"at": a.at, "by": a.actor, "table": a.table, "row_id": a.row_id, "field": a.field, "old": a.old, "new": a.new}
        for a in query
    ]
