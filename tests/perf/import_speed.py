"""`crm import` of a large xlsx beside python-calamine reading the same file (issue #12, #16 import row).

    python -m tests.perf.import_speed [--rows 10000,100000] [--rounds 3] [--backends sqlite,postgresql] [--keep DIR]
                                      [--tree CHECKOUT ...]

Builds a county-style ledger of `--rows` rows (title, note, header, data: codes, names, regions, investors,
industries, events, dates, amounts as text, stage words, problems, departments, leaders, notes), then times
`python -m app --db NEW import FILE` into a new initialised database (SQLite, or PostgreSQL on a throwaway
server) in a fresh process `--rounds` times, with its peak memory, each beside the floor: python-calamine, the
reader the import uses, reading every cell of the file in a fresh process. Prints the medians and the ratio;
targets (issues 12 and 16): ≤ 10 s, ≤ 3× the floor, ≤ 400 MiB, the same ratio at every size.

With `--tree` (given twice or more, e.g. a worktree of the commit before a change and this checkout), each round
imports with every checkout in turn after the floor, and a summary is printed per checkout: the alternation
makes the machine's changing speed hit each alike.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEADERS = [
    "序号",
    "项目编号",
    "项目名称",
    "投资方",
    "所在地",
    "产业类别",
    "签约活动",
    "签约时间",
    "总投资",
    "项目进展",
    "存在问题",
    "牵头单位",
    "包联领导",
    "备注",
]
REGIONS = ["涿州市", "高碑店市", "定兴县", "安国市", "清苑区", "徐水区", "满城区", "易县", "涞水县", "雄县"]
INDUSTRIES = ["先进制造", "新一代信息技术", "生物医药健康", "现代物流", "文旅", "节能环保", "新能源"]
EVENTS = ["中国·廊坊国际经济贸易洽谈会", "保定市重点项目集中签约", "京津冀产业对接会", None]
STAGES = ["在谈", "签约", "已注册", "已开工", "在建", "已投产", "停滞"]
LEADS = [f"{r}人民政府" for r in REGIONS]
PEOPLE = ["李建国", "张振华", "刘晓明", "陈立新", "王志强"]


def build(path: Path, rows: int, seed: int = 3) -> Path:
    """Write the ledger with xlsxwriter (seconds, where openpyxl takes a minute)."""
    import xlsxwriter

    rng = random.Random(seed)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = book.add_worksheet("项目台账")
    ws.write_row(0, 0, ["2020年重点招商项目台账"])
    ws.write_row(1, 0, ["单位:万元"])
    ws.write_row(2, 0, HEADERS)
    for n in range(1, rows + 1):
        year = rng.choice((2019, 2020))
        day = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        amount = f"{rng.randint(1, 900) / 10}亿元" if rng.random() < 0.7 else f"{rng.randint(500, 90000)}万元"
        problem = f"用地指标不足(责任单位:{rng.choice(LEADS)})" if rng.random() < 0.1 else ""
        ws.write_row(
            n + 2,
            0,
            [
                n,
                f"ZS{year}-{n:06d}",
                f"第{n}号{rng.choice(INDUSTRIES)}项目",
                f"某{rng.choice(INDUSTRIES)}集团{n % 5000}",
                rng.choice(REGIONS),
                rng.choice(INDUSTRIES),
                rng.choice(EVENTS) or "",
                day,
                amount,
                rng.choice(STAGES),
                problem,
                rng.choice(LEADS),
                rng.choice(PEOPLE),
                "",
            ],
        )
    book.close()
    return path


#: Runs `crm ARGS` in this process and reports its CPU seconds (its peak is GNU time's: _under_time).
#: Also the CPU seconds of the SQLite writer thread (crm.importing.bulk._Behind), which runs beside the rest.
PEAK = """
import resource, sys, time
sys.argv[0] = "crm"
from crm.importing import bulk
writer = []
_run = bulk._Behind._run
def _timed(self):
    try:
        _run(self)
    finally:
        writer.append(time.thread_time())
bulk._Behind._run = _timed
import app
code = app.main(sys.argv[1:])
sys.stdout.flush()
used = [resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
sys.stderr.write("PEAK %d CPU %.3f WRITER %.3f\\n" % (
    max(u.ru_maxrss for u in used), sum(u.ru_utime + u.ru_stime for u in used), sum(writer)))
sys.exit(code)
"""
#: The floor: python-calamine (the reader the import uses) reading every cell, in a fresh interpreter as the import.
FLOOR = """
import sys
from python_calamine import CalamineWorkbook
wb = CalamineWorkbook.from_path(sys.argv[1])
for name in wb.sheet_names:
    for _row in wb.get_sheet_by_name(name).to_python(skip_empty_area=False):
        pass
wb.close()
import resource
used = resource.getrusage(resource.RUSAGE_SELF)
print("PEAK %d" % used.ru_maxrss)
print("CPU %.3f" % (used.ru_utime + used.ru_stime))
"""
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "CRM_USER": "bench"}


def _under_time(argv: list[str], root: Path = ROOT) -> tuple[subprocess.CompletedProcess, float, int]:
    """`argv` run under GNU time: (the process, its seconds, its peak resident bytes). The peak is GNU time's (wait4
    of a small parent): a process this one starts directly reports this process's own high-water mark as its peak
    when this one is larger (Linux keeps it across the exec), as `make bench` is by the time it imports."""
    with tempfile.NamedTemporaryFile("r") as peak:
        start = time.perf_counter()
        proc = subprocess.run(
            ["/usr/bin/time", "-f", "%M", "-o", peak.name, *argv],
            cwd=root,
            capture_output=True,
            text=True,
            env={**ENV, "PYTHONPATH": str(root)},
        )
        took = time.perf_counter() - start
        kib = peak.read().split()[-1] if proc.returncode == 0 else "0"
    return proc, took, int(kib) * 1024


def _crm(args: list[str], root: Path = ROOT) -> tuple[float, int, float, float]:
    """(seconds, peak resident bytes, CPU seconds, of them the writer thread's) of `python -m app ARGS`, fresh, in
    the checkout `root`."""
    proc, took, peak = _under_time([sys.executable, "-c", PEAK, *map(str, args)], root)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.strip()[-600:] or "crm failed")
    used = [line for line in proc.stderr.splitlines() if line.startswith("PEAK ")][-1].split()
    return took, peak, float(used[3]), float(used[5])


def _floor(book: Path) -> tuple[float, float, int]:
    """(seconds, CPU seconds, peak resident bytes) of the floor read."""
    proc, took, peak = _under_time([sys.executable, "-c", FLOOR, str(book)])
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.strip()[-600:] or "the floor's read failed")
    return took, float(proc.stdout.split()[-1]), peak


def server_cpu(cluster) -> float:
    """CPU seconds the PostgreSQL `cluster`'s processes have run so far (0.0 without one): the postmaster with
    the children it has reaped (a session's backend once it ends) and its live children (the WAL writer,
    autovacuum, backends still open)."""
    if cluster is None or cluster.data_dir is None:
        return 0.0
    from crm.reporting.weekly_split import _process_times

    postmaster = int((cluster.data_dir / "postmaster.pid").read_text().split()[0])
    own, reaped, _parent = _process_times(postmaster)
    children = 0.0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            cpu, _reaped, parent = _process_times(int(entry))
            children += cpu if parent == postmaster else 0.0
    return own + reaped + children


def measure(book: Path, rounds: int, new_database, cluster=None) -> dict:
    """Import `book` `rounds` times into a database `new_database()` gives (a URL or path, initialised here),
    each round beside the floor read of the same file, alternately (the machine's load hits both alike).
    measure_trees' result for this checkout alone.

    Returns {"samples", "floor", "peaks", "cpu", "writer_cpu", "server_cpu", "floor_cpu", "floor_peaks", "load"}:
    seconds, seconds, bytes, CPU seconds (of the import, of its writer thread, of the PostgreSQL `cluster`'s
    processes while it ran: 0.0 for SQLite, of the floor), the floor's peak bytes, the 1-minute load average at the
    start. On a machine others load, CPU seconds
    compare better than seconds.
    """
    return measure_trees(book, rounds, new_database, cluster)[ROOT]


def measure_trees(book: Path, rounds: int, new_database, cluster=None, trees: tuple[Path, ...] = (ROOT,)) -> dict:
    """measure() of each checkout in `trees` ({tree: its dict}), every round the floor read then each tree's import
    in turn, each into a new database; the floor's figures are the same in every tree's dict."""
    load = os.getloadavg()[0]
    keys = ("samples", "floor", "peaks", "cpu", "writer_cpu", "server_cpu", "floor_cpu", "floor_peaks")
    floor: dict = {key: [] for key in ("floor", "floor_cpu", "floor_peaks")}
    outs: dict = {tree: {**{key: [] for key in keys}, "load": load} for tree in trees}
    for _ in range(rounds):
        took, cpu, peak = _floor(book)
        floor["floor"].append(took)
        floor["floor_cpu"].append(cpu)
        floor["floor_peaks"].append(peak)
        for tree in trees:
            out = outs[tree]
            db = new_database()
            _crm(["--db", db, "init"], tree)
            before = server_cpu(cluster)
            took, peak, cpu, writer = _crm(["--db", db, "import", book], tree)
            out["server_cpu"].append(server_cpu(cluster) - before)
            out["samples"].append(took)
            out["peaks"].append(peak)
            out["cpu"].append(cpu)
            out["writer_cpu"].append(writer)
    for out in outs.values():
        out.update(floor)
    return outs


def book_of(rows: int, folder: Path) -> Path:
    """The county-style ledger of `rows` rows in `folder` (built once)."""
    folder.mkdir(parents=True, exist_ok=True)
    book = folder / f"county-{rows}.xlsx"
    if not book.exists():
        build(book, rows)
    return book


def _new_file(folder: str) -> str:
    handle, path = tempfile.mkstemp(prefix="import-", suffix=".sqlite3", dir=folder)
    os.close(handle)
    return path


def databases(backend: str, tmp: str, cluster=None):
    """A function giving a new empty database of `backend` each call: a SQLite path in `tmp`, or one on `cluster`."""
    if backend == "sqlite":
        # A name no earlier call gave (whatever the file): a ledger already holding the rows would be an update.
        return lambda: _new_file(tmp)
    return cluster.create_database  # its URL


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="100000", help="rows of the ledger; several: 10000,100000")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--backends", default="sqlite", help="sqlite,postgresql (a throwaway server)")
    parser.add_argument("--keep", help="build the ledgers in DIR (and reuse them when there)")
    parser.add_argument("--tree", action="append", type=Path, help="a checkout to import with (twice: A/B, in turn)")
    args = parser.parse_args(argv)
    trees = tuple(t.resolve() for t in args.tree or [ROOT])
    cluster = None
    if "postgresql" in args.backends.split(","):
        from tests.perf.ledgers import postgres_cluster

        cluster = postgres_cluster()
    try:
        with tempfile.TemporaryDirectory(prefix="crm-import-") as tmp:
            for rows in [int(r) for r in args.rows.split(",")]:
                book = book_of(rows, Path(args.keep or tmp).resolve())  # each checkout runs in its own folder
                for backend in args.backends.split(","):
                    server = cluster if backend == "postgresql" else None
                    got = measure_trees(book, args.rounds, databases(backend, tmp, cluster), server, trees)
                    for tree, out in got.items():
                        named = backend if len(trees) == 1 else f"{backend} ({tree})"
                        print(summary(named, rows, args.rounds, out), flush=True)
    finally:
        if cluster is not None:
            cluster.stop()
    return 0


def summary(backend: str, rows: int, rounds: int, got: dict) -> str:
    """One line: the import's median, its floor's, the ratio and the peak memory."""
    took, floor = statistics.median(got["samples"]), statistics.median(got["floor"])
    return (
        f"{backend}: crm import of a {rows:,}-row xlsx: median {took:.2f} s of {rounds} "
        f"({', '.join(f'{s:.2f}' for s in got['samples'])}), peak {max(got['peaks']) / 2**20:.0f} MiB; "
        f"python-calamine read of the same file (fresh process): median {floor:.2f} s "
        f"({', '.join(f'{s:.2f}' for s in got['floor'])}), peak {max(got['floor_peaks']) / 2**20:.0f} MiB; "
        f"import / read = {took / floor:.1f}x; CPU seconds: "
        f"import {statistics.median(got['cpu']):.2f}, read {statistics.median(got['floor_cpu']):.2f}, "
        f"ratio {statistics.median(got['cpu']) / statistics.median(got['floor_cpu']):.1f}x, of which the writer "
        f"thread {statistics.median(got['writer_cpu']):.2f}{_server_part(got)}; "
        f"load average at start {got['load']:.2f}"
    )


def _server_part(got: dict) -> str:
    """The server's CPU seconds while the import ran, and the import's and the server's together against what the
    machine's cores give in the import's time (empty for SQLite, which runs in the import's process)."""
    server = statistics.median(got["server_cpu"] or [0.0])
    if not server:
        return ""
    both = statistics.median([c + s for c, s in zip(got["cpu"], got["server_cpu"], strict=True)])
    cores = os.cpu_count() or 1
    return (
        f"; the PostgreSQL server's processes {server:.2f}, import and server together {both:.2f} "
        f"(= {both / cores:.2f} s on each of {cores} cores)"
    )


if __name__ == "__main__":
    sys.exit(main())
