"""What an import remembers of every row it has read, in a dict while small and on disk past that.

A first import of a million rows remembers each row's deal key and code (to refuse a row repeating an
earlier one) and each deal it created (to match a later row naming it): as Python dicts, a few hundred
bytes a row. Past SPILL_AT entries a Remembered moves them into a private temporary SQLite database (on
disk, deleted when closed), asked a chunk of rows' keys at a time (BENCHMARKS.md, "Import memory and
speed", eighth session: what that costs a million rows).
"""

from __future__ import annotations

import hashlib
import pickle
import sqlite3
from collections.abc import Iterable
from operator import itemgetter

#: Entries a Remembered holds in a dict; past this many they move to disk.
SPILL_AT = 100_000
#: The database's page cache, KiB (the operating system caches the rest of its file).
CACHE_KIB = 4096
#: Keys asked of the database per statement (SQLite's default limit of parameters is 999 on old builds).
_BATCH = 500


_first = itemgetter(0)


def _slot(text: str) -> int:
    """Where a key is kept on disk: 64 bits of BLAKE2b of its repr, as SQLite's signed rowid."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little", signed=True)


class Remembered:
    """A mapping of keys (str, tuples of str, dates and None) to picklable values, asked many keys at a time.

    On disk a key is kept at its slot (a hash) with its repr beside it: a key found there is that key,
    and the rare key whose slot another holds is kept in a dict (`_elsewhere`), so no two keys are confused.
    """

    def __init__(self, spill_at: int | None = None):
        self.spill_at = SPILL_AT if spill_at is None else spill_at
        self._dict: dict | None = {}
        self._db: sqlite3.Connection | None = None
        self._elsewhere: dict = {}

    @property
    def on_disk(self) -> bool:
        return self._db is not None

    def lookup(self, keys: Iterable) -> dict:
        """{key: value} of those of `keys` that are kept."""
        if self._dict is not None:
            held = self._dict
            return {k: held[k] for k in keys if k in held}
        texts = {repr(k): k for k in keys}
        asked = list({_slot(t) for t in texts})
        out = {}
        for start in range(0, len(asked), _BATCH):
            batch = asked[start : start + _BATCH]
            marks = ",".join("?" * len(batch))
            for text, value in self._db.execute(f"SELECT key, value FROM kept WHERE id IN ({marks})", batch):
                if text in texts:  # else another key's slot
                    out[texts[text]] = pickle.loads(value) if type(value) is bytes else value
        if self._elsewhere:
            out.update({k: self._elsewhere[k] for k in keys if k in self._elsewhere})
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
        self._dict, self._elsewhere = {}, {}
        if self._db is not None:
            self._db.close()
            self._db = None

    def _spill(self) -> None:
        db = sqlite3.connect("")  # "": a private temporary database on disk, deleted when closed
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        db.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
        db.execute("CREATE TABLE kept (id INTEGER PRIMARY KEY, key TEXT NOT NULL, value BLOB)")
        self._db = db
        held, self._dict = self._dict, None
        self._put(held)

    def _put(self, items: dict) -> None:
        rows, keys = [], {}
        for k, v in items.items():
            if k in self._elsewhere:
                self._elsewhere[k] = v
                continue
            text = repr(k)
            keys[text] = k
            # A row number (most values) as SQLite's own integer: no pickling.
            rows.append((_slot(text), text, v if type(v) is int else pickle.dumps(v, pickle.HIGHEST_PROTOCOL)))
        rows.sort(key=_first)  # in slot order: each insert lands beside the last
        before = self._db.total_changes
        self._db.executemany(
            "INSERT INTO kept VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET value = excluded.value"
            " WHERE key = excluded.key",
            rows,
        )
        if self._db.total_changes - before < len(rows):  # a slot held by another key: kept aside
            for slot, text, _value in rows:
                (held,) = self._db.execute("SELECT key FROM kept WHERE id = ?", (slot,)).fetchone()
                if held != text:
                    self._elsewhere[keys[text]] = items[keys[text]]
