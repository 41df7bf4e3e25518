"""Helpers shared by the concurrency, crash and backup tests.

- `cli`: run one `crm` command in this process, one connection per command;
- `storm_worker`: a process that keeps writing through the CLI what officers
  write (stage changes, edits, payments, investment, plans, progress, tags,
  blockers, archiving), for backups and crashes under load;
- `earlier_blocker`: a blocker written on a ledger stepped down before migration 0023;
- `since`: the migrations a test steps down and up again, from one on;
- `check_ledger`: everything a ledger must satisfy after any of that —
  integrity check, each deal's ledger one unbroken chain ending at its stage,
  each change whole (ledger entry + audit entry), KPIs equal to a
  recomputation from the rows, every kept total equal to its sum over the rows.
"""

import contextlib
import datetime
import io
import json
import os
import random
import threading
import time
import traceback
from collections import Counter
from decimal import Decimal

#: The regions a storm's edits move its deals between (the demo ledger's).
STORM_REGIONS = ["涿州市", "高碑店市", "安国市"]
STAGE_KEYS = ["negotiating", "signed", "registered", "construction", "operating", "stalled", "terminated"]


def cli(url, *args):
    """Run one `crm` command in this process: (exit code, stdout, stderr, traceback or None)."""
    from app import main
    from db.models import database

    out, err = io.StringIO(), io.StringIO()
    tb = None
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["--db", url, "--lang", "en", *[str(a) for a in args]])
    except BaseException:  # noqa: BLE001 — anything escaping main() is a bug we report
        code, tb = None, traceback.format_exc()
    finally:
        # One connection per command, as when `crm` runs from a shell.
        if database.obj is not None and not database.obj.is_closed():
            database.obj.close()
    return code, out.getvalue(), err.getvalue(), tb


def reuse_parser() -> None:
    """In a worker process: build the argument parser once instead of once per command.

    Building it costs about two thirds of an in-process command (argparse
    looks up its own gettext catalog on disk for every option), which has
    nothing to do with the database; the parse itself still runs every time.
    Only for worker processes, which all use --lang en.
    """
    import functools

    import cli.main

    if not hasattr(cli.main.build_parser, "cache_info"):
        cli.main.build_parser = functools.lru_cache(maxsize=1)(cli.main.build_parser)


def storm_worker(url, index, codes, departments, stop_file, result_path, seed, max_ops=100_000, ready_file=None):
    """Write to the ledger through the CLI until `stop_file` exists; record every outcome.

    What officers do to the same few deals at once (_storm_args). `ready_file` is created once the first
    command has finished (start-up is over).
    """
    reuse_parser()
    os.environ["CRM_USER"] = f"storm-{index}"
    rng = random.Random(seed)
    results, my_blockers = [], []
    n = 0
    while not os.path.exists(stop_file) and n < max_ops:
        n += 1
        args = _storm_args(url, rng, rng.choice(codes), f"s{index}-{n}", departments, my_blockers, results)
        if args is None:
            continue
        rc, out, err, tb = cli(url, *args)
        if args[:2] == ("blocker", "add") and rc == 0:
            my_blockers.append(out.strip())
        results.append({"args": [str(a) for a in args], "rc": rc, "err": err, "tb": tb})
        if ready_file and n == 1:
            open(ready_file, "w").close()
    with open(result_path, "w", encoding="utf-8") as fh:
        json.dump(results, fh)


def _storm_args(url, rng, code, tag, departments, my_blockers, results):
    """A storm's next command on deal `code` (its arguments), drawn by weight: stage changes and their undoing,
    edits (notes; a region or a signing date: the deal's funds and blockers move to another key), payments
    (some dated back in the year) and their voiding, investment completed, the year's plan, progress lines,
    tags, blockers raised and resolved (`my_blockers`: this worker's open ones), deals archived and restored.
    None when the `show` an edit of the notes or a void starts from failed (recorded in `results`), or the
    deal has no payment left to void."""
    year = datetime.date.today().year

    def raise_one():
        return ("blocker", "add", code, tag, "--department", rng.choice(departments))

    def resolve_one():
        return ("blocker", "resolve", my_blockers.pop(rng.randrange(len(my_blockers))), "--note", tag)

    def pay(*on):
        return ("funds", code, f"{rng.randint(1, 500)}万", "--note", tag, *on)

    choices = [
        (0.30, lambda: ("stage", code, rng.choice(STAGE_KEYS), "--note", tag)),
        (0.04, lambda: ("stage", code, "--undo", "--note", tag)),
        (0.10, lambda: _edit_notes(url, code, tag, results)),
        (0.05, lambda: ("edit", code, "--region", rng.choice(STORM_REGIONS))),
        (0.02, lambda: ("edit", code, "--signed", f"{year - rng.randint(0, 3)}-03-{rng.randint(1, 28):02d}")),
        (0.07, pay),
        (0.06, lambda: pay("--on", f"{year}-01-{rng.randint(1, 28):02d}")),
        (0.04, lambda: _void_a_payment(url, rng, code, tag, results)),
        (0.04, lambda: ("invest", code, f"{rng.randint(1, 900)}万", "--month", f"{year}-{rng.randint(1, 9):02d}")),
        (0.02, lambda: ("plan", code, str(year), f"{rng.randint(1, 9)}亿")),
        (0.02, lambda: ("progress", code, tag)),
        (0.02, lambda: ("tag", code, rng.choice(["重点", "外资", "省级"]))),
        (0.10, raise_one),
        (0.08, lambda: resolve_one() if my_blockers else raise_one()),
        (0.04, lambda: ("archive", code, "--note", tag)),
        (0.04, lambda: ("unarchive", code)),
    ]
    weights, makers = zip(*choices)
    return rng.choices(makers, weights)[0]()


def _shown(url, code, results) -> dict | None:
    """`crm show CODE --format json`, or None (the failure recorded in `results`)."""
    rc, out, err, tb = cli(url, "show", code, "--format", "json")
    if rc != 0:
        results.append({"args": ["show", code], "rc": rc, "err": err, "tb": tb})
        return None
    return json.loads(out)


def _void_a_payment(url, rng, code, tag, results):
    """`crm funds void ID --note TAG` of one of the deal's payments not voided yet, or None."""
    shown = _shown(url, code, results)
    live = [f["id"] for f in shown["funds"] if not f["voided"]] if shown else []
    return ("funds", "void", str(rng.choice(live)), "--note", tag) if live else None


def _edit_notes(url, code, tag, results):
    """`crm edit CODE --notes TAG --if-version V` of the version `crm show` gives, or None if show failed."""
    shown = _shown(url, code, results)
    return ("edit", code, "--notes", tag, "--if-version", shown["version"]) if shown else None


def start_storm(url, codes, departments, tmp_path, workers=4):
    """Start `workers` storm processes; returns stop() -> list of all results."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    stop_file = tmp_path / "stop-storm"
    paths = [tmp_path / f"storm-{i}.json" for i in range(workers)]
    procs = [
        ctx.Process(target=storm_worker, args=(url, i, codes, departments, str(stop_file), str(paths[i]), 77 + i))
        for i in range(workers)
    ]
    for p in procs:
        p.start()

    def stop():
        stop_file.touch()
        for p in procs:
            p.join(timeout=120)
        assert [p.exitcode for p in procs] == [0] * workers, "a storm worker died"
        results = []
        for path in paths:
            results.extend(json.loads(path.read_text(encoding="utf-8")))
        return results

    return stop


def assert_clean_outcomes(results, allowed=(0, 2, 3)):
    """No traceback, no 'locked', each failure one line on stderr."""
    bad = [r for r in results if r["tb"] or r["rc"] not in allowed]
    assert not bad, bad[:3]
    for r in results:
        assert "locked" not in r["err"].lower() and "Traceback" not in r["err"], r
        if r["rc"] != 0:
            assert len(r["err"].strip().splitlines()) == 1, r


def integrity_check(db) -> None:
    """PRAGMA integrity_check on SQLite; on PostgreSQL amcheck on every index of the ledger."""
    from db.connection import is_postgres

    if not is_postgres(db):
        rows = [r[0] for r in db.execute_sql("PRAGMA integrity_check").fetchall()]
        assert rows == ["ok"], rows
        assert db.execute_sql("PRAGMA foreign_key_check").fetchall() == []
        return
    db.execute_sql("CREATE EXTENSION IF NOT EXISTS amcheck")
    indexes = db.execute_sql(
        "SELECT c.oid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am a ON a.oid = c.relam "
        "WHERE n.nspname = current_schema() AND a.amname = 'btree'"
    ).fetchall()
    assert indexes
    for (name,) in indexes:
        db.execute_sql("SELECT bt_index_check(%s::regclass, true)", (name,))


def check_ledger(db) -> dict:
    """Assert the ledger open on `db` is whole and its KPIs agree with its rows; returns counts."""
    from crm.deals.stages import at_or_beyond
    from crm.reporting import kpi
    from db import kept_totals
    from db.models import AuditEntry, Blocker, Deal, FundsArrived, StageChange

    integrity_check(db)
    deals = {d.id: d for d in Deal.select()}
    ledger = {}
    for e in StageChange.select().order_by(StageChange.id):
        ledger.setdefault(e.deal_id, []).append(e)
    stage_audits = _stage_audits_standing()
    for deal_id, deal in deals.items():
        entries = ledger.get(deal_id, [])
        assert entries and entries[0].from_stage is None, deal.code
        for before, after in zip(entries, entries[1:]):
            assert after.from_stage == before.to_stage, (deal.code, before.id, after.id)
        assert deal.stage == entries[-1].to_stage, deal.code
        assert deal.stage_since == entries[-1].effective_on, deal.code
        # Each change whole: its ledger entry and its audit entry, or neither.
        assert stage_audits[deal_id] == len(entries) - 1, deal.code
    assert set(ledger) <= set(deals)

    funds = list(FundsArrived.select())
    funds_audits = Counter(
        a.row_id
        for a in AuditEntry.select().where((AuditEntry.table == "funds_arrived") & (AuditEntry.field == "amount"))
    )
    assert all(funds_audits[f.id] == 1 for f in funds)
    blockers = list(Blocker.select())
    raised_audits = Counter(
        a.row_id for a in AuditEntry.select().where((AuditEntry.table == "blocker") & (AuditEntry.field == "raised"))
    )
    assert all(raised_audits[b.id] == 1 for b in blockers)

    k = kpi.compute()
    signed = [d for d in deals.values() if d.stage != "negotiating" and d.archived_on is None]
    ids = {d.id for d in signed}
    assert k.deals == len(signed)
    assert k.total_cny == sum((d.amount_cny for d in signed), Decimal(0))
    assert k.by_stage == {s: n for s, n in Counter(d.stage for d in signed).items()}
    assert k.started == sum(1 for d in signed if d.stage in at_or_beyond("construction"))
    assert k.funds_cny == sum((f.amount_cny for f in funds if f.deal_id in ids), Decimal(0))
    mine = [b for b in blockers if b.deal_id in ids and b.voided_at is None]  # a voided one counts nowhere
    assert k.blockers_raised == len(mine)
    assert k.blockers_open == sum(1 for b in mine if b.resolved_on is None)
    # every kept total (by stage, by cohort, by day for the as-of figures) equals its sum over the rows
    differing = kept_totals.disagreements(db)
    assert not differing, differing
    return {
        "deals": len(deals),
        "stage_changes": sum(len(v) for v in ledger.values()),
        "funds": len(funds),
        "blockers": len(blockers),
    }


def _stage_audits_standing() -> Counter:
    """Each deal's stage audit entries but those a revert took back with its stage ledger entries.

    A reverted import's stage entries are gone from the ledger; its audit entries stay, beside the one of the
    revert putting the stage back (crm.importing.records._record_put_back): neither stands for an entry.
    """
    from db.models import AuditEntry, ImportRecord

    reverted = [
        (r.audit_before, r.audit_after) for r in ImportRecord.select().where(ImportRecord.reverted_at.is_null(False))
    ]
    standing, taken_back = Counter(), Counter()
    for ident, deal_id in (
        AuditEntry.select(AuditEntry.id, AuditEntry.row_id)
        .where((AuditEntry.table == "deal") & (AuditEntry.field == "stage"))
        .tuples()
    ):
        standing[deal_id] += 1
        for n, (first, last) in enumerate(reverted):
            if first < ident <= last:
                taken_back[deal_id, n] += 1
    for (deal_id, _n), count in taken_back.items():
        standing[deal_id] -= count + 1  # the import's changes and the revert's one back
    return standing


def since(name: str) -> list[str]:
    """The migrations from `name` on, in their order (db.migrate.known): what `runner.up()` applies after a
    step down to before `name`, and, reversed, what the step down undid."""
    from db.migrate import known

    names = known()
    return names[names.index(name) :]


def earlier_blocker(
    deal_id: int, text: str, department_id: int, raised: str, due: str | None = None, ident: int | None = None
) -> int:
    """A blocker written as a row of the table before migration 0023 (no void marks), which the model no longer
    describes, on a ledger stepped down before it; its id (`ident`, or the next the database gives). Days as ISO
    text."""
    from peewee import Table

    from db.models import database

    table = Table(
        "blocker",
        (
            "id",
            "deal_id",
            "text",
            "department_id",
            "raised_on",
            "due_on",
            "resolution",
            "version",
            "updated_at",
            "updated_by",
        ),
    ).bind(database)
    row = {"deal_id": deal_id, "text": text, "department_id": department_id, "raised_on": raised, "due_on": due}
    if ident is not None:
        row["id"] = ident
    now = datetime.datetime.now().replace(microsecond=0)
    row.update(resolution="", version=1, updated_at=now, updated_by="")
    return database.execute(table.insert(row).returning(table.id)).fetchone()[0]


def one_deal(name: str, region: str, department: str) -> str:
    """A signed deal of 3亿元 named `name` in `region`, and the department `department` (for its blockers); its code."""
    from crm.deals import create_deal
    from crm.reference import add_department

    add_department(department)
    return create_deal({"name": name, "region": region, "signed_on": "2020-05-18", "amount": "3亿元"}).code


def in_a_second_connection(work) -> tuple[threading.Thread, list]:
    """Start `work` in a thread (peewee gives each thread its own connection); its result or error lands in the list."""
    from db.models import database

    outcome: list = []

    def run() -> None:
        try:
            outcome.append(work())
        except Exception as error:  # noqa: BLE001 — handed to the test, which asserts on it
            outcome.append(error)
        finally:
            database.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def while_open(first, *seconds) -> None:
    """Run `first()` in a transaction left open while each of `seconds` starts in a connection of its own;
    assert each waits for it (a lock), then, once it has committed, that each finished without an error."""
    from db.models import database

    with database.atomic():
        first()
        started = [in_a_second_connection(second) for second in seconds]
        assert all(waits(thread) for thread, _outcome in started)
    for thread, outcome in started:
        thread.join(10)
        assert not thread.is_alive() and not isinstance(outcome[0], Exception), outcome


def waits(thread: threading.Thread) -> bool:
    """True when `thread` is still running half a second on: it waits (for a lock)."""
    thread.join(0.5)
    return thread.is_alive()


def wait_for(predicate, timeout=30.0, step=0.05):
    """Poll until predicate() is true; AssertionError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(step)
    raise AssertionError("timed out waiting")


#: Columns a dump of the ledger leaves out: when a row was written, not what it says.
WRITTEN_AT = frozenset({"created_at", "updated_at", "recorded_at", "at", "voided_at"})


def _natural_keys() -> dict:
    """{table: {id: natural key}} of the tables other rows point at (a deal by its code, a rate by currency and day)."""
    from db.models import Blocker, Deal, Department, Event, FxRate, Person

    deals = dict(Deal.select(Deal.id, Deal.code).tuples())
    return {
        "deal": deals,
        "blocker": {i: (deals[d], t) for i, d, t in Blocker.select(Blocker.id, Blocker.deal, Blocker.text).tuples()},
        "department": dict(Department.select(Department.id, Department.name).tuples()),
        "person": dict(Person.select(Person.id, Person.name).tuples()),
        "event": {i: (n, str(d)) for i, n, d in Event.select(Event.id, Event.name, Event.held_on).tuples()},
        "fx_rate": {i: (c, str(d)) for i, c, d in FxRate.select(FxRate.id, FxRate.currency, FxRate.on).tuples()},
    }


def natural_rows(models=None, shown=repr) -> dict:
    """{model name: its rows} of the open ledger (of `models`; default: every table an import writes), each row a
    sorted list of [column, shown(value)] with ids replaced by natural keys and write times left out: two ledgers
    written the same way by different paths dump equal."""
    from db.models import (
        AuditEntry,
        Blocker,
        Deal,
        DealDepartment,
        Department,
        Event,
        FundsArrived,
        FxRate,
        Person,
        Progress,
        StageChange,
    )

    if models is None:
        models = (Department, Person, Event, FxRate, Deal, DealDepartment, StageChange, Blocker, FundsArrived)
        models += (Progress, AuditEntry)

    keys = _natural_keys()
    out = {}
    for model in models:
        rows = []
        for record in model.select().dicts():
            row = {}
            for name, value in record.items():
                if name == "id" or name in WRITTEN_AT:
                    continue
                field = model._meta.fields[name]
                if hasattr(field, "rel_model") and value is not None:
                    value = keys[field.rel_model._meta.table_name][value]
                row[name] = value
            if model is AuditEntry:
                row["row_id"] = keys.get(row["table"], {}).get(row["row_id"], row["row_id"])
            rows.append(sorted([k, shown(v)] for k, v in row.items()))
        out[model.__name__] = sorted(rows)
    return out


@contextlib.contextmanager
def opened(url):
    """The ledger at `url` opened as the bound database for the block, closed and unbound after it (for module
    fixtures that build a ledger once and tests that open it again)."""
    from db.connection import open_database
    from db.models import database

    db = open_database(url)
    try:
        yield db
    finally:
        if not db.is_closed():
            db.close()
        database.initialize(None)


def synthetic_ledger(backend: str, name: str, spec, request, tmp_path_factory) -> str:
    """URL of a new ledger of `backend` ("sqlite" or "postgresql") named `name`, filled by synthetic.generate(spec)
    (for module fixtures that build a large ledger once per backend)."""
    from crm.samples import synthetic

    if backend == "sqlite":
        url = str(tmp_path_factory.mktemp(name) / f"{name}.sqlite3")
    else:
        url = request.getfixturevalue("pg_cluster").create_database(name)
    with opened(url):
        synthetic.generate(spec)
    return url
