"""The field table of `crm show CODE`: every field of the deal, in the deal form's order, as people read them.

The form's fields (crm.deals.fields.FIELDS) come in its order under its labels, the amount followed by its
value in 亿元; then the supporting departments, the stage and the version. An empty field shows as —, and a
date that names a month only (计划开工 2020年7月, 签约时间 二〇二五年十二月) as that month (2020-07), not as
the 1st it is stored as (and so is the day the deal became 签约, which is that date).
"""

from __future__ import annotations

from crm.deals.fields import FIELDS, approval_label, area_label
from crm.deals.stages import BY_KEY
from crm.foundation.i18n import _, list_sep
from crm.values.dates import date_text
from crm.values.money import Money, format_money, format_yi

#: The deal's dates that may name a month only (Deal.<key>_month).
MONTH_FIELDS = ("signed_on", "planned_start", "planned_completion")
#: What an empty field shows: the table keeps one row a field, so a blank is seen, not missed.
EMPTY = "—"


def field_text(d: dict, key: str) -> str:
    """The text of form field `key` of the deal `d` (crm.listing.views.detail), blank when it has none."""
    if key == "amount":
        return format_money(Money(d["amount"], d["currency"], d.get("amount_approximate", False)))
    if key in MONTH_FIELDS:
        return date_text(d[key], key in d.get("month_only", ()))
    if key == "approval":
        return approval_label(d.get("approval"))
    if key == "floor_area":
        return area_label(d.get("floor_area"))
    value = d.get(key)
    return "" if value is None else str(value)


def _cny(d: dict) -> str:
    return format_yi(d["amount_cny"]) if d["amount_cny"] is not None else _("no exchange rate yet")


def stage_day(d: dict, day, stage: str) -> str:
    """The day a stage of deal `d` took effect; 签约 on a signing date that names a month only: that month."""
    return date_text(day, stage == "signed" and day == d["signed_on"] and "signed_on" in d.get("month_only", ()))


def json_record(d: dict) -> dict:
    """The deal `d` (crm.listing.views.detail) as `crm show --format json` gives it: a date that names a month only
    as that month ("2019-09", as every other output prints it and `crm edit` reads it back), full dates ISO as
    stored; "month_only" still lists those fields for a script that wants the flag."""
    out = dict(d)
    for key in MONTH_FIELDS:
        if key in d["month_only"] and d[key] is not None:
            out[key] = date_text(d[key], True)
    out["stage_since"] = stage_day(d, d["stage_since"], d["stage"])
    out["ledger"] = [{**e, "on": stage_day(d, e["on"], e["to"])} for e in d["ledger"]]
    return out


def _stage(d: dict) -> str:
    return _("{stage} (since {since}, {days} days)").format(
        stage=BY_KEY[d["stage"]].label(), since=stage_day(d, d["stage_since"], d["stage"]), days=d["days_in_stage"]
    )


def field_rows(d: dict) -> list[tuple[str, str]]:
    """(label, text) of each row of `crm show`'s field table for the deal `d` (crm.listing.views.detail)."""
    rows: list[tuple[str, str]] = [(_("Code"), d["code"])]
    for f in FIELDS:
        rows.append((_(f.label), field_text(d, f.key) or EMPTY))
        if f.key == "amount":
            rows.append((_("100m CNY"), _cny(d)))
    supporting = [x["name"] for x in d["departments"] if x["role"] == "support"]
    rows += [
        (_("Supporting"), list_sep().join(supporting) or EMPTY),
        (_("Stage"), _stage(d)),
        (_("Version"), str(d["version"])),
    ]
    if d["archived"]:
        rows.append((_("Archived"), f"{d['archived']['on']} {d['archived']['note']}"))
    return rows
