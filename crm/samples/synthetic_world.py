"""The places, departments, events, names and amounts of a synthetic ledger: what its deals are made of."""

from __future__ import annotations

import math

from pypinyin.seg.simpleseg import simple_seg

from crm.listing import search
from crm.samples.synthetic_words import (
    ANNUAL_SIZES,
    ANNUAL_UNITS,
    BAODING,
    BLOCKER_KINDS,
    BRAND_FIRST,
    BRAND_SECOND,
    CITY_DEPARTMENTS,
    COMPANY_TYPE_WEIGHTS,
    COMPANY_TYPES,
    COUNTY_EVENT,
    CURRENCIES,
    EUR_ANCHORS,
    EVENT_SERIES,
    FACILITIES_M,
    FACILITIES_M_WEIGHTS,
    GIVEN,
    HEBEI,
    INDUSTRIES,
    INVESTOR_WORDS,
    LEADER_TITLES,
    MAX_AMOUNT,
    MEDIAN_AMOUNT,
    MIN_AMOUNT,
    ORIGINS_CN,
    ORIGINS_FX,
    PHASES,
    SIGNING_YEAR_WEIGHTS,
    SURNAMES,
    USD_ANCHORS,
    D,
    _below,
    _between,
    _interpolate,
    _month_index,
    _pick,
    _Picker,
)


class _World:
    """The reference tables and the name, investor and amount of each deal (mixed into the generator)."""

    def _build_world(self, rng):
        self.departments = []  # (id, name, kind, contact)
        self.dept_id = {}
        for key, (name, kind) in CITY_DEPARTMENTS.items():
            self._add_department(name, kind, key)
        self.regions = []  # (region, place, weight, lead department id, other-city?)
        for region, place, weight, gov in BAODING:
            kind = "zone" if gov.endswith(("管委会", "管理委员会")) else "county"
            self.regions.append((region, place, weight * 3.0, self._add_department(gov, kind), False))
        for region, place, weight in HEBEI:
            gov = self._add_department(f"{region}人民政府", "county")
            self._add_department(f"{region}商务局", "department")
            self.regions.append((region, place, weight * 2.2, gov, True))
        self.region_pick = _Picker(range(len(self.regions)), [r[2] for r in self.regions])
        self.other_depts = [self.dept_id[k] for k in ("fgw", "zrzy", "sthj", "xzsp", "sw", "gxj", "zjj", "gd", "kj")]

        names, self.persons = set(), []
        while len(self.persons) < 400:
            name = _pick(rng, SURNAMES) + _pick(rng, GIVEN) + (_pick(rng, GIVEN) if rng.random() < 0.6 else "")
            if name in names:
                continue
            names.add(name)
            phone = f"13{_below(rng, 10)}{_below(rng, 10**8):08d}"
            self.persons.append((len(self.persons) + 1, name, _pick(rng, LEADER_TITLES), phone))

        # Events: the series plus each Baoding county's spring and autumn signing ceremonies.
        self.events = []  # (id, name, held_on ordinal, place, organiser, weight, region index or -1)
        for pattern, months, place, organiser, weight, first, last in EVENT_SERIES:
            for year in range(first, min(last, self.as_of.year) + 1):
                for i, month in enumerate(months):
                    day = D(year, month, 8 + (year * 7 + month * 3) % 18)
                    name = pattern.format(year=year, n=year - 2017)
                    if len(months) > 1:
                        name = name.replace("集中签约", f"第{'一二三四'[i]}批集中签约")
                    self._add_event(name, day, place, organiser, weight, -1)
        pattern, seasons, weight = COUNTY_EVENT
        for ri, (region, _place, *_rest) in enumerate(self.regions[: len(BAODING)]):
            for year in range(2015, self.as_of.year + 1):
                for season, month in seasons.items():
                    day = D(year, month, 10 + (ri * 5 + year) % 15)
                    name = pattern.format(year=year, region=region, season=season)
                    self._add_event(name, day, region, self.departments[self.regions[ri][3] - 1][1], weight, ri)
        self.event_pick = _Picker(range(len(self.events)), [e[5] for e in self.events])

        # Rates: the first of every month, so every date from 2014-12-01 on is covered.
        months = _month_index(self.as_of) + 1
        usd = _interpolate(USD_ANCHORS, months)
        eur = _interpolate(EUR_ANCHORS, months)
        hkd = [v / 7.8 + 0.0005 * math.sin(i) for i, v in enumerate(usd)]
        self.rates = []  # (id, currency, on ordinal, rate in millionths)
        self.rate_at = {}  # currency -> list by month index of (id, millionths)
        for currency, values, wiggle in (("USD", usd, 0.01), ("EUR", eur, 0.02), ("HKD", hkd, 0.001)):
            table = []
            for i, value in enumerate(values):
                year, month = 2014 + (i + 11) // 12, (i + 11) % 12 + 1
                value += wiggle * math.sin(i * 1.7)
                micro = int(round(value * 10_000)) * 100  # quoted to 4 decimals
                rid = len(self.rates) + 1
                self.rates.append((rid, currency, D(year, month, 1).toordinal(), micro))
                table.append((rid, micro))
            self.rate_at[currency] = table

        self.industry_pick = _Picker(range(len(INDUSTRIES)), [w for _n, w, _s in INDUSTRIES])
        self.currency_pick = _Picker([c for c, _w in CURRENCIES], [w for _c, w in CURRENCIES])
        self.facility_pick = _Picker(FACILITIES_M, FACILITIES_M_WEIGHTS)
        self.company_pick = _Picker(COMPANY_TYPES, COMPANY_TYPE_WEIGHTS)
        self.year_pick = _Picker(list(SIGNING_YEAR_WEIGHTS), list(SIGNING_YEAR_WEIGHTS.values()))
        self.blocker_pick = _Picker(BLOCKER_KINDS, [k[3] for k in BLOCKER_KINDS])
        self.approval_pick = _Picker(["approval", "verification", "filing"], [224, 93, 488])

    def _add_department(self, name, kind, key=None):
        did = len(self.departments) + 1
        contact = f"0312-{5000000 + did * 37:07d}" if kind != "utility" else "95598"
        self.departments.append((did, name, kind, contact))
        self.dept_id[key or name] = did
        return did

    def _add_event(self, name, day, place, organiser, weight, region_index):
        if day > self.as_of:
            return
        self.events.append((len(self.events) + 1, name, day.toordinal(), place, organiser, weight, region_index))

    # -- anchors: when each deal entered the ledger -----------------------

    def _anchors(self, rng, n):
        """Per deal: (entry day, tie-break, signed day or 0, event index or -1); sorted by entry day (= id order)."""
        out = []
        end, first = self.end_ord, self.first_ord
        for _i in range(n):
            r = rng.random()
            ev = -1
            if r < 0.07:  # still negotiating today
                signed = 0
                back = int(rng.expovariate(1 / 240))
                if rng.random() < 0.15:
                    back += _below(rng, 365 * 4)
                entry = max(first, end - back)
            else:
                if r < 0.65:
                    ev = self.event_pick(rng)
                    signed = self.events[ev][2]
                else:
                    year = self.year_pick(rng)
                    lo = max(first, D(year, 1, 1).toordinal())
                    hi = min(end, D(year, 12, 31).toordinal())
                    if lo > hi:
                        lo = first
                    signed = _between(rng, lo, hi)
                entry = signed
                if rng.random() < 0.3:  # negotiated before signing
                    entry = max(first, signed - 20 - int(rng.expovariate(1 / 120)))
            out.append((entry, rng.random(), signed, ev))
        out.sort()
        return out

    # -- one deal ------------------------------------------------------------

    def _initials_of(self, name):
        """search.initials(name), computed once per run of Chinese characters.

        pypinyin splits text into runs of Chinese and other characters
        (simple_seg) before it segments words, and initials() only drops and
        lower-cases characters one by one, so the initials of a name are the
        initials of its runs joined: 华创(涿州)… = 华创 + ( + 涿州 + ) + ….
        """
        cache = self._initials
        value = cache.get(name)
        if value is not None:
            return value
        out = []
        for run in simple_seg(name):
            value = cache.get(run)
            if value is None:
                value = cache[run] = search.initials(run)
            out.append(value)
        value = cache[name] = "".join(out)
        return value

    def _name(self, rng, place, products, kind):
        product = _pick(rng, products)
        facility = self.facility_pick(rng) if kind == "m" else ""
        r = rng.random()
        if r < 0.36:
            name = f"{place}{product}{facility}项目"
        elif r < 0.56:
            name = f"{product}{facility}项目"
        elif r < 0.68:
            brand = _pick(rng, BRAND_FIRST) + _pick(rng, BRAND_SECOND)
            name = f"{brand}({place}){product}{facility or ''}项目"
        elif r < 0.78 and kind == "m":
            name = f"年产{_pick(rng, ANNUAL_SIZES)}{_pick(rng, ANNUAL_UNITS)}{product}项目"
        elif r < 0.9:
            name = (
                f"{place}{product}{facility}项目{_pick(rng, PHASES)}"
                if rng.random() < 0.5
                else f"{place}{product}{facility}{_pick(rng, PHASES[3:])}项目"
            )
        else:
            name = f"京津冀{product}{facility}项目"
        return name

    def _investor(self, rng, industry, currency):
        if rng.random() < 0.08:
            return ""
        if currency == "CNY":
            origin = _pick(rng, ORIGINS_CN)
        else:
            origin = _pick(rng, ORIGINS_FX[currency])
        brand = _pick(rng, BRAND_FIRST) + _pick(rng, BRAND_SECOND)
        return f"{origin}{brand}{_pick(rng, INVESTOR_WORDS[industry])}{self.company_pick(rng)}"

    def _amount_fen(self, rng, currency) -> int:
        value = MEDIAN_AMOUNT[currency] * math.exp(rng.gauss(0, 1.1))
        value = min(max(value, MIN_AMOUNT[currency]), MAX_AMOUNT[currency])
        if value >= 1e8:
            step = 1e6 if rng.random() < 0.7 else 1e8  # 6.71亿 or 25亿
        else:
            step = 1e4 if rng.random() < 0.6 else 1e6  # 4565万 or 3000万
        return int(round(value / step)) * int(step) * 100

    def _rate(self, currency, ordinal):
        """(rate id, millionths) covering the day; None for CNY."""
        if currency == "CNY":
            return None
        day = D.fromordinal(ordinal)
        return self.rate_at[currency][_month_index(day)]

    @staticmethod
    def _to_cny(fen, rate):
        if rate is None:
            return fen
        return (fen * rate[1] + 500_000) // 1_000_000  # ROUND_HALF_UP to the fen, amounts are positive
