"""The weekly CSV written by two processes (crm.reporting.weekly_split) streams in both: neither the parent's nor
the child's peak memory grows with the ledger (10,000 against 50,000 synthetic deals, the split forced at any size
and load), and the file is the one-process file."""

import subprocess
import sys
from pathlib import Path

from tests.system.conftest import LARGE, SMALL
from tests.system.test_export_memory import GROWTH_MIB, ROOT, WEEK

PEAKS = """
import os, resource, sys
sys.argv[0] = "crm"
from crm.reporting import weekly_split
weekly_split.SPLIT_FROM = 1
os.environ[weekly_split.ENV] = "1" if sys.argv[1] == "split" else "0"  # whatever the load
import app
code = app.main(sys.argv[2:])
me, child = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
sys.stderr.write("PEAKS %d %d\\n" % (me.ru_maxrss, child.ru_maxrss))
sys.exit(code)
"""


def _peaks_mib(how: str, ledger: str, out: Path) -> tuple[float, float]:
    """Export the weekly CSV of `ledger` to `out` in a fresh process; (its peak, its child's peak) in MiB."""
    args = ["--db", ledger, "export", "weekly", "--week", WEEK, "--format", "csv", "-o", str(out)]
    done = subprocess.run(
        [sys.executable, "-c", PEAKS, how, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    line = [x for x in done.stderr.splitlines() if x.startswith("PEAKS ")][-1]
    parent, child = line.split()[1:]
    return int(parent) / 1024, int(child) / 1024


def test_neither_process_grows_with_the_ledger(ledgers, tmp_path):
    peaks = {}
    for deals, path in ledgers.items():
        peaks[deals] = _peaks_mib("split", path, tmp_path / f"split-{deals}.csv")
        _peaks_mib("one", path, tmp_path / f"one-{deals}.csv")
        assert (tmp_path / f"split-{deals}.csv").read_bytes() == (tmp_path / f"one-{deals}.csv").read_bytes()
    assert peaks[SMALL][1] > 0  # a child ran
    for process in (0, 1):
        assert peaks[LARGE][process] - peaks[SMALL][process] < GROWTH_MIB, peaks
