"""Tags: named cohorts of deals (京津合作, 市重点, a 工作组's name) for filters and reports."""

from crm.audit import log as audit
from crm.foundation.config import current_actor
from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import _
from crm.foundation.text import clean_text
from crm.reference.lookup import locked_deal
from db.connection import writing
from db.models import DealTag, Tag


def _names(names: list[str]) -> list[str]:
    cleaned = []
    for name in names:
        text = clean_text(name, _("Tag"), max_length=50, required=True)
        if text not in cleaned:
            cleaned.append(text)
    if not cleaned:
        raise InvalidInput(_("Give at least one tag"))
    return cleaned


def tag_deal(code: str, names: list[str], actor: str | None = None) -> list[str]:
    """Put the tags `names` on deal `code` (creating tags as needed); returns its tags afterwards."""
    names = _names(names)
    actor = actor or current_actor()
    with writing():
        deal = locked_deal(code)  # a colleague tagging it at once waits, then sees the tags put on
        have = set(tags_of(deal.id))
        for name in names:
            if name in have:
                continue
            tag, _created = Tag.get_or_create(name=name)
            DealTag.create(deal=deal, tag=tag)
            audit.record("deal", deal.id, {"tag": (None, name)}, actor)
        return tags_of(deal.id)


def untag_deal(code: str, names: list[str], actor: str | None = None) -> list[str]:
    """Take the tags `names` off deal `code`; InvalidInput when it does not carry one of them."""
    names = _names(names)
    actor = actor or current_actor()
    with writing():
        deal = locked_deal(code)
        have = set(tags_of(deal.id))
        absent = [n for n in names if n not in have]
        if absent:
            raise InvalidInput(_("{code} has no tag {tags}").format(code=deal.code, tags="、".join(absent)))
        for name in names:
            tag = Tag.get(Tag.name == name)
            DealTag.delete().where((DealTag.deal == deal) & (DealTag.tag == tag)).execute()
            audit.record("deal", deal.id, {"tag": (name, None)}, actor)
        return tags_of(deal.id)


def tags_of(deal_id: int) -> list[str]:
    """The names of deal `deal_id`'s tags, in name order."""
    query = Tag.select(Tag.name).join(DealTag).where(DealTag.deal == deal_id).order_by(Tag.name)
    return [t.name for t in query]
