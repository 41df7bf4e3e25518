"""Creating, editing and reading deals.

Edits are guarded by the deal's version (optimistic locking): a save based
on a version someone else has since replaced is refused with who changed it
and when, and nothing is written. Stage changes live in crm/deals/stages.py.
"""

import datetime
import re
from collections.abc import Iterable

from peewee import IntegrityError, fn

from crm.audit import log as audit
from crm.deals.fields import MissingFields, parse_fields
from crm.deals.stages import BY_KEY, parse_stage, start_ledger
from crm.foundation.config import current_actor
from crm.foundation.conflicts import stale
from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import _
from crm.reference import fx
from crm.reference.lookup import department_by_name, locked_deal
from crm.values import terms
from db.connection import hold_name, writing
from db.models import Deal, DealDepartment, Department

CODE_PREFIX = "ZS"
MAX_CODE_ATTEMPTS = 20


def _now():
    return datetime.datetime.now().replace(microsecond=0)


def next_code(year: int) -> str:
    """The next free code for a deal signed in `year`: ZS2020-0001, ZS2020-0002 …"""
    prefix = code_prefix(year)
    return code_after(prefix, last_code(prefix))


def code_prefix(year: int) -> str:
    """What the codes of deals signed in `year` start with: ZS2020-."""
    return f"{CODE_PREFIX}{year}-"


def last_code(prefix: str) -> str | None:
    """The code under `prefix` that the next one follows: the longest, then the greatest.

    Within a transaction, the codes under `prefix` are this writer's until it ends (PostgreSQL):
    two writers never count on from the same last code.
    """
    hold_name("deal codes " + prefix)
    last = (
        Deal.select(Deal.code)
        .where(Deal.code.startswith(prefix))
        .order_by(fn.LENGTH(Deal.code).desc(), Deal.code.desc())
        .first()
    )
    return last.code if last else None


def code_after(prefix: str, last: str | None) -> str:
    """The code after `last` (None: the first code under `prefix`)."""
    seq = 1
    if last:
        match = re.search(r"-(\d+)$", last)
        seq = int(match.group(1)) + 1 if match else 1
    return f"{prefix}{seq:04d}"


def _converted(values: dict, day: datetime.date, convert=fx.convert) -> dict:
    cny, rate = convert(values["amount"], values["currency"], day)
    return {"amount_cny": cny, "fx_rate": rate}


def check_new(values: dict) -> None:
    """Refuse what no new deal can lack, a name and an amount: MissingFields naming every one left empty."""
    missing = tuple(key for key in ("name", "amount") if not str(values.get(key) or "").strip())
    if not missing:
        return
    if missing[0] == "name":
        raise MissingFields(_("A deal needs a name (--name)"), missing)
    raise MissingFields(_("A deal needs an amount (--amount), e.g. 25亿元 or 1.8亿美元"), missing)


#: Supporting departments one deal may have: their ids are kept in the deal's row and in one index entry of it
#: (migration 0022), which PostgreSQL limits in size; a bureau's largest project names a few dozen.
MOST_SUPPORTING = 100


class TooManySupporting(InvalidInput):
    """More supporting departments than one deal may have (MOST_SUPPORTING); the field it concerns, where an import
    places its problem (crm.importing.apply._row_problem reads import_field as it does on any refusal)."""

    import_field = "supporting"


def supporting_named(names: Iterable[str]) -> list[Department]:
    """The departments named `names` (NotFound for a name no department has), each once in the order first named;
    InvalidInput past MOST_SUPPORTING (check_supporting_count)."""
    departments = list({d.id: d for d in map(department_by_name, names)}.values())
    check_supporting_count(len(departments))
    return departments


def check_supporting_count(count: int) -> None:
    """InvalidInput when a deal is given `count` supporting departments (each once), more than MOST_SUPPORTING."""
    if count > MOST_SUPPORTING:
        raise TooManySupporting(
            _("A deal has at most {most} supporting departments; {count} were given").format(
                most=MOST_SUPPORTING, count=count
            )
        )


def initial_stage(
    parsed: dict, stage: str | None, today: datetime.date, reached: datetime.date | None = None
) -> tuple[str, datetime.date]:
    """(stage, since) of a new deal from its parsed fields; gives `parsed` a signing date when the stage needs one.

    The stage defaults to 签约 when a signing date is given, else 在谈; past
    在谈 without a date, the deal was signed today. `since` is the signing
    date, or `reached` (the day a stage past 签约 was reached, as an import
    reads it) when that is later: the ledger then starts at 签约 (first_entries).
    """
    initial = parse_stage(stage).key if stage else ("signed" if parsed.get("signed_on") else "negotiating")
    if initial != "negotiating" and not parsed.get("signed_on"):
        parsed["signed_on"] = today
    since = parsed.get("signed_on") or today
    if reached is not None and initial not in ("negotiating", "signed") and reached > since:
        return initial, reached
    return initial, since


def first_entries(
    stage: str, signed_on: datetime.date | None, since: datetime.date
) -> list[tuple[str | None, str, datetime.date]]:
    """(from, to, effective_on) of a new deal's first ledger entries: its stage on `since`; when `since` is after
    its signing date (initial_stage's `reached`), 签约 on the signing date first, so that it counts as 签约 between."""
    if signed_on is not None and since > signed_on and stage not in ("negotiating", "signed"):
        return [(None, "signed", signed_on), ("signed", stage, since)]
    return [(None, stage, since)]


def new_deal_row(
    parsed: dict,
    code: str,
    initial: str,
    since: datetime.date,
    actor: str,
    today: datetime.date,
    convert=fx.convert,
    index_terms=terms.index_terms,
) -> dict:
    """The column values of a new deal: its fields, stage, CNY equivalent and search columns.

    `convert` and `index_terms` default to crm.reference.fx.convert and
    crm.listing.terms.index_terms; a bulk import passes ones that remember what
    they looked up, with the same results.
    """
    row = dict(parsed, code=code, stage=initial, stage_since=since, updated_by=actor)
    row.update(_converted(row, parsed.get("signed_on") or today, convert))
    row.update(index_terms(code, row["name"], row.get("investor", "")))
    return row


def create_deal(
    values: dict,
    stage: str | None = None,
    supporting: list[str] = (),
    code: str | None = None,
    actor: str | None = None,
    require_rate: bool = True,
    reached: datetime.date | None = None,
) -> Deal:
    """Create a deal from {field: typed text}; `name` and `amount` are required.

    The stage defaults to 签约 when a signing date is given, else 在谈. The
    deal's ledger starts with that stage on the signing date (or today), or
    with 签约 then, and its stage on `reached` when that is later (initial_stage). An
    amount no rate covers is refused (MissingRate naming `crm fx set`) unless
    `require_rate` is False (an import, which converts it when the rate comes and warns meanwhile).
    """
    check_new(values)
    today = datetime.date.today()
    actor = actor or current_actor()
    for _attempt in range(MAX_CODE_ATTEMPTS):
        try:
            with writing():
                # Read inside the transaction: parsing may create a Person (a
                # new liaison leader), which must not outlive a refused deal.
                parsed = parse_fields(values)
                initial, since = initial_stage(parsed, stage, today, reached)
                departments = supporting_named(supporting)
                year = (parsed.get("signed_on") or today).year
                deal_code = code or next_code(year)
                # Refused now, with the command that adds the rate, rather than breaking every later KPI and report.
                deal = Deal.create(
                    **new_deal_row(
                        parsed,
                        deal_code,
                        initial,
                        since,
                        actor,
                        today,
                        convert=fx.convert_or_refuse if require_rate else fx.convert,
                    )
                )
                entries = first_entries(initial, deal.signed_on, since)
                start_ledger(deal, entries, actor)
                for dept in departments:
                    DealDepartment.get_or_create(deal=deal, department=dept)
                created = {"created": (None, deal_code)}
                if len(entries) > 1:
                    # the stage reached after signing: a change from 签约, audited as change_stage audits one
                    created["stage"] = entries[-1][:2]
                audit.record("deal", deal.id, created, actor)
            return deal
        except IntegrityError:
            if code:  # a code the caller chose is taken: nothing to retry
                raise InvalidInput(_("A deal with the code {code} already exists").format(code=code)) from None
            # Someone else took the same next code at the same moment; take the one after.
    raise InvalidInput(_("Could not allocate a deal code; try again"))


def edit_deal(
    code: str,
    values: dict,
    if_version: int | None = None,
    actor: str | None = None,
    supporting: list[str] | None = None,
    require_rate: bool = True,
) -> Deal:
    """Change fields of a deal from {field: typed text}; returns the saved deal.

    `supporting`, when given, replaces the supporting departments (names) in
    the same transaction. With `if_version`, refuses (Conflict, exit 3) when
    the deal is no longer at that version. Each changed field goes into the
    audit trail; a refused edit writes nothing at all.
    """
    actor = actor or current_actor()
    with writing():
        # Read inside the transaction: parsing may create a Person (a new
        # liaison leader), which must not outlive a refused edit.
        parsed = parse_fields(values)
        wanted = None if supporting is None else supporting_named(supporting)
        deal = locked_deal(code)
        if if_version is not None and deal.version != if_version:
            raise stale(_("Deal {code}").format(code=deal.code), deal, if_version)
        changes = {}
        for field, new in parsed.items():
            old = getattr(deal, field)
            if _comparable(old) != _comparable(new):
                changes[field] = (_shown(old), _shown(new))
                setattr(deal, field, new)
        if wanted is not None:
            before = supporting_departments(deal)
            if {d.id for d in before} != {d.id for d in wanted}:
                DealDepartment.delete().where(DealDepartment.deal == deal).execute()
                for dept in wanted:
                    DealDepartment.create(deal=deal, department=dept)
                changes["supporting"] = ("、".join(d.name for d in before), "、".join(d.name for d in wanted))
        if not changes:
            return deal
        if {"amount", "currency", "signed_on"} & changes.keys():
            converted = _converted(
                {"amount": deal.amount, "currency": deal.currency},
                fx.conversion_day(deal),
                fx.convert_or_refuse if require_rate else fx.convert,
            )
            for key, value in converted.items():
                setattr(deal, key, value)
        if {"name", "investor"} & changes.keys():
            for key, value in terms.index_terms(deal.code, deal.name, deal.investor).items():
                setattr(deal, key, value)
        deal.version += 1
        deal.updated_at, deal.updated_by = _now(), actor
        deal.save()
        audit.record("deal", deal.id, changes, actor)
    return deal


def _comparable(value):
    return value.id if hasattr(value, "id") else value


def _shown(value):
    return getattr(value, "name", value)


def set_supporting(code: str, departments: list[str], actor: str | None = None) -> list[Department]:
    """Replace the deal's supporting departments (配合单位) with `departments` (names)."""
    actor = actor or current_actor()
    wanted = supporting_named(departments)
    with writing():
        deal = locked_deal(code)  # replaced whole: a colleague's replacement at once waits, then replaces this
        before = supporting_departments(deal)
        DealDepartment.delete().where(DealDepartment.deal == deal).execute()
        for dept in wanted:
            DealDepartment.get_or_create(deal=deal, department=dept)
        audit.record(
            "deal",
            deal.id,
            {"supporting": ("、".join(d.name for d in before), "、".join(d.name for d in wanted))},
            actor,
        )
    return wanted


def supporting_departments(deal: Deal) -> list[Department]:
    """The deal's supporting departments, by name."""
    return list(Department.select().join(DealDepartment).where(DealDepartment.deal == deal).order_by(Department.name))


def stage_label(key: str) -> str:
    """The stage's name in the current language."""
    return BY_KEY[key].label()


def add_deal(values: dict, stage: str | None = None, supporting: list[str] = (), actor: str | None = None) -> str:
    """create_deal for screens and the CLI: the new deal's code (plain data leaves crm/, not a row)."""
    return create_deal(values, stage=stage, supporting=supporting, actor=actor).code


def save_deal(
    code: str,
    values: dict,
    if_version: int | None = None,
    actor: str | None = None,
    supporting: list[str] | None = None,
) -> str:
    """edit_deal for screens and the CLI: the saved deal's code."""
    return edit_deal(code, values, if_version=if_version, actor=actor, supporting=supporting).code
