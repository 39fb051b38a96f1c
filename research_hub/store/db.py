"""SQLite connection handling: WAL, busy timeouts, one transaction per unit."""
from __future__ import annotations

import json
import sqlite3
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from research_hub.core.errors import DamagedWorkspaceError
from research_hub.store import audit

ADDED_COLUMNS = (("documents", "language", "TEXT"), ("snippet_tags", "confidence", "REAL"))
CHUNK = 500  # ids per IN (...) list: far below SQLite's limit on bound parameters


def select_in(conn: sqlite3.Connection, sql: str, ids: Iterable[Any], before: tuple = (),
              size: int = CHUNK) -> list[Any]:
    """Rows of `sql` for all `ids`, in chunks; `sql` holds one ``{ids}`` where the list goes
    and may take parameters before it (`before`)."""
    ids = list(ids)
    rows: list[Any] = []
    for i in range(0, len(ids), size):
        part = ids[i:i + size]
        rows += conn.execute(sql.format(ids=",".join("?" * len(part))), [*before, *part]).fetchall()
    return rows


def like_prefix(prefix: str) -> str:
    """A LIKE pattern (with ESCAPE '\\') matching values that start with `prefix` as typed."""
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def loads(text: str | None, default: Any = None) -> Any:
    if not text:
        return default
    return json.loads(text)


class Database:
    """One SQLite file; a connection per thread (Streamlit runs pages in threads)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._ready = False
        try:
            # executescript commits on its own; the schema is all IF NOT EXISTS, so that is fine
            self.conn.executescript(resources.files("research_hub.store").joinpath("schema.sql").read_text())
            self._add_missing_columns()
            self._ready = True
            audit.install(self.conn)
        except sqlite3.DatabaseError as exc:
            self.close()
            raise DamagedWorkspaceError.of(self.path, exc) or exc

    def _add_missing_columns(self) -> None:
        """Columns added after a table was first released, for workspaces made before."""
        for table, column, kind in ADDED_COLUMNS:
            have = {r[1] for r in self.conn.execute(f"PRAGMA table_info({table})")}
            if column not in have:
                self.conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")

    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                                   check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA secure_delete=ON")  # redacted-away text must not linger in free pages
            conn.execute("PRAGMA busy_timeout=30000")
            conn.execute("PRAGMA recursive_triggers=ON")  # REPLACE's delete reaches the audit triggers
            if self._ready:
                audit.install(conn)
            self._local.conn = conn
            self._local.after = []
            self._local.state = {}
        return conn

    def connection_state(self) -> dict:
        """A dict that lives exactly as long as this thread's connection: for what a reader
        remembers per connection (an id() of a closed connection is reused by the next one)."""
        self.conn  # noqa: B018 - opens the connection, and with it a fresh dict
        return self._local.state

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE so writers queue up instead of failing half-way."""
        conn = self.conn
        if conn.in_transaction:  # nested: join the outer unit
            yield conn
            return
        conn.execute("BEGIN IMMEDIATE")
        self._local.after = []
        try:
            yield conn
        except BaseException:
            self._local.after = []
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        after, self._local.after = self._local.after, []
        for fn in after:
            fn()

    def after_commit(self, fn: Callable[[], None]) -> None:
        """Run `fn` once the current transaction has committed (never if it rolls back)."""
        self._local.after.append(fn)

    def check(self) -> str:
        """SQLite's quick integrity check: 'ok', or the first problem it found."""
        rows = self.conn.execute("PRAGMA quick_check").fetchall()
        return "ok" if [r[0] for r in rows] == ["ok"] else "; ".join(r[0] for r in rows[:3])

    def query(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    def one(self, sql: str, params: Any = ()) -> sqlite3.Row | None:
        return self.conn.execute(sql, params).fetchone()

    def query_in(self, sql: str, ids: Iterable[Any], before: tuple = ()) -> list[sqlite3.Row]:
        """`select_in` on this thread's connection."""
        return select_in(self.conn, sql, ids, before)

    def scalar(self, sql: str, params: Any = ()) -> Any:
        row = self.one(sql, params)
        return None if row is None else row[0]

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
