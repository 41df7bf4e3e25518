"""`make bench` writes its table at the top of BENCHMARKS.md and keeps every earlier figure (tests/perf/bench.py)."""

from __future__ import annotations

from tests.perf.bench import with_history

NEW = "# Benchmarks: 1,000,000 deals\n\nMeasured by `make bench` today.\n\n| what | median |\n| --- | --- |\n| a | 1 ms |\n"
OLD_TOP = "# Benchmarks: 100,000 deals\n\nMeasured yesterday.\n\n| what | median |\n| --- | --- |\n| a | 9 ms |\n"
HISTORY = "\n## Import speed, tenth session\n\nFigures of a branch.\n"


def test_a_new_file_holds_the_run_alone():
    assert with_history(NEW, "") == NEW


def test_the_last_run_and_the_sessions_sections_are_kept_under_the_new_run():
    text = with_history(NEW, OLD_TOP + HISTORY)
    assert text.startswith(NEW.rstrip("\n"))
    assert text.count("\n# ") == 0  # one title: the new run's
    assert "## Earlier run: 100,000 deals\n\nMeasured yesterday." in text
    assert "| a | 9 ms |" in text and "| a | 1 ms |" in text
    assert text.endswith(HISTORY)
    assert text.index("| a | 1 ms |") < text.index("| a | 9 ms |") < text.index("## Import speed")
