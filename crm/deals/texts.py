"""A deal's editable fields as the text a user would type, and the names a
deal form offers.

field_texts is the inverse of crm.deals.fields.parse_fields: a form shows
these texts, and parse_fields reads an unchanged text back to the very same
value (an amount that 亿/万 would round is written out in full), so saving a
form that was not touched changes nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from crm.deals.fields import approval_label
from crm.deals.records import supporting_departments
from crm.foundation.i18n import current_language
from crm.reference import names_in_use, registry
from crm.reference.lookup import deal_by_code
from crm.values.dates import date_text
from crm.values.money import ABOUT_ZH, ZH_SUFFIX, Money, format_money, parse_amount
from db.models import Deal, Person


def amount_text(money: Money, lang: str | None = None) -> str:
    """`money` as typed: 1.8亿美元 when that reads back exactly, else every digit (123456789.12元)."""
    lang = lang or current_language()
    shown = format_money(money, lang)
    try:
        if parse_amount(shown) == money:
            return shown
    except Exception:  # noqa: BLE001 — a display form the reader does not take back: write it out
        pass
    if lang == "zh":
        return f"{ABOUT_ZH if money.approximate else ''}{money.amount:f}{ZH_SUFFIX[money.currency]}"
    return f"{'about ' if money.approximate else ''}{money.currency} {money.amount:f}"


def _area_text(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def field_texts(deal: Deal | str, lang: str | None = None) -> dict[str, str]:
    """{field: text} for every editable field of `deal` (a Deal or its code), plus `supporting` (names, 、-joined)."""
    if isinstance(deal, str):
        deal = deal_by_code(deal)
    lang = lang or current_language()
    texts = {
        "name": deal.name,
        "investor": deal.investor,
        "region": deal.region,
        "industry": deal.industry,
        "sub_industry": deal.sub_industry,
        "responsibility_plan": deal.responsibility_plan,
        "notes": deal.notes,
        "amount": amount_text(Money(deal.amount, deal.currency, deal.amount_approximate), lang),
        "event": deal.event.name if deal.event_id else "",
        "approval": approval_label(deal.approval, lang),
        "liaison": deal.liaison.name if deal.liaison_id else "",
        "lead_unit": deal.lead_unit.name if deal.lead_unit_id else "",
        "floor_area": _area_text(deal.floor_area),
        "signed_on": date_text(deal.signed_on, deal.signed_on_month),
        "planned_start": date_text(deal.planned_start, deal.planned_start_month),
        "planned_completion": date_text(deal.planned_completion, deal.planned_completion_month),
    }
    texts["supporting"] = "、".join(d.name for d in supporting_departments(deal))
    return texts


@dataclass(frozen=True)
class FormState:
    """What an edit form starts from: the texts, and the version the save will be checked against."""

    texts: dict
    version: int
    updated_by: str
    updated_at: datetime.datetime


def form_state(code: str) -> FormState:
    deal = deal_by_code(code)
    return FormState(field_texts(deal), deal.version, deal.updated_by, deal.updated_at)


@dataclass(frozen=True)
class FormChoices:
    """The names a deal form offers to pick from or completes."""

    events: list
    departments: list
    regions: list
    industries: list
    people: list


def form_choices() -> FormChoices:
    return FormChoices(
        [e.name for e in registry.events()],
        [d.name for d in registry.departments()],
        names_in_use.regions(),
        names_in_use.industries(),
        [p.name for p in Person.select(Person.name).order_by(Person.name)],
    )
