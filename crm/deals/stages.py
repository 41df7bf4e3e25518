"""Deal stages and the one place where a deal's stage changes.

Main line: 在谈 → 签约 → 注册 → 开工 → 投产; off the line: 暂停, 终止. The
English keys are the stable names in JSON and on the command line. A move
backwards, off the line, or out of 终止 needs a note. Every change appends a
StageChange (the ledger) and an audit entry in one transaction; the deal's
`stage` column mirrors the newest ledger entry.
"""

import datetime
from dataclasses import dataclass
from types import SimpleNamespace

from crm.audit import log as audit
from crm.foundation.config import current_actor
from crm.foundation.errors import Conflict, InvalidInput
from crm.foundation.i18n import _, current_language
from crm.foundation.text import clean_text
from crm.reference.lookup import locked_deal
from db.connection import writing
from db.models import Deal, StageChange


@dataclass(frozen=True)
class Stage:
    key: str
    zh: str
    en: str
    order: int | None  # position on the main line; None for 暂停 / 终止

    def label(self, lang: str | None = None) -> str:
        """The stage's name in `lang` (default: the current language)."""
        return self.zh if (lang or current_language()) == "zh" else self.en


STAGES = (
    Stage("negotiating", "在谈", "Negotiating", 0),
    Stage("signed", "签约", "Signed", 1),
    Stage("registered", "注册", "Registered", 2),
    Stage("construction", "开工", "Construction", 3),
    Stage("operating", "投产", "Operating", 4),
    Stage("stalled", "暂停", "Stalled", None),
    Stage("terminated", "终止", "Terminated", None),
)
BY_KEY = {s.key: s for s in STAGES}
MAIN_LINE = tuple(s for s in STAGES if s.order is not None)

# How people write stages in ledgers and on the command line.
_WORDING = {
    "negotiating": ("在谈", "洽谈", "洽谈中", "在洽谈", "谈判中", "negotiating", "negotiation"),
    "signed": ("签约", "已签约", "签约项目", "signed"),
    "registered": ("注册", "已注册", "注册落地", "落地", "已落地", "registered"),
    "construction": ("开工", "已开工", "开工建设", "在建", "建设中", "施工", "construction", "started"),
    "operating": ("投产", "已投产", "竣工投产", "建成投产", "运营", "投运", "operating", "operation", "in operation"),
    "stalled": ("暂停", "停滞", "暂缓", "搁置", "stalled", "paused", "on hold"),
    "terminated": ("终止", "取消", "已终止", "已取消", "terminated", "cancelled", "canceled"),
}
_LOOKUP = {word.lower(): key for key, words in _WORDING.items() for word in words}


def parse_stage(text: str) -> Stage:
    """The stage named by `text`, in Chinese, English or common ledger wording."""
    word = (text or "").strip().lower()
    key = _LOOKUP.get(word) or _LOOKUP.get(word.replace(" ", ""))
    if key is None:
        raise InvalidInput(
            _("Unknown stage {text!r}; use one of: {choices}").format(
                text=text, choices=", ".join(f"{s.key} ({s.zh})" for s in STAGES)
            )
        )
    return BY_KEY[key]


def at_or_beyond(stage_key: str) -> tuple[str, ...]:
    """The keys of the main-line stages at or after `stage_key` (for rates such as 开工率)."""
    order = BY_KEY[stage_key].order
    return tuple(s.key for s in MAIN_LINE if s.order >= order)


def needs_note(from_key: str | None, to_key: str, before_stall: str | None = None) -> bool:
    """True for a move backwards on the main line, off it, or out of 终止.

    `before_stall` is the main-line stage a 暂停 deal had reached: resuming
    it at an earlier stage is a move backwards too.
    """
    if from_key is None:
        return False
    src, dst = BY_KEY[from_key], BY_KEY[to_key]
    if dst.order is None or from_key == "terminated":
        return True
    if src.order is None and before_stall is not None:
        src = BY_KEY[before_stall]
    return src.order is not None and dst.order < src.order


def _last_main_stage(deal: Deal) -> str | None:
    """The latest main-line stage in the deal's ledger (where a stalled deal stopped)."""
    entry = (
        StageChange.select(StageChange.to_stage)
        .where((StageChange.deal == deal) & StageChange.to_stage.in_([s.key for s in MAIN_LINE]))
        .order_by(StageChange.id.desc())
        .first()
    )
    return entry.to_stage if entry else None


def _when(at: datetime.datetime | None) -> str:
    """When a change was recorded, as a refusal names it: 14:05 today, else 2026-12-04 14:05."""
    if at is None:
        return "?"
    return at.strftime("%H:%M" if at.date() == datetime.date.today() else "%Y-%m-%d %H:%M")


def moved_meanwhile(deal: Deal, expected: str) -> Conflict:
    """The refusal of a change made from stage `expected` of a deal no longer there: who moved it where, and when
    (its newest ledger entry). `.current` holds the deal's stage and the day it began."""
    last = StageChange.select().where(StageChange.deal == deal).order_by(StageChange.id.desc()).first()
    err = Conflict(
        _("{code} was changed to “{stage}” by {who} at {when} (you had “{had}”): choose the new stage again").format(
            code=deal.code,
            stage=BY_KEY[deal.stage].label(),
            who=(last.recorded_by if last else "") or "?",
            when=_when(last.recorded_at if last else None),
            had=BY_KEY[expected].label(),
        )
    )
    err.current = SimpleNamespace(stage=deal.stage, stage_since=deal.stage_since)
    return err


def change_stage(
    code: str,
    to: str,
    on: datetime.date | None = None,
    note: str = "",
    actor: str | None = None,
    require_rate: bool = True,
    expected: str | None = None,
) -> StageChange:
    """Move the deal `code` to stage `to` effective `on` (default today); return the ledger entry.

    Refuses (InvalidInput) a move to the stage the deal is already at, a
    backwards or off-line move without a note, a date in the future, and a
    date earlier than the current stage's — the ledger's order is the order of events. Signing a deal
    whose amount no rate covers on the day is refused (MissingRate) unless `require_rate` is False (an import).
    `expected`, when given, is the stage the change was chosen from (a dialog opened earlier, `crm stage
    --if-stage`): a deal no longer at it — someone moved it meanwhile — is refused first (Conflict, exit 3,
    naming who moved it and when: moved_meanwhile).
    """
    target = parse_stage(to)
    had = parse_stage(expected).key if expected is not None else None
    note = clean_text(note, _("Note"), max_length=2000, multiline=True)
    on = on or datetime.date.today()
    actor = actor or current_actor()
    with writing():
        deal = locked_deal(code)
        if had is not None and deal.stage != had:
            raise moved_meanwhile(deal, had)
        if deal.stage == target.key:
            raise InvalidInput(
                _("Deal {code} is already at stage {stage}").format(code=deal.code, stage=target.label())
            )
        before_stall = _last_main_stage(deal) if BY_KEY[deal.stage].order is None else None
        if needs_note(deal.stage, target.key, before_stall) and not note:
            raise InvalidInput(
                _(
                    "Moving {code} from {src} to {dst} goes backwards or off the main line: add a note saying why"
                ).format(code=deal.code, src=BY_KEY[deal.stage].label(), dst=target.label())
            )
        if on > datetime.date.today():
            raise InvalidInput(
                _("The date {on} is in the future: record a stage change when it has happened").format(
                    on=on.isoformat()
                )
            )
        if on < deal.stage_since:
            raise InvalidInput(
                _("The date {on} is before {since}, when {code} entered its current stage").format(
                    on=on.isoformat(), since=deal.stage_since.isoformat(), code=deal.code
                )
            )
        entry = StageChange.create(
            deal=deal, from_stage=deal.stage, to_stage=target.key, effective_on=on, recorded_by=actor, note=note
        )
        now = datetime.datetime.now().replace(microsecond=0)
        row = {"stage": target.key, "stage_since": on, "updated_at": now, "updated_by": actor}
        changes = {"stage": (deal.stage, target.key)}
        if deal.signed_on is None and deal.stage == "negotiating" and target.order is not None:
            # Signed now: the deal gets its signing date (for --year cohorts)
            # and is converted at that date's rate. A changed field is a new
            # version, so a form opened before this cannot write it back.
            from crm.reference import fx  # here: the deal list's first page needs the stages, not the rates

            cny, rate = (fx.convert_or_refuse if require_rate else fx.convert)(deal.amount, deal.currency, on)
            row.update(signed_on=on, amount_cny=cny, fx_rate=rate, version=deal.version + 1)
            changes["signed_on"] = (None, on)
        Deal.update(**row).where(Deal.id == deal.id).execute()
        audit.record("deal", deal.id, changes, actor)
    return entry


def start_ledger(deal: Deal, entries: list[tuple[str | None, str, datetime.date]], actor: str) -> None:
    """The first ledger entries of a new deal: (from, to, effective_on) each (crm.deals.records.first_entries)."""
    for from_stage, to_stage, on in entries:
        StageChange.create(deal=deal, from_stage=from_stage, to_stage=to_stage, effective_on=on, recorded_by=actor)


def ledger(deal: Deal) -> list[StageChange]:
    """The deal's stage ledger, oldest first."""
    return list(StageChange.select().where(StageChange.deal == deal).order_by(StageChange.id))
