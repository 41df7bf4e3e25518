"""Departments, events and people a file names: matched exactly (folded), created when missing, never guessed."""

from __future__ import annotations

import datetime
import re

from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import _
from crm.foundation.text import folded
from crm.importing.report import Report
from crm.importing.rows import Problem
from crm.reference import registry
from db.models import Department, Event, Person

#: Names suggested for one that is not in the ledger (the preview's "可能是：…"), at most.
SUGGESTIONS = 5


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
        """Warn that `name` is new, naming the ledger's names that contain it or that it contains.

        Only names the ledger had before: the file's own names are each matched exactly.
        """
        key = folded(name)
        if (kind, key) in self._suggested or len(key) < 2:
            return
        self._suggested.add((kind, key))
        self._names(kind)
        alike = [n for k, n in self._before[kind].items() if k != key and (key in k or (len(k) >= 2 and k in key))]
        if not alike:
            return
        message = _SUGGESTION[kind]().format(name=name, names="、".join(sorted(alike, key=len)[:SUGGESTIONS]))
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
