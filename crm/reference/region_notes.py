"""A word for whoever sets a deal's region to one that neither the national table nor the ledger knows.

Regions are saved as written (保定高新区 and 白沟新城 are in no national table and are
legitimate), but a typo (涿洲市 for 涿州市) would become a region of its own in every
report by region: the officer is told, never refused, and offered the likely names
(crm.reference.regions.region_hint).
"""

from __future__ import annotations

from collections.abc import Iterable

from crm.foundation.i18n import _, list_sep
from crm.reference.names_in_use import distinct_values
from crm.reference.regions import region_hint, region_key, region_known
from db.models import database

#: At most this many unknown regions an import's notice names (then how many more).
LISTED = 20


def ledger_regions() -> list[str]:
    """Every region a deal names, unordered: a walk through the region column's index, a few seeks per region."""
    return [x for (x,) in database.obj.execute_sql(distinct_values("region")).fetchall()]


def region_note(text: str | None) -> str | None:
    """What to tell whoever sets a deal's region to `text`, or None: nothing to say (empty, known to the national
    table, or used by the ledger already). Asked before the deal is saved: once saved, the ledger uses it."""
    if not text or region_known(text):
        return None  # the common case: no query, no pinyin
    hint = region_hint(text, ledger_regions())
    if hint is None:
        return None
    if not hint:
        return _(
            "County “{region}” is in neither the national table of divisions nor this ledger: it is saved as "
            "written and is a region of its own in the reports by region"
        ).format(region=text)
    return _(
        "County “{region}” is in neither the national table of divisions nor this ledger; did you mean {names}?"
    ).format(region=text, names=_quoted(hint))


def unknown_regions_note(regions: Iterable[str | None], in_use: list[str]) -> str | None:
    """One line naming the regions of an import (its distinct values) that neither the national table nor the
    ledger (`in_use`, its regions before the import) knows, each with its likely names; None when there is none.
    A region of the file is also compared with the file's other regions (保定高薪区 beside 保定高新区)."""
    by_key: dict[str, str] = {}
    for region in regions:
        if region and not region_known(region):
            by_key.setdefault(region_key(region), region)
    if not by_key:
        return None
    used = {region_key(r) for r in in_use if r}
    unknown = [(k, r) for k, r in sorted(by_key.items()) if k not in used]
    if not unknown:
        return None
    items = []
    for key, region in unknown[:LISTED]:
        others = [*in_use, *(r for k, r in by_key.items() if k != key)]
        hint = region_hint(region, others) or []
        items.append(
            f"「{region}」" + (_(" (perhaps {names})").format(names="".join(f"「{n}」" for n in hint)) if hint else "")
        )
    more = _(" and {n} more counties").format(n=len(unknown) - LISTED) if len(unknown) > LISTED else ""
    return _(
        "Counties in neither the national table of divisions nor the ledger, each a region of its own in the "
        "reports by region: {regions}"
    ).format(regions="".join(items) + more)


def _quoted(names: list[str]) -> str:
    return list_sep().join(f"“{n}”" for n in names)
