"""What an import did (or, with dry_run, would do): the Report the CLI and the TUI show."""

from __future__ import annotations

import marshal
import os
import tempfile
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice

from crm.deals.trail import shown_value
from crm.importing.headers import field_label

#: Items a Spilled list keeps in memory (the CLI lists the first 20 deals); the rest go to a temporary file.
KEPT = 1000
#: Items past KEPT written to the file at a time.
_WRITE_AT = 1024


class Spilled(Sequence):
    """A list of tuples of str, int and None that keeps its first KEPT items in memory and the others on disk.

    A first import of a million rows lists a million created deals; the CLI shows the first few and their
    count, the JSON report and the TUI read them all (back from the file, in order). Compares equal to a
    list of the same items.
    """

    def __init__(self, items=()):
        self._head: list = []
        self._tail: list = []  # items past KEPT not yet written (written _WRITE_AT at a time)
        self._file = None
        self._spilled = 0  # items written to the file
        self._batches: list[tuple[int, int]] = []  # (offset, size) of each batch written
        self._lock = threading.Lock()  # the file's position, shared by writing and every iteration
        for item in items:
            self.append(item)

    def append(self, item: tuple) -> None:
        """Add `item` at the end."""
        if len(self._head) < KEPT:
            self._head.append(item)
            return
        self._tail.append(item)
        if len(self._tail) >= _WRITE_AT:
            self._write()

    def _write(self) -> None:
        data = marshal.dumps(self._tail)
        with self._lock:
            if self._file is None:
                self._file = tempfile.TemporaryFile()
            self._file.seek(0, os.SEEK_END)  # an iteration may have read since the last batch
            self._batches.append((self._file.tell(), len(data)))
            self._file.write(data)
        self._spilled += len(self._tail)
        self._tail = []

    def __len__(self) -> int:
        return len(self._head) + self._spilled + len(self._tail)

    def __iter__(self) -> Iterator[tuple]:
        yield from self._head
        if self._file is not None:
            yield from self._written()
        yield from list(self._tail)

    def _written(self) -> Iterator[tuple]:
        # Each iteration reads the batches at their own offsets (iterations may overlap); marshal.loads on a
        # batch's bytes, as marshal.load on the file would read it a few bytes a call.
        for offset, size in list(self._batches):
            with self._lock:
                self._file.seek(offset)
                data = self._file.read(size)
            yield from marshal.loads(data)

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if stop <= len(self._head) and step > 0:
                return self._head[index]
            return list(islice(self, start, stop, step)) if step > 0 else list(self)[index]
        if index < 0:
            index += len(self)
        if 0 <= index < len(self._head):
            return self._head[index]
        if not 0 <= index < len(self):
            raise IndexError(index)
        return next(islice(self, index, None))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (Spilled, list, tuple)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    def __repr__(self) -> str:
        return repr(list(self))


@dataclass
class Report:
    """What an import did (or, with dry_run, would do)."""

    source: str
    sheet: str
    dry_run: bool
    written: bool = False
    header_row: int | None = None
    columns: dict = field(default_factory=dict)  # field -> header label
    ignored_columns: list = field(default_factory=list)
    header_labels: list = field(default_factory=list)  # every column's header, in the sheet's order
    guesses: dict = field(default_factory=dict)  # an unused column's header -> the field it most resembles
    rows_read: int = 0
    created: Spilled = field(default_factory=Spilled)  # (row, code, name), past KEPT on disk
    updated: list = field(default_factory=list)  # (row, code, name, [fields])
    unchanged: list = field(default_factory=list)  # (row, code)
    skipped: list = field(default_factory=list)  # (row, reason code)
    stage_changes: int = 0
    blockers_added: int = 0
    blockers_resolved: int = 0  # open problems a row's 已解决 (已办结 …) resolved
    departments_created: list = field(default_factory=list)
    events_created: list = field(default_factory=list)
    people_created: list = field(default_factory=list)
    totals_checked: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    notices: list = field(default_factory=list)
    warnings: list = field(default_factory=list)  # Problem: said, nothing refused
    changes: list = field(default_factory=list)  # (row, code, field, old, new) of each field an update changes
    currencies: dict = field(default_factory=dict)  # code -> (currency before, after) of a deal whose amount changed
    progress_added: int = 0
    funds_added: list = field(default_factory=list)  # (row, code, amount text) of each difference recorded
    invest_columns: dict = field(default_factory=dict)  # header label -> what it is read as (investment_columns)
    plans_set: list = field(default_factory=list)  # (row, code, year, amount text) of each year's plan set
    investments_set: list = field(default_factory=list)  # (row, code, YYYY-MM, amount text) of each month set
    import_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @staticmethod
    def listed(names: Sequence[str]) -> str:
        """Names as a line lists them, each in 「」: two never read as one (a name may hold 、 or a space)."""
        return "".join(f"「{name}」" for name in names)

    def changes_shown(self, limit: int | None = None) -> list[tuple]:
        """(row, code, field's label, old, new) of each change (the first `limit`), as people read them: stages and
        flags by their names, amounts in 亿/万 with the deal's currency, an empty value as ∅."""

        def shown(code: str, field_name: str, value, when: int) -> str:
            currency = self.currencies.get(code, ("CNY", "CNY"))[when]
            text = None if value is None else shown_value(field_name, str(value), currency)
            return "∅" if text in (None, "") else str(text)

        return [(r, c, field_label(f), shown(c, f, o, 0), shown(c, f, n, 1)) for r, c, f, o, n in self.changes[:limit]]

    def as_json(self) -> dict:
        return {
            "source": self.source,
            "sheet": self.sheet,
            "dry_run": self.dry_run,
            "written": self.written,
            "header_row": self.header_row,
            "columns": self.columns,
            "ignored_columns": self.ignored_columns,
            "unused_columns": [{"column": c, "guess": self.guesses.get(c)} for c in self.ignored_columns],
            "rows_read": self.rows_read,
            "created": [{"row": r, "code": c, "name": n} for r, c, n in self.created],
            "updated": [{"row": r, "code": c, "name": n, "fields": f} for r, c, n, f in self.updated],
            "unchanged": [{"row": r, "code": c} for r, c in self.unchanged],
            "skipped": [{"row": r, "reason": why} for r, why in self.skipped],
            "stage_changes": self.stage_changes,
            "blockers_added": self.blockers_added,
            "blockers_resolved": self.blockers_resolved,
            "departments_created": self.departments_created,
            "events_created": self.events_created,
            "people_created": self.people_created,
            "totals_checked": [{"row": r, "column": c, "total": t, "sum": s} for r, c, t, s in self.totals_checked],
            "problems": [
                {"row": p.row, "column": p.column, "value": p.value, "code": p.code, "message": p.message}
                for p in self.problems
            ],
            "notices": self.notices,
            "warnings": [
                {"row": p.row, "column": p.column, "value": p.value, "code": p.code, "message": p.message}
                for p in self.warnings
            ],
            "changes": [{"row": r, "code": c, "field": f, "old": o, "new": n} for r, c, f, o, n in self.changes],
            "progress_added": self.progress_added,
            "funds_added": [{"row": r, "code": c, "amount": a} for r, c, a in self.funds_added],
            "plans_set": [{"row": r, "code": c, "year": y, "amount": a} for r, c, y, a in self.plans_set],
            "investments_set": [{"row": r, "code": c, "month": m, "amount": a} for r, c, m, a in self.investments_set],
            "import_id": self.import_id,
        }
