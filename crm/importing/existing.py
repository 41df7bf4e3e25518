"""The deals of the ledger a file names: found by code, else by name, read ahead in batches."""

from __future__ import annotations

import datetime
import functools
import operator
import unicodedata
from typing import NamedTuple

from peewee import JOIN

from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import _
from crm.importing.remembered import Remembered
from crm.importing.rows import RowPlan, name_key
from db.models import Deal, Event


class Made(NamedTuple):
    """A deal this import created, as a later row's look-up reads it (a first import keeps a million)."""

    code: str
    signed_on: datetime.date | None
    event_id: int | None
    event_name: str | None


#: Between a Made's fields as kept on disk (no code or event name holds a control character: clean_text refuses them).
_SEP = "\x1f"
#: The spaces a name may hold that folding drops (folded: NFKC, then no whitespace).
_SPACES = (" ", "\u3000", "\xa0", "\t")
#: The word a deal's name often ends in and a sheet as often leaves out (华侨城涿州城市客厅(项目)).
_SUFFIX = "项目"


def spellings(name: str) -> set[str]:
    """The ways the ledger may spell a name the sheet writes `name` and that fold alike, but for spaces inside it
    (crm.foundation.text.folded; those are looked up apart: _Deals._spaced): as written, NFKC, with full-width
    brackets, folded, folded with full-width brackets."""
    nfkc = unicodedata.normalize("NFKC", name)
    key = name_key(name)
    return {name, nfkc, _full_brackets(name), _full_brackets(nfkc), key, _full_brackets(key)}


def _full_brackets(name: str) -> str:
    return name.replace("(", "（").replace(")", "）")


def other_name(name: str) -> str:
    """`name` with its trailing 项目 left out, or with one added."""
    return name[: -len(_SUFFIX)] if name.endswith(_SUFFIX) else name + _SUFFIX


def _packed(deal):
    """A Made as one text (code, day number, event id, "+" and event name), ~10x cheaper than pickling it;
    anything else (a name's several deals, a text holding the separator) as it is."""
    if type(deal) is not Made:
        return deal
    code, day, event, name = deal
    text = f"{code}{_SEP}{day.toordinal() if day else ''}{_SEP}{'' if event is None else event}{_SEP}"
    text += "" if name is None else "+" + name
    return text if text.count(_SEP) == 3 else deal


def _unpacked(kept):
    """What _packed kept, as it was given."""
    if type(kept) is not str:
        return kept
    code, day, event, name = kept.split(_SEP)
    return Made(
        code,
        datetime.date.fromordinal(int(day)) if day else None,
        int(event) if event else None,
        name[1:] if name else None,
    )


class _Deals:
    """The deals a row may mean: the one with its code, else those with its name (see `find`).

    Rows are looked up many at a time, ahead of the row being applied: the
    codes of the whole file at once, the names of the next rows in growing
    windows. Deals this import creates are added as they are created. An
    update that may change what a name finds (a rename, a signing date, an
    event, a stage: signing a deal dates it) drops the names read ahead and
    not yet used, which are read again when reached.
    """

    MAX_WINDOW = 4096

    def __init__(self, rows: list[RowPlan]):
        self.rows = [r for r in rows if r.values]
        self.by_code: dict = {}
        self.by_key: dict[str, list | object] = {}  # a name's deals: a list, or the one deal
        self.unused: set[str] = set()
        self.window = 64
        self.position = 0
        # Into an empty ledger (a bureau's first import) only the deals the import creates can match: remembered
        # as Made (Remembered: on disk past its bound) by name, and by code those given a code the row did not
        # have (a later row with a row's own code repeats it: the duplicate check refuses it before it is applied).
        self.empty = not Deal.select().exists()
        self._names = Remembered(pack=_packed, unpack=_unpacked) if self.empty else None
        self._codes = Remembered(pack=_packed, unpack=_unpacked) if self.empty else None
        self._made: set = set()  # keys of by_key the rows taken created deals under
        self._given: dict = {}  # code -> Made of the deals the rows taken created under a code of the ledger's
        self._spaced: dict | None = None  # folded name -> ids of the ledger's deals whose names hold spaces
        self.made_codes: set = set()  # codes of the deals this import created (into a ledger that had deals)
        self._by_codes(self.rows)

    def take(self, rows: list[RowPlan]) -> None:
        """The next rows to find deals for (the rows before them are done with): their codes looked up."""
        self.rows = [r for r in rows if r.values]
        self.position = 0
        if self.empty:
            self._remember(self.rows)
        self._by_codes(self.rows)

    def _remember(self, rows: list[RowPlan]) -> None:
        """Into an empty ledger: keep the deals created so far, then hold those the names and codes of `rows` find."""
        self._names.update({key: self.by_key[key] for key in self._made})
        self._codes.update(self._given)
        self._made, self._given = set(), {}
        self.by_key = self._names.lookup({r.key[0] for r in rows})
        self.by_code = self._codes.lookup({r.code for r in rows if r.code})

    def close(self) -> None:
        """Forget the deals remembered (the import is over)."""
        for kept in (self._names, self._codes):
            if kept is not None:
                kept.close()

    def _by_codes(self, rows: list[RowPlan]) -> None:
        # A code found before (or created by this import) is what the rows before left it as.
        codes = [] if self.empty else sorted({r.code for r in rows if r.code and r.code not in self.by_code})
        for start in range(0, len(codes), 900):
            for deal in _with_event_name(Deal.code.in_(codes[start : start + 900])):
                self.by_code[deal.code] = deal

    def find(self, row: RowPlan, file_codes: set) -> tuple[object | None, bool]:
        """(the deal `row` means or None, whether found by its code); raises when several deals match.

        The deal found by business key — the name (compared after NFKC and
        without spaces) and the signing date when given, else the event —
        is not one whose own code is written on another row of the file.
        """
        if row.code and row.code in self.by_code:
            return self.by_code[row.code], True
        key = row.key[0]
        if key not in self.by_key:
            if self.empty:
                return None, False  # into an empty ledger, a name no row before created finds nothing
            self._read_ahead(row)
        self.unused.discard(key)
        candidates = self.by_key[key]
        if type(candidates) is not list:
            candidates = [candidates]
        event = row.values.get("event")
        if row.signed_on is not None:
            same = [d for d in candidates if d.signed_on == row.signed_on]
            if not same:
                same = [d for d in candidates if d.signed_on is None]
        elif event:
            same = [d for d in candidates if d.event_name and name_key(event) in name_key(d.event_name)]
            if not same and len(candidates) == 1 and candidates[0].event_id is None:
                same = candidates
        else:
            same = candidates
        if row.code:
            same = [d for d in same if d.code not in file_codes]
        if len(same) > 1:
            raise InvalidInput(
                _("Several deals are named {name!r} ({codes}); add the signing date or the code").format(
                    name=row.values.get("name", ""), codes=", ".join(d.code for d in same)
                )
            )
        return (same[0] if same else None), False

    def alike(self, row: RowPlan, file_codes) -> list:
        """The ledger's deals `row` may mean though it found none: named as it is (signed another day, at another
        event) or so but for a trailing 项目; not those this import created, nor one whose code another row has."""
        if self.empty:
            return []
        key = row.key[0]
        name = row.values.get("name", "")
        other = name_key(other_name(name))
        if other not in self.by_key:
            self._read({other: spellings(other_name(name))})
        found = []
        for deals in (self.by_key.get(key, []), self.by_key.get(other, [])):
            for deal in deals if type(deals) is list else [deals]:
                if deal.code not in self.made_codes and deal.code not in file_codes:
                    found.append(deal)
        return found

    def created(self, row: RowPlan, deal) -> None:
        """A deal the import created for `row`: later rows find it by its name and code."""
        key = row.key[0]
        if self.empty:
            deal = Made(deal.code, deal.signed_on, deal.event_id, deal.event_name)
            self._made.add(key)
            if deal.code != row.code:
                self._given[deal.code] = deal
        else:
            self.made_codes.add(deal.code)
        found = self.by_key.get(key)
        if found is None:
            self.by_key[key] = deal  # most names are one deal's: no list each (a first import keeps them all)
        elif type(found) is list:
            found.append(deal)
        else:
            self.by_key[key] = [found, deal]
        self.by_code[deal.code] = deal

    def updated(self, changed: list, deal) -> None:
        """A deal a row changed (`changed`: its fields): names read ahead may find otherwise now."""
        if "name" in changed and self._spaced is not None and deal.name != "".join(deal.name.split()):
            self._spaced.setdefault(name_key(deal.name), []).append(deal.id)
        if {"name", "signed_on", "event", "stage"} & set(changed):
            for key in self.unused:
                del self.by_key[key]
            self.unused.clear()
            self.window = 1

    def _read_ahead(self, row: RowPlan) -> None:
        if self.empty:
            self.by_key[row.key[0]] = []
            return
        while self.rows[self.position] is not row:
            self.position += 1
        variants: dict[str, set] = {}
        for later in self.rows[self.position :]:
            key = later.key[0]
            if key not in self.by_key and key not in variants:
                # The spellings the first row with this key is looked up by, and those of its name ± 项目 (alike).
                name = later.values.get("name", "")
                variants[key] = spellings(name)
                other = name_key(other_name(name))
                if other not in self.by_key and other not in variants:
                    variants[other] = spellings(other_name(name))
                if len(variants) >= self.window:
                    break
        self.window = min(self.window * 2, self.MAX_WINDOW)
        self._read(variants)

    def _read(self, variants: dict[str, set]) -> None:
        """The ledger's deals of each folded name of `variants` (key -> the spellings to look it up by), into by_key."""
        names = sorted({n for spelled in variants.values() for n in spelled})
        found: dict[str, list] = {key: [] for key in variants}
        for start in range(0, len(names), 900):
            for deal in _with_event_name(Deal.name.in_(names[start : start + 900])):
                key = name_key(deal.name)
                if key in variants and deal.name in variants[key]:
                    found[key].append(deal)
        if self._spaced is not None or not all(found.values()):
            # A name the ledger spells with spaces (满城　纸业…) is in no list of spellings: looked up by its id.
            spaced = self._spaced_names()
            seen = {d.id for deals in found.values() for d in deals}
            ids = sorted({i for key in found for i in spaced.get(key, ()) if i not in seen})
            for start in range(0, len(ids), 900):
                for deal in _with_event_name(Deal.id.in_(ids[start : start + 900])):
                    key = name_key(deal.name)
                    if key in found:
                        found[key].append(deal)
        for key, deals in found.items():
            deals.sort(key=lambda d: d.id)
            self.by_key[key] = deals
            self.unused.add(key)

    def _spaced_names(self) -> dict:
        """{folded name: ids} of the ledger's deals whose names hold a space: read once, in one pass of the names
        (few are spelled so; a deal this import renames so is added, see `updated`)."""
        if self._spaced is None:
            spaced: dict = {}
            holds_space = functools.reduce(operator.or_, (Deal.name.contains(c) for c in _SPACES))
            for ident, name in Deal.select(Deal.id, Deal.name).where(holds_space).tuples().iterator():
                spaced.setdefault(name_key(name), []).append(ident)
            self._spaced = spaced
        return self._spaced


def _with_event_name(condition) -> list[Deal]:
    return list(
        Deal.select(Deal, Event.name.alias("event_name"))
        .join(Event, JOIN.LEFT_OUTER, on=(Deal.event == Event.id))
        .where(condition)
        .objects()
    )
