"""The app's full garbage collections wait for the user's pauses (screens/collector.py)."""

from __future__ import annotations

import gc
import weakref

import pytest

from screens import collector as module
from screens.collector import QuietCollector


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Cycle:
    """An object that refers to itself: only the collector, never its reference count, frees it."""

    def __init__(self) -> None:
        self.me = self


@pytest.fixture
def clock():
    thresholds = gc.get_threshold()
    gc.disable()  # the test decides when collections run
    yield Clock()
    gc.set_threshold(*thresholds)
    gc.enable()


def _due() -> None:
    """Enough younger collections that a full one is due by Python's count (none of them full)."""
    for _ in range(module.DUE_AFTER):
        gc.collect(1)


def test_a_due_collection_waits_while_the_user_types_and_runs_once_they_pause(clock):
    quiet = QuietCollector(clock)
    gc.collect()
    cycle = Cycle()
    gc.collect(1)  # the cycle now sits in the oldest generation, which only a full collection walks
    ref = weakref.ref(cycle)
    del cycle
    _due()
    assert ref() is not None
    for _ in range(10):  # a key every 0.1 s
        clock.now += module.EVERY
        quiet.touched()
        assert quiet.tick() is False
    assert ref() is not None, "no full collection between the keys"
    clock.now += module.QUIET_SECONDS + 0.01
    assert quiet.tick() is True
    assert ref() is None, "the dead cycle is reclaimed once the user pauses"
    clock.now += 60
    assert quiet.tick() is False, "nothing due again yet"


def test_a_quiet_user_gets_no_collection_that_is_not_due(clock):
    quiet = QuietCollector(clock)
    gc.collect()
    clock.now += 60
    assert quiet.tick() is False
    assert gc.get_count()[2] == 0
