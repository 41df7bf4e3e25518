"""Every export streams: the peak memory of `crm deals --format csv|json` and of `crm export weekly
--format csv|xlsx|md|txt|html` does not grow with the ledger (10,000 against 50,000 synthetic deals).

Each export runs in its own process, which reports its peak resident size; the larger ledger may
cost a few MiB more (SQLite's page cache, a larger batch of names), not memory in proportion to
its deals, as building the whole table in memory did (~2.5 KiB a deal).
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.system.conftest import LARGE, SMALL

ROOT = Path(__file__).resolve().parents[2]
WEEK = "2026-W26"
# Peak growth allowed between the two ledgers: well under what 40,000 more deals held in memory take.
GROWTH_MIB = 24

PEAK = """
import resource, sys
sys.argv[0] = "crm"
import app
code = app.main(sys.argv[1:])
sys.stdout.flush()
sys.stderr.write("PEAK %d\\n" % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
sys.exit(code)
"""


def _peak_mib(args: list[str], stdout) -> float:
    """Run `crm ARGS` in a fresh process; its peak resident memory in MiB."""
    done = subprocess.run(
        [sys.executable, "-c", PEAK, *map(str, args)],
        cwd=ROOT,
        stdout=stdout,
        check=False,
        stderr=subprocess.PIPE,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    peak = [line for line in done.stderr.splitlines() if line.startswith("PEAK ")][-1]
    return int(peak.split()[1]) / 1024


EXPORTS = {
    "deals csv": ["deals", "--format", "csv"],
    "deals json": ["deals", "--format", "json"],
    "weekly csv": ["export", "weekly", "--week", WEEK, "--format", "csv", "-o", "{out}.csv"],
    "weekly xlsx": ["export", "weekly", "--week", WEEK, "--format", "xlsx", "-o", "{out}.xlsx"],
    "weekly md": ["export", "weekly", "--week", WEEK, "--format", "md", "-o", "{out}.md"],
    "weekly txt": ["export", "weekly", "--week", WEEK, "--format", "txt", "-o", "{out}.txt"],
    "weekly html": ["export", "weekly", "--week", WEEK, "--format", "html", "-o", "{out}.html"],
}


@pytest.mark.parametrize("name", list(EXPORTS))
def test_export_memory_does_not_grow_with_the_ledger(ledgers, tmp_path, name):
    peaks = {}
    sizes = {}
    for deals, path in ledgers.items():
        out = tmp_path / f"out-{deals}"
        args = [a.replace("{out}", str(out)) for a in EXPORTS[name]]
        with open(f"{out}.stdout", "w") as stdout:
            peaks[deals] = _peak_mib(["--db", path, *args], stdout)
        written = next(p for p in tmp_path.iterdir() if p.name.startswith(f"out-{deals}") and p.stat().st_size)
        sizes[deals] = written.stat().st_size
    # The larger ledger's file is several times larger: every row was written.
    assert sizes[LARGE] > 3 * sizes[SMALL], sizes
    assert peaks[LARGE] - peaks[SMALL] < GROWTH_MIB, (
        f"{name}: peak {peaks[SMALL]:.0f} MiB at {SMALL:,} deals, {peaks[LARGE]:.0f} MiB at {LARGE:,}"
    )


def test_streamed_json_is_the_list_of_every_deal(ledgers, tmp_path):
    out = tmp_path / "deals.json"
    with open(out, "w") as stdout:
        _peak_mib(["--db", ledgers[SMALL], "deals", "--format", "json", "--sort", "code"], stdout)
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert len(rows) == SMALL
    assert [r["code"] for r in rows] == sorted(r["code"] for r in rows)
