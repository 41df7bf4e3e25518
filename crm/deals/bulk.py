"""One change made to several deals at once: all of them or none.

The deal list lets an officer select deals (space) and then move them all to
a stage (one date and one note for all), give them one lead unit or liaison
leader, or tag them. Each deal is changed by the same code a single change
uses (stages.change_stage, records.edit_deal), so every rule holds and every
deal gets its own audit entries; the whole batch runs in one transaction, so
a deal that refuses the change (a move backwards without a note, a date
before its current stage) leaves every deal as it was, and the error names it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from crm.deals import records, stages
from crm.deals.tags import tag_deal, tags_of
from crm.foundation.config import current_actor
from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import _
from crm.reference.lookup import deal_by_code
from crm.reference.views import department_names
from db.connection import writing
from db.models import Person, Tag

#: What a bulk change can set.
KINDS = ("stage", "lead_unit", "liaison", "tag")


@dataclass(frozen=True)
class BulkResult:
    """What a bulk change did: the deals changed and those that already were as asked."""

    changed: tuple[str, ...]
    unchanged: tuple[str, ...]


def bulk_change(
    codes: list[str], kind: str, value: str, on: datetime.date | None = None, note: str = "", actor: str | None = None
) -> BulkResult:
    """Set `kind` ("stage", "lead_unit", "liaison" or "tag") to `value` on every deal of `codes`, in one transaction.

    A stage change takes `on` (default today) and `note` for every deal; a deal
    already at that stage (or with that tag) is left as it is and counted as
    unchanged. Raises InvalidInput naming the deal when one refuses; then nothing is written.
    """
    if kind not in KINDS:
        raise InvalidInput(_("Unknown bulk change {kind!r}").format(kind=kind))
    codes = list(dict.fromkeys(c.strip() for c in codes if c and c.strip()))
    if not codes:
        raise InvalidInput(_("Select at least one deal"))
    if not (value or "").strip():
        raise InvalidInput(_("Choose what to set"))
    actor = actor or current_actor()
    changed, unchanged = [], []
    with writing():
        for code in codes:
            try:
                did = _change_one(code, kind, value.strip(), on, note, actor)
            except InvalidInput as err:
                raise InvalidInput(_("{code}: {error}").format(code=code, error=err)) from err
            (changed if did else unchanged).append(code)
    return BulkResult(tuple(changed), tuple(unchanged))


def _change_one(code: str, kind: str, value: str, on: datetime.date | None, note: str, actor: str) -> bool:
    deal = deal_by_code(code)
    if kind == "stage":
        if deal.stage == stages.parse_stage(value).key:
            return False
        stages.change_stage(code, value, on=on, note=note, actor=actor)
        return True
    if kind == "tag":
        before = tags_of(deal.id)
        return tag_deal(code, [value], actor=actor) != before
    before = deal.version
    return records.edit_deal(code, {kind: value}, actor=actor).version != before


@dataclass(frozen=True)
class BulkChoices:
    """What a bulk change offers to pick from: the ledger's departments, liaison leaders and tags, by name."""

    lead_units: list[str]
    liaisons: list[str]
    tags: list[str]


def bulk_choices() -> BulkChoices:
    """The names a lead unit, a liaison leader or a tag may be set to (a tag may also be new)."""
    return BulkChoices(
        department_names(),
        [p.name for p in Person.select(Person.name).order_by(Person.name)],
        [t.name for t in Tag.select(Tag.name).order_by(Tag.name)],
    )
