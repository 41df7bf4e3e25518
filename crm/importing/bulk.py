"""New deals of an import, checked one by one as create_deal checks them and written in batches.

create_deal costs a savepoint and about a dozen queries per deal: far too
slow for a bureau's 100,000-row ledger of many years. Here each new deal is
checked with create_deal's own parts (crm.deals.records.check_new, parse_fields,
initial_stage, new_deal_row) and kept until `flush()`, which writes the
deals, their first stage-ledger entries, supporting departments, blockers
and audit entries with a few multi-row INSERTs per thousand deals, inside
the import's transaction. The rows written are the ones create_deal,
set_supporting and add_blocker would write; only ids (allocated in the same
order) and timestamps (taken once per batch) may differ.

What create_deal looks up per deal is looked up once per value: an event, a
department or a person by name, the next code of a year, the exchange rates
of a currency, the pinyin of a word (crm.listing.initials). The kept totals
(db/migrations 0002 on SQLite, 0005 on PostgreSQL) and the SQLite search
index are maintained by row triggers, which multi-row INSERTs fire for each
row as single ones do; into an empty SQLite ledger the as-of totals' triggers,
the search index's and the deal table's plain indexes are set aside (the totals
and the search index filled after the batches, `after_batch`; the indexes
rebuilt at the end: crm.importing.aside).
"""

from __future__ import annotations

import bisect
import contextlib
import datetime
import operator
import queue
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from crm.deals import records as deals
from crm.deals.fields import BY_KEY, parse_fields, person_named
from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import _
from crm.foundation.text import clean_text
from crm.importing.cells import amount_text
from crm.importing.inserts import default_of, fields_of, insert_statements
from crm.listing.initials import MemoInitials
from crm.reference import fx
from crm.reference.lookup import department_by_name, event_by_name
from crm.values.money import Money
from db import supporting_ids
from db.bulk_writes import Ahead, statements_runner
from db.connection import as_ledger_error
from db.dialects import dialect_of
from db.kept_totals import ANALYSE_WRITTEN
from db.models import AuditEntry, Blocker, Deal, DealDepartment, FxRate, StageChange, database

#: Deals written per batch (and per INSERT statement, parameters allowing).
BATCH = 1000
#: PostgreSQL: deals written before the import first takes statistics of the tables it writes (NewDeals._analyse).
ANALYSE_FIRST = 2 * BATCH
_LOOKUPS = {"event": event_by_name, "lead_unit": department_by_name, "liaison": person_named}
#: What a written deal keeps of its columns (they are in the database now): nothing.
_WRITTEN: dict = {}
#: Text fields whose values seldom repeat: not worth remembering (read as parse_fields reads a text field).
_UNIQUE = {"name", "investor", "notes", "responsibility_plan"}


@dataclass(slots=True)
class NewDeal:
    """A deal checked and waiting to be written; `id` is set when it is."""

    code: str
    name: str
    signed_on: datetime.date | None
    event_id: int | None
    event_name: str | None
    columns: dict
    departments: list = field(default_factory=list)  # supporting Department ids, in order, once each
    blockers: list = field(default_factory=list)  # (text, Department id, raised, due)
    id: int | None = None


class NewDeals:
    """The deals an import creates: `check` each, `add` it, `flush` to write what was added."""

    def __init__(self, actor: str):
        self.actor = actor
        self.today = datetime.date.today()  # what create_deal takes as today
        self.pending: list[NewDeal] = []
        self.codes = _Codes()
        self.rates = _Rates()
        self.terms = MemoInitials()
        self._found: dict = {}
        self._parsed: dict = {}
        self._labels: dict = {}  # text field -> (label, max_length, required, multiline), for _text
        self._seen: dict = {f: {} for f in _LOOKUPS}  # field -> {text: what _lookup found for it}
        self._amount_texts: dict = {}  # id(Money) -> (the Money, its amount_text)
        self.behind: _Behind | None = None
        self._flushed = 0  # deals written by flush so far
        self._analyse_at = ANALYSE_FIRST  # PostgreSQL: the count of deals written at which statistics are next taken
        self.after_batch: Callable[[list[int]], list] | None = None  # a batch's ids, in order -> statements after it
        self.reached_later: Callable[[], None] | None = None  # told before after_batch of a deal with two entries

    # ---- checking -------------------------------------------------------------

    def check(
        self,
        values: dict,
        stage: str | None,
        supporting: list[str],
        code: str | None,
        money: Money | None = None,
        reached: datetime.date | None = None,
    ) -> NewDeal:
        """The deal create_deal(values, stage, supporting, code, reached=reached) would create; raises what it would
        raise.

        `money`, when given, is the Money the amount's text was written from (amount_text): not read again.
        """
        deals.check_new(values)
        parsed = self._parse(values, money)
        initial, since = deals.initial_stage(parsed, stage, self.today, reached)
        departments = list(dict.fromkeys(self._lookup("lead_unit", name).id for name in supporting))
        deals.check_supporting_count(len(departments))
        deal_code = code or self.codes.next((parsed.get("signed_on") or self.today).year)
        columns = deals.new_deal_row(
            parsed,
            deal_code,
            initial,
            since,
            self.actor,
            self.today,
            convert=self.rates.convert,
            index_terms=self.terms.index_terms,
        )
        columns[supporting_ids.COLUMN] = supporting_ids.ids_text(departments)
        event = columns.get("event")
        return NewDeal(
            code=deal_code,
            name=columns["name"],
            signed_on=columns.get("signed_on"),
            event_id=event.id if event else None,
            event_name=event.name if event else None,
            columns=columns,
            departments=departments,
        )

    def check_blocker(
        self, deal: NewDeal, text: str, department: str, due: datetime.date | None, raised: datetime.date
    ) -> None:
        """Give `deal` the blocker crm.deals.blockers.add_blocker would record, refusing what it refuses."""
        text = clean_text(text, _("Blocker"), max_length=2000, required=True, multiline=True)
        if due is not None and due < raised:
            raise InvalidInput(
                _("The due date {due} is before the day the blocker was raised ({raised})").format(
                    due=due.isoformat(), raised=raised.isoformat()
                )
            )
        deal.blockers.append((text, self._lookup("lead_unit", department).id, raised, due))

    def _parse(self, values: dict, money: Money | None = None) -> dict:
        """parse_fields(values), each event, department, person and repeated value parsed once.

        parse_fields reads the fields in order and raises at the first one it
        refuses: read one at a time, the same one is refused first.
        """
        parsed = {}
        for f, raw in values.items():
            if f in _LOOKUPS:
                parsed[f] = self._lookup(f, raw)
            elif f == "amount" and money is not None and raw == self._amount_text(money):
                parsed.update(amount=money.amount, currency=money.currency, amount_approximate=money.approximate)
            elif f in _UNIQUE:
                parsed[f] = self._text(f, raw)
            else:
                key = (f, raw)
                found = self._parsed.get(key)
                if found is None:
                    found = self._parsed[key] = parse_fields({f: raw})
                parsed.update(found)
        return parsed

    def next_rows(self) -> None:
        """The rows checked next are another chunk's: what was remembered of the last chunk's amounts is let go
        (each chunk reads its amounts into Money objects of its own: kept, they grew with the file)."""
        self._amount_texts = {}

    def _amount_text(self, money: Money) -> str:
        """amount_text(money), once per Money object (the rows of one amount cell share theirs)."""
        found = self._amount_texts.get(id(money))
        if found is None or found[0] is not money:
            found = self._amount_texts[id(money)] = (money, amount_text(money))  # kept: its id stays its own
        return found[1]

    def _text(self, field_name: str, raw) -> str:
        """parse_fields({field_name: raw})[field_name] of a text field, its label translated once per import."""
        found = self._labels.get(field_name)
        if found is None:
            spec = BY_KEY[field_name]
            found = self._labels[field_name] = (_(spec.label), spec.max_length, spec.required, spec.multiline)
        label, max_length, required, multiline = found
        return clean_text(raw, label, max_length=max_length, required=required, multiline=multiline)

    def look_up(self, values: dict, supporting: list[str]) -> None:
        """Look up (remember) the event, lead unit, liaison and `supporting` departments `check` would."""
        for f in _LOOKUPS:
            if f in values:
                self._lookup(f, values[f])
        for name in supporting:
            self._lookup("lead_unit", name)

    def _lookup(self, field_name: str, raw):
        seen = self._seen[field_name]  # the same text of the same field: what it found before, in one look-up
        found = seen.get(raw) if type(raw) is str else None
        if found is not None:
            return found
        if raw is None or str(raw).strip() == "":
            return None
        key = (_LOOKUPS[field_name], str(raw))
        found = self._found.get(key)
        if found is None:
            with self.paused():  # person_named creates the people named first here
                found = self._found[key] = key[0](key[1])
        if type(raw) is str:
            seen[raw] = found
        return found

    # ---- writing --------------------------------------------------------------

    def add(self, deal: NewDeal) -> None:
        """Keep a checked deal for the next flush; its code counts as taken from now on."""
        self.pending.append(deal)
        self.codes.taken(deal.code)

    def flush(self) -> list[NewDeal]:
        """Write the deals added since the last flush (with their ledger, departments, blockers, audit).

        Within `write_behind` only: the INSERTs are handed to its writer and
        may still be running when this returns: `wait()` for them.
        """
        batch, self.pending = self.pending, []
        if not batch:
            return batch
        now = datetime.datetime.now().replace(microsecond=0)
        statements = []
        columns = [f for f in Deal._meta.sorted_fields if not f.primary_key]
        defaults = {f.name: default_of(f) for f in columns}
        columns.append(supporting_ids.FIELD)  # kept by triggers, which skip the departments a new deal's row lists
        defaults[supporting_ids.COLUMN] = ""
        # Each deal's values in column order, the defaults under what it gives, at C speed (no loop per column).
        values = operator.itemgetter(*defaults)
        rows = [values({**defaults, **d.columns}) for d in batch]
        for d, ident in zip(batch, self._written(Deal, columns, rows, statements)):
            d.id = ident
        firsts = [
            deals.first_entries(d.columns["stage"], d.columns.get("signed_on"), d.columns["stage_since"]) for d in batch
        ]
        statements += insert_statements(
            StageChange,
            fields_of(
                StageChange, "deal", "from_stage", "to_stage", "effective_on", "recorded_at", "recorded_by", "note"
            ),
            [(d.id, *entry, now, self.actor, "") for d, entries in zip(batch, firsts) for entry in entries],
        )
        statements += insert_statements(
            DealDepartment,
            fields_of(DealDepartment, "deal", "department"),
            [(d.id, dept) for d in batch for dept in d.departments],
        )
        entries = [(now, self.actor, "deal", d.id, "created", None, d.code) for d in batch]
        # A stage reached after signing is a change from 签约, audited as change_stage audits one (as create_deal does).
        entries += [
            (now, self.actor, "deal", d.id, "stage", *ledger[-1][:2])
            for d, ledger in zip(batch, firsts)
            if len(ledger) > 1
        ]
        rows = [
            (d.id, text, dept, raised, due, "", 1, now, self.actor)
            for d in batch
            for text, dept, raised, due in d.blockers
        ]
        if rows:
            fields = fields_of(
                Blocker,
                "deal",
                "text",
                "department",
                "raised_on",
                "due_on",
                "resolution",
                "version",
                "updated_at",
                "updated_by",
            )
            ids = self._written(Blocker, fields, rows, statements)
            entries += [(now, self.actor, "blocker", ident, "raised", None, row[1]) for ident, row in zip(ids, rows)]
        statements += insert_statements(
            AuditEntry, fields_of(AuditEntry, "at", "actor", "table", "row_id", "field", "old", "new"), entries
        )
        if self.after_batch is not None:
            if self.reached_later is not None and any(len(ledger) > 1 for ledger in firsts):
                self.reached_later()
            statements += self.after_batch([d.id for d in batch])
        self.write(statements)
        self._flushed += len(batch)
        if self._flushed >= self._analyse_at:
            self._analyse()
        for d in batch:
            d.columns, d.departments, d.blockers = _WRITTEN, (), ()  # in the statements now: memory for the next batch
        return batch

    def _analyse(self) -> None:
        """PostgreSQL: statistics of the tables migration 0012's statement triggers read, for the rows written so far.

        The triggers look up each batch's deals, ledger entries, funds and
        blockers; planned with the statistics of the tables before the import
        (none, for a first import), each batch scanned what the import had
        written so far, slower batch by batch (BENCHMARKS.md, "Import"). ANALYZE
        counts the import's own uncommitted rows; taken at 2,000, 8,000, 32,000 … deals.
        """
        db = database.obj
        if dialect_of(db).in_process:
            return
        self._analyse_at = self._flushed * 4
        self.write([(sql, ()) for sql in ANALYSE_WRITTEN])  # in the writer's queue: after the batches so far

    def _written(self, model, fields: list, rows: list, statements: list) -> list[int]:
        """The ids `rows` (values of `fields`) of `model` take, given ahead (see write_behind); their INSERT is
        added to `statements`."""
        ids = self._writer().ahead.take(model, len(rows))
        statements += insert_statements(model, [model._meta.primary_key, *fields], [(i, *r) for i, r in zip(ids, rows)])
        return ids

    def write(self, statements: list[tuple[str, tuple | list]]) -> None:
        """Have `statements` ((sql, parameters)) run after what was flushed, by the writer (see write_behind)."""
        self._writer().submit(statements)

    def _writer(self) -> _Behind:
        if self.behind is None:
            raise RuntimeError("NewDeals writes within write_behind() only")
        return self.behind

    # ---- writing behind -------------------------------------------------------

    @contextlib.contextmanager
    def write_behind(self):
        """Within: `flush` hands its INSERTs to a thread of their own, which writes a batch while the next is checked.

        An import is mostly Python, reading and checking rows, while the
        database spends its share (the INSERTs, the triggers and indexes
        they feed: SQLite's ~5 s of a 100,000-row import, PostgreSQL's
        server more) without holding the GIL. The thread uses the import's
        connection, so its writes are part of the import's transaction (the
        driver serialises the two threads' calls). It must fetch no rows
        (each row fetched waits for the checking thread to let go of the
        GIL), hence ids given ahead (db.bulk_writes.Ahead). Leaving the
        block waits for the writes (and raises what failed); an exception
        leaving it drops what was not written yet.
        """
        db = database.obj
        if self.behind is not None:
            yield
            return
        self.behind = _Behind(db)
        interval = sys.getswitchinterval()
        sys.setswitchinterval(min(interval, SWITCH_INTERVAL))
        try:
            yield
            self.wait()
        finally:
            sys.setswitchinterval(interval)
            self.behind.close()
            self.behind = None

    @contextlib.contextmanager
    def paused(self):
        """Within: the writer thread starts nothing, so that this thread may write too.

        A savepoint of this thread would otherwise take in (and, rolled back,
        undo) the writer's rows, and SQLite tells the rowid an INSERT took per
        connection, not per statement. New departments, events and people are
        written this way: once per name, mostly in the first batches.
        """
        with self._writer().lock:
            yield

    def wait(self) -> None:
        """Until the deals flushed so far are written; raises what failed writing them.

        Anything written meanwhile by others than `flush` (a deal created
        one by one) moves the ids on: they are counted afresh.
        """
        writer = self._writer()
        writer.wait()
        writer.ahead.recount()


#: How long (s) a thread holding the GIL keeps it from another that wants it, while writing behind: the writer
#: wants it back after each statement, and Python's default (5 ms) leaves it waiting (BENCHMARKS.md, "Import").
SWITCH_INTERVAL = 0.0005


class _Behind:
    """A thread running lists of INSERTs on the import's connection (db.bulk_writes.statements_runner), one list
    after another; `ahead` gives their rows' ids and binds them (db.bulk_writes.Ahead), in the importing thread."""

    def __init__(self, db):
        self.run = statements_runner(db)  # made here, in the importing thread: its connection is that thread's
        self.ahead = Ahead(db)
        self.work: queue.Queue = queue.Queue(maxsize=2)  # the checking runs at most two batches ahead
        self.error: Exception | None = None  # raised once; nothing more is written after it (the import is void)
        self.failed = False
        self.dropped = False
        self.lock = threading.Lock()  # held while a list runs; see NewDeals.paused
        self.thread = threading.Thread(target=self._run, name="import writer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while (statements := self.work.get()) is not None:
            try:
                with self.lock:
                    if not self.failed and not self.dropped:
                        self.run(statements)
            except Exception as exc:  # noqa: BLE001 — raised again in the importing thread
                self.error, self.failed = exc, True
            finally:
                self.work.task_done()
        self.work.task_done()

    def submit(self, statements: list) -> None:
        self._raise()
        self.work.put(self.ahead.bind(statements))

    def wait(self) -> None:
        self.work.join()
        self._raise()

    def close(self) -> None:
        self.dropped = True
        self.work.put(None)
        self.thread.join()
        self.ahead.close()

    def _raise(self) -> None:
        if self.error is not None:
            error, self.error = self.error, None
            raise as_ledger_error(error)


class _Codes:
    """crm.deals.records.next_code for many deals: the last code of each year read once, then counted on."""

    def __init__(self):
        self.last: dict[str, str | None] = {}  # prefix -> the code the next one follows
        self.written: dict[str, str] = {}  # prefix -> the latest code this import took under it
        self.prefixes: dict[int, str] = {}  # year -> code_prefix(year)
        self.given: dict[str, tuple[str, int]] = {}  # prefix -> (the code `next` gave last, its number)

    def next(self, year: int) -> str:
        prefix = self.prefixes.get(year)
        if prefix is None:
            prefix = self.prefixes[year] = deals.code_prefix(year)
        if prefix not in self.last:
            self.last[prefix] = _later(deals.last_code(prefix), self.written.get(prefix))
        last = self.last[prefix]
        given = self.given.get(prefix)
        if given is not None and given[0] == last:
            # code_after(prefix, the code given last), without its regular expression: the number after it
            number = given[1] + 1
            code = f"{prefix}{number:04d}"
        else:
            code = deals.code_after(prefix, last)
            number = int(code[len(prefix) :])  # code_after writes the prefix, then the number
        self.given[prefix] = (code, number)
        return code

    def taken(self, code: str) -> None:
        """Count `code` in, as next_code would see it once written (its prefix ends at its first dash)."""
        head, dash, _rest = code.upper().partition("-")
        if not dash:
            return
        prefix = head + dash
        self.written[prefix] = _later(self.written.get(prefix), code)
        if prefix in self.last:
            self.last[prefix] = _later(self.last[prefix], code)


def _later(a: str | None, b: str | None) -> str | None:
    """The one of two codes next_code would continue from: the longer, then the greater."""
    if a is None or b is None:
        return a or b
    return b if (len(b), b) > (len(a), a) else a  # max(a, b, key=...), without a call per comparison


class _Rates:
    """crm.reference.fx.convert for many deals: each currency's rates read once (the rate used is fx.rate_on's)."""

    def __init__(self):
        self.rates: dict[str, tuple[list, list]] = {}

    def convert(self, amount, currency: str, day: datetime.date):
        if currency == fx.CNY:
            return fx.to_cny(amount, None), None
        if currency not in self.rates:
            fx.hold_rates(currency)
            rates = list(
                FxRate.select()
                .where((FxRate.currency == currency) & FxRate.voided_at.is_null(True))
                .order_by(FxRate.on)
            )
            self.rates[currency] = ([r.on for r in rates], rates)
        days, rates = self.rates[currency]
        # The latest rate on or before `day`, as fx.rate_on chooses it; none: not converted yet (the report warns).
        at = bisect.bisect_right(days, day)
        if at == 0:
            return None, None
        return fx.to_cny(amount, rates[at - 1]), rates[at - 1]
