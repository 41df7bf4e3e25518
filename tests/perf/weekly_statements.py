"""Every statement a split weekly CSV sends to PostgreSQL, on a line each, in the order they began.

    python -m tests.perf.weekly_statements URL --log SERVER_LOG [--week 2026-W43] [--least-ms 3]

Runs `crm export weekly --format csv` once in a fresh process of this checkout, the split forced
(CRM_WEEKLY_SPLIT=1), with the ledger's database set to log every statement's duration
(log_min_duration_statement = 0, for new sessions; reset afterwards), then reads what the server wrote to
SERVER_LOG meanwhile (tests/pg_cluster.py's servers write server.log beside their data) and prints, for each
statement of at least --least-ms (the per-batch blocker look-ups and FETCHes under 30 ms summed on one line
each): when it began and ended in seconds from the first, its backend's pid, its duration and its start. The
durations are wall time on the server: on a machine whose cores are all busy they include waiting for one.
Needs a role that may ALTER DATABASE (the throwaway servers' postgres). Nothing else is written to the ledger.
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.perf.commands import WEEK

ROOT = Path(__file__).resolve().parents[2]
_LINE = re.compile(r"(\S+ \S+) UTC \[(\d+)\] LOG:  duration: ([\d.]+) ms  (?:statement|execute [^:]*): (.*)")
_ARRAY = re.compile(r"ARRAY\[[0-9,]*\]")


def _set_logging(url: str, on: bool) -> None:
    import psycopg2

    name = url.rsplit("/", 1)[1].split("?")[0]
    conn = psycopg2.connect(url)
    conn.autocommit = True
    setting = "SET log_min_duration_statement = 0" if on else "RESET log_min_duration_statement"
    conn.cursor().execute(f'ALTER DATABASE "{name}" {setting}')
    conn.close()


def _statements(text: str) -> list[tuple[datetime.datetime, datetime.datetime, str, float, str]]:
    found = []
    for line in text.splitlines():
        m = _LINE.match(line)
        if m:
            end, ms = datetime.datetime.fromisoformat(m.group(1)), float(m.group(3))
            found.append((end - datetime.timedelta(milliseconds=ms), end, m.group(2), ms, m.group(4)))
    return sorted(found)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--log", required=True, type=Path)
    parser.add_argument("--week", default=WEEK)
    parser.add_argument("--least-ms", type=float, default=3.0)
    args = parser.parse_args(argv)
    before = args.log.stat().st_size
    _set_logging(args.url, True)
    try:
        with tempfile.TemporaryDirectory(prefix="weekly-statements-") as tmp:
            argv_ = ["--db", args.url, "export", "weekly", "--week", args.week, "--format", "csv"]
            env = {**os.environ, "CRM_WEEKLY_SPLIT": "1", "PYTHONPATH": str(ROOT)}
            subprocess.run(
                [sys.executable, "-m", "app", *argv_, "-o", str(Path(tmp) / "w.csv")], cwd=ROOT, env=env, check=True
            )
    finally:
        _set_logging(args.url, False)
    with open(args.log, "rb") as log:
        log.seek(before)
        rows = _statements(log.read().decode(errors="replace"))
    if not rows:
        raise SystemExit(f"no statement durations in {args.log}: is it the server's log?")
    first = rows[0][0]
    small: dict[str, list[float]] = {}
    for began, ended, pid, ms, sql in rows:
        kind = (
            "FETCH" if sql.startswith("FETCH") else "open blockers" if 'FROM "blocker"' in sql and "ANY" in sql else ""
        )
        if kind and ms < 30:
            small.setdefault(kind, []).append(ms)
            continue
        if ms >= args.least_ms:
            at = (began - first).total_seconds(), (ended - first).total_seconds()
            print(f"{at[0]:6.3f} {at[1]:6.3f} {pid} {ms:8.1f} ms  {_ARRAY.sub('ARRAY[…]', sql)[:110]}")
    for kind, times in small.items():
        print(f"{kind} under 30 ms: {len(times)} statements, {sum(times):.1f} ms in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
