"""What each of the first screen's own modules (and peewee) costs to import, itself without what it imports.

    python -m tests.perf.launch_modules [--rounds 5] [--top 25]

Each round is a fresh interpreter that imports Textual and the widgets the bare app of tests/perf/launch.py
needs too, then peewee the way app.py does, then screens.app and cli.main (what `crm` imports before its first
page), timing each module of cli, crm, db, screens and peewee as it executes, less the modules it imports.
Prints the medians, largest first, and the median of the whole import: the part of the launch the bare app
does not have.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OURS = ("cli", "crm", "db", "screens", "app", "peewee")

_ROUND = """
import importlib.abc, json, sys, time
import asyncio, textual.app, textual.widgets
from textual.widgets import DataTable, Footer, Header, Input, Select, Static
stack, own = [], {}

class Timed(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] not in OURS_HERE:
            return None
        for finder in sys.meta_path:
            spec = None if finder is self else finder.find_spec(name, path, target)
            if spec is not None:
                break
        else:
            return None
        run = spec.loader.exec_module
        def exec_module(module, run=run, name=name):
            stack.append(0.0)
            start = time.perf_counter()
            try:
                run(module)
            finally:
                took = time.perf_counter() - start
                own[name] = took - stack.pop()
                if stack:
                    stack[-1] += took
        spec.loader.exec_module = exec_module
        return spec

sys.meta_path.insert(0, Timed())
start = time.perf_counter()
from db.drivers import without_postgres_driver
without_postgres_driver()
import screens.app, cli.main
print(json.dumps({"whole": time.perf_counter() - start, "own": own}))
""".replace("OURS_HERE", repr(OURS))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    rounds = []
    for _ in range(args.rounds):
        done = subprocess.run(
            [sys.executable, "-c", _ROUND],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONPATH": str(ROOT)},
        )
        rounds.append(json.loads(done.stdout.strip().splitlines()[-1]))
    names = {name for r in rounds for name in r["own"]}
    medians = {name: statistics.median(r["own"].get(name, 0.0) for r in rounds) for name in names}
    whole = statistics.median(r["whole"] for r in rounds)
    print(f"the first screen's imports beside the bare app: {whole * 1000:.1f} ms (median of {args.rounds})")
    for name, took in sorted(medians.items(), key=lambda item: -item[1])[: args.top]:
        print(f"{took * 1000:7.2f} ms  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
