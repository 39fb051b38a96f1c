"""The embedding cache: one vector per (model key, text hash), in its own SQLite file.

Re-ingesting unchanged text, `reindex` and the search matrix read vectors from
here, so none of them needs the model.
"""
from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Sequence

import numpy as np

from research_hub.store.db import select_in


class EmbeddingCache:
    """Vectors of one model key; a connection per thread."""

    def __init__(self, path: Path, model_key: str):
        self.path = path
        self.model_key = model_key
        self._local = threading.local()
        self._conn().execute(
            "CREATE TABLE IF NOT EXISTS vectors (model TEXT, hash TEXT, vector BLOB, "
            "PRIMARY KEY (model, hash))")

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA busy_timeout=30000")
            self._local.conn = conn
        return conn

    def get_many(self, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        rows = select_in(self._conn(), "SELECT hash, vector FROM vectors WHERE model = ? AND hash IN ({ids})",
                         dict.fromkeys(hashes), before=(self.model_key,))
        return {h: np.frombuffer(v, dtype=np.float32) for h, v in rows}

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        conn = self._conn()
        conn.execute("BEGIN")
        conn.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
                         [(self.model_key, h, v.astype(np.float32).tobytes()) for h, v in items.items()])
        conn.execute("COMMIT")


