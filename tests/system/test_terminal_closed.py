"""An orphaned app exits: when the terminal it runs in goes away without a SIGHUP reaching it (a closed tmux
pane, a dropped ssh connection, the app outside the terminal's foreground process group), the real `crm`
process quits within a few seconds instead of living on with a core busy."""

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not hasattr(select, "poll"), reason="the watch needs poll (POSIX)")

APP = Path(__file__).resolve().parents[2] / "app.py"


def _read_until(fd: int, wanted: bytes, seconds: float) -> bytes:
    """What the app wrote to its terminal until `wanted` appears (or the time is up)."""
    seen, end = b"", time.monotonic() + seconds
    while wanted not in seen and time.monotonic() < end:
        if select.select([fd], [], [], 0.2)[0]:
            seen += os.read(fd, 65536)
    return seen


def test_the_app_quits_when_its_terminal_closes(tmp_path):
    ledger = tmp_path / "ledger.sqlite3"  # an empty ledger: what the list shows does not matter here
    subprocess.run([sys.executable, str(APP), "--db", str(ledger), "init"], check=True, capture_output=True)
    main, side = pty.openpty()
    # A new session and the terminal passed as plain descriptors: the terminal is not the app's controlling
    # one, so closing it sends the app no SIGHUP (what an orphaned app meets).
    app = subprocess.Popen(
        [sys.executable, str(APP), "--db", str(ledger), "--lang", "en"],
        stdin=side,
        stdout=side,
        stderr=side,
        start_new_session=True,
        env={**os.environ, "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30"},
    )
    os.close(side)
    try:
        assert b"Zhaoshang" in _read_until(main, b"Zhaoshang", 60), "the app never drew its first screen"
        assert app.poll() is None
        os.close(main)
        app.wait(timeout=15)  # the watch looks once a second; the old app never exited
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()
