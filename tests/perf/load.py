"""Load held: N processes mixing reads and writes against one PostgreSQL ledger while its
server restarts once. Every change that reported success must be in the ledger exactly
once; no process may print a traceback.

    python -m tests.perf.load --procs 20 --seconds 120     (writes its figures to BENCHMARKS.md)

tests/system/test_load.py runs a short version in `make test`.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import multiprocessing
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WRITES = {"add", "stage", "edit", "funds", "import"}
STAGES = ["signed", "registered", "construction", "operating"]


def _call(argv: list[str]) -> tuple[int, str, str]:
    from app import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:  # noqa: PERF203 — argparse never exits here, but a worker must not die
            code = exc.code if isinstance(exc.code, int) else 1
    return code, out.getvalue(), err.getvalue()


def _worker(url: str, worker: int, seconds: float, codes: list[str], folder: str, queue) -> None:
    """One process: a random mix of operations until `seconds` have passed; results go to `queue`."""
    sys.path.insert(0, str(ROOT))
    rng = random.Random(worker)
    deadline = time.monotonic() + seconds
    done, n = [], 0
    while time.monotonic() < deadline:
        n += 1
        op = rng.choice(["list", "list", "search", "kpi", "stage", "edit", "funds", "add", "add", "import"])
        code = rng.choice(codes)
        name = f"负载-{worker}-{n}"
        argv = {
            "list": ["deals", "--format", "json"],
            "search": ["deals", "--search", rng.choice(["涿州", "zz", "新能源", "ZS2020"]), "--format", "json"],
            "kpi": ["kpi", "--format", "json"],
            "stage": ["stage", code, rng.choice(STAGES), "--note", name],
            "edit": ["edit", code, "--notes", name],
            "funds": ["funds", code, f"{rng.randint(1, 99)}万元", "--on", "2021-01-01", "--note", name],
            "add": ["add", "--name", name, "--amount", f"{rng.randint(1, 50)}亿元", "--signed", "2021-03-01"],
        }.get(op)
        if op == "import":
            path = Path(folder) / f"import-{worker}-{n}.csv"
            path.write_text(f"项目名称,投资额(亿元),签约日期\n{name},3,2021-04-01\n", encoding="utf-8")
            argv = ["import", str(path)]
        started = time.perf_counter()
        rc, out, err = _call(["--db", url, *argv])
        done.append(
            {
                "op": op,
                "rc": rc,
                "ms": (time.perf_counter() - started) * 1000,
                "name": name,
                "traceback": "Traceback" in err
                or "Traceback" in out
                or (rc != 0 and op != "import" and len(err.strip().splitlines()) > 1),
                "err": err.strip()[:300],
            }
        )
    queue.put(done)


def run_load(url: str, procs: int, seconds: float, folder: Path, restart=None) -> dict:
    """Run the mix; `restart()` is called once half-way. Returns the figures and the checks' findings."""
    sys.path.insert(0, str(ROOT))
    from crm.listing import views
    from crm.listing.filters import DealFilter
    from db.connection import open_database

    open_database(url)
    codes = [r["code"] for r in views.list_deals(DealFilter())][:40]
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    workers = [ctx.Process(target=_worker, args=(url, i, seconds, codes, str(folder), queue)) for i in range(procs)]
    started = time.monotonic()
    for w in workers:
        w.start()
    if restart is not None:
        time.sleep(seconds / 2)
        restart()
    results = [r for _ in workers for r in queue.get(timeout=seconds + 300)]
    for w in workers:
        w.join(timeout=60)
    elapsed = time.monotonic() - started
    return summarise(url, results, elapsed)


def summarise(url: str, results: list[dict], elapsed: float) -> dict:
    """Figures (throughput, p95) and what the ledger holds for every write that reported success."""
    from db.connection import open_database
    from db.models import Deal, FundsArrived, StageChange

    open_database(url)
    ok = [r for r in results if r["rc"] == 0]
    writes_ok = [r for r in ok if r["op"] in WRITES]
    missing, doubled = [], []
    for r in writes_ok:
        if r["op"] in ("add", "import"):
            found = Deal.select().where(Deal.name == r["name"]).count()
        elif r["op"] == "funds":
            found = FundsArrived.select().where(FundsArrived.note == r["name"]).count()
        elif r["op"] == "stage":
            found = StageChange.select().where(StageChange.note == r["name"]).count()
        else:
            continue  # an edit replaces the notes: a later edit may have overwritten it
        (missing if found == 0 else doubled if found > 1 else []).append(r["name"])
    latencies = sorted(r["ms"] for r in results)
    p95 = latencies[int(len(latencies) * 0.95) - 1] if latencies else 0.0
    return {
        "operations": len(results),
        "succeeded": len(ok),
        "refused": len(results) - len(ok),
        "writes_succeeded": len(writes_ok),
        "write_throughput": len(writes_ok) / elapsed,
        "p95_ms": p95,
        "median_ms": statistics.median(latencies) if latencies else 0.0,
        "missing": missing,
        "doubled": doubled,
        "tracebacks": [r["err"] for r in results if r["traceback"]],
        "refusals": sorted({r["err"].split(":", 1)[0][:60] for r in results if r["rc"] != 0}),
        "exit_codes": sorted({r["rc"] for r in results}),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--procs", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--write", action="store_true", help="add the figures to BENCHMARKS.md")
    args = parser.parse_args()
    import tempfile

    from crm.samples.demo import load_demo
    from db.connection import open_database
    from tests.pg_cluster import ThrowawayCluster
    from tests.system.test_load import restart_server

    with ThrowawayCluster() as cluster, tempfile.TemporaryDirectory() as folder:
        open_database(cluster.url)
        load_demo()
        figures = run_load(cluster.url, args.procs, args.seconds, Path(folder), lambda: restart_server(cluster))
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    if args.write:
        with open(ROOT / "BENCHMARKS.md", "a", encoding="utf-8") as fh:
            fh.write(
                f"\n## Load held (issue 14): {args.procs} processes × {args.seconds:.0f} s, one PostgreSQL ledger, "
                f"server restarted once\n\n"
                f"`python -m tests.perf.load --procs {args.procs} --seconds {args.seconds:.0f} --write`\n\n"
                f"| operations | succeeded | refused (server down) | writes succeeded | write throughput | "
                f"median | p95 | missing | doubled | tracebacks |\n|---|---|---|---|---|---|---|---|---|---|\n"
                f"| {figures['operations']} | {figures['succeeded']} | {figures['refused']} | "
                f"{figures['writes_succeeded']} | {figures['write_throughput']:.1f}/s | {figures['median_ms']:.0f} ms | "
                f"{figures['p95_ms']:.0f} ms | {len(figures['missing'])} | {len(figures['doubled'])} | "
                f"{len(figures['tracebacks'])} |\n"
            )
    return 0 if not (figures["missing"] or figures["doubled"] or figures["tracebacks"]) else 1


if __name__ == "__main__":
    sys.exit(main())
