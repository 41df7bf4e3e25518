"""db.drivers.sqlite_without_memory_statistics: opening a SQLite ledger turns the library's memory statistics
off (their mutex made two threads' queries take turns), but never under a connection already open; the ledger
reads and writes as before either way. Each case runs in a fresh interpreter: the library is configured once a
process."""

import platform
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    (platform.system(), platform.machine()) not in {("Linux", "x86_64"), ("Linux", "aarch64")},
    reason="the statistics are turned off only where ctypes calls sqlite3_config as the ABI expects",
)

USED = """
import ctypes, _sqlite3
used = ctypes.CDLL(_sqlite3.__file__).sqlite3_memory_used
used.restype = ctypes.c_int64
"""


def _run(code: str, tmp_path: Path) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", USED + code, str(tmp_path / "ledger.sqlite3")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.split()


def test_a_ledger_opened_first_turns_the_statistics_off_and_still_reads_and_writes(tmp_path):
    out = _run(
        """
import sys
from db.connection import open_database
from db.drivers import sqlite_without_memory_statistics
from crm.deals.records import create_deal
from db.models import Deal
open_database(sys.argv[1])
create_deal({"name": "统计关闭项目", "amount": "1亿元", "signed_on": "2020-05-18"})
print(sqlite_without_memory_statistics(), used(), Deal.get(Deal.name == "统计关闭项目").code)
""",
        tmp_path,
    )
    assert out[:2] == ["True", "0"]  # nothing counted: the statistics (and their mutex) are off
    assert out[2].startswith("ZS2020-")


def test_a_connection_already_open_keeps_the_statistics_on(tmp_path):
    out = _run(
        """
import sqlite3, sys
other = sqlite3.connect(":memory:")
other.execute("create table t(x)")
from db.connection import open_database
from db.drivers import sqlite_without_memory_statistics
open_database(sys.argv[1])
print(sqlite_without_memory_statistics(), used() > 0, other.execute("select count(*) from t").fetchone()[0])
""",
        tmp_path,
    )
    assert out == ["False", "True", "0"]  # the open connection still works: the library was left as it was
