"""How `make test` shares the suite between its two xdist workers: the longest units of work first.

xdist's `--dist loadfile` hands out whole files in order of their number of tests, so the few files
whose handful of tests run processes for minutes (tests/system) were handed out last, and one worker
ran them alone while the other sat idle. This scheduler keeps loadfile's rule (a file's tests stay
together, so a module-scoped ledger is built once) with three changes:

- the files whose tests share nothing but the per-worker templates are split into one unit a test
  (`ONE_UNIT_A_TEST`), so the two backends of an eight-process test run side by side;
- files that share a session-scoped fixture go to the same worker (`SHARED`), so it is built once;
- the unit expected to take longest is handed out first (`ESTIMATES`; other units by their number
  of tests times a per-directory average), so what is left at the end is short units that balance.

The estimates only order the work: a wrong one costs balance, never a test.
"""

from __future__ import annotations

from xdist.scheduler import LoadFileScheduling

#: Files whose tests take no module- or session-scoped fixture of their own: one unit a test.
ONE_UNIT_A_TEST = frozenset(
    {
        "tests/system/test_concurrency.py",
        "tests/system/test_crash.py",
        "tests/system/test_import_beside_a_storm.py",
    }
)

#: Files that share a session-scoped fixture (the 10,000- and 50,000-deal ledgers): one unit.
SHARED = {
    "tests/system/test_export_memory.py": "memory ledgers",
    "tests/system/test_export_split_memory.py": "memory ledgers",
    "tests/system/test_import_memory.py": "memory ledgers",
}

#: Seconds a unit took (setup included) in the second full run of BENCHMARKS.md's test-time section, at load 7-9;
#: "memory ledgers" less the second build that run still made. Ordering only.
ESTIMATES = {
    "memory ledgers": 160.0,
    "tests/tui/test_tui_snapshots.py": 205.0,
    "tests/ledger/test_import_bulk.py": 185.0,
    "tests/tui/test_tui_jobs.py": 136.0,
    "tests/tui/test_tui_discard.py": 134.0,
    "tests/tui/test_tui_timeline.py": 105.0,
    "tests/tui/test_tui_desk.py": 101.0,
    "tests/system/test_concurrency.py::test_eight_processes_share_one_ledger[sqlite]": 73.0,
    "tests/ledger/test_scale_small.py": 70.0,
    "tests/cli/test_cli.py": 61.0,
    "tests/cli/test_backup.py": 59.0,
    "tests/ledger/test_import_parallel.py": 58.0,
    "tests/system/test_concurrency.py::test_eight_processes_share_one_ledger[postgresql]": 56.0,
    "tests/cli/test_bad_input.py": 55.0,
    "tests/tui/test_tui_desk_list.py": 53.0,
    "tests/tui/test_tui_report.py": 51.0,
    "tests/ledger/test_asof.py": 40.0,
    "tests/system/test_faults.py": 37.0,
    "tests/system/test_import_rows_memory.py": 25.0,  # added later: ~8 s on a quiet machine, scaled to the load above
}

#: Average seconds a test of a file or directory takes (first match), for units without an estimate.
PER_TEST = {
    "tests/system/test_crash.py": 33.0,
    "tests/system/": 10.0,
    "tests/tui/": 2.0,
    "tests/ledger/": 0.5,
    "tests/cli/": 0.3,
}
DEFAULT_PER_TEST = 0.05


def unit_of(nodeid: str) -> str:
    """The unit of work (scope) a test belongs to: its file, its file's group, or itself."""
    path = nodeid.split("::", 1)[0]
    if path in ONE_UNIT_A_TEST:
        return nodeid
    return SHARED.get(path, path)


def estimate(unit: str, tests: int) -> float:
    """Expected seconds of a unit of `tests` tests."""
    if unit in ESTIMATES:
        return ESTIMATES[unit]
    per_test = next((s for prefix, s in PER_TEST.items() if unit.startswith(prefix)), DEFAULT_PER_TEST)
    return tests * per_test


class LongestFirst(LoadFileScheduling):
    """loadfile with the units above, the longest handed out first."""

    def _split_scope(self, nodeid: str) -> str:
        return unit_of(nodeid)

    def _assign_work_unit(self, node) -> None:
        # The queue is in xdist's order (most tests first); move the longest unit to its front.
        longest = max(self.workqueue, key=lambda unit: estimate(unit, len(self.workqueue[unit])))
        self.workqueue.move_to_end(longest, last=False)
        super()._assign_work_unit(node)
