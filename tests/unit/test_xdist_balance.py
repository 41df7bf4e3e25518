"""make test's scheduler (tests/xdist_balance.py) names files that exist, and groups them as intended."""

import ast
from pathlib import Path

from tests.xdist_balance import ESTIMATES, ONE_UNIT_A_TEST, PER_TEST, SHARED, estimate, unit_of

ROOT = Path(__file__).resolve().parents[2]


def test_every_file_the_scheduler_names_exists():
    # A renamed file would silently lose its grouping (the memory ledgers built twice) or its estimate.
    named = set(ONE_UNIT_A_TEST) | set(SHARED) | {u.split("::", 1)[0] for u in ESTIMATES if u.startswith("tests/")}
    named |= {p for p in PER_TEST if p.endswith(".py")}
    assert [p for p in sorted(named) if not (ROOT / p).is_file()] == []


def test_units():
    crash = "tests/system/test_crash.py::test_a_killed_import_is_all_or_nothing[sqlite]"
    assert unit_of(crash) == crash  # one unit a test: the two backends can run side by side
    assert unit_of("tests/system/test_import_memory.py::t") == unit_of("tests/system/test_export_memory.py::t[x]")
    assert unit_of("tests/ledger/test_kpi.py::test_x[sqlite]") == "tests/ledger/test_kpi.py"


def test_the_multi_process_tests_are_handed_out_before_a_file_of_unit_tests():
    concurrency = "tests/system/test_concurrency.py::test_eight_processes_share_one_ledger[sqlite]"
    assert estimate(concurrency, 1) > estimate("tests/unit/test_money.py", 60)
    assert estimate("tests/system/test_crash.py::test_x[sqlite]", 1) > estimate("tests/tui/test_tui_detail.py", 5)


def _takes(path: Path, fixture: str) -> bool:
    """Whether a test function of the module at `path` takes `fixture` as an argument."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(
        isinstance(node, ast.FunctionDef)
        and node.name.startswith("test")
        and fixture in {a.arg for a in node.args.args}
        for node in ast.walk(tree)
    )


def test_every_module_of_the_memory_ledgers_is_in_their_one_unit():
    # A module taking tests/system's session `ledgers` on another worker builds both ledgers again (~30 s).
    users = {
        str(p.relative_to(ROOT)) for p in sorted((ROOT / "tests" / "system").glob("test_*.py")) if _takes(p, "ledgers")
    }
    assert len(users) >= 3
    assert {p: unit_of(f"{p}::t") for p in users} == dict.fromkeys(users, "memory ledgers")
