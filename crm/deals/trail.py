"""The audit trail of one deal, as `crm log CODE` and the TUI show it.

A deal's trail is every audit entry of the deal itself (field edits, stage
changes, supporting departments) and of the blockers and arrivals of funds
recorded on it, oldest first. Who is the name crm.foundation.config.current_actor gave
when the change was made: the operating-system user, or the name set in the
config file or CRM_USER.
"""

from crm.reference.lookup import deal_by_code
from db.models import AuditEntry, Blocker, FundsArrived


def deal_trail(code: str) -> list[dict]:
    """The audit entries of deal `code` and of its blockers and funds, oldest first."""
    deal = deal_by_code(code)
    blocker_ids = Blocker.select(Blocker.id).where(Blocker.deal == deal)
    funds_ids = FundsArrived.select(FundsArrived.id).where(FundsArrived.deal == deal)
    query = (
        AuditEntry.select()
        .where(
            ((AuditEntry.table == "deal") & (AuditEntry.row_id == deal.id))
            | ((AuditEntry.table == "blocker") & AuditEntry.row_id.in_(blocker_ids))
            | ((AuditEntry.table == "funds_arrived") & AuditEntry.row_id.in_(funds_ids))
        )
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    return [
        {"at": a.at, "by": a.actor, "table": a.table, "row_id": a.row_id, "field": a.field, "old": a.old, "new": a.new}
        for a in query
    ]
