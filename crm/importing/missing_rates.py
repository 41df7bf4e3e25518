"""The warning an import gives of the deals it leaves without a CNY amount: no exchange rate converts them yet."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from peewee import fn

from crm.foundation.i18n import ngettext
from crm.importing.rows import Problem
from db.models import Deal

#: Deal ids asked about in one IN (…): well under both backends' limits on a statement's parameters.
CHUNK = 5000


def missing_rates(before: int, changed: Iterable[int], label: str | None) -> list[Problem]:
    """One warning per currency of the deals created (id above `before`) or `changed` that are stored without a CNY
    amount until a rate on or before their day is set, naming the earliest day and the command that sets it."""
    missing: dict[str, tuple[int, datetime.date]] = {}  # currency -> (deals, the earliest day a rate must cover)
    ids = sorted(changed)
    for touched in [Deal.id > before, *(Deal.id.in_(ids[i : i + CHUNK]) for i in range(0, len(ids), CHUNK))]:
        query = (
            Deal.select(Deal.currency, fn.COUNT(Deal.id), fn.MIN(Deal.signed_on), fn.MIN(Deal.created_at))
            .where(touched & Deal.amount.is_null(False) & Deal.amount_cny.is_null() & (Deal.currency != "CNY"))
            .group_by(Deal.currency, Deal.signed_on.is_null())
            .tuples()
        )
        for currency, count, signed, created in query:
            day = signed or created.date()  # the day fx.conversion_day converts a deal on
            held, earliest = missing.get(currency, (0, day))
            missing[currency] = (held + count, min(earliest, day))
    return [
        Problem(
            None,
            label,
            None,
            "missing_rate",
            ngettext(
                "No {currency} exchange rate on or before {day}: {count} deal has no CNY amount until one is set, "
                "and the weekly table and the reports refuse to total without it: crm fx set {currency} {day} RATE",
                "No {currency} exchange rate on or before {day}: {count} deals have no CNY amount until one is set, "
                "and the weekly table and the reports refuse to total without them: crm fx set {currency} {day} RATE",
                count,
            ).format(currency=currency, day=day.isoformat(), count=count),
        )
        for currency, (count, day) in sorted(missing.items())
    ]
