"""A deal's timeline: stage changes, progress, funds, plans and completed
investment, blockers and corrections, in date order (the Detail screen shows it,
screens/timeline.py).

Built from the dict crm.listing.views.detail returns (its ledger, progress,
funds, investment, blockers and audit trail), so the screen needs no other
query. Corrections are shown on the day they were made, with their notes; the
entry a correction voided or reversed stays, marked.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from crm.deals.investment_fields import investment_field
from crm.deals.reversals import reversals
from crm.deals.stages import BY_KEY
from crm.deals.trail import shown_value
from crm.foundation.i18n import N_, _, current_language
from crm.values.dates import month_end
from crm.values.money import Money, format_money, format_yi, percent_text

# Entries of one day: in the order things usually happen on it.
_RANK = {"stage": 0, "blocker": 1, "progress": 2, "funds": 3, "plan": 4, "invest": 5, "correction": 6}


@dataclass(frozen=True)
class TimelineEvent:
    """One line of the timeline: `kind` one of stage, progress, funds, plan, invest, blocker, correction;
    `shown_on` what the date column says (a month for completed investment)."""

    on: datetime.date
    kind: str
    what: str
    by: str = ""
    shown_on: str = ""
    mark: str = ""  # "current": the stage change in force; "voided": corrected away; "correction"
    order: int = 0
    at: datetime.datetime | None = None  # when it was recorded: one day's entries in the order they were


def _day(value) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


# Said on many lines of a long timeline: translated once per language (gettext is a third of the time otherwise).
_NOTE = N_("{what} · note: {note}")
_YI = N_("{amount} 100m CNY")
_REVERSED = N_("(reversed)")
_VOIDED = N_("(voided)")


@functools.lru_cache(maxsize=64)
def _said(message: str, language: str) -> str:
    return _(message)


def _t(message: str) -> str:
    """_(message), remembered per language."""
    return _said(message, current_language())


def _with_note(what: str, note: str | None) -> str:
    return _t(_NOTE).format(what=what, note=note) if note else what


def _correction(at, what: str, note: str | None, by: str) -> TimelineEvent:
    """A correction (a void, a reversal, a reopening, an archiving) recorded at `at`, with its note."""
    return TimelineEvent(_day(at), "correction", _with_note(what, note), by, mark="correction", at=at)


def audit_records(trail: list[dict]) -> dict[str, list[tuple[int, dict[str, dict]]]]:
    """The audit entries by table, as (row, {field: entry}) records, oldest first: one change of several
    fields is one record (its entries are written together, at one moment, each field once)."""
    records: dict[str, list[tuple[int, dict[str, dict]]]] = {}
    key = None
    for entry in trail:
        table = records.setdefault(entry["table"], [])
        if (entry["table"], entry["row_id"], entry["at"]) != key or entry["field"] in table[-1][1]:
            key = (entry["table"], entry["row_id"], entry["at"])
            table.append((entry["row_id"], {}))
        table[-1][1][entry["field"]] = entry
    return records


# ---- stage changes --------------------------------------------------------------------


def _reversals(ledger: list[dict], records: dict) -> tuple[set[int], set[int]]:
    """(indexes of ledger entries that reversed the one before them, indexes of the entries reversed): the rule
    of crm.deals.reversals, with the undos' notes from the trail (`records`)."""
    return reversals(ledger, [r["undo"]["new"] for _row, r in records.get("deal", ()) if "undo" in r])


def stage_events(d: dict, records: dict) -> list[TimelineEvent]:
    """The stage ledger: each change on its effective day; a reversal on the day it was made, as a correction.

    `records` is audit_records(d["trail"])."""
    ledger = d["ledger"]
    undos, undone = _reversals(ledger, records)
    labels = {key: BY_KEY[key].label() for key in {e["from"] for e in ledger} | {e["to"] for e in ledger} if key}
    in_force = [i for i in range(len(ledger)) if i not in undos and i not in undone]
    current = in_force[-1] if in_force else None
    events = []
    for i, e in enumerate(ledger):
        move = f"{labels[e['from']] if e['from'] else '—'} → {labels[e['to']]}"
        if i in undos:
            what = _t(N_("Stage change reversed: {move}, back to the stage since {since}")).format(
                move=move, since=e["on"]
            )
            recorded = _day(e["recorded_at"]) or e["on"]
            events.append(
                TimelineEvent(
                    recorded, "correction", _with_note(what, e["note"]), e["by"], mark="correction", at=e["recorded_at"]
                )
            )
            continue
        if i in undone:
            move += " " + _t(_REVERSED)
        mark = "current" if i == current else ("voided" if i in undone else "")
        events.append(
            TimelineEvent(
                e["on"], "stage", _with_note(move, e["note"]), e["by"], mark=mark, order=i, at=e["recorded_at"]
            )
        )
    return events


# ---- money -----------------------------------------------------------------------------


def _yi(amount_cny: Decimal | None) -> str:
    """12.79亿元 / 12.79 100m CNY: a CNY total in a sentence (? when no exchange rate covers it)."""
    return _t(_YI).format(amount="?" if amount_cny is None else format_yi(amount_cny))


def _money(amount, currency: str, cny) -> str:
    shown = format_money(Money(amount, currency))
    return shown if currency == "CNY" or cny is None else f"{shown} ≈ {_yi(cny)}"


def _created_at(records: dict, table: str) -> dict[int, datetime.datetime]:
    """When each row of `table` was first recorded, from the trail (audit_records)."""
    created: dict[int, datetime.datetime] = {}
    for row, record in records.get(table, ()):
        created.setdefault(row, min(entry["at"] for entry in record.values()))
    return created


def funds_events(d: dict, records: dict) -> list[TimelineEvent]:
    """Each arrival on its day (a voided one struck through), and each void on the day it was made."""
    events = []
    recorded = _created_at(records, "funds_arrived")
    for f in d["funds"]:
        amount = _money(f["amount"], f["currency"], f["amount_cny"])
        what = _t(N_("No. {id}: {amount} arrived")).format(id=f["id"], amount=amount)
        void = f["voided"]
        if void:
            what += " " + _t(_VOIDED)
            undo = _t(N_("Funds entry No. {id} voided: {amount} of {on}")).format(id=f["id"], amount=amount, on=f["on"])
            events.append(_correction(void["at"], undo, void["note"], void["by"]))
        events.append(
            TimelineEvent(
                f["on"],
                "funds",
                _with_note(what, f["note"]),
                f["by"],
                mark="voided" if void else "",
                at=recorded.get(f["id"]),
            )
        )
    return events


def _ratio(part: Decimal, whole) -> str:
    if not whole:
        return ""
    return percent_text((part / whole).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


def investment_events(d: dict, records: dict) -> list[TimelineEvent]:
    """Plans as they were set (from the trail), each month's completed investment with the year's cumulative
    completion, and voided months."""
    events = []
    plans = {y["year"]: y["plan_cny"] for y in d["investment"]}
    for _row, record in records.get("investment_plan", ()):
        for field, entry in record.items():
            named = investment_field(field)
            if named is None or named.kind != "plan":
                continue
            year = named.period
            new = shown_value("amount", entry["new"])
            what = (
                _t(N_("{year} plan: {old} → {new}")).format(year=year, old=shown_value("amount", entry["old"]), new=new)
                if entry["old"]
                else _t(N_("{year} plan: {new}")).format(year=year, new=new)
            )
            events.append(TimelineEvent(_day(entry["at"]), "plan", what, entry["by"], at=entry["at"]))
    for y in d["investment"]:
        for m in y["months"]:
            what = _t(N_("{amount} completed; {year} so far {total}")).format(
                amount=_money(m["amount"], m["currency"], m["amount_cny"]),
                year=y["year"],
                total=_yi(m["cumulative_cny"]),
            )
            share = _ratio(m["cumulative_cny"], plans.get(y["year"]))
            what += (
                _t(N_(", {share} of the year's plan")).format(share=share)
                if share
                else _t(N_(", no plan for the year"))
            )
            events.append(
                TimelineEvent(
                    month_end(datetime.date.fromisoformat(m["month"] + "-01")), "invest", what, shown_on=m["month"]
                )
            )
    for v in d["investment_voided"]:
        amount = _money(v["amount"], v["currency"], v["amount_cny"])
        events.append(
            TimelineEvent(
                month_end(datetime.date.fromisoformat(v["month"] + "-01")),
                "invest",
                _t(N_("{amount} completed")).format(amount=amount) + " " + _t(_VOIDED),
                shown_on=v["month"],
                mark="voided",
            )
        )
    # every void from the trail (crm.deals.corrections.void_invest), kept when the month was recorded again since
    for _row, record in records.get("investment_done", ()):
        for field, entry in record.items():
            named = investment_field(field)
            if named is not None and named.voided:
                month = named.period
                note = (entry["new"] or "").partition(": ")[2]
                what = _t(N_("Completed investment of {month} voided: {amount}")).format(
                    month=month, amount=shown_value("amount", entry["old"])
                )
                events.append(_correction(entry["at"], what, note, entry["by"]))
    return events


# ---- blockers and archiving ------------------------------------------------------------------


def blocker_events(d: dict, records: dict) -> list[TimelineEvent]:
    """Each blocker raised, resolved (every time, from the trail) and reopened."""
    events = []
    texts = {b["id"]: b for b in d["blockers"]}
    resolved_seen = set()
    for row, record in records.get("blocker", ()):
        if "resolved_on" in record and record["resolved_on"]["new"]:
            entry = record["resolved_on"]
            how = record.get("resolution", {}).get("new") or "—"
            what = _t(N_("No. {id} resolved: {how}")).format(id=row, how=how)
            # order 1: after its raising when both were recorded in one second
            events.append(TimelineEvent(_day(entry["new"]), "blocker", what, entry["by"], order=1, at=entry["at"]))
            resolved_seen.add((row, _day(entry["new"])))
        if "reopened" in record:
            entry = record["reopened"]
            what = _t(N_("No. {id} reopened")).format(id=row)
            events.append(_correction(entry["at"], what, entry["new"], entry["by"]))
        if "voided" in record:
            entry = record["voided"]
            what = _t(N_("No. {id} voided: {text}")).format(id=row, text=entry["old"])
            events.append(_correction(entry["at"], what, entry["new"], entry["by"]))
    raised = {row: r["raised"] for row, r in records.get("blocker", ()) if "raised" in r}
    # A voided blocker's row is gone: its raising is told from what the void kept of it.
    voided = [
        {**v, **{f: _day(v[f]) for f in ("raised_on", "due_on", "resolved_on")}} for v in d.get("voided_blockers", ())
    ]
    for b in [*texts.values(), *voided]:
        what = _t(N_("No. {id} raised: {text} ({department}, due {due})")).format(
            id=b["id"], text=b["text"], department=b["department"], due=b["due_on"].isoformat() if b["due_on"] else "—"
        )
        entry = raised.get(b["id"], {})
        events.append(TimelineEvent(b["raised_on"], "blocker", what, entry.get("by", ""), at=entry.get("at")))
        if b["resolved_on"] and (b["id"], b["resolved_on"]) not in resolved_seen:
            what = _t(N_("No. {id} resolved: {how}")).format(id=b["id"], how=b["resolution"] or "—")
            events.append(TimelineEvent(b["resolved_on"], "blocker", what, order=1))
    return events


def archive_events(records: dict) -> list[TimelineEvent]:
    """Archiving and restoring the deal, with their notes."""
    events = []
    for _row, record in records.get("deal", ()):
        entry = record.get("archived_on")
        if entry is None:
            continue
        if entry["new"]:
            note = record.get("archive_note", {}).get("new")
            what = _with_note(_t(N_("Deal archived")), note)
        else:
            note = record.get("restored", {}).get("new")
            what = _with_note(_t(N_("Deal restored from the archive")), note)
        events.append(_correction(entry["at"], what, None, entry["by"]))
    return events


def deal_timeline(d: dict) -> list[TimelineEvent]:
    """Every event of deal `d` (crm.listing.views.detail), oldest first; one day's in the order they were recorded,
    then (those recorded at one moment, and those with no recorded time, after them) in a fixed order."""
    records = audit_records(d["trail"])
    events = [
        *stage_events(d, records),
        *(TimelineEvent(p["on"], "progress", p["text"], p["by"], at=p.get("at")) for p in d["progress"]),
        *funds_events(d, records),
        *investment_events(d, records),
        *blocker_events(d, records),
        *archive_events(records),
    ]
    events = [e for e in events if e.on is not None]
    return sorted(events, key=lambda e: (e.on, e.at is None, e.at or datetime.datetime.min, _RANK[e.kind], e.order))
