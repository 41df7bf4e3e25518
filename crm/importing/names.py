"""Departments, events and people a file names: matched exactly (folded), created when missing, never guessed;
and the problems (存在问题) a row gives a deal, with the department each goes to."""

from __future__ import annotations

import datetime
import difflib
import functools
import re

from crm.deals import blockers as blocker_ops
from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import _
from crm.foundation.text import folded
from crm.importing import records
from crm.importing.cells import BLANKS, CACHED, split_names
from crm.importing.problems import UNIT_END, ProblemItem
from crm.importing.report import Report
from crm.importing.rows import Problem, RowPlan, name_key
from crm.reference import registry
from db.models import Blocker, Deal, Department, Event, Person

#: Names suggested for one that is not in the ledger (the preview's "可能是：…"), at most.
SUGGESTIONS = 5
#: A name this many characters from a ledger's name (one typed for another or dropped counts 2, 1) is suggested.
NEAR = 2
#: ... when both are at least this long (folded): 张三 and 李三 are two people.
NEAR_FROM = 4
#: The region a department's name starts with (涿州市, 徐水区, 易县): a near name must share it.
_REGION = re.compile(r"^.{1,6}?[省市县区旗]")


def unit_names(text: str | None) -> list[str]:
    """The units a 责任单位 cell names, in order: split at 、，,；; (as split_names splits) and at spaces between
    whole names (徐水区发改局 徐水区商务局); a space inside one name (满城区 发改局) stays, for folding."""
    return list(_units(text))


@functools.lru_cache(maxsize=CACHED)
def _units(text: str | None) -> tuple[str, ...]:
    """unit_names(text), remembered: a sheet names its few units in row after row."""
    names: list[str] = []
    for part in split_names(text):
        pieces = part.split()
        if len(pieces) > 1 and all(UNIT_END.search(p) for p in pieces):
            names += pieces
        else:
            names.append(part)
    return tuple(dict.fromkeys(names))


def _near(key: str, other: str) -> bool:
    """Whether two folded names are one or two characters apart (与/和, 局/委, a dropped 和), in one region, and
    not apart by a number (责任单位1 and 责任单位2 are two units)."""
    if abs(len(key) - len(other)) > NEAR or min(len(key), len(other)) < NEAR_FROM:
        return False
    region, theirs = _REGION.match(key), _REGION.match(other)
    if (region.group() if region else None) != (theirs.group() if theirs else None):
        return False
    apart = 0
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, key, other, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        differ = key[i1:i2] + other[j1:j2]
        if any(c.isdigit() for c in differ):
            return False
        apart += len(differ)
    return 0 < apart <= NEAR


class _Resolver:
    """Matches departments, events and people named in the file, creating the missing ones.

    A name is matched exactly after width, space and case folding
    (crm.foundation.text.folded), never by containment: a name the ledger
    does not have is created, and the ledger's names that contain it or that
    it contains are suggested in a warning (责任单位1 is not 责任单位10).
    What a row creates is remembered; when the row is refused and its
    savepoint rolled back, `forget_row` drops it again, so that a later row
    naming the same department creates it anew instead of finding a name
    whose record is gone.
    """

    def __init__(self, report: Report, actor: str, paused):
        self.report = report
        self.actor = actor
        self.paused = paused  # a context in which to write (see NewDeals.paused)
        self.departments: dict[str, str] = {}
        self.events: dict[str, str] = {}
        self.people: dict[str, str] = {}
        self._made: list = []  # (kind, cache, key, report list or None) of the current row
        self._known: dict = {}  # kind -> {folded name: name} of the ledger's names (read once each)
        self._before: dict = {}  # kind -> the ledger's names before the import: what is suggested
        self._suggested: set = set()  # (kind, name) already given a suggestion
        self.row: int | None = None
        self.labels: dict = {}  # field -> its column as messages name it

    def start_row(self, row: int | None = None) -> None:
        self._made = []
        self.row = row

    def forget_row(self) -> None:
        """Forget what the current row created (its savepoint was rolled back)."""
        for kind, cache, key, listed in self._made:
            cache.pop(key, None)
            if listed is not None and key in listed:
                listed.remove(key)
                self._known[kind].pop(folded(key), None)
        self._made = []

    def department(self, name: str, field_name: str = "lead_unit") -> str:
        """The exact name of the department `name` means (created if there is none)."""
        if name in self.departments:
            return self.departments[name]
        known = self._names("department")
        exact = known.get(folded(name))
        listed = None
        if exact is None:
            self._suggest("department", name, field_name)
            with self.paused():
                exact = registry.add_department(name, kind=_department_kind(name), actor=self.actor).name
            known[folded(name)] = exact
            self.report.departments_created.append(name)
            listed = self.report.departments_created
        self.departments[name] = exact
        self._made.append(("department", self.departments, name, listed))
        return exact

    def event(self, name: str, day: datetime.date | None) -> str:
        """The exact name of the event `name` means (created, dated `day`, if there is none)."""
        if name in self.events:
            return self.events[name]
        chosen = self._names("event").get(folded(name))
        listed = None
        if chosen is None:
            self._suggest("event", name, "event")
            with self.paused():
                registry.add_event(name, held_on=day)
            self._names("event")[folded(name)] = name
            self.report.events_created.append(name)
            listed = self.report.events_created
            chosen = name
        else:
            editions = list(Event.select(Event.held_on).where(Event.name == chosen).order_by(Event.held_on.desc()))
            if len(editions) > 1 and day is not None and editions[0].held_on != day:
                if any(e.held_on == day for e in editions):
                    # Core limitation: deal fields name an event by its name only, which
                    # means the newest edition of a recurring fair.
                    raise InvalidInput(
                        _(
                            "Event {name!r} was held more than once; a deal can only be linked to its latest edition "
                            "({day}) by name"
                        ).format(name=chosen, day=editions[0].held_on)
                    )
        self.events[name] = chosen
        self._made.append(("event", self.events, name, listed))
        return chosen

    def person(self, name: str) -> str:
        """The exact name of the person `name` means; a new name is noted among the people the import creates."""
        if name in self.people:
            return self.people[name]  # an earlier row named them: they exist now (created with that row's deal)
        known = self._names("person")
        exact = known.get(folded(name))
        listed = None
        if exact is None:
            self._suggest("person", name, "liaison")
            exact = known[folded(name)] = name
            self.report.people_created.append(name)
            listed = self.report.people_created
        self.people[name] = exact
        self._made.append(("person", self.people, name, listed))
        return exact

    def _names(self, kind: str) -> dict:
        """{folded name: name} of the ledger's departments, events or people (and those created since)."""
        if kind not in self._known:
            model = _MODELS[kind]
            names: dict = {}
            for (n,) in model.select(model.name).order_by(model.id).tuples():
                names.setdefault(folded(n), n)
            self._known[kind] = names
            self._before[kind] = dict(names)
        return self._known[kind]

    def _suggest(self, kind: str, name: str, field_name: str) -> None:
        """Warn that `name` is new, naming the ledger's names that contain it or that it contains, and those a
        character or two from it (_near): the nearest first.

        Only names the ledger had before: the file's own names are each matched exactly.
        """
        key = folded(name)
        if (kind, key) in self._suggested or len(key) < 2:
            return
        self._suggested.add((kind, key))
        self._names(kind)
        alike = [
            n
            for k, n in self._before[kind].items()
            if k != key and (key in k or (len(k) >= 2 and k in key) or _near(key, k))
        ]
        if not alike:
            return
        nearest = sorted(alike, key=lambda n: (abs(len(folded(n)) - len(key)), len(n)))
        message = _SUGGESTION[kind]().format(name=name, names="、".join(nearest[:SUGGESTIONS]))
        self.report.warnings.append(Problem(self.row, self.labels.get(field_name), name, "name_suggestion", message))


_MODELS = {"department": Department, "event": Event, "person": Person}
_SUGGESTION = {
    "department": lambda: _("Department {name!r} is not in the ledger: it is created; maybe you meant {names}"),
    "event": lambda: _("Event {name!r} is not in the ledger: it is created; maybe you meant {names}"),
    "person": lambda: _("Nobody is named {name!r} in the ledger: they are added; maybe you meant {names}"),
}


def _department_kind(name: str) -> str:
    if re.search(r"(人民政府|政府)$", name):
        return "county"
    if re.search(r"(管委会|管理委员会|开发区|园区)$", name):
        return "zone"
    if re.search(r"(供电|电力|燃气|水务|自来水|热力|通信)", name):
        return "utility"
    return "department"


# ---- the problems of a row ----------------------------------------------------------------------------------

#: Problems cells that say the deal's problems are solved (compared folded, end punctuation aside).
SOLVED = frozenset({"已解决", "已办结", "已协调解决", "问题已解决", "已全部解决", "均已解决", "已处理", "已处理完毕"})
#: Quoted of a problem's text in a message, at most (a county's problem cell runs to hundreds of characters).
QUOTED = 20
_END_MARKS = "。．.，,；;！!、 "


def problem_word(text: str) -> str | None:
    """What a problem item says if it is no problem: "none" (无。, 暂无问题), "solved" (已解决, 已办结 …), else None."""
    said = name_key(text).strip(_END_MARKS)
    if said in BLANKS:
        return "none"
    return "solved" if said in SOLVED else None


def _quoted(text: str) -> str:
    return text if len(text) <= QUOTED else text[:QUOTED] + "…"


def problem_department(item: ProblemItem, lead: str | None, resolver: _Resolver) -> str:
    """The department a problem of the file goes to: the first it names, else the deal's lead unit; refused if
    neither (a problem is always some department's to solve)."""
    named = unit_names(item.department) if item.department else []
    department = named[0] if named else lead
    if not department:
        err = InvalidInput(
            _(
                "The problem “{text}” names no responsible department, and the deal has no lead unit (牵头单位): add a "
                "责任单位 column (or --map a column to 牵头单位), or write 【责任单位：…】 after the problem"
            ).format(text=_quoted(item.text))
        )
        err.import_code, err.import_field = "blocker_department", "blockers"
        raise err
    return resolver.department(department, "blockers")


def problem_keys(item: ProblemItem) -> set[str]:
    """What a blocker of the ledger is matched with a problem of the file by: its text's key, and the key of the
    problem as written (the text an earlier import kept, before the unit or deadline at its end was read)."""
    return {name_key(item.text), name_key(item.written or item.text)}


def new_problems(row: RowPlan, values: dict, signed_on, resolver: _Resolver, on: datetime.date):
    """(item, department name, raised) of each problem a new deal gets (its lead unit owns those naming none);
    `on` is the sheet's date. 无 and 已解决 are no problem."""
    known: set[str] = set()
    for item in row.problems:
        if problem_keys(item) & known or problem_word(item.text) is not None:
            continue
        department = problem_department(item, values.get("lead_unit"), resolver)
        yield item, department, item.raised or raised_default(item, signed_on, on)
        known |= problem_keys(item)


def add_problems(deal: Deal, row: RowPlan, values: dict, resolver: _Resolver, actor, on: datetime.date) -> int:
    """Give `deal` the row's problems it does not have (raised on the sheet's date `on` unless written); how many."""
    if not row.problems:
        return 0
    # a voided blocker was entered by mistake: the sheet naming its text again adds it anew
    mine = (Blocker.deal == deal) & Blocker.voided_at.is_null(True)
    known = {name_key(t) for (t,) in Blocker.select(Blocker.text).where(mine).tuples()}
    added = 0
    for item in row.problems:
        if problem_keys(item) & known or problem_word(item.text) is not None:
            continue
        lead = values.get("lead_unit") or (deal.lead_unit.name if deal.lead_unit else None)
        department = problem_department(item, lead, resolver)
        raised = item.raised or raised_default(item, deal.signed_on, on)
        blocker_ops.add_blocker(deal.code, item.text, department, due=item.due, raised=raised, actor=actor)
        known |= problem_keys(item)
        added += 1
    return added


def resolve_solved(deal: Deal, row: RowPlan, on: datetime.date, actor: str, resolved: dict, report: Report) -> bool:
    """已解决 (已办结 …) in the row's problems: the deal's open problems the row does not name again are resolved on
    the sheet's date `on`, with a note saying so, each kept in `resolved` as it was (for revert). Whether any was."""
    if not any(problem_word(item.text) == "solved" for item in row.problems):
        return False
    named = {key for item in row.problems if problem_word(item.text) is None for key in problem_keys(item)}
    texts = []
    for blocker in (
        Blocker.select()
        .where((Blocker.deal == deal.id) & Blocker.resolved_on.is_null(True) & Blocker.voided_at.is_null(True))
        .order_by(Blocker.id)
    ):
        if name_key(blocker.text) in named:
            continue
        resolved.setdefault(blocker.id, records.blocker_snapshot(blocker))
        note = _("Import: the sheet says it is resolved")
        blocker_ops.resolve_blocker(blocker.id, note=note, on=max(on, blocker.raised_on), actor=actor)
        texts.append(blocker.text)
    if texts:
        report.blockers_resolved += len(texts)
        report.changes.append((row.row, deal.code, "blockers", "、".join(texts), _("resolved")))
    return bool(texts)


def raised_default(item: ProblemItem, signed_on: datetime.date | None, on: datetime.date) -> datetime.date:
    """When a problem's raising date is not written: the sheet's date `on`, unless its due date is earlier."""
    if item.due is None or item.due >= on:
        return on
    if signed_on and signed_on <= item.due:
        return signed_on
    return item.due
