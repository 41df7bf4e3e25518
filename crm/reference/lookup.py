"""Finding records by the names and codes people type.

A name matches exactly first, then as a unique substring (`--event 廊坊`
finds 中国·廊坊国际经济贸易洽谈会). No match or several matches is an
error that lists what exists, never a guess.
"""

from crm.foundation.errors import NotFound
from crm.foundation.i18n import _
from db.connection import lock_for_update
from db.models import Deal, Department, Event, Person


def deal_by_code(code: str) -> Deal:
    """The deal with this code (case-insensitive)."""
    code = (code or "").strip()
    deal = Deal.get_or_none(Deal.code == code) or Deal.get_or_none(Deal.code == code.upper())
    if deal is None:
        raise NotFound(_("No deal has the code {code!r}; `crm deals` lists them").format(code=code))
    return deal


def locked_deal(code: str) -> Deal:
    """deal_by_code, its row locked until the transaction ends (PostgreSQL: a second writer of the same deal
    waits for the first to commit, then reads what it wrote; SQLite holds the database's write lock)."""
    return lock_for_update(Deal.select().where(Deal.id == deal_by_code(code).id)).get()


def _by_name(model, field, text: str, what: str):
    text = (text or "").strip()
    exact = list(model.select().where(field == text).limit(2))
    if len(exact) == 1:
        return exact[0]
    matches = exact or list(model.select().where(field.contains(text)).order_by(field).limit(6))
    if len(matches) == 1:
        return matches[0]
    if not matches:
        known = [getattr(m, field.name) for m in model.select(field).order_by(field).limit(8)]
        raise NotFound(
            _("No {what} matches {text!r}; known: {known}").format(
                what=what, text=text, known="、".join(known) or _("none yet")
            )
        )
    names = "、".join(getattr(m, field.name) for m in matches[:5])
    raise NotFound(
        _("{text!r} matches several {what}s: {names}; type more of the name").format(text=text, what=what, names=names)
    )


def department_by_name(text: str) -> Department:
    """The department whose name is, or uniquely contains, `text`."""
    return _by_name(Department, Department.name, text, _("department"))


def event_by_name(text: str) -> Event:
    """The event whose name is, or uniquely contains, `text`; the newest if a recurring fair matches."""
    text = (text or "").strip()
    try:
        return _by_name(Event, Event.name, text, _("event"))
    except NotFound:
        # A fair held every year has one Event per year under the same name:
        # a name alone means its latest edition.
        same = list(Event.select().where(Event.name.contains(text)).order_by(Event.held_on.desc()))
        if same and len({e.name for e in same}) == 1:
            return same[0]
        raise


def person_by_name(text: str) -> Person:
    """The person whose name is, or uniquely contains, `text`."""
    return _by_name(Person, Person.name, text, _("person"))
