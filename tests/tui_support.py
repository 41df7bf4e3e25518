"""Helpers for the TUI tests: a fixed day, a demo ledger whose clock-dependent
values are pinned to it, and waiting until the app's workers are idle."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import functools
import inspect
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import DataTable, Input
from textual.worker import WorkerState

#: The day the TUI tests treat as today. It lies after every date of the demo
#: ledger, so days in stage and overdue marks are the same whenever tests run.
TODAY = datetime.date(2026, 6, 30)
#: The two terminal sizes the TUI is checked at: the smallest we support, and a usual one.
SMALL = (80, 24)
LARGE = (140, 40)
NOW = datetime.datetime(2026, 6, 29, 9, 30)


@pytest.fixture(name="backend")
def sqlite_only() -> str:
    """Imported into a module whose tests are about keys, dialogs and layout: they run on SQLite alone.

    What those screens read runs on both backends in tests/ledger; a test of such a module that still needs
    PostgreSQL says `@pytest.mark.parametrize("backend", BACKENDS)`.
    """
    return "sqlite"


def pin_clock(today: datetime.date = TODAY, now: datetime.datetime = NOW) -> None:
    """Rewrite what the demo loader took from the real clock: timestamps, and the blockers it raised "3 days ago"."""
    from db.models import AuditEntry, Blocker, Deal, Department, StageChange

    AuditEntry.update(at=now).execute()
    StageChange.update(recorded_at=now).execute()
    Deal.update(created_at=now, updated_at=now).execute()
    Department.update(updated_at=now).execute()
    recent = Blocker.raised_on > datetime.date(2024, 1, 1)
    Blocker.update(
        raised_on=today - datetime.timedelta(days=3), due_on=today + datetime.timedelta(days=30), updated_at=now
    ).where(recent).execute()
    Blocker.update(updated_at=now).where(~recent).execute()


async def settle(pilot: Pilot, rounds: int = 10) -> None:
    """Wait until every worker (and whatever it started) has finished and the screen is drawn."""
    for _ in range(rounds):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if not _busy(pilot.app):
            break
    await _tables_measured(pilot)


def _busy(app: App) -> bool:
    """Work the app started and has not done: a worker, or a call waiting for a screen's next refresh."""
    if any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers):
        return True
    # call_after_refresh parks its callback on the screen until the screen has refreshed (Textual's private list):
    # the quick filters and the first frame's stand-ins are built that way.
    return any(screen._callbacks for screen in app.screen_stack)


async def _tables_measured(pilot: Pilot, limit: float = 10.0) -> None:
    # A DataTable sizes its columns to new rows when its queue next runs dry; pause() judges "idle" by this
    # process's CPU time, which a loaded machine starves, so a picture could show columns still label-wide.
    waited = 0.0
    while waited < limit and any(
        t._require_update_dimensions or t._updated_cells for t in pilot.app.screen.query(DataTable)
    ):
        await pilot.pause(0.02)
        waited += 0.02


async def press(pilot: Pilot, *keys: str) -> None:
    """Press `keys`, then wait until the app has done what they asked (settle)."""
    await pilot.press(*keys)
    await settle(pilot)


@contextlib.asynccontextmanager
async def running(app: App, size: tuple[int, int]) -> AsyncIterator[Pilot]:
    """`app` run headless at `size`, its first screen drawn and its workers done."""
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        yield pilot


async def search(pilot: Pilot, text: str) -> None:
    """Type `text` into the deal list's search box (emptied first) and wait for the list to follow."""
    await pilot.press("slash")
    pilot.app.screen.query_one("#search", Input).value = ""
    await type_text(pilot, text)
    await settle(pilot)


async def open_deal(pilot: Pilot, text: str) -> str:
    """Search the deal list for `text` and open the deal found; the code of the deal shown."""
    await search(pilot, text)
    await press(pilot, "enter", "enter")  # leave the search box for the list, then open the deal
    return pilot.app.screen.code


async def type_text(pilot: Pilot, text: str) -> None:
    """Type `text` key by key into the focused widget (Chinese characters too)."""
    for ch in text:
        await pilot.press(ch)


def run_async(test):
    """Run an async test function with asyncio (the suite has no async plugin)."""

    @functools.wraps(test)
    def wrapper(*args, **kwargs):
        return asyncio.run(test(*args, **kwargs))

    wrapper.__signature__ = inspect.signature(test)
    return wrapper


ROOT = Path(__file__).resolve().parents[1]


def crm(url: str, *args: str) -> str:
    """`crm ARGS…` in a process of its own, as an officer runs it in another shell beside the TUI; its stdout."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CRM_USER": "test"}
    done = subprocess.run(
        [sys.executable, "-m", "app", "--db", url, "--lang", "zh", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout
