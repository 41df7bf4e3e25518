"""Mistakes corrected, never erased: archive and restore a deal, void funds or completed investment,
reverse a stage change, reopen or void a blocker (issue #14; rates are voided in crm.reference.fx).

Every correction keeps the rows it corrects, needs a note saying why (restoring
an archived deal excepted), writes an audit entry that `crm log CODE` shows,
and runs in one transaction. A voided entry's amounts move to `voided_amount`
and `voided_amount_cny` and its summed columns become 0: every sum, trigger and
kept total then leaves it out without having to know about voids. A voided
blocker is marked only: the kept totals' triggers and every query of blockers
(voided_at IS NULL) leave it out.
"""

import datetime
from decimal import Decimal

from crm.audit import log as audit
from crm.deals.archived import forget_archived
from crm.deals.blockers import as_it_was, locked_blocker
from crm.deals.investment_fields import done_field
from crm.deals.stages import ledger
from crm.foundation.config import current_actor
from crm.foundation.conflicts import stale
from crm.foundation.errors import InvalidInput, NotFound
from crm.foundation.i18n import _
from crm.foundation.text import clean_text, whole_number
from crm.reference import fx
from crm.reference.lookup import deal_by_code, locked_deal
from db.connection import lock_for_update, writing
from db.models import AuditEntry, Blocker, Deal, Department, FundsArrived, InvestmentDone, StageChange


def _now() -> datetime.datetime:
    return datetime.datetime.now().replace(microsecond=0)


def _note(note: str, required: bool = True) -> str:
    return clean_text(note, _("Note"), max_length=2000, required=required, multiline=True)


def archive_deal(code: str, note: str, actor: str | None = None) -> Deal:
    """Archive deal `code` (it leaves lists, searches, KPIs and reports unless asked for); refuses one archived."""
    note = _note(note)
    actor = actor or current_actor()
    with writing():
        deal = locked_deal(code)
        if deal.archived_on is not None:
            raise InvalidInput(
                _("Deal {code} was already archived on {day}").format(code=deal.code, day=deal.archived_on)
            )
        today = datetime.date.today()
        Deal.update(
            archived_on=today, archive_note=note, version=deal.version + 1, updated_at=_now(), updated_by=actor
        ).where(Deal.id == deal.id).execute()
        audit.record("deal", deal.id, {"archived_on": (None, today), "archive_note": (deal.archive_note, note)}, actor)
    forget_archived()
    return Deal.get_by_id(deal.id)


def unarchive_deal(code: str, note: str = "", actor: str | None = None) -> Deal:
    """Restore archived deal `code` to lists and KPIs; refuses one that is not archived."""
    note = _note(note, required=False)
    actor = actor or current_actor()
    with writing():
        deal = locked_deal(code)
        if deal.archived_on is None:
            raise InvalidInput(_("Deal {code} is not archived").format(code=deal.code))
        Deal.update(archived_on=None, version=deal.version + 1, updated_at=_now(), updated_by=actor).where(
            Deal.id == deal.id
        ).execute()
        audit.record("deal", deal.id, {"archived_on": (deal.archived_on, None), "restored": (None, note)}, actor)
    forget_archived()
    return Deal.get_by_id(deal.id)


def _void(row, note: str, actor: str) -> str:
    """Mark `row` (funds or completed investment) voided, moving its amounts out of every sum; the amount voided."""
    if row.voided_at is not None:
        raise InvalidInput(_("This entry was already voided on {at}").format(at=row.voided_at))
    voided = f"{row.amount} {row.currency}"
    row.voided_amount, row.voided_amount_cny = row.amount, row.amount_cny
    row.amount = Decimal(0)
    row.amount_cny = Decimal(0) if row.amount_cny is not None else None
    row.voided_at, row.voided_by, row.void_note = _now(), actor, note
    row.save()
    return voided


def void_funds(funds_id, note: str, actor: str | None = None) -> FundsArrived:
    """Void the arrival of funds number `funds_id` (it stays listed, marked, and leaves every sum)."""
    ident = whole_number(funds_id, _("A funds entry's number"), minimum=1)
    note = _note(note)
    actor = actor or current_actor()
    with writing():
        row = lock_for_update(FundsArrived.select().where(FundsArrived.id == ident)).first()
        if row is None:
            raise NotFound(_("No funds entry has the number {id}; `crm show CODE` lists a deal's").format(id=ident))
        voided = _void(row, note, actor)
        audit.record("funds_arrived", row.id, {"voided": (None, f"{voided}: {note}")}, actor)
    return row


def void_invest(code: str, month: datetime.date, note: str, actor: str | None = None) -> InvestmentDone:
    """Void the investment deal `code` completed in `month` (kept, marked, out of every sum)."""
    note = _note(note)
    actor = actor or current_actor()
    month = month.replace(day=1)
    with writing():
        deal = deal_by_code(code)
        row = lock_for_update(
            InvestmentDone.select().where((InvestmentDone.deal == deal) & (InvestmentDone.month == month))
        ).first()
        if row is None:
            raise NotFound(
                _("{code} has no completed investment for {month}").format(
                    code=deal.code, month=month.strftime("%Y-%m")
                )
            )
        voided = _void(row, note, actor)
        audit.record("investment_done", row.id, {done_field(month, voided=True): (voided, f"0: {note}")}, actor)
    return row


def _signed_by(deal: Deal, entry: StageChange) -> bool:
    """True when the change `entry` gave `deal` its signing date (crm.deals.stages.change_stage signs on leaving 在谈)."""
    if entry.from_stage != "negotiating" or deal.signed_on != entry.effective_on:
        return False
    last = (
        AuditEntry.select()
        .where((AuditEntry.table == "deal") & (AuditEntry.row_id == deal.id) & (AuditEntry.field == "signed_on"))
        .order_by(AuditEntry.id.desc())
        .first()
    )
    return last is not None and last.old is None and last.new == entry.effective_on.isoformat()


def undo_stage(code: str, note: str, actor: str | None = None) -> StageChange:
    """Reverse the deal's latest stage change: append a ledger entry back to the stage before it.

    The new entry takes the date the earlier stage began, so the deal's stage
    on every past day (as-of KPIs, the weekly table) is what it was before the
    change; nothing is deleted. A change that signed the deal un-signs it.
    """
    note = _note(note)
    actor = actor or current_actor()
    with writing():
        deal = locked_deal(code)
        entries = ledger(deal)
        last = entries[-1]
        if last.from_stage is None or len(entries) < 2:
            raise InvalidInput(_("{code} has no stage change to reverse").format(code=deal.code))
        since = entries[-2].effective_on
        entry = StageChange.create(
            deal=deal, from_stage=deal.stage, to_stage=last.from_stage, effective_on=since, recorded_by=actor, note=note
        )
        row = {
            "stage": last.from_stage,
            "stage_since": since,
            "updated_at": _now(),
            "updated_by": actor,
            "version": deal.version + 1,
        }
        changes = {"stage": (deal.stage, last.from_stage), "undo": (None, note)}
        if _signed_by(deal, last):
            cny, rate = fx.convert(deal.amount, deal.currency, deal.created_at.date())
            row.update(signed_on=None, amount_cny=cny, fx_rate=rate)
            changes["signed_on"] = (deal.signed_on, None)
        Deal.update(**row).where(Deal.id == deal.id).execute()
        audit.record("deal", deal.id, changes, actor)
    return entry


def reopen_blocker(blocker_id, note: str, actor: str | None = None) -> Blocker:
    """Reopen a resolved blocker (its resolution stays in the audit trail); refuses an open one."""
    whole_number(blocker_id, _("A blocker's number"), minimum=1)  # a bad number refused before the note
    note = _note(note)
    actor = actor or current_actor()
    with writing():
        blocker = locked_blocker(blocker_id)
        if blocker.resolved_on is None:
            raise InvalidInput(_("Blocker {id} is open").format(id=blocker.id))
        changes = {
            "resolved_on": (blocker.resolved_on, None),
            "resolution": (blocker.resolution, ""),
            "reopened": (None, note),
        }
        blocker.resolved_on, blocker.resolution = None, ""
        blocker.version += 1
        blocker.updated_at, blocker.updated_by = _now(), actor
        blocker.save()
        audit.record("blocker", blocker.id, changes, actor)
    return blocker


def void_blocker(blocker_id, note: str, if_version: int | None = None, actor: str | None = None) -> dict:
    """Void blocker `blocker_id`, entered by mistake: it stays, marked voided (who, when, why), and leaves every
    list, count, export and report as if it were deleted, the kept totals included (their triggers, migration
    0023); the deal's history keeps it, marked voided.

    Open or resolved alike; refuses (NotFound, as for every change) one voided already. One audit entry,
    "voided" on the blocker (its text and the reason, shown in `crm log`). Returns the blocker's values as
    blockers.as_it_was() gives them.
    """
    note = _note(note)
    actor = actor or current_actor()
    with writing():
        blocker = locked_blocker(blocker_id)
        if if_version is not None and blocker.version != if_version:
            raise stale(_("Blocker {id}").format(id=blocker.id), blocker, if_version)
        blocker.voided_at, blocker.voided_by, blocker.void_note = _now(), actor, note
        blocker.version += 1
        blocker.updated_at, blocker.updated_by = blocker.voided_at, actor
        blocker.save()
        audit.record("blocker", blocker.id, {"voided": (blocker.text, note)}, actor)
        deal, department = Deal.get_by_id(blocker.deal_id), Department.get_by_id(blocker.department_id)
    return as_it_was(blocker, deal.code, department.name)
