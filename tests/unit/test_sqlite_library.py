"""db.drivers.sqlite_without_memory_statistics: a reading shared with side threads (db.forking.SharedSnapshot)
turns SQLite's memory statistics off (their mutex made the threads' queries take turns), but never under
another connection still open; the ledger reads and writes as before either way. Each case runs in a fresh
interpreter: the library is configured once a process."""

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


def test_a_shared_reading_turns_the_statistics_off_and_the_ledger_still_reads_and_writes(tmp_path):
    out = _run(
        """
import sys
from db.connection import open_database
from db.drivers import sqlite_without_memory_statistics
from db.forking import SharedSnapshot
from crm.deals.records import create_deal
from db.models import Deal
open_database(sys.argv[1])
deal = create_deal({"name": "统计关闭项目", "amount": "1亿元", "signed_on": "2020-05-18"})
with SharedSnapshot() as shared:
    side = shared.side(lambda: Deal.get_by_id(deal.id).name)
    here = Deal.get_by_id(deal.id).code
    print(sqlite_without_memory_statistics(), used(), side(), here)
create_deal({"name": "之后的项目", "amount": "2亿元", "signed_on": "2020-05-19"})
print(Deal.select().count())
""",
        tmp_path,
    )
    assert out[:3] == ["True", "0", "统计关闭项目"]  # nothing counted: the statistics (and their mutex) are off
    assert out[3].startswith("ZS2020-") and out[4] == "2"


def test_a_connection_already_open_keeps_the_statistics_on(tmp_path):
    out = _run(
        """
import sqlite3, sys
other = sqlite3.connect(":memory:")
other.execute("create table t(x)")
from db.connection import open_database
from db.drivers import sqlite_without_memory_statistics
from db.forking import SharedSnapshot
from db.models import Deal
open_database(sys.argv[1])
with SharedSnapshot():
    deals = Deal.select().count()
print(sqlite_without_memory_statistics(), used() > 0, other.execute("select count(*) from t").fetchone()[0], deals)
""",
        tmp_path,
    )
    assert out == ["False", "True", "0", "0"]  # the open connection still works: the library was left as it was


def test_a_process_running_other_threads_keeps_the_statistics_on(tmp_path):
    """Another thread could open a connection while the library restarts: it is not restarted under it."""
    out = _run(
        """
import sys, threading
from db.connection import open_database
from db.drivers import sqlite_without_memory_statistics
from db.forking import SharedSnapshot
from db.models import Deal
open_database(sys.argv[1])
stop = threading.Event()
other = threading.Thread(target=stop.wait)
other.start()
with SharedSnapshot() as shared:
    deals = shared.side(lambda: Deal.select().count())()
print(sqlite_without_memory_statistics(), used() > 0, deals)
stop.set()
other.join()
with SharedSnapshot():
    pass
print(sqlite_without_memory_statistics(), used())
""",
        tmp_path,
    )
    assert out == ["False", "True", "0", "True", "0"]  # off once the thread has ended


def test_a_library_built_without_the_statistics_is_not_restarted(monkeypatch):
    """SQLITE_DEFAULT_MEMSTATUS=0: they are off already, and memory_used (always 0 then) says nothing of the
    connections open, so the library is never shut down under them."""
    import ctypes

    from db import drivers

    calls = []

    class Library:
        def __getattr__(self, name):
            def call(*args):
                calls.append(name)
                return 1 if name == "sqlite3_compileoption_used" else 0

            return call

    monkeypatch.setattr(ctypes, "CDLL", lambda path: Library())
    assert drivers._memory_statistics_off() is True
    assert calls == ["sqlite3_compileoption_used"]
