"""A PostgreSQL URL reads as playhouse.db_url.parse reads it (db/urls.py is its reading without its imports)."""

from __future__ import annotations

import pytest
from playhouse.db_url import parse

from db.urls import connect_arguments

URLS = [
    "postgresql://postgres@127.0.0.1:45717/ledger",
    "postgresql://user:pa%40ss%2Fw%3Ard@db.example.org/zhaoshang",
    "postgres://%E5%BC%A0:secret@localhost:5433/crm?sslmode=require&connect_timeout=5",
    "postgresql://u:p@h/d?application_name=crm&keepalives=true&target=0.5&options=null&x=",
    "postgresql:///ledger",
    "postgresql://u@[::1]:5432/d",
]


@pytest.mark.parametrize("url", URLS)
def test_a_url_reads_as_playhouse_reads_it(url):
    assert connect_arguments(url) == parse(url, unquote_password=True, unquote_user=True)


def test_a_port_that_is_not_a_number_is_refused_as_playhouse_refuses_it():
    url = "postgresql://u:p@host:port/d"
    with pytest.raises(ValueError):
        parse(url, unquote_password=True, unquote_user=True)
    with pytest.raises(ValueError):
        connect_arguments(url)
