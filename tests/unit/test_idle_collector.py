"""The app's garbage collector: frozen while the user works, swept once they pause (screens/collector.py)."""

from __future__ import annotations

import gc
import weakref

import pytest

from screens import collector as module
from screens.collector import IdleCollector


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
    gc.unfreeze()
    yield Clock()
    gc.unfreeze()


def test_nothing_is_frozen_before_the_user_does_anything(clock):
    idle = IdleCollector(clock)
    clock.now += 10
    assert idle.tick() is None
    assert gc.get_freeze_count() == 0


def test_while_the_user_types_what_lives_is_frozen_out_of_full_collections(clock):
    idle = IdleCollector(clock)
    kept = [Cycle() for _ in range(100)]
    clock.now += 0.5
    idle.touched()
    clock.now += module.FREEZE_EVERY
    assert idle.tick() == "freeze"
    assert gc.get_freeze_count() >= len(kept)
    tracked = sum(gc.get_count())
    assert tracked < len(kept)  # a full collection now would not walk them


def test_a_cycle_frozen_and_then_dropped_is_reclaimed_once_the_user_pauses(clock):
    idle = IdleCollector(clock)
    cycle = Cycle()
    ref = weakref.ref(cycle)
    idle.touched()
    clock.now += module.FREEZE_EVERY
    assert idle.tick() == "freeze"  # the cycle is alive, so frozen
    del cycle
    gc.collect()
    assert ref() is not None  # frozen: no collection sees it while the user types
    clock.now += module.IDLE_SECONDS
    assert idle.tick() == "sweep"
    assert ref() is None
    assert gc.get_freeze_count() > 0  # what survived the sweep is frozen again
    clock.now += 60
    assert idle.tick() is None  # one sweep per pause


def test_a_user_who_never_pauses_gets_the_sweep_all_the_same(clock):
    idle = IdleCollector(clock)
    ticks = []
    for _ in range(int(module.SWEEP_AT_LEAST_EVERY / module.FREEZE_EVERY) + 1):
        clock.now += module.FREEZE_EVERY
        idle.touched()
        ticks.append(idle.tick())
    assert ticks[0] == "freeze"
    assert ticks.count("sweep") == 1
    assert ticks.index("sweep") == int(module.SWEEP_AT_LEAST_EVERY / module.FREEZE_EVERY) - 1
