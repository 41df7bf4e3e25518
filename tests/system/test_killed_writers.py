"""Backups and exports killed outright (SIGKILL) in the middle of writing: the file they were writing
is never left half-written under its name, and the next run of the command leaves no temporary part.

The child is the real `crm` with one pause added: it stops once its output is written to the temporary
part and before the part replaces the target — the moment a kill leaves the most behind.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

ROOT = Path(__file__).resolve().parents[2]

PAUSED_CRM = textwrap.dedent(f"""
    import contextlib, sys, time
    sys.path.insert(0, {str(ROOT)!r})
    import crm.foundation.files as files

    real = files.output_file

    @contextlib.contextmanager
    def paused(*args, **kwargs):
        with real(*args, **kwargs) as temp:
            yield temp
            print(temp, flush=True)  # written whole, not yet in place
            time.sleep(120)

    files.output_file = paused
    import app
    sys.exit(app.main(sys.argv[1:]))
""")


def parts(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".crm-part"))


def kill_while_writing(args: list[str]) -> Path:
    """Run `crm ARGS…` paused before its output is put in place, SIGKILL it; the part it leaves."""
    child = subprocess.Popen(
        [sys.executable, "-c", PAUSED_CRM, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT
    )
    try:
        line = child.stdout.readline().strip()
        assert line, child.stderr.read()
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    return Path(line)


def crm(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True, cwd=ROOT, timeout=300)


@pytest.mark.parametrize(
    ("name", "command"),
    [
        ("weekly.xlsx", ["export", "weekly", "--week", "2020-W21", "--format", "xlsx", "-o"]),
        ("weekly.csv", ["export", "weekly", "--week", "2020-W21", "--format", "csv", "-o"]),
        ("ledger.backup", ["backup"]),
    ],
)
def test_a_killed_writer_leaves_no_half_file_and_the_next_run_no_part(demo_url, tmp_path, name, command):
    out = tmp_path / "out"
    out.mkdir()
    target = out / name
    part = kill_while_writing(["--db", demo_url, *command, str(target)])
    assert part.parent == out and part.stat().st_size > 0, "the kill left the part it was writing"
    assert not target.exists(), "nothing half-written under the name the officer asked for"

    result = crm("--db", demo_url, *command, str(target))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert parts(out) == [], "the next run swept the dead writer's part"
    if name.endswith(".xlsx"):
        sheet = CalamineWorkbook.from_path(str(target)).get_sheet_by_index(0).to_python()
        assert any("项目名称" in str(cell) for row in sheet[:6] for cell in row)
    elif name.endswith(".csv"):
        lines = target.read_text(encoding="utf-8-sig").splitlines()
        assert lines[0].startswith("招商引资签约项目周报") and any(
            line.startswith("序号,项目编号,项目名称") for line in lines
        )
    elif demo_url.startswith("postgres"):
        assert target.read_bytes()[:5] == b"PGDMP"
    else:
        with sqlite3.connect(target) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert db.execute("SELECT count(*) FROM deal").fetchone()[0] > 0
