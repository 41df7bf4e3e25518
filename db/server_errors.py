"""PostgreSQL's English errors (libpq's and the server's) as a line an officer can act on, in her language.

A wrong password, a server that is down, a database or role that does not exist, a role granted too little:
each is said in one translated sentence that names what to do. Anything not recognised here is left to the
caller, which shows the driver's own first line. Nothing here reads a password: the user, host, port and
database come from the connection's parameters or the error itself.
"""

import os
import re
from collections.abc import Callable

from crm.foundation.i18n import _

#: The role an officer's ledger grants rows to (README, Roles): named in what to ask the owner for.
OFFICERS_ROLE = "zs_officers"
OWNER_ROLE = "zs_owner"

_SERVER_AT = re.compile(r'connection to server at "([^"]*)"(?: \([^)]*\))?, port (\d+) failed')
_SOCKET_AT = re.compile(r'connection to server on socket "([^"]*)" failed')
_READS = ("SELECT", "WITH", "SHOW")
_LOCKS = re.compile(r"\bFOR (NO KEY )?UPDATE\b|\bFOR (KEY )?SHARE\b", re.I)  # a row lock needs UPDATE rights


def explain(orig: BaseException | str, params: dict, statement: str | None = None) -> str | None:
    """`orig` (a psycopg2 error, or a line pg_restore wrote) as one translated sentence saying what happened and
    what to do, or None when it is not one of the errors known here. `params`: the connection's (host, port,
    user); `statement`: the SQL refused, which tells a read from a write."""
    text = str(orig)
    context = _Context(text, params, statement)
    for pattern, say in _RULES:
        found = pattern.search(text)
        if found:
            return say(found, context)
    return None


class _Context:
    """What a sentence may name: the server, the user, whether the refused statement only read."""

    def __init__(self, text: str, params: dict, statement: str | None) -> None:
        self.params = params
        words = (statement or "").split(None, 1)
        self.reading = bool(words) and words[0].upper() in _READS and not _LOCKS.search(statement or "")
        self.text = text

    @property
    def server(self) -> str:
        at = _SERVER_AT.search(self.text)
        if at:
            return f"{at.group(1)}:{at.group(2)}"
        return f"{self.params.get('host') or 'localhost'}:{self.params.get('port') or 5432}"

    @property
    def user(self) -> str:
        """The role connecting: the URL's, else PGUSER, else the operating-system user (libpq's own order)."""
        named = self.params.get("user") or os.environ.get("PGUSER")
        if named:
            return str(named)
        import getpass  # here: only an error names the role, and the deal list's launch does not load it

        try:
            return getpass.getuser()
        except (OSError, KeyError):
            return "?"


def _wrong_password(found: re.Match, c: _Context) -> str:
    return _(
        "Wrong password: the user {user} cannot log in to {server}; check the password in ~/.pgpass, "
        "PGPASSWORD or the URL"
    ).format(user=found.group(1), server=c.server)


def _no_password(found: re.Match, c: _Context) -> str:
    return _(
        "The server {server} asks the user {user} for a password and none was given: put it in ~/.pgpass "
        "(mode 0600) or PGPASSWORD"
    ).format(server=c.server, user=c.user)


def _not_from_here(found: re.Match, c: _Context) -> str:
    return _(
        "The server {server} does not let the user {user} connect to the database {database} from this computer: "
        "ask its administrator (pg_hba.conf)"
    ).format(server=c.server, user=found.group(1), database=found.group(2))


def _no_role(found: re.Match, c: _Context) -> str:
    return _(
        "There is no user {user} on the server {server}: check the user name in the URL, or ask the "
        "administrator to create that role"
    ).format(user=found.group(1), server=c.server)


def _no_database(found: re.Match, c: _Context) -> str:
    return _(
        "The database {database} does not exist on the server {server}: check its name in the URL (the "
        "administrator creates a new ledger's database, then the owner runs `crm init`)"
    ).format(database=found.group(1), server=c.server)


def _refused(found: re.Match, c: _Context) -> str:
    return _(
        "Cannot connect to the server {server} (connection refused): check that the server is running and that "
        "the host and port are right"
    ).format(server=c.server)


def _no_socket(found: re.Match, c: _Context) -> str:
    return _(
        "Cannot connect to the server on this computer (no socket {socket}): check that the server is running, "
        "or write its host and port in the URL"
    ).format(socket=found.group(1))


def _unknown_host(found: re.Match, c: _Context) -> str:
    return _("The server {host} is not known (its name cannot be resolved): check the host name in the URL").format(
        host=found.group(1)
    )


def _timed_out(found: re.Match, c: _Context) -> str:
    return _("The server {server} did not answer in time: check the network, and the host and port in the URL").format(
        server=c.server
    )


def _no_ssl(found: re.Match, c: _Context) -> str:
    return _(
        "The server {server} does not offer SSL but the URL requires it (sslmode): ask the administrator to turn "
        "SSL on, or change sslmode"
    ).format(server=c.server)


def _bad_port(found: re.Match, c: _Context) -> str:
    return _("The port {port} in the URL is not a port number (1 to 65535)").format(port=found.group(1))


def _full(found: re.Match, c: _Context) -> str:
    return _(
        "The server {server} has no free connection now: try again shortly, or ask the administrator to raise "
        "max_connections"
    ).format(server=c.server)


def _table_rights(found: re.Match, c: _Context) -> str:
    if c.reading:
        message = _(
            "The role {role} may not read the table {table}: ask the ledger's owner to grant SELECT, INSERT, "
            "UPDATE, DELETE on the ledger's tables to {officers} (README, Roles)"
        )
    else:
        message = _(
            "The role {role} may only read the table {table}, not change it: ask the ledger's owner to grant "
            "SELECT, INSERT, UPDATE, DELETE on the ledger's tables to {officers} (README, Roles)"
        )
    return message.format(role=c.user, table=found.group(1), officers=OFFICERS_ROLE)


def _sequence_rights(found: re.Match, c: _Context) -> str:
    return _(
        "The role {role} may not use the sequence {sequence}, which numbers new rows: ask the ledger's owner to "
        "grant USAGE, SELECT on the ledger's sequences to {officers} (README, Roles)"
    ).format(role=c.user, sequence=found.group(1), officers=OFFICERS_ROLE)


def _schema_rights(found: re.Match, c: _Context) -> str:
    return _(
        "The role {role} may not create tables in the schema {schema}: the ledger's owner role (e.g. {owner}) "
        "creates, restores and upgrades the ledger"
    ).format(role=c.user, schema=found.group(1), owner=OWNER_ROLE)


def _owner_extension(found: re.Match, c: _Context) -> str:
    return _(
        "Restoring, creating or upgrading the ledger is done by its owner role (e.g. {owner}): the role {role} "
        "may not create the extension {extension}"
    ).format(owner=OWNER_ROLE, role=c.user, extension=found.group(1))


def _owner_of(found: re.Match, c: _Context) -> str:
    return _(
        "Restoring, creating or upgrading the ledger is done by its owner role (e.g. {owner}): the role {role} "
        "does not own {name}"
    ).format(owner=OWNER_ROLE, role=c.user, name=found.group(1))


_Rule = tuple[re.Pattern, Callable[[re.Match, _Context], str]]

# The server's words (lc_messages is English on every server the ledger was tried on); first match wins.
_RULES: list[_Rule] = [
    (re.compile(r'password authentication failed for user "([^"]*)"'), _wrong_password),
    (re.compile(r"fe_sendauth: no password supplied"), _no_password),
    (re.compile(r'no pg_hba\.conf entry for host "[^"]*", user "([^"]*)", database "([^"]*)"'), _not_from_here),
    (re.compile(r'role "([^"]*)" does not exist'), _no_role),
    (re.compile(r'database "([^"]*)" does not exist'), _no_database),
    (re.compile(r"Connection refused"), _refused),
    (re.compile(r'on socket "([^"]*)" failed: No such file or directory'), _no_socket),
    (re.compile(r'could not translate host name "([^"]*)" to address'), _unknown_host),
    (re.compile(r"timeout expired"), _timed_out),
    (re.compile(r"server does not support SSL"), _no_ssl),
    (re.compile(r'invalid port number: "([^"]*)"'), _bad_port),
    (re.compile(r"too many clients already|remaining connection slots are reserved"), _full),
    (re.compile(r"permission denied for table (\S+)"), _table_rights),
    (re.compile(r"permission denied for sequence (\S+)"), _sequence_rights),
    (re.compile(r"permission denied for schema (\S+)"), _schema_rights),
    (re.compile(r'permission denied to create extension "?([^"\s]+)"?'), _owner_extension),
    (re.compile(r"must be owner of \w+ (\S+)"), _owner_of),
]
