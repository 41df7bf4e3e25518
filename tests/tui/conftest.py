"""The TUI tests' waits: Textual's idle detection in shorter windows.

After every key, Textual's Pilot waits until the app looks idle: it sleeps a window (20 ms) at a time
until the process used under a twentieth of a window's CPU, at least twice a key. What the tests rely
on is waited for exactly (tests/tui_support.settle: the app's workers finished, its message queues
empty, its tables measured), so the windows only decide how long an idle app is watched: 5 ms.
"""

import os

import pytest

#: Seconds of one idle-detection window (Textual's own: 1/50); CRM_TEST_IDLE_WINDOW to compare another.
IDLE_WINDOW = float(os.environ.get("CRM_TEST_IDLE_WINDOW", "0.005"))


@pytest.fixture(autouse=True)
def _short_idle_windows(monkeypatch):
    import textual._wait as wait

    monkeypatch.setattr(wait, "SLEEP_GRANULARITY", IDLE_WINDOW)
    monkeypatch.setattr(wait, "SLEEP_IDLE", IDLE_WINDOW / 20)  # idle: under a twentieth of the window on the CPU
