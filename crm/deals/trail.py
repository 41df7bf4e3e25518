"""The audit trail of one deal, as `crm log CODE` and the TUI show it.

A deal's trail is every audit entry of the deal itself (field edits, stage
changes, archiving, supporting departments) and of the blockers, arrivals of
funds, year plans and completed investment recorded on it (voids included),
oldest first. Who is the name crm.foundation.config.current_actor gave
when the change was made: the operating-system user, or the name set in the
config file or CRM_USER.
"""

from decimal import Decimal, InvalidOperation

from peewee import BooleanField

from crm.audit.log import trail as audit_trail
from crm.deals import stages
from crm.deals.fields import APPROVAL_LABELS, FIELDS, approval_label
from crm.deals.investment_fields import investment_field
from crm.foundation.errors import CrmError
from crm.foundation.i18n import N_, _
from crm.reference.lookup import deal_by_code
from crm.values.money import Money, format_money
from db.models import AuditEntry, Blocker, Deal, FundsArrived, InvestmentDone, InvestmentPlan


def deal_trail(code: str, deal: Deal | None = None) -> list[dict]:
    """The audit entries of deal `code` (or of `deal`, already read) and of its blockers (voided ones included:
    their rows stay), funds and investment, oldest first."""
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
    return audit_trail(query, deal.currency)


#: How the trail names each field it records (English source; shown through _()).

FIELD_LABELS = {
    **{f.key: f.label for f in FIELDS},
    "created": N_("Created"),
    "currency": N_("Currency"),
    "amount_approximate": N_("Approximate amount"),
    # a date that names a month only (计划开工 2020年7月): parse_fields sets these beside the date
    "signed_on_month": N_("Signed on: month only"),
    "planned_start_month": N_("Planned start: month only"),
    "planned_completion_month": N_("Planned completion: month only"),
    "supporting": N_("Supporting departments"),
    "stage": N_("Stage"),
    "raised": N_("Blocker raised"),
    "text": N_("Blocker"),
    "department": N_("Department"),
    "resolution": N_("Resolution"),
    "resolved_on": N_("Resolved on"),
    "due_on": N_("Due on"),
    "tags": N_("Tags"),
    "tag": N_("Tag"),
    # corrections (crm.deals.corrections, crm.reference.fx.void_rate)
    "archived_on": N_("Archived on"),
    "archive_note": N_("Reason for archiving"),
    "restored": N_("Restored from the archive"),
    "undo": N_("Stage change reversed"),
    "import_reverted": N_("Import reverted (its number)"),
    "reopened": N_("Reopened"),
    "voided": N_("Voided"),
    "rate": N_("Exchange rate"),
}


def field_label(field: str) -> str:
    """The field's name as the forms show it (建筑面积, 牵头单位), the raw name only for one the trail does not know."""
    label = FIELD_LABELS.get(field)
    if label:
        return _(label)
    named = investment_field(field)
    if named is None:
        return field
    if named.kind == "plan":
        return _("Planned investment {year}").format(year=named.period)
    month = _("Investment completed {month}").format(month=named.period)
    return _("{what} voided").format(what=month) if named.voided else month


#: The deal's yes/no columns (amount_approximate, planned_start_month …): the trail holds "True" / "False".
FLAGS = frozenset(name for name, column in Deal._meta.fields.items() if isinstance(column, BooleanField))


def shown_value(field: str, value: str | None, currency: str = "CNY") -> str:
    """An audit value as the rest of the app shows it: stages by label, yes/no fields as 是/否 (yes/no), amounts
    in 亿/万 with their currency.

    Amounts are recorded as "350000000.00" (a deal's amount: in the deal's
    `currency`) or "390000000.00 CNY"; anything unreadable is shown as recorded.
    """
    if value is None:
        return ""
    if field == "stage" and value in stages.BY_KEY:
        return stages.BY_KEY[value].label()
    if field == "approval" and value in APPROVAL_LABELS:
        return approval_label(value)
    if field in FLAGS and value in ("True", "False"):
        return _("yes") if value == "True" else _("no")
    if field == "amount" or investment_field(field) is not None:
        number, _space, cur = value.partition(" ")
        try:
            return format_money(Money(Decimal(number), cur or currency))
        except (InvalidOperation, CrmError, ValueError):
            return value
    return value
