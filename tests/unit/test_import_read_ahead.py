"""The read-ahead of a sliced sheet (crm.importing.xlsx_slices._ReadAhead): the slices come in order, one made
ahead of the one let go and no more, a slice that cannot be read is refused where it is asked for, and an import
that stops half-way leaves no thread behind."""

from __future__ import annotations

import threading
import time

import pytest

from crm.importing.xlsx_slices import _ReadAhead


def _maker(made: list, fail_at: int | None = None, count: int = 5):
    def make():
        for n in range(count):
            if n == fail_at:
                raise ValueError(f"slice {n} is damaged")
            made.append(n)
            yield [n]

    return make


def _settled(made: list, expected: int) -> bool:
    """Whether `made` reaches `expected` items within a second (the thread runs on its own)."""
    deadline = time.monotonic() + 1
    while len(made) < expected and time.monotonic() < deadline:
        time.sleep(0.005)
    time.sleep(0.02)  # and makes no more after a moment
    return len(made) == expected


def test_items_come_in_order_each_made_once_the_one_before_is_let_go():
    made: list = []
    ahead = _ReadAhead(_maker(made))
    try:
        assert ahead.next() == [0]
        assert _settled(made, 1)  # held: the next is not made yet
        ahead.let_go()
        assert _settled(made, 2)  # one made ahead, no more
        ahead.let_go()  # again for the same item: nothing more
        assert _settled(made, 2)
        got = [ahead.next()]
        ahead.let_go()
        while (item := ahead.next()) is not None:
            got.append(item)
            ahead.let_go()
        assert got == [[1], [2], [3], [4]] and made == [0, 1, 2, 3, 4]
    finally:
        ahead.close()
    assert not ahead._thread.is_alive()


def test_an_item_that_cannot_be_made_is_raised_where_it_is_asked_for():
    made: list = []
    ahead = _ReadAhead(_maker(made, fail_at=2))
    try:
        for n in range(2):
            assert ahead.next() == [n]
            ahead.let_go()
        with pytest.raises(ValueError, match="slice 2 is damaged"):
            ahead.next()
    finally:
        ahead.close()
    assert not ahead._thread.is_alive() and made == [0, 1]


@pytest.mark.parametrize("let_go", [False, True])
def test_closing_half_way_ends_the_thread_and_makes_nothing_more(let_go):
    made: list = []
    threads = threading.active_count()
    ahead = _ReadAhead(_maker(made, count=100))
    assert ahead.next() == [0]
    if let_go:  # the next is being made, or made and waiting, when the taker stops
        ahead.let_go()
        assert _settled(made, 2)
    ahead.close()
    assert not ahead._thread.is_alive() and threading.active_count() == threads
    assert made == [0, 1] if let_go else made == [0]
