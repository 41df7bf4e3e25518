"""Reading each editable field of a deal from what a user typed.

The CLI, the TUI forms and the importer all hand text to `parse_fields`,
so a value is checked the same way wherever it comes from.
"""

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from crm.values.dates import parse_date, parse_month
from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import N_, _
from crm.reference.lookup import department_by_name, event_by_name
from crm.values.money import parse_amount
from crm.foundation.text import clean_text
from db.models import Person

APPROVALS = {
    "approval": ("审批", "审批类", "approval"),
    "verification": ("核准", "核准类", "verification", "ratification"),
    "filing": ("备案", "备案类", "filing", "record"),
}
APPROVAL_LABELS = {"approval": ("审批", "Approval"), "verification": ("核准", "Verification"), "filing": ("备案", "Filing")}
_APPROVAL_LOOKUP = {w.lower(): k for k, words in APPROVALS.items() for w in words}

# field -> (label for messages, max length) for plain text fields
TEXT_FIELDS = {
    "name": (N_("Name"), 200),
    "investor": (N_("Investor"), 200),
    "region": (N_("Region"), 50),
    "industry": (N_("Industry"), 50),
    "sub_industry": (N_("Sub-industry"), 50),
    "responsibility_plan": (N_("Responsibility plan"), 4000),
    "notes": (N_("Notes"), 4000),
}
DATE_FIELDS = ("signed_on", "planned_start", "planned_completion")
EDITABLE = (
    *TEXT_FIELDS,
    "amount",
    "event",
    "approval",
    "liaison",
    "lead_unit",
    "floor_area",
    *DATE_FIELDS,
)


def parse_approval(text: str) -> str:
    """审批 / 核准 / 备案 (or approval / verification / filing) → the English key."""
    key = _APPROVAL_LOOKUP.get((text or "").strip().lower())
    if key is None:
        raise InvalidInput(
            _("Unknown approval kind {text!r}; use 审批 (approval), 核准 (verification) or 备案 (filing)").format(text=text)
        )
    return key


def parse_floor_area(text: str) -> Decimal:
    """`81.9万平方米`, `819000㎡`, `819000` → square metres."""
    raw = unicodedata.normalize("NFKC", str(text)).strip()
    match = re.fullmatch(r"([0-9][0-9,]*(?:\.[0-9]+)?)\s*(万)?\s*(平方米|平米|㎡|m2|m²|sqm)?", raw, flags=re.I)
    try:
        value = Decimal(match.group(1).replace(",", "")) if match else None
    except InvalidOperation:
        value = None
    if value is None or value <= 0 or value > Decimal(10) ** 10:
        raise InvalidInput(_("Cannot read the floor area {text!r}: write e.g. 81.9万平方米 or 819000").format(text=text))
    if match.group(2):
        value *= 10_000
    return value.quantize(Decimal("0.01"))


def person_named(name: str) -> Person:
    """The person with this exact name, created if new (a liaison leader is just a name)."""
    name = clean_text(name, _("Liaison leader"), max_length=50, required=True)
    person, _created = Person.get_or_create(name=name)
    return person


def parse_fields(values: dict) -> dict:
    """Model values for the given {field: typed text}; an empty text clears an optional field.

    `amount` expands into amount, currency and amount_approximate.
    """
    out = {}
    for field, raw in values.items():
        if field not in EDITABLE:
            raise InvalidInput(_("{field!r} is not a field of a deal").format(field=field))
        blank = raw is None or str(raw).strip() == ""
        if field in TEXT_FIELDS:
            label, limit = TEXT_FIELDS[field]
            multiline = field in ("responsibility_plan", "notes")
            out[field] = clean_text(raw, _(label), max_length=limit, required=field == "name", multiline=multiline)
        elif field == "amount":
            money = parse_amount(str(raw or ""))
            out.update(amount=money.amount, currency=money.currency, amount_approximate=money.approximate)
        elif blank:
            out[field] = None if field != "approval" else ""
            if field in DATE_FIELDS:
                out[field + "_month"] = False
        elif field in DATE_FIELDS:
            month = parse_month(str(raw))  # 2020年7月: a month, where a plan or a signing names only that
            out[field] = month or parse_date(str(raw))
            out[field + "_month"] = month is not None
        elif field == "event":
            out[field] = event_by_name(str(raw))
        elif field == "lead_unit":
            out[field] = department_by_name(str(raw))
        elif field == "liaison":
            out[field] = person_named(str(raw))
        elif field == "approval":
            out[field] = parse_approval(str(raw))
        elif field == "floor_area":
            out[field] = parse_floor_area(raw)
    return out
