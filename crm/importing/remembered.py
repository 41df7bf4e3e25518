"""What an import remembers of every row it has read, in a dict while small and on disk past that.

A first import of a million rows remembers each row's deal key and code (to refuse a row repeating an
earlier one) and each deal it created (to match a later row naming it): as Python dicts, a few hundred
bytes a row. Past SPILL_AT entries a Remembered moves them into a private temporary SQLite database (on
disk, deleted when closed), asked a chunk of rows' keys at a time (BENCHMARKS.md, "Import memory and
speed", eighth session, and "Import speed", ninth session: what that costs a million rows).
"""

from __future__ import annotations

import pickle
import sqlite3
from collections.abc import Callable, Iterable
from itertools import islice

#: Entries a Remembered holds in a dict; past this many they move to disk.
SPILL_AT = 100_000
#: The database's page cache, KiB (the operating system caches the rest of its file).
CACHE_KIB = 4096
#: Entries moved to disk per statement when a Remembered spills.
_SPILL_PART = 10_000
#: Keys asked of the database per statement (SQLite's default limit of parameters is 999 on old builds).
_BATCH = 500


def _as_is(value):
    return value


class Remembered:
    """A mapping of keys (str, tuples of str, dates and None) to values, asked many keys at a time.

    On disk a key is kept under its repr (one repr per key of these types, and no two alike), in a table
    ordered by it: keys written or asked together in their order land on neighbouring pages (a file's codes
    and names mostly run in order), where a hash of each scattered them over the whole file. A value is
    kept as `pack` makes it: an int or a str as SQLite's own, anything else pickled; read back through
    `unpack`. Held in the dict, values are kept as given.
    """

    def __init__(
        self,
        spill_at: int | None = None,
        pack: Callable[[object], object] = _as_is,
        unpack: Callable[[object], object] = _as_is,
    ):
        self.spill_at = SPILL_AT if spill_at is None else spill_at
        self.pack, self.unpack = pack, unpack
        self._dict: dict | None = {}
        self._db: sqlite3.Connection | None = None

    @property
    def on_disk(self) -> bool:
        return self._db is not None

    def lookup(self, keys: Iterable) -> dict:
        """{key: value} of those of `keys` that are kept."""
        if self._dict is not None:
            held = self._dict
            return {k: held[k] for k in keys if k in held}
        texts = {repr(k): k for k in keys}
        asked = sorted(texts)  # in the table's order: each statement reads neighbouring pages
        out = {}
        unpack = self.unpack
        for start in range(0, len(asked), _BATCH):
            batch = asked[start : start + _BATCH]
            marks = ",".join("?" * len(batch))
            for text, value in self._db.execute(f"SELECT key, value FROM kept WHERE key IN ({marks})", batch):
                out[texts[text]] = unpack(pickle.loads(value) if type(value) is bytes else value)
        return out

    def update(self, items: dict) -> None:
        """Keep each key of `items` with its value (replacing what it had)."""
        if self._dict is not None:
            self._dict.update(items)
            if len(self._dict) > self.spill_at:
                self._spill()
            return
        self._put(items)

    def close(self) -> None:
        """Forget everything (the database file goes with its connection)."""
        self._dict = {}
        if self._db is not None:
            self._db.close()
            self._db = None

    def _spill(self) -> None:
        db = sqlite3.connect("")  # "": a private temporary database on disk, deleted when closed
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        db.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
        # WITHOUT ROWID: the key's B-tree holds the value, one tree to write and read rather than a table and an index.
        db.execute("CREATE TABLE kept (key TEXT PRIMARY KEY, value) WITHOUT ROWID")
        self._db = db
        held, self._dict = self._dict, None
        # A part at a time: the rows written beside every entry held were the import's peak (BENCHMARKS.md,
        # "Import speed", ninth session).
        while held:
            keys = list(islice(held, _SPILL_PART))
            self._put({k: held.pop(k) for k in keys})

    def _put(self, items: dict) -> None:
        pack = self.pack
        rows = []
        for k, v in items.items():
            v = pack(v)
            # A row number (most values) or a text as SQLite's own: no pickling.
            rows.append((repr(k), v if type(v) is int or type(v) is str else pickle.dumps(v, pickle.HIGHEST_PROTOCOL)))
        rows.sort()  # in key order: each insert lands beside the last
        self._db.executemany(
            "INSERT INTO kept VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", rows
        )
