"""Departments, events and people a file names: matched exactly first, created when missing."""

from __future__ import annotations

import datetime
import re

from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import _
from crm.foundation.text import folded
from crm.importing.report import Report
from crm.reference import registry
from db.models import Department, Event, Person

# A name ending like an official one is taken as complete: matched exactly or created, never
# as part of a longer name (保定市商务局 is not 保定市商务局开发区分局).
_FULL_DEPARTMENT = re.compile(r"(局|委|委员会|政府|公司|管委会|办公室|办|中心|院|所|集团|厅|部|处|科|站|队)$")
_FULL_EVENT = re.compile(r"(会|节|论坛|峰会|活动|周|展)$")


class _Resolver:
    """Matches departments, events and people named in the file, creating the missing ones.

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
        self.people: set[str] = set()
        self._made: list = []  # (cache, key, report list or None) of the current row
        self._by_folded: dict | None = None
        self.file_names: set[str] = set()  # department names the file writes (folded): never matched by containment

    def start_row(self) -> None:
        self._made = []

    def forget_row(self) -> None:
        """Forget what the current row created (its savepoint was rolled back)."""
        for cache, key, listed in self._made:
            if isinstance(cache, dict):
                cache.pop(key, None)
            else:
                cache.discard(key)
            if listed is not None and key in listed:
                listed.remove(key)
        self._made = []

    def department(self, name: str) -> str:
        """The exact name of the department `name` means (created if there is none)."""
        if name in self.departments:
            return self.departments[name]
        exact = self._folded_department(name)
        key = folded(name)
        if exact is None and (
            _FULL_DEPARTMENT.search(name) or any(key in other for other in self.file_names if other != key)
        ):
            pass  # a complete name, or part of another name the file writes (责任单位1 beside 责任单位10): exact only
        elif exact is None:
            matches = list(Department.select(Department.name).where(Department.name.contains(name)).limit(6))
            if len(matches) == 1:
                exact = matches[0]
            elif len(matches) > 1:
                raise InvalidInput(
                    _("Department {name!r} matches several: {names}; write the full name").format(
                        name=name, names="、".join(m.name for m in matches[:5])
                    )
                )
        listed = None
        if exact is None:
            with self.paused():
                exact = registry.add_department(name, kind=_department_kind(name), actor=self.actor)
            self.report.departments_created.append(name)
            listed = self.report.departments_created
            if self._by_folded is not None:
                self._by_folded[folded(name)] = name
        self.departments[name] = exact.name
        self._made.append((self.departments, name, listed))
        return exact.name

    def _folded_department(self, name: str):
        """The department named `name` after width, space and case folding (全角 and half-width alike), or None."""
        if self._by_folded is None:
            self._by_folded = {folded(n): n for (n,) in Department.select(Department.name).tuples()}
        found = self._by_folded.get(folded(name))
        return Department.get_or_none(Department.name == found) if found else None

    def event(self, name: str, day: datetime.date | None) -> str:
        """The exact name of the event `name` means (created, dated `day`, if there is none)."""
        if name in self.events:
            return self.events[name]
        found = list(Event.select().where(Event.name == name))
        if not found and not _FULL_EVENT.search(name):
            # A short name (廊坊 → 中国·廊坊国际经济贸易洽谈会) of an event held that day, or undated.
            found = [
                e
                for e in Event.select().where(Event.name.contains(name)).limit(20)
                if day is None or e.held_on is None or e.held_on == day
            ]
        if len(found) > 1 and day is not None:
            same_day = [e for e in found if e.held_on == day]
            found = same_day or found
        names = {e.name for e in found}
        if len(names) > 1:
            raise InvalidInput(
                _("Event {name!r} matches several: {names}; write the full name").format(
                    name=name, names="、".join(sorted(names)[:5])
                )
            )
        listed = None
        if not found:
            with self.paused():
                registry.add_event(name, held_on=day)
            self.report.events_created.append(name)
            listed = self.report.events_created
            chosen = name
        else:
            chosen = found[0].name
            if Event.select().where(Event.name == chosen).count() > 1:
                # Core limitation: deal fields name an event by its name only, which
                # means the newest edition of a recurring fair.
                newest = Event.select().where(Event.name == chosen).order_by(Event.held_on.desc()).first()
                if day is not None and newest.held_on != day and any(e.held_on == day for e in found):
                    raise InvalidInput(
                        _(
                            "Event {name!r} was held more than once; a deal can only be linked to its latest edition "
                            "({day}) by name"
                        ).format(name=chosen, day=newest.held_on)
                    )
        self.events[name] = chosen
        self._made.append((self.events, name, listed))
        return chosen

    def person(self, name: str) -> None:
        """Note `name` among the people the import creates when nobody has that name yet."""
        if name in self.people:
            return  # an earlier row named them: they exist now (created with that row's deal)
        listed = None
        if not Person.select().where(Person.name == name).exists():
            self.report.people_created.append(name)
            listed = self.report.people_created
        self.people.add(name)
        self._made.append((self.people, name, listed))


def _department_kind(name: str) -> str:
    if re.search(r"(人民政府|政府)$", name):
        return "county"
    if re.search(r"(管委会|管理委员会|开发区|园区)$", name):
        return "zone"
    if re.search(r"(供电|电力|燃气|水务|自来水|热力|通信)", name):
        return "utility"
    return "department"
