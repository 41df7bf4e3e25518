"""`crm export weekly` of two checkouts (before and after a change) and the floors, round by round in turn.

    python -m tests.perf.weekly_sides --db L --before /tmp/base --after . --formats csv,xlsx --rounds 3

Each round runs, for each format, the before side's export, the after side's, then the floors in this
process on the cells of the file the after side wrote: csv.writer (csv); this checkout's XlsxWriter floor
(tests.perf.commands._xlsx_floor, every cell of the workbook) and, with --old-floor, the floor as it was
before (the before checkout's _xlsx_floor, which wrote fewer cells). Every export runs under GNU time
(wall, CPU user+system, peak); the two sides must write the same bytes (xlsx: every part but its time).
Prints one line per run, the medians, and each side's ratio to the floor in wall and CPU time, with the load
average.

When the after side has a migration the before side lacks, give it its own COPY of the ledger with
`--after-db`: each side's export migrates the ledger it opens, and the before side refuses a newer one. The
copy is migrated by the after side before the rounds (untimed).

On PostgreSQL, `--pg-dump bench-data/ledger-100000-s1.pgdump` (instead of --db) restores that dump into a
throwaway server (tests/perf/ledgers.py's settings), into one database per side (the after side's migrated
before the rounds; both analysed), and exports from them; CPU is then the client's only.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from tests.perf import bench, commands
from tests.perf.commands import WEEK


def _in_checkout(side: Path, argv: list[str]) -> tuple[float, int, float]:
    saved = commands.ROOT
    commands.ROOT = side  # run() starts the command in, and with PYTHONPATH, this checkout
    try:
        return commands.run(argv)
    finally:
        commands.ROOT = saved


def _export(side: Path, db: str, fmt: str, out: Path) -> tuple[float, int, float]:
    argv = [sys.executable, "-m", "app", "--db", db, "export", "weekly", "--week", WEEK, "--format", fmt]
    return _in_checkout(side, [*argv, "-o", str(out), "--force"])


def _migrate(side: Path, db: str) -> None:
    """Apply the migrations of the checkout `side` to the ledger `db`, printing how long they took."""
    script = "import sys; from db.connection import open_database; open_database(sys.argv[1]).close()"
    wall, peak, cpu = _in_checkout(side, [sys.executable, "-c", script, db])
    print(f"{db} migrated by {side}: {wall:.2f} s, CPU {cpu:.2f} s", flush=True)


def _parts(path: Path) -> dict:
    if path.suffix == ".csv":
        return {"": path.read_bytes()}
    with zipfile.ZipFile(path) as book:
        return {n: book.read(n) for n in book.namelist() if n != "docProps/core.xml"}


def _old_floor(before: Path):
    """The before checkout's _xlsx_floor function."""
    spec = importlib.util.spec_from_file_location("before_commands", before / "tests/perf/commands.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module._xlsx_floor


def _timed(write) -> tuple[float, float]:
    t0, c0 = time.perf_counter(), time.process_time()
    write()
    return time.perf_counter() - t0, time.process_time() - c0


def main(argv=None) -> int:
    """Run the rounds; the figures go to stdout."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db")
    parser.add_argument("--pg-dump", type=Path)
    parser.add_argument("--before", required=True, type=Path)
    parser.add_argument("--after", default=".", type=Path)
    parser.add_argument("--after-db", help="the after side's copy of the ledger (default: --db)")
    parser.add_argument("--after-url", help=argparse.SUPPRESS)  # PostgreSQL's after database, already migrated
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--old-floor", action="store_true")
    args = parser.parse_args(argv)
    if args.pg_dump:
        return _on_postgres(args)
    if not args.db:
        parser.error("--db or --pg-dump is required")
    dbs = {"before": args.db, "after": args.after_url or args.after_db or args.db}
    for root in (args.before, args.after):
        bench.compile_bytecode(root.resolve())  # a fresh worktree has none: each run would compile every module
    if args.after_db:
        _migrate(args.after.resolve(), args.after_db)
    figures: dict[str, list] = {}
    print(f"load average at start: {os.getloadavg()[0]:.2f}", flush=True)
    with tempfile.TemporaryDirectory(prefix="weekly-sides-") as tmp:
        for n in range(args.rounds):
            for fmt in args.formats.split(","):
                outs = {}
                for side, root in (("before", args.before.resolve()), ("after", args.after.resolve())):
                    outs[side] = Path(tmp) / f"{side}.{fmt}"
                    wall, peak, cpu = _export(root, dbs[side], fmt, outs[side])
                    figures.setdefault(f"{fmt} {side}", []).append((wall, cpu, peak))
                    print(
                        f"round {n + 1} {fmt} {side}: {wall:.2f} s, CPU {cpu:.2f} s, {peak / 2**20:.0f} MiB", flush=True
                    )
                if _parts(outs["before"]) != _parts(outs["after"]):
                    raise SystemExit(f"the two sides wrote different {fmt} files")
                floors = [("floor", commands._csv_floor if fmt == "csv" else commands._xlsx_floor)]
                if fmt == "xlsx" and args.old_floor:
                    floors.append(("old floor", _old_floor(args.before.resolve())))
                for name, make in floors:
                    _dims, write = make(outs["after"])
                    if n == 0:
                        write()  # warm-up
                    wall, cpu = _timed(write)
                    figures.setdefault(f"{fmt} {name}", []).append((wall, cpu, 0))
                    print(f"round {n + 1} {fmt} {name}: {wall:.2f} s, CPU {cpu:.2f} s", flush=True)
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    for key, runs in figures.items():
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        print(f"median {key}: {wall:.2f} s, CPU {cpu:.2f} s, peak {max(r[2] for r in runs) / 2**20:.0f} MiB")
    _ratios(figures, args.formats.split(","))
    return 0


def _ratios(figures: dict[str, list], formats: list[str]) -> None:
    """Each side's wall and CPU time over its format's floor: the medians, and the range of the rounds' own
    ratios (each round's side over the same round's floor, the fairest on a shared machine)."""
    for fmt in formats:
        floor = figures.get(f"{fmt} floor")
        for side in ("before", "after"):
            runs = figures.get(f"{fmt} {side}")
            if not floor or not runs:
                continue
            parts = []
            for n, what in ((0, "wall"), (1, "CPU")):
                median = statistics.median(r[n] for r in runs) / statistics.median(r[n] for r in floor)
                rounds = [r[n] / f[n] for r, f in zip(runs, floor)]
                parts.append(f"{what} {median:.1f}x (rounds {min(rounds):.1f}-{max(rounds):.1f}x)")
            print(f"ratio {fmt} {side} / floor: {', '.join(parts)}")


def _on_postgres(args) -> int:
    """main() with --db the URL of a throwaway PostgreSQL database restored from args.pg_dump."""
    import subprocess

    from tests.perf.ledgers import postgres_cluster

    cluster = postgres_cluster()
    try:
        t0 = time.perf_counter()
        urls = {}
        for side in ("before", "after"):
            name = f"weekly_sides_{side}"
            urls[side] = cluster.create_database(name)
            target = ["-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres", "-d", name]
            subprocess.run(
                [str(cluster.bin_dir / "pg_restore"), *target, "-j", "2", "--no-owner", str(args.pg_dump)], check=True
            )
            if side == "after":
                _migrate(args.after.resolve(), urls[side])
            subprocess.run([str(cluster.bin_dir / "psql"), *target, "-q", "-c", "VACUUM ANALYZE"], check=True)
        print(f"{args.pg_dump} restored twice, migrated and analysed in {time.perf_counter() - t0:.1f} s", flush=True)
        argv = ["--db", urls["before"], "--before", str(args.before), "--after", str(args.after)]
        argv += ["--after-url", urls["after"], "--formats", args.formats]
        return main([*argv, "--rounds", str(args.rounds), *(["--old-floor"] if args.old_floor else [])])
    finally:
        cluster.stop()


if __name__ == "__main__":
    sys.exit(main())
