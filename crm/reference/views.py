"""Reference data as plain values for screens and the CLI (no database rows leave crm/)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from crm.reference import registry


@dataclass(frozen=True)
class EventInfo:
    """A signing event as lists and choosers show it."""

    id: int
    name: str
    held_on: datetime.date | None
    place: str

    @property
    def label(self) -> str:
        """The name, with the year it was held in brackets when known."""
        return f"{self.name} ({self.held_on.year})" if self.held_on else self.name


def event_infos() -> list[EventInfo]:
    """Every event, as registry.events orders them."""
    return [EventInfo(e.id, e.name, e.held_on, e.place) for e in registry.events()]


def department_names() -> list[str]:
    """The name of every department, as registry.departments orders them."""
    return [d.name for d in registry.departments()]
