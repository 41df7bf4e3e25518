"""The rows of a synthetic ledger, generated deal by deal (crm.samples.synthetic writes them)."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from crm.deals.stages import needs_note
from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import _
from crm.samples.synthetic_words import (
    ACTOR_SOURCE,
    CLOCK,
    DEFAULT_AS_OF,
    FIRST_DAY,
    FUND_NOTES,
    HEAVY_BLOCKERS,
    HEAVY_LEDGER,
    INDUSTRIES,
    PLAN_TEMPLATES,
    RATE_SOURCE,
    RESUME_NOTES,
    STAFF,
    STAGE_NOTES,
    STALL_NOTES,
    TERMINATE_NOTES,
    D,
    _below,
    _between,
    _Dates,
    _pick,
    _poisson,
)
from crm.samples.synthetic_world import _World
from db.models import Blocker, Deal, DealDepartment, Department, Event, FundsArrived, FxRate, Person, StageChange
from db.supporting_ids import ids_text


@dataclass
class Spec:
    """What to generate. The same Spec always gives the same rows."""

    deals: int
    seed: int = 1
    ledger_per_deal: float = 5.0  # mean StageChange rows per deal (at least the natural ~3)
    blockers_per_deal: float = 0.5
    heavy_every: int = 100_000  # deal ids that are multiples of this carry 200 entries and 50 blockers
    as_of: datetime.date | None = None  # last date of the ledger; default DEFAULT_AS_OF (or today if earlier)
    batch: int = 5_000  # deals per insert batch

    def end(self) -> datetime.date:
        if self.as_of:
            return self.as_of
        return min(DEFAULT_AS_OF, datetime.date.today())


@dataclass
class Stats:
    counts: dict = field(default_factory=dict)
    seconds: dict = field(default_factory=dict)

    def total_seconds(self) -> float:
        return sum(self.seconds.values())


def heavy_deal_ids(spec: Spec) -> list[int]:
    """Ids of the deals with 200 ledger entries and 50 blockers."""
    if spec.heavy_every <= 0:
        return []
    return list(range(spec.heavy_every, spec.deals + 1, spec.heavy_every))


# ---------------------------------------------------------------- helpers


# ---------------------------------------------------------------- writers


DEAL_FIELDS = [
    "id",
    "code",
    "name",
    "investor",
    "region",
    "industry",
    "sub_industry",
    "event",
    "signed_on",
    "amount",
    "currency",
    "amount_approximate",
    "amount_cny",
    "fx_rate",
    "approval",
    "stage",
    "stage_since",
    "liaison",
    "lead_unit",
    "planned_start",
    "planned_completion",
    "responsibility_plan",
    "floor_area",
    "notes",
    "search_text",
    "pinyin_initials",
    "created_at",
    "updated_at",
    "updated_by",
    "version",
    "supporting_ids",
]
LEDGER_FIELDS = ["id", "deal", "from_stage", "to_stage", "effective_on", "recorded_at", "recorded_by", "note"]
BLOCKER_FIELDS = [
    "id",
    "deal",
    "text",
    "department",
    "raised_on",
    "due_on",
    "resolved_on",
    "resolution",
    "version",
    "updated_at",
    "updated_by",
]
FUNDS_FIELDS = [
    "id",
    "deal",
    "arrived_on",
    "amount",
    "currency",
    "amount_cny",
    "fx_rate",
    "note",
    "recorded_at",
    "recorded_by",
]
SUPPORT_FIELDS = ["id", "deal", "department"]


# ---------------------------------------------------------------- the generator


class _Generator(_World):
    def __init__(self, spec: Spec):
        self.spec = spec
        self.as_of = spec.end()
        if self.as_of < D(2016, 1, 1):
            raise InvalidInput(_("The as-of date of a synthetic ledger must be in 2016 or later"))
        self.end_ord = self.as_of.toordinal()
        self.first_ord = FIRST_DAY.toordinal()
        self.date = _Dates(D(2014, 1, 1), D(self.as_of.year + 7, 12, 31))
        self._initials = {}
        self._build_world(random.Random(f"world-{spec.seed}"))

    # -- reference tables -------------------------------------------------

    def _path(self, rng, entry, signed, extra_pairs):
        """[(stage, day ordinal, note)] in order; the first entry is the deal's creation."""
        end = self.end_ord
        steps = []
        if signed == 0:
            steps.append(("negotiating", entry, _pick(rng, STAGE_NOTES["negotiating"])))
            return steps
        if entry < signed:
            steps.append(("negotiating", entry, _pick(rng, STAGE_NOTES["negotiating"])))
        steps.append(("signed", signed, _pick(rng, STAGE_NOTES["signed"])))
        day, stage = signed, "signed"
        for nxt, p, base, scale in (
            ("registered", 0.86, 15, 70),
            ("construction", 0.78, 30, 160),
            ("operating", 0.66, 150, 330),
        ):
            if rng.random() < 0.11:  # stalls instead of moving on
                stall = day + 20 + int(rng.expovariate(1 / 200))
                if stall > end:
                    break
                steps.append(("stalled", stall, _pick(rng, STALL_NOTES)))
                r = rng.random()
                if r < 0.45:
                    back = stall + 40 + int(rng.expovariate(1 / 150))
                    if back > end:
                        break
                    steps.append((stage, back, _pick(rng, RESUME_NOTES)))
                    day = back
                elif r < 0.8:
                    stop = stall + 60 + int(rng.expovariate(1 / 200))
                    if stop <= end:
                        steps.append(("terminated", stop, _pick(rng, TERMINATE_NOTES)))
                    break
                else:
                    break
            if rng.random() < 0.03:
                stop = day + 60 + int(rng.expovariate(1 / 300))
                if stop <= end:
                    steps.append(("terminated", stop, _pick(rng, TERMINATE_NOTES)))
                break
            if rng.random() >= p:
                break
            when = day + base + int(rng.expovariate(1 / scale))
            if when > end:
                break
            steps.append((nxt, when, _pick(rng, STAGE_NOTES[nxt])))
            day, stage = when, nxt
        if extra_pairs:
            steps = self._add_pairs(rng, steps, extra_pairs)
        return steps

    def _add_pairs(self, rng, steps, pairs):
        """Insert stalled → back-to-stage pairs after main-line entries at or beyond 签约."""
        eligible = [
            i
            for i, (stage, _d, _n) in enumerate(steps)
            if stage in ("signed", "registered", "construction", "operating")
        ]
        # a stage entered only to be left for 终止/暂停 at once is still eligible
        if not eligible:
            return steps
        counts = {}
        for _i in range(pairs):
            i = _pick(rng, eligible)
            counts[i] = counts.get(i, 0) + 1
        out = []
        for i, step in enumerate(steps):
            out.append(step)
            k = counts.get(i)
            if not k:
                continue
            lo = step[1]
            hi = steps[i + 1][1] if i + 1 < len(steps) else self.end_ord
            days = sorted(_between(rng, lo, hi) for _i in range(2 * k))
            for j in range(k):
                out.append(("stalled", days[2 * j], _pick(rng, STALL_NOTES)))
                out.append((step[0], days[2 * j + 1], _pick(rng, RESUME_NOTES)))
        return out

    def _calibrate(self):
        """Natural mean ledger length and the share of deals that can take extra pairs."""
        rng = random.Random(12345)
        sample = self._anchors(rng, 4000)
        total = eligible = 0
        for entry, _u, signed, _ev in sample:
            steps = self._path(rng, entry, signed, 0)
            total += len(steps)
            eligible += signed != 0
        return total / len(sample), eligible / len(sample)

    # -- the run -------------------------------------------------------------

    def rows(self):
        """Yield ("table", columns, rows) batches: reference tables first, then deals in batches."""
        spec = self.spec
        rng = random.Random(spec.seed)
        dt = self.date
        yield (
            Department,
            ["id", "name", "kind", "contact", "version", "updated_at", "updated_by"],
            [(d[0], d[1], d[2], d[3], 1, f"{dt(self.first_ord)} 09:00:00", ACTOR_SOURCE) for d in self.departments],
        )
        yield Person, ["id", "name", "title", "phone"], self.persons
        yield (
            Event,
            ["id", "name", "held_on", "place", "organiser"],
            [(e[0], e[1], dt(e[2]), e[3], e[4]) for e in self.events],
        )
        yield (
            FxRate,
            ["id", "currency", "on", "rate", "source"],
            [(r[0], r[1], dt(r[2]), r[3], RATE_SOURCE) for r in self.rates],
        )

        natural, eligible = self._calibrate()
        lam = max(0.0, spec.ledger_per_deal - natural) / 2 / max(eligible, 1e-9)
        heavy = set(heavy_deal_ids(spec))
        anchors = self._anchors(rng, spec.deals)
        seq = {}
        ids = {"ledger": 0, "blocker": 0, "funds": 0, "support": 0}
        batch = {Deal: [], StageChange: [], Blocker: [], FundsArrived: [], DealDepartment: []}
        for index, (entry, _u, signed, ev) in enumerate(anchors):
            deal_id = index + 1
            self._deal(rng, deal_id, entry, signed, ev, lam, deal_id in heavy, seq, ids, batch)
            if deal_id % spec.batch == 0 or deal_id == len(anchors):
                yield Deal, DEAL_FIELDS, batch[Deal]
                yield StageChange, LEDGER_FIELDS, batch[StageChange]
                yield Blocker, BLOCKER_FIELDS, batch[Blocker]
                yield FundsArrived, FUNDS_FIELDS, batch[FundsArrived]
                yield DealDepartment, SUPPORT_FIELDS, batch[DealDepartment]
                batch = {k: [] for k in batch}

    def _steps(self, rng, entry, signed, lam, heavy):
        """The stage ledger's (stage, ordinal day, note) steps of one deal; a heavy deal gets HEAVY_LEDGER."""
        if not heavy:
            return self._path(rng, entry, signed, _poisson(rng, lam) if signed else 0)
        steps = self._path(rng, entry, signed, 0)
        main = []
        for step in steps:  # the main line only, without repeats left by dropping 暂停/终止
            if step[0] not in ("stalled", "terminated") and (not main or main[-1][0] != step[0]):
                main.append(step)
        steps = self._add_pairs(rng, main, (HEAVY_LEDGER - len(main)) // 2)
        if len(steps) < HEAVY_LEDGER:  # an odd number left: end stalled
            steps.append(("stalled", self.end_ord, _pick(rng, STALL_NOTES)))
        return steps

    def _ledger(self, rng, deal_id, steps, ids, out) -> list:
        """Append the deal's StageChange rows (a note wherever needs_note asks for one); the ledger list."""
        dt, end = self.date, self.end_ord
        ledger = out[StageChange]
        prev = None
        for stage, on, note in steps:
            if not note and needs_note(prev, stage):
                note = _pick(rng, STALL_NOTES) if stage == "stalled" else "恢复推进"
            ids["ledger"] += 1
            ledger.append(
                (
                    ids["ledger"],
                    deal_id,
                    prev,
                    stage,
                    dt(on),
                    f"{dt(min(on + _below(rng, 3), end))} {_pick(rng, CLOCK)}",
                    _pick(rng, STAFF),
                    note,
                )
            )
            prev = stage
        return ledger

    def _departments(self, rng, deal_id, gov, other_city, ids, out) -> tuple[int, str, str]:
        """Append the deal's supporting departments; (lead unit id, responsibility plan, the deal's supporting_ids)."""
        if other_city or rng.random() < 0.45:
            lead = gov
        else:
            lead = _pick(rng, self.other_depts)
        supporting = set()
        for _i in range(_pick(rng, (0, 1, 1, 2, 2, 3))):
            did = _pick(rng, self.other_depts)
            if did != lead:
                supporting.add(did)
        if rng.random() < 0.3 and gov != lead:
            supporting.add(gov)
        support_rows = out[DealDepartment]
        for did in sorted(supporting):
            ids["support"] += 1
            support_rows.append((ids["support"], deal_id, did))
        lead_name = self.departments[lead - 1][1]
        support_text = "、".join(self.departments[d - 1][1] for d in sorted(supporting)) or "属地政府"
        return lead, _pick(rng, PLAN_TEMPLATES).format(lead=lead_name, support=support_text), ids_text(supporting)

    def _plans(self, rng, signed, kind) -> tuple:
        """(planned start, planned completion, floor area) as written into the deal's row."""
        dt = self.date
        planned_start = planned_completion = None
        if signed:
            ps = signed + 60 + _below(rng, 150)
            planned_start = dt(ps)
            planned_completion = dt(ps + 365 + _below(rng, 730))
        floor_area = None
        if kind == "m" and rng.random() < 0.35:
            floor_area = f"{_between(rng, 5, 599) * 1000 + _pick(rng, (0, 0, 500))}.00"
        elif kind == "s" and rng.random() < 0.25:
            floor_area = f"{_between(rng, 10, 899) * 1000}.00"
        return planned_start, planned_completion, floor_area

    def _deal(self, rng, deal_id, entry, signed, ev, lam, heavy, seq, ids, out):
        dt, end = self.date, self.end_ord
        if ev >= 0 and self.events[ev][6] >= 0:
            ri = self.events[ev][6]
        else:
            ri = self.region_pick(rng)
        region, place, _w, gov, other_city = self.regions[ri]
        if rng.random() < 0.25:
            place = "保定" if not other_city else "河北"
        industry, _iw, subs = INDUSTRIES[self.industry_pick(rng)]
        sub, kind, products = _pick(rng, subs)
        name = self._name(rng, place, products, kind)
        currency = self.currency_pick(rng)
        investor = self._investor(rng, industry, currency)
        fen = self._amount_fen(rng, currency)
        day = signed or entry
        rate = self._rate(currency, day)
        cny = self._to_cny(fen, rate)

        year = D.fromordinal(entry).year
        n = seq[year] = seq.get(year, 0) + 1
        code = f"ZS{year}-{n:04d}"

        if heavy:
            signed = signed or entry
        steps = self._steps(rng, entry, signed, lam, heavy)
        ledger = self._ledger(rng, deal_id, steps, ids, out)
        stage, since = steps[-1][0], steps[-1][1]
        signed_text = dt(signed) if signed else None
        lead, plan, supporting_ids = self._departments(rng, deal_id, gov, other_city, ids, out)
        planned_start, planned_completion, floor_area = self._plans(rng, signed, kind)
        approximate = rng.random() < 0.03
        liaison = None if rng.random() < 0.1 else _between(rng, 1, len(self.persons))
        event_id = self.events[ev][0] if ev >= 0 else None
        created = f"{dt(entry)} {_pick(rng, CLOCK)}"
        last = ledger[-1][5]
        version = 2 if steps[0][0] == "negotiating" and signed else 1
        search_text = "\n".join((code, name, investor)).lower()
        out[Deal].append(
            (
                deal_id,
                code,
                name,
                investor,
                region,
                industry,
                sub,
                event_id,
                signed_text,
                fen,
                currency,
                approximate,
                cny,
                rate[0] if rate else None,
                self.approval_pick(rng),
                stage,
                dt(since),
                liaison,
                lead,
                planned_start,
                planned_completion,
                plan,
                floor_area,
                "",
                search_text,
                self._initials_of(name),
                created,
                max(created, last),
                _pick(rng, STAFF),
                version,
                supporting_ids,
            )
        )

        # blockers
        count = HEAVY_BLOCKERS if heavy else _poisson(rng, self.spec.blockers_per_deal)
        blockers = out[Blocker]
        for _i in range(count):
            texts, dept_key, resolutions, _w = self.blocker_pick(rng)
            k = _below(rng, len(texts))
            dept = gov if dept_key is None else self.dept_id[dept_key]
            raised = _between(rng, entry, end) if entry < end else end
            due = raised + _pick(rng, (15, 30, 30, 45, 60, 90))
            resolved = None
            age = end - raised
            if rng.random() < (0.85 if age > 180 else 0.45 if age > 30 else 0.15):
                resolved = min(end, raised + 3 + int(rng.expovariate(1 / 60)))
            stamp = resolved if resolved is not None else raised
            ids["blocker"] += 1
            blockers.append(
                (
                    ids["blocker"],
                    deal_id,
                    texts[k],
                    dept,
                    dt(raised),
                    dt(due),
                    dt(resolved) if resolved is not None else None,
                    resolutions[k] if resolved is not None else "",
                    2 if resolved is not None else 1,
                    f"{dt(stamp)} {_pick(rng, CLOCK)}",
                    _pick(rng, STAFF),
                )
            )

        # funds arrived, once registered
        registered = next((s[1] for s in steps if s[0] == "registered"), None)
        if registered is not None and rng.random() < 0.7:
            funds = out[FundsArrived]
            share_left = 1.0
            on = registered
            for i in range(_pick(rng, (1, 1, 2, 2, 3))):
                on = on + 10 + int(rng.expovariate(1 / 120))
                if on > end:
                    break
                share = share_left * rng.uniform(0.15, 0.5)
                share_left -= share
                part = max(100, int(fen * share) // 10_000 * 10_000)  # whole 百元/units of 100
                frate = self._rate(currency, on)
                ids["funds"] += 1
                funds.append(
                    (
                        ids["funds"],
                        deal_id,
                        dt(on),
                        part,
                        currency,
                        self._to_cny(part, frate),
                        frate[0] if frate else None,
                        FUND_NOTES[i if i < 3 else 0],
                        f"{dt(on)} {_pick(rng, CLOCK)}",
                        _pick(rng, STAFF),
                    )
                )


# ---------------------------------------------------------------- loading
