"""Load held: N processes mixing reads and writes against one PostgreSQL ledger while its
server restarts once. Every change that reported success must be in the ledger exactly
once, every refused one reported in one line and absent from the ledger; no process may
print a traceback.

    python -m tests.perf.load --procs 20 --seconds 120 --write   (adds its figures to BENCHMARKS.md)

The mix: list pages (sorted, as the TUI pages them), searches, KPIs, stage changes,
edits, progress entries, funds, new deals and imports. The floor is the same
operations run one at a time by one process on the same ledger, just before the load.
tests/system/test_load.py runs a short version in `make test`.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import multiprocessing
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: Every kind of operation in the mix, with its weight (reads are most of an office's day).
MIX = {
    "list": 2,
    "search": 1,
    "kpi": 1,
    "stage": 1,
    "edit": 1,
    "progress": 1,
    "funds": 1,
    "add": 1,
    "import": 1,
}
WRITES = {"add", "stage", "edit", "progress", "funds", "import"}
STAGES = ["signed", "registered", "construction", "operating"]
SORTS = ["code", "name", "amount", "stage", "days", "blockers", "signed"]


def _call(argv: list[str]) -> tuple[int, str, str]:
    from app import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:  # noqa: PERF203 — argparse never exits here, but a worker must not die
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException as exc:  # noqa: BLE001 — an escaped exception is a finding, not the end of the worker
            import traceback

            traceback.print_exception(exc, file=err)
            code = 1
    return code, out.getvalue(), err.getvalue()


def _argv(op: str, rng: random.Random, code: str, name: str, folder: str) -> list[str]:
    """The command line of one operation of kind `op`; `name` marks what a write leaves in the ledger."""
    if op == "import":
        path = Path(folder) / f"import-{name}.csv"
        path.write_text(f"项目名称,投资额(亿元),签约日期\n{name},3,2021-04-01\n", encoding="utf-8")
        return ["import", str(path)]
    return {
        "list": [
            "deals",
            "--sort",
            rng.choice(SORTS),
            *(["--reverse"] if rng.random() < 0.5 else []),
            "--format",
            "json",
        ],
        "search": ["deals", "--search", rng.choice(["涿州", "zz", "新能源", "ZS2020", "负载"]), "--format", "json"],
        "kpi": ["kpi", "--format", "json"],
        "stage": ["stage", code, rng.choice(STAGES), "--note", name],
        "edit": ["edit", code, "--notes", name],
        "progress": ["progress", code, name, "--on", "2021-05-01"],
        "funds": ["funds", code, f"{rng.randint(1, 99)}万元", "--on", "2021-01-01", "--note", name],
        "add": ["add", "--name", name, "--amount", f"{rng.randint(1, 50)}亿元", "--signed", "2021-03-01"],
    }[op]


def _one(url: str, op: str, rng: random.Random, code: str, name: str, folder: str) -> dict:
    argv = _argv(op, rng, code, name, folder)
    started = time.perf_counter()
    rc, out, err = _call(["--db", url, *argv])
    lines = err.strip().splitlines()
    return {
        "op": op,
        "rc": rc,
        "ms": (time.perf_counter() - started) * 1000,
        "at": time.time(),
        "name": name,
        # a refusal is one line on stderr with exit 2 or 3; anything else is a finding
        "traceback": "Traceback" in err or "Traceback" in out or rc not in (0, 2, 3),
        "unreported": rc != 0 and (len(lines) != 1 if op != "import" else not lines),
        "err": err.strip()[:300],
    }


def _worker(url: str, worker: int, procs: int, seconds: float, codes: list[str], folder: str, queue) -> None:
    """One process: a random mix of operations until `seconds` have passed; results go to `queue`."""
    sys.path.insert(0, str(ROOT))
    rng = random.Random(worker)
    kinds = [op for op, weight in MIX.items() for _ in range(weight)]
    deadline = time.monotonic() + seconds
    done, n = [], 0
    while time.monotonic() < deadline:
        n += 1
        # each kind once first (every worker from another one), so that even a short run has them all
        op = list(MIX)[(worker * len(MIX) // procs + n - 1) % len(MIX)] if n <= len(MIX) else rng.choice(kinds)
        done.append(_one(url, op, rng, rng.choice(codes), f"负载-{worker}-{n}", folder))
    queue.put(done)


def floor(url: str, folder: Path, rounds: int = 5) -> list[dict]:
    """Each kind of operation `rounds` times, one at a time, from this process: the unloaded latency."""
    from crm.listing import views
    from crm.listing.filters import DealFilter

    codes = [r["code"] for r in views.list_deals(DealFilter())][:40]
    rng = random.Random(0)
    return [_one(url, op, rng, rng.choice(codes), f"基线-{op}-{i}", str(folder)) for i in range(rounds) for op in MIX]


def _collect(queue, workers: list, timeout: float) -> list[dict]:
    """Every worker's results; a worker that died without reporting is a finding, not a wait for the timeout."""
    import queue as queues

    results, reported, deadline = [], 0, time.monotonic() + timeout
    while reported < len(workers) and time.monotonic() < deadline:
        try:
            results += queue.get(timeout=5)
            reported += 1
        except queues.Empty:
            if not any(w.is_alive() for w in workers) and queue.empty():
                break
    missing = len(workers) - reported
    results += [
        {
            "op": "worker",
            "rc": 1,
            "ms": 0.0,
            "at": 0.0,
            "name": "",
            "traceback": True,
            "unreported": True,
            "err": "a worker process died without reporting",
        }
    ] * missing
    return results


def run_load(url: str, procs: int, seconds: float, folder: Path, restart=None, floor_rounds: int = 0) -> dict:
    """Run the mix; `restart()` is called once half-way. Returns the figures and the checks' findings."""
    sys.path.insert(0, str(ROOT))
    from crm.listing import views
    from crm.listing.filters import DealFilter
    from db.connection import close_database, open_database

    open_database(url)
    codes = [r["code"] for r in views.list_deals(DealFilter())][:40]
    base = floor(url, folder, floor_rounds) if floor_rounds else []
    close_database()
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    workers = [
        ctx.Process(target=_worker, args=(url, i, procs, seconds, codes, str(folder), queue)) for i in range(procs)
    ]
    load_before = os.getloadavg()
    started = time.monotonic()
    for w in workers:
        w.start()
    restart_window = None
    if restart is not None:
        time.sleep(seconds / 2)
        down = time.time()
        restart()
        restart_window = (down, time.time())
    results = _collect(queue, workers, seconds + 300)
    load_during = os.getloadavg()
    for w in workers:
        w.join(timeout=60)
    elapsed = time.monotonic() - started
    figures = summarise(url, results, elapsed, base, restart_window)
    figures["load_average"] = {"before": load_before[0], "end": load_during[0]}
    figures["results"] = results
    return figures


def _found(op: str, name: str) -> int:
    """How many times the write marked `name` of kind `op` is in the ledger."""
    from db.models import AuditEntry, Deal, FundsArrived, Progress, StageChange

    query = {
        "add": lambda: Deal.select().where(Deal.name == name),
        "import": lambda: Deal.select().where(Deal.name == name),
        "funds": lambda: FundsArrived.select().where(FundsArrived.note == name),
        "stage": lambda: StageChange.select().where(StageChange.note == name),
        "progress": lambda: Progress.select().where(Progress.text == name),
        # an edit replaces the notes, which a later edit may overwrite: its audit line stays
        "edit": lambda: AuditEntry.select().where((AuditEntry.field == "notes") & (AuditEntry.new == name)),
    }[op]
    return query().count()


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * share + 0.5) - 1)] if ordered else 0.0


def _per_op(results: list[dict], base: list[dict], elapsed: float) -> dict:
    table = {}
    for op in MIX:
        mine = [r for r in results if r["op"] == op]
        ok = [r["ms"] for r in mine if r["rc"] == 0]
        floor_ms = [r["ms"] for r in base if r["op"] == op and r["rc"] == 0]
        table[op] = {
            "count": len(mine),
            "succeeded": len(ok),
            "refused": len(mine) - len(ok),
            "per_second": len(ok) / elapsed,
            "median_ms": statistics.median(ok) if ok else 0.0,
            "p95_ms": _percentile(ok, 0.95),
            "floor_median_ms": statistics.median(floor_ms) if floor_ms else 0.0,
        }
    return table


def summarise(url: str, results: list[dict], elapsed: float, base: list[dict] = (), restart_window=None) -> dict:
    """Figures (throughput, p95 per operation) and what the ledger holds for every write, saved or refused."""
    from db.connection import open_database

    open_database(url)
    missing, doubled, refused_but_saved, failed_checks = [], [], [], []
    for r in results:
        if r["op"] not in WRITES:
            continue
        found = _found(r["op"], r["name"])
        if r["rc"] == 0 and found != 1:
            (missing if found == 0 else doubled).append(r["name"])
        elif r["rc"] != 0 and found:
            refused_but_saved.append(f"{r['name']}: {r['err'][:120]}")
    for r in base:
        if r["traceback"] or r["unreported"]:
            failed_checks.append(f"floor {r['op']}: {r['err'][:120]}")
    latencies = [r["ms"] for r in results]
    ok = [r for r in results if r["rc"] == 0]
    during = [r for r in results if restart_window and restart_window[0] - 1 <= r["at"] <= restart_window[1] + 30]
    return {
        "seconds": elapsed,
        "operations": len(results),
        "succeeded": len(ok),
        "refused": len(results) - len(ok),
        "refused_near_restart": sum(1 for r in during if r["rc"] != 0),
        "writes_succeeded": sum(1 for r in ok if r["op"] in WRITES),
        "throughput": len(ok) / elapsed,
        "write_throughput": sum(1 for r in ok if r["op"] in WRITES) / elapsed,
        "p95_ms": _percentile(latencies, 0.95),
        "median_ms": statistics.median(latencies) if latencies else 0.0,
        "per_op": _per_op(results, list(base), elapsed),
        "kinds_run": sorted({r["op"] for r in results}),
        "missing": missing,
        "doubled": doubled,
        "refused_but_saved": refused_but_saved,
        "unreported": [
            r["err"] or f"{r['op']} exit {r['rc']} with nothing on stderr" for r in results if r["unreported"]
        ],
        "tracebacks": [r["err"] for r in results if r["traceback"]] + failed_checks,
        "refusals": _kinds_of_refusal(results),
        "exit_codes": sorted({r["rc"] for r in results}),
    }


def _kinds_of_refusal(results: list[dict]) -> dict[str, int]:
    """How often each refusal was given (its first words, without the codes and names that vary)."""
    import re

    counts: dict[str, int] = {}
    for r in results:
        if r["rc"] != 0:
            text = re.sub(r"^crm: ", "", r["err"].splitlines()[0] if r["err"] else "")
            key = re.sub(r"ZS\d{4}-\d+|负载-\d+-\d+|\d+", "…", text)[:70]
            counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: -item[1]))


def problems(figures: dict) -> list[str]:
    """What broke the promise: lost, doubled or half-refused writes, tracebacks, silent refusals, kinds not run."""
    found = [
        f"{key}: {figures[key][:3]}"
        for key in ("missing", "doubled", "refused_but_saved", "unreported", "tracebacks")
        if figures[key]
    ]
    absent = sorted(set(MIX) - set(figures["kinds_run"]))
    if absent:
        found.append(f"never ran: {absent}")
    return found


def markdown(figures: dict, procs: int, seconds: float) -> str:
    """The BENCHMARKS.md section for one run."""
    load = figures["load_average"]
    rows = "\n".join(
        f"| {op} | {row['count']} | {row['succeeded']} | {row['refused']} | {row['per_second']:.2f}/s | "
        f"{row['floor_median_ms']:.0f} ms | {row['median_ms']:.0f} ms | {row['p95_ms']:.0f} ms | "
        f"{row['p95_ms'] / row['floor_median_ms'] if row['floor_median_ms'] else 0:.1f}× |"
        for op, row in figures["per_op"].items()
    )
    return (
        f"\n## Load held (issue 14): {procs} processes × {seconds:.0f} s, one PostgreSQL ledger, server restarted once\n\n"
        f"`python -m tests.perf.load --procs {procs} --seconds {seconds:.0f} --write` — load average "
        f"{load['before']:.2f} before, {load['end']:.2f} at the end (2 cores, shared). Floor: each operation "
        f"run alone by one process on the same ledger just before the load (median of 5).\n\n"
        f"| operation | run | succeeded | refused | succeeded per second | floor (alone) | median | p95 | p95 ÷ floor |\n"
        f"|---|---|---|---|---|---|---|---|---|\n{rows}\n"
        f"| **all** | {figures['operations']} | {figures['succeeded']} | {figures['refused']} | "
        f"{figures['throughput']:.1f}/s | | {figures['median_ms']:.0f} ms | {figures['p95_ms']:.0f} ms | |\n\n"
        f"Refused: {figures['refused']} ({figures['refused_near_restart']} within 30 s of the restart), each one line "
        f"with exit {', '.join(str(c) for c in figures['exit_codes'] if c)}. Checked in the ledger afterwards: "
        f"{len(figures['missing'])} successful writes missing, {len(figures['doubled'])} doubled, "
        f"{len(figures['refused_but_saved'])} refused writes saved anyway, {len(figures['tracebacks'])} tracebacks.\n"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--procs", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--write", action="store_true", help="add the figures to BENCHMARKS.md")
    parser.add_argument("--dump", metavar="PATH", help="write every operation's outcome to PATH (JSON)")
    args = parser.parse_args()
    import tempfile

    from crm.samples.demo import load_demo
    from db.connection import open_database
    from tests.pg_cluster import ThrowawayCluster
    from tests.system.test_load import restart_server

    with ThrowawayCluster() as cluster, tempfile.TemporaryDirectory() as folder:
        open_database(cluster.url)
        load_demo()
        figures = run_load(
            cluster.url, args.procs, args.seconds, Path(folder), lambda: restart_server(cluster), floor_rounds=5
        )
    if args.dump:
        Path(args.dump).write_text(json.dumps(figures.pop("results"), ensure_ascii=False, indent=1), encoding="utf-8")
    figures.pop("results", None)
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    found = problems(figures)
    print("\n".join(found) or "held: nothing lost, doubled, half-refused or unreported; no traceback")
    if args.write:
        with open(ROOT / "BENCHMARKS.md", "a", encoding="utf-8") as fh:
            fh.write(markdown(figures, args.procs, args.seconds))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
