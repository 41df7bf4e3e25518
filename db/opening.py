"""A ledger opened in a thread of its own while the program loads the rest of itself.

Connecting to a PostgreSQL server is mostly waiting (the network, the server starting a backend, the
password exchange), and so are the schema check and the first query: done beside the import of the
screens, that wait no longer adds to the time before the first rows. The connection is then handed to
the thread that waits (Peewee keeps a connection per thread), so nothing connects twice.

This module imports nothing of the data layer itself: the thread does, so that the caller starts it at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


class Opening:
    """`db.connection.open_database(url, create=create, notice=notice)`, then `then()`, in a thread started now."""

    def __init__(
        self,
        url: str | None,
        create: bool = False,
        then: Callable[[], Any] | None = None,
        notice: Callable[[list[str]], object] | None = None,
    ) -> None:
        self._url, self._create, self._then, self._notice = url, create, then, notice
        self._error: BaseException | None = None
        self._then_error: Exception | None = None
        self._then_result: Any = None
        self._handed: tuple[Any, Any] | None = None
        self._thread = threading.Thread(target=self._open, name="crm-open", daemon=True)
        self._thread.start()

    def _open(self) -> None:
        try:
            from db.connection import open_database

            db = open_database(self._url, create=self._create, notice=self._notice)
        except BaseException as exc:  # noqa: BLE001 — raised again by wait(), in the thread that waits
            self._error = exc
            return
        if self._then is not None:
            try:
                self._then_result = self._then()
            except Exception as exc:  # noqa: BLE001 — raised again by then_result()
                self._then_error = exc
        self._handed = (db, db._state.conn)
        db._state.reset()  # the connection is the waiting thread's from here on

    def wait(self):
        """The opened database, its connection now the calling thread's; raises what open_database raised."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._handed is not None
        db, connection = self._handed
        db._state.set_connection(connection)
        return db

    def then_result(self) -> Any:
        """What `then()` returned once the database was open (call after wait()); raises what it raised."""
        if self._then_error is not None:
            raise self._then_error
        return self._then_result
