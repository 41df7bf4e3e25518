"""Which deals a list, a KPI cohort or an export covers: one filter, one place.

Text filters match by substring (`event="廊坊"` matches
中国·廊坊国际经济贸易洽谈会); `region` matches by county-level division
(crm.reference.regions: 涿州 = 涿州市, 清苑县 = 清苑区, 安新 is not 雄安新区;
a name the national table does not know by substring); `department` matches
a deal's lead unit or any of its supporting departments; `year` is the
signing year. Archived deals (crm.deals.corrections) are left out unless
`archived` is set.
"""

import datetime
from dataclasses import dataclass, fields

from peewee import fn

from crm.deals.archived import archived_exist
from crm.deals.stages import parse_stage
from crm.foundation.errors import InvalidInput, NotFound
from crm.foundation.i18n import _
from crm.listing import search
from crm.listing.search import regions_containing
from crm.listing.search_join import joining
from crm.reference import regions
from db.models import Deal, DealDepartment, DealTag, Department, Event, Person, Tag


@dataclass(frozen=True)
class DealFilter:
    stage: str | None = None
    event: str | None = None
    region: str | None = None
    department: str | None = None
    industry: str | None = None
    year: int | None = None
    search: str | None = None
    liaison: str | None = None  # 包联领导, any part of the name
    tag: str | None = None  # exact tag name
    archived: bool = False  # True: archived deals too

    def is_empty(self) -> bool:
        """True when the filter names nothing but (perhaps) archived deals."""
        return all(_unset(getattr(self, f.name)) for f in fields(self))

    def describe(self) -> list[tuple[str, str]]:
        """(field, value) pairs of the filters that are set, for report headers."""
        return [(f.name, str(getattr(self, f.name))) for f in fields(self) if not _unset(getattr(self, f.name))]

    def check_names(self) -> "DealFilter":
        """Refuse (NotFound) an event or department filter that names nothing in the ledger.

        A typo in `--event` would otherwise report an empty cohort as if it were true.
        """
        for text, model, what in (
            (self.event, Event, _("event")),
            (self.department, Department, _("department")),
            (self.liaison, Person, _("liaison leader")),
        ):
            if text and not model.select().where(model.name.contains(text.strip())).exists():
                known = "、".join(m.name for m in model.select(model.name).order_by(model.name).limit(8))
                raise NotFound(
                    _("No {what} matches {text!r}; known: {known}").format(
                        what=what, text=text, known=known or _("none yet")
                    )
                )
        if self.tag and not Tag.select().where(Tag.name == self.tag.strip()).exists():
            known = "、".join(t.name for t in Tag.select(Tag.name).order_by(Tag.name).limit(8))
            raise NotFound(
                _("No {what} matches {text!r}; known: {known}").format(
                    what=_("tag"), text=self.tag, known=known or _("none yet")
                )
            )
        return self

    def condition(self):
        """A Peewee condition on Deal, or None for no filter."""
        parts = self.named_parts()
        if not self.archived and archived_exist():
            # only when some deal is archived, so that the kept totals still answer the whole ledger
            parts.append(self.unarchived())
        if not parts:
            return None
        condition = parts[0]
        for part in parts[1:]:
            condition &= part
        return condition

    def unarchived(self):
        """The condition that leaves archived deals out (a subclass may let some through)."""
        return Deal.archived_on.is_null(True)

    def named_parts(self) -> list:
        """The conditions of the fields that are set, archived deals aside (refuses a bad stage or year)."""
        parts = []
        if self.stage:
            parts.append(Deal.stage == parse_stage(self.stage).key)
        if self.region:
            parts.append(region_condition(Deal.region, self.region.strip(), indexed=True))
        if self.industry:
            text = self.industry.strip()
            parts.append(Deal.industry.contains(text) | Deal.sub_industry.contains(text))
        if self.year:
            year = int(self.year)
            if not datetime.MINYEAR <= year <= datetime.MAXYEAR:
                raise InvalidInput(_("The year {year} is out of range").format(year=self.year))
            parts.append(Deal.signed_on.between(datetime.date(year, 1, 1), datetime.date(year, 12, 31)))
        if self.event:
            events = Event.select(Event.id).where(Event.name.contains(self.event.strip()))
            parts.append(Deal.event.in_(events))
        if self.department:
            departments = Department.select(Department.id).where(Department.name.contains(self.department.strip()))
            supported = DealDepartment.select(DealDepartment.deal).where(DealDepartment.department.in_(departments))
            parts.append(Deal.lead_unit.in_(departments) | Deal.id.in_(supported))
        if self.liaison:
            people = Person.select(Person.id).where(Person.name.contains(self.liaison.strip()))
            parts.append(Deal.liaison.in_(people))
        if self.tag:
            tagged = DealTag.select(DealTag.deal).join(Tag).where(Tag.name == self.tag.strip())
            parts.append(Deal.id.in_(tagged))
        text = search.matches(self.search or "")
        if text is not None:
            parts.append(text)
        return parts

    def apply(self, query, join_search: bool = False):
        """`query` (a select on Deal) narrowed to this filter; `join_search`: with SQLite's search table joined
        where the search is narrowed by it (crm.listing.search_join), for a query that reads each match once."""
        if not join_search:
            condition = self.condition()
        else:
            with joining() as join:
                condition = self.condition()
            query = join.joined(query)
        return query if condition is None else query.where(condition)


def region_condition(column, text: str, indexed: bool = False):
    """A condition on a region `column`: in the county-level division `text` names (see the module's doc).

    Its spellings (涿州市, 涿州), each alone or followed by a bracketed remark; a name the national table does
    not know matches as a substring, through the region index where `indexed` (the deal table's column).
    """
    names = regions.spellings(text)
    if names is None:
        return column.in_(regions_containing(text)) if indexed else column.contains(text)
    condition = column.in_(names)
    for name in names:
        condition |= column.startswith(name + "(") | column.startswith(name + "（")
    return condition


def _unset(value) -> bool:
    return value is None or value == "" or value is False


#: Is any deal archived? A condition, for queries that ask it on the way (one index look-up).
ARCHIVED_EXIST = Deal.archived_on.is_null(False)


def any_archived():
    """SQL: 1 when some deal is archived, else 0 (a column of a query that must not answer then)."""
    return fn.EXISTS(Deal.select(Deal.id).where(ARCHIVED_EXIST).limit(1))
