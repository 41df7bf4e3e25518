"""The ledger opened beside the screens' import (db/opening.py), as `crm` does before its first frame."""

from __future__ import annotations

import threading

import pytest

from crm.foundation.errors import DatabaseError
from crm.listing import home_page
from db.models import Deal, database
from db.opening import Opening


@pytest.fixture
def opened():
    yield
    if database.obj is not None and not database.obj.is_closed():
        database.obj.close()
    database.initialize(None)


def test_the_waiting_thread_gets_the_opened_connection_and_the_first_page(demo_url, opened):
    opening = Opening(demo_url, then=home_page)
    db = opening.wait()
    flt, order, request, rows = opening.then_result()
    assert request.kind == "first" and rows
    assert not db.is_closed()
    handed = db.connection()
    assert Deal.select().count() > 0  # on the connection handed over: not a second one
    assert db.connection() is handed
    assert [row.code for row in rows] == [row.code for row in home_page()[3]]
    assert not [t for t in threading.enumerate() if t.name == "crm-open"]


def test_a_ledger_that_cannot_be_opened_is_reported_in_one_line_by_the_waiting_thread(tmp_path, opened):
    opening = Opening(str(tmp_path / "nowhere.sqlite3"))
    with pytest.raises(DatabaseError, match="没有台账") as raised:
        opening.wait()
    assert "\n" not in str(raised.value)


def test_a_first_page_that_fails_is_left_for_the_list_to_ask_again(demo_url, opened):
    def failing():
        raise RuntimeError("the page query failed")

    opening = Opening(demo_url, then=failing)
    db = opening.wait()  # the ledger itself opened
    assert Deal.select().count() > 0
    with pytest.raises(RuntimeError, match="the page query failed"):
        opening.then_result()
    assert db is database.obj


def test_only_a_server_is_opened_beside_the_screens(monkeypatch):
    from db.connection import ENV_URL, names_a_server

    assert names_a_server("postgresql://bureau@10.0.0.5/ledger")
    assert names_a_server("POSTGRES://bureau@db/ledger")
    assert not names_a_server("sqlite:///home/officer/ledger.sqlite3")
    assert not names_a_server("/home/officer/台账.sqlite3")
    monkeypatch.delenv(ENV_URL, raising=False)
    assert not names_a_server(None)  # the default file
    monkeypatch.setenv(ENV_URL, "postgresql://bureau@db/ledger")
    assert names_a_server(None)
