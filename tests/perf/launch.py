"""Launch → first rows, for the app and for a bare Textual app showing the same first page.

    python -m tests.perf.launch crm  --db URL --spawned-at EPOCH
    python -m tests.perf.launch bare --db URL --spawned-at EPOCH
    python -m tests.perf.launch compare --deals N --rounds R [--backends sqlite,postgresql] [--before DIR]
        [--latency-ms MS]

`crm` goes through the real entry point (app.main, argument parsing, opening
the database, CrmApp) with App.run replaced by a headless run that stops at
the first frame showing rows; `bare` is the floor: Textual, the bare driver and
one DataTable of the same 100 rows, nothing else. Each prints one JSON line:
seconds from the process being spawned to that frame, the top-level
packages, the project's modules and every module imported by then (what the test of the first screen's
imports reads), and the garbage collector's passes and seconds until then.
--latency-ms puts the PostgreSQL server behind a proxy that holds each piece of the conversation MS/2
milliseconds each way (a server across a network: a bureau's departments on the bureau's server); the bare
app goes through it too.
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import gc
import importlib.abc
import importlib.util
import json
import math
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

SIZE = (140, 40)
FIRST_PAGE_SQL = (
    "SELECT code, name, region, signed_on, amount, currency, stage FROM deal ORDER BY signed_on DESC, id DESC LIMIT 100"
)


async def _until_frame(app, shown) -> tuple[float, list[str]]:
    """Run `app` headless until a frame is painted at which `shown(app)` holds; the time of that frame and the
    modules imported by then (CPU.at: the CPU seconds by then)."""
    hit: list[float] = []
    loaded: list[str] = []
    original = app._display

    def display(screen, renderable):
        if renderable is not None and not hit:
            try:
                if shown(app):
                    hit.append(time.time())
                    CPU.at = {"main_thread": time.thread_time(), "process": time.process_time()}
                    COLLECTIONS.on = False
                    loaded.extend(sys.modules)
            except Exception:  # noqa: BLE001 — widgets not mounted yet: not this frame
                pass
        return original(screen, renderable)

    app._display = display
    CPU.at_run = time.thread_time()  # what came before the app runs: the interpreter, the imports, opening the ledger
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(3000):
            if hit:
                break
            await pilot.pause(0.005)
    if not hit:
        raise SystemExit("no rows were painted")
    return hit[0], loaded


class _Collections:
    """The garbage collector's passes (per generation) and their seconds, until `stop`."""

    def __init__(self) -> None:
        self.seconds, self.passes, self._started, self.on = 0.0, [0, 0, 0], 0.0, True
        gc.callbacks.append(self._seen)

    def _seen(self, phase: str, info: dict) -> None:
        if not self.on:
            return
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started
            self.passes[info["generation"]] += 1


COLLECTIONS = _Collections()


class CPU:
    """CPU seconds at the first frame with rows: the main thread's (Textual, the imports, the early page) and the
    whole process's (with the database threads). On a machine shared with other work they vary far less
    than the wall time does."""

    at: dict[str, float] = {}
    at_run: float = 0.0


def _report(spawned_at: float, painted: tuple[float, list[str]]) -> None:
    at, loaded = painted
    packages = sorted({name.split(".")[0] for name in loaded})
    ours = sorted(name for name in loaded if name.split(".")[0] in ("cli", "screens", "exports", "crm", "db"))
    report = {"seconds": at - spawned_at, "packages": packages, "modules": ours, "loaded": sorted(loaded)}
    report["gc"] = {"seconds": COLLECTIONS.seconds, "passes_by_generation": COLLECTIONS.passes}
    report["cpu"] = CPU.at | {"main_thread_at_run": CPU.at_run}
    print(json.dumps(report))


class _OnImport(importlib.abc.MetaPathFinder):
    """Calls `then(module)` once the module `name` has been imported (by whoever imports it first)."""

    def __init__(self, name: str, then) -> None:
        self.name, self.then = name, then

    def find_spec(self, name, path, target=None):
        if name != self.name:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        run, then = spec.loader.exec_module, self.then

        def exec_module(module) -> None:
            run(module)
            then(module)

        spec.loader.exec_module = exec_module
        return spec


def crm(argv: list[str], spawned_at: float) -> None:
    import app as entry

    def headless(self, *args, **kwargs):
        def shown(a) -> bool:
            from screens.deal_list import DealList

            return a.screen.query_one(DealList)._window.get(0) is not None

        _report(spawned_at, asyncio.run(_until_frame(self, shown)))

    # Patched as the entry point imports it, so that Textual and the app load when and as they do for `crm`.
    sys.meta_path.insert(0, _OnImport("screens.app", lambda module: setattr(module.CrmApp, "run", headless)))
    import cli.main

    cli.main._has_terminal = lambda: True  # the headless run stands in for the terminal
    code = entry.main(argv)
    if code:
        raise SystemExit(code)  # the app's error (crm printed it): not a launch to time


def bare(url: str, spawned_at: float) -> None:
    from textual.app import App
    from textual.widgets import DataTable

    if url.startswith("postgres"):
        import psycopg2

        con = psycopg2.connect(url)
    else:
        import sqlite3

        con = sqlite3.connect(url.removeprefix("sqlite:///"))

    class Bare(App):
        def compose(self):
            yield DataTable()

        def on_mount(self) -> None:
            cur = con.cursor()
            cur.execute(FIRST_PAGE_SQL)
            table = self.query_one(DataTable)
            table.add_columns(*(d[0] for d in cur.description))
            table.add_rows([[str(v) for v in row] for row in cur.fetchall()])

    _report(spawned_at, asyncio.run(_until_frame(Bare(), lambda a: a.query_one(DataTable).row_count > 0)))


def _launch(checkout: Path, which: str, url: str) -> float:
    """Spawn `which` (crm or bare) from `checkout` on the ledger at `url`: seconds to its first rows."""
    return _launch_report(checkout, which, url)["seconds"]


def _launch_report(checkout: Path, which: str, url: str) -> dict:
    """_launch's run, its whole report (seconds to the first rows, the CPU seconds by then)."""
    env = {**os.environ, "PYTHONPATH": str(checkout), "CRM_USER": "bench"}
    spawned = time.time()
    proc = subprocess.run(
        [sys.executable, "-m", "tests.perf.launch", which, "--db", url, "--spawned-at", repr(spawned)],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode != 0 or not proc.stdout.strip():
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-3:]
        raise RuntimeError(f"{which} from {checkout} (exit {proc.returncode}): " + " / ".join(tail)[:500])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _timed(checkout: Path, which: str, url: str, failures: list[str], tries: int = 5) -> dict:
    """_launch, again (up to `tries` in all) while it fails; each failure is kept to be reported."""
    for _ in range(tries - 1):
        try:
            return _launch_report(checkout, which, url)
        except RuntimeError as error:
            failures.append(str(error))
            print(error, file=sys.stderr)
    return _launch_report(checkout, which, url)


class _FarServer:
    """A TCP proxy on a free local port in front of `port` that holds every piece each way `delay` seconds."""

    def __init__(self, port: int, delay: float) -> None:
        self.port_behind, self.delay = port, delay
        self.listening = socket.create_server(("127.0.0.1", 0))
        self.port = self.listening.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, url: str) -> str:
        """`url` (of the server behind) through the proxy."""
        return url.replace(f":{self.port_behind}/", f":{self.port}/", 1)

    def _accept(self) -> None:
        while True:
            client, _address = self.listening.accept()
            server = socket.create_connection(("127.0.0.1", self.port_behind))
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._carry, args=(source, target), daemon=True).start()

    def _carry(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(1 << 16):
                time.sleep(self.delay)
                target.sendall(data)
            target.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the other side went first


def _rows(backend: str, samples: dict[str, list[dict]]) -> list[str]:
    def median(name: str, field) -> float:
        return statistics.median(field(report) for report in samples[name])

    def main_cpu(report: dict) -> float:
        return report.get("cpu", {}).get("main_thread", math.nan)  # nan: a checkout whose harness does not say

    def in_app(report: dict) -> float:
        return main_cpu(report) - report.get("cpu", {}).get("main_thread_at_run", math.nan)

    bare, bare_cpu = median("bare", lambda r: r["seconds"]), median("bare", main_cpu)
    lines = []
    for name, reports in samples.items():
        ordered = sorted(report["seconds"] for report in reports)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        wall, cpu = statistics.median(ordered), median(name, main_cpu)
        lines.append(
            f"| {backend} | {name} | {wall * 1000:.1f} ms | {p95 * 1000:.1f} ms | {wall / bare:.2f}× "
            f"| {cpu * 1000:.1f} ms | {cpu / bare_cpu:.2f}× | {median(name, in_app) * 1000:.1f} ms | {len(ordered)} |"
        )
    return lines


def compare(argv: list[str]) -> None:
    """Launch → first rows of this checkout, of another (`--before`, e.g. main exported with git archive) and of
    the bare app, alternated round by round on each backend's benchmark ledger; prints a Markdown table."""
    parser = argparse.ArgumentParser(prog="python -m tests.perf.launch compare")
    parser.add_argument("--deals", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--before", type=Path, default=None, help="another checkout whose crm is launched too")
    parser.add_argument("--data", type=Path, default=None, help="where the ledgers are (default: bench-data/)")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="PostgreSQL: the round trip a proxy adds")
    args = parser.parse_args(argv)
    from tests.perf import bench, ledgers

    if args.data:
        ledgers.DATA = args.data
    here = Path(__file__).resolve().parents[2]
    checkouts = {"crm (this checkout)": here}
    if args.before:
        checkouts["crm (before)"] = args.before.resolve()
    bench.compile_bytecode()
    if args.before:
        compileall.compile_dir(str(args.before), quiet=1)
    lines = [
        "| backend | launched | median | p95 | ratio to bare | main thread's CPU, median | its ratio to bare "
        "| of which from App.run to the frame | n |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    loads = [f"start {os.getloadavg()[0]:.2f}"]
    failures: list[str] = []
    for backend in args.backends.split(","):
        cluster = ledgers.postgres_cluster() if backend == "postgresql" else None
        try:
            url = (
                ledgers.postgres_ledger(cluster, args.deals)[0]
                if cluster
                else str(ledgers.sqlite_ledger(args.deals)[0])
            )
            if cluster is not None and args.latency_ms:
                url = _FarServer(cluster.port, args.latency_ms / 2000).url(url)
            loads.append(f"{backend} {os.getloadavg()[0]:.2f}")
            samples: dict[str, list[dict]] = {name: [] for name in checkouts} | {"bare": []}
            for _ in range(args.rounds):
                for name, checkout in checkouts.items():
                    samples[name].append(_timed(checkout, "crm", url, failures))
                samples["bare"].append(_timed(here, "bare", url, failures))
            lines += _rows(backend, samples)
        finally:
            if cluster is not None:
                cluster.stop()
    loads.append(f"end {os.getloadavg()[0]:.2f}")
    print("\n".join(lines))
    far = f", PostgreSQL behind a proxy adding {args.latency_ms:g} ms a round trip" if args.latency_ms else ""
    print(f"{args.deals:,} deals, {args.rounds} rounds{far}; load average (1 min): " + ", ".join(loads))
    print(f"launches that failed and were run again: {len(failures)}" + "".join(f"\n- {f}" for f in failures))


def main(argv: list[str]) -> None:
    if argv and argv[0] == "compare":
        compare(argv[1:])
        return
    which, rest = argv[0], argv[1:]
    at = rest.index("--spawned-at")
    spawned_at = float(rest[at + 1])
    rest = rest[:at] + rest[at + 2 :]
    if which == "crm":
        crm(rest, spawned_at)
    else:
        bare(rest[rest.index("--db") + 1], spawned_at)


if __name__ == "__main__":
    main(sys.argv[1:])
