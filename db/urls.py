"""A PostgreSQL URL read into the keyword arguments of the driver's connect, as playhouse.db_url.parse reads it.

Importing playhouse.db_url imports the extension module of every backend peewee
knows (SQLite's, MySQL's, CockroachDB's, the pools), which opening a PostgreSQL
ledger never uses and whose import cost each launch a few milliseconds before
its first rows. This is its parse, for the URLs this program opens (the unit
test compares the two).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote, urlparse


def connect_arguments(url: str) -> dict:
    """database, user, password (both percent-decoded), host, port and the query string's parameters of `url`.

    Query values read as playhouse reads them: true/false, integers, decimals
    and null/none become Python values. ValueError for a URL urllib cannot read
    (a port that is not a number).
    """
    parsed = urlparse(url)
    arguments: dict = {"database": parsed.path[1:]}
    if parsed.username:
        arguments["user"] = unquote(parsed.username)
    if parsed.password:
        arguments["password"] = unquote(parsed.password)
    if parsed.hostname:
        arguments["host"] = parsed.hostname
    if parsed.port:
        arguments["port"] = parsed.port
    for key, value in parse_qsl(parsed.query, keep_blank_values=True):
        arguments[key] = _query_value(value)
    return arguments


def _query_value(value: str):
    lowered = value.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if value.isdigit():
        return int(value)
    if "." in value and all(part.isdigit() for part in value.split(".", 1)):
        return float(value)
    if lowered in ("null", "none"):
        return None
    return value
