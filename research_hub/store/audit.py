"""The audit trail of human changes, which is also the journal a lost database is rebuilt from.

Every human change runs inside ``capture``: one SQLite transaction in which
temporary triggers copy each row the change writes in the tables of manual
work (`JOURNALED`) as it was before and after. At the end of the block the
change is one `audit` row (who, when, action, target, arguments, row images)
written in that same transaction, so nothing is recorded that did not happen
and nothing happens unrecorded. After the commit succeeds the same entry is
appended to ``journal.jsonl`` beside the database and fsynced: the journal
outlives hub.sqlite, and `rebuild` replays its row images in order. A process
that dies between the commit and the append leaves an entry only SQLite has;
`missing_from_journal` finds it and `doctor --repair` appends it.

Documents and snippets are not journaled row by row: they are rebuilt from the
kept source files, with the metadata each `ingest` entry records.
"""
from __future__ import annotations

import csv
import functools
import io
import inspect
import json
import os
import secrets
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Sequence

JOURNALED = (
    "manual_tags", "tags", "tag_authors", "settings", "features", "evidence_links",
    "evidence_flags", "feature_themes", "themes", "theme_members", "theme_moves", "theme_aliases",
    "theme_sets", "highlights", "highlight_tags", "feature_highlights", "insights",
    "insight_evidence", "insight_features",
)
JOURNAL = "journal.jsonl"
INTERNAL_SETTINGS = ("index.vector_key", "workspace_id", "redact_secret")  # machine values, per copy


def now() -> str:  # db.now's twin: db imports this module, so it cannot import db
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def loads(text: str | None, default: Any = None) -> Any:
    return json.loads(text) if text else default


@dataclass
class Entry:
    action: str
    target: str
    who: str
    detail: dict[str, Any] = field(default_factory=dict)
    at: str = ""
    id: str = ""
    seq: int | None = None
    changes: list[list[Any]] = field(default_factory=list)  # [table, old row, new row]

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "id": self.id, "at": self.at, "who": self.who, "action": self.action,
                "target": self.target, "detail": self.detail, "changes": self.changes,
                "before": [c[1] for c in self.changes if c[1] is not None and c[1] != c[2]],
                "after": [c[2] for c in self.changes if c[2] is not None and c[1] != c[2]],
                "summary": summary(self.changes)}


def _columns(conn: sqlite3.Connection, table: str) -> list[tuple[str, int]]:
    return [(r[1], r[5]) for r in conn.execute(f"PRAGMA main.table_info({table})")]


def install(conn: sqlite3.Connection) -> None:
    """Temporary triggers on this connection that copy journaled rows while a capture is on."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS audit_state (depth INTEGER NOT NULL)")
    conn.execute("INSERT INTO audit_state SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM audit_state)")
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS audit_changes (seq INTEGER PRIMARY KEY, "
                 "tbl TEXT NOT NULL, old TEXT, new TEXT)")
    for table in JOURNALED:
        cols = [c for c, _ in _columns(conn, table)]
        if not cols:
            continue
        for op, old, new in (("insert", None, "NEW"), ("update", "OLD", "NEW"), ("delete", "OLD", None)):
            row = {side: (f"json_object({', '.join(f'{chr(39)}{c}{chr(39)}, {side}.{c}' for c in cols)})"
                          if side else "NULL") for side in (old, new)}
            conn.execute(
                f"CREATE TEMP TRIGGER IF NOT EXISTS audit_{table}_{op} AFTER {op.upper()} ON main.{table} "
                f"WHEN (SELECT depth FROM temp.audit_state) > 0 BEGIN "
                f"INSERT INTO audit_changes (tbl, old, new) VALUES ('{table}', {row[old]}, {row[new]}); END")


def summary(changes: Sequence[Sequence[Any]]) -> str:
    """One short line per changed row: +table(key) added, -table(key) removed, field: old -> new."""
    parts, pending = [], list(changes)
    while pending:
        table, old, new = pending.pop(0)
        if new is None and pending and pending[0][0] == table and pending[0][1] is None:
            new = pending.pop(0)[2]  # INSERT OR REPLACE: its delete, then its insert
        if old == new:
            continue
        if old is None:
            parts.append(f"+{table}")
        elif new is None:
            parts.append(f"-{table}")
        else:
            diff = [f"{k}: {old.get(k)!r} -> {new.get(k)!r}" for k in new
                    if old.get(k) != new.get(k) and not k.endswith("_at") and k != "at"]
            if diff:
                parts.append(f"{table} " + ", ".join(diff))
    return "; ".join(parts)


class Journal:
    """The append-only copy of the audit trail, one JSON object per line, fsynced."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def append(self, entries: Sequence[dict[str, Any]]) -> None:
        data = "".join(json.dumps(e, ensure_ascii=False, sort_keys=True, default=str) + "\n"
                       for e in entries).encode("utf-8")
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)

    def read(self) -> list[dict[str, Any]]:
        """Every whole entry in commit order; a line torn by a crash mid-write is skipped."""
        if not self.path.exists():
            return []
        out = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                continue
        return sorted(out, key=lambda e: (e.get("seq") or 0))

    def has_entries(self) -> bool:
        return self.path.exists() and self.path.stat().st_size > 0


class AuditLog:
    def __init__(self, db, journal_path: Path):
        self.db = db
        self.journal = Journal(journal_path)
        self.paused = False  # rebuild replays entries; it must not journal them again

    @contextmanager
    def capture(self, action: str, target: str, who: str,
                detail: dict[str, Any] | None = None) -> Iterator[Entry | None]:
        """A block whose writes are one audited change (a block inside another joins it)."""
        entry = Entry(action, str(target or ""), who, dict(detail or {}))
        with self.db.transaction() as conn:
            if self.paused or conn.execute("SELECT depth FROM temp.audit_state").fetchone()[0]:
                yield None
                return
            conn.execute("UPDATE temp.audit_state SET depth = 1")
            yield entry
            entry.changes = [[r["tbl"], loads(r["old"]), loads(r["new"])] for r in conn.execute(
                "SELECT tbl, old, new FROM temp.audit_changes ORDER BY seq")]
            conn.execute("DELETE FROM temp.audit_changes")
            conn.execute("UPDATE temp.audit_state SET depth = 0")
            self._insert(conn, entry)
            line = self._line(entry)
            self.db.after_commit(lambda: self.journal.append([line]))

    @staticmethod
    def _line(entry: Entry) -> dict[str, Any]:
        return {k: v for k, v in entry.to_dict().items() if k not in ("before", "after", "summary")}

    def _insert(self, conn: sqlite3.Connection, entry: Entry) -> None:
        entry.at = entry.at or now()
        entry.id = entry.id or f"{entry.at[:19].replace(':', '')}-{secrets.token_hex(4)}"
        cur = conn.execute(
            "INSERT INTO audit (seq, id, at, who, action, target, detail, changes) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (entry.seq, entry.id, entry.at, entry.who, entry.action, entry.target, dumps(entry.detail),
             dumps(entry.changes)))
        entry.seq = cur.lastrowid

    def baseline(self, who: str) -> None:
        """A workspace made before the journal existed: its first entry holds every row of manual
        work as it is and a recipe per document, so a rebuild can start from it."""
        if self.journal.path.exists() or self.db.one("SELECT 1 FROM audit LIMIT 1") is not None:
            return
        if self.db.one("SELECT 1 FROM documents LIMIT 1") is None and not any(
                self.db.one(f"SELECT 1 FROM {t} LIMIT 1") for t in JOURNALED if t != "settings"):
            return
        docs = [{"document_id": r["id"], "source_key": r["source_key"], "name": r["name"],
                 "path": r["path"], "title": r["title"], "date": r["date"], "study": r["study"],
                 "kind": r["kind"], "text_col": None,
                 "stored": Path(r["stored_path"]).name if r["stored_path"] else None}
                for r in self.db.query("SELECT * FROM documents ORDER BY ingested_at, id")]
        with self.capture("workspace.baseline", "", who, {"documents": docs}) as entry:
            if entry is None:
                return
            conn = self.db.conn
            for table in JOURNALED:  # a no-op update of every row: the triggers copy each one
                first = next((c for c, pk in _columns(conn, table) if pk == 1), None)
                if first:
                    conn.execute(f"UPDATE {table} SET {first} = {first}")

    def record(self, action: str, target: str, who: str, detail: dict[str, Any] | None = None) -> None:
        """An entry with no row changes of its own (e.g. a rebuild)."""
        with self.capture(action, target, who, detail):
            pass

    # -- reading ---------------------------------------------------------------------
    def entries(self, who: str | None = None, action: str | None = None, since: str | None = None,
                until: str | None = None, limit: int | None = None) -> list[Entry]:
        """Newest first; `action` matches a whole action or its prefix before a dot."""
        where, params = [], []
        if who:
            where.append("who = ?")
            params.append(who)
        if action:
            where.append("(action = ? OR action LIKE ?)")
            params += [action, action.rstrip(".") + ".%"]
        if since:
            where.append("at >= ?")
            params.append(since)
        if until:
            where.append("substr(at, 1, ?) <= ?")
            params += [len(until), until]
        sql = "SELECT * FROM audit" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY seq DESC"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [Entry(r["action"], r["target"], r["who"], loads(r["detail"], {}), r["at"], r["id"],
                      r["seq"], loads(r["changes"], [])) for r in self.db.query(sql, params)]

    def people(self) -> list[str]:
        return [r[0] for r in self.db.query("SELECT DISTINCT who FROM audit ORDER BY who")]

    def actions(self) -> list[str]:
        return [r[0] for r in self.db.query("SELECT DISTINCT action FROM audit ORDER BY action")]

    def missing_from_journal(self) -> list[dict[str, Any]]:
        """Entries committed to SQLite that the journal lacks (the process died before appending)."""
        have = {e.get("id") for e in self.journal.read()}
        rows = self.db.query("SELECT * FROM audit ORDER BY seq")
        return [self._line(Entry(r["action"], r["target"], r["who"], loads(r["detail"], {}), r["at"],
                                 r["id"], r["seq"], loads(r["changes"], [])))
                for r in rows if r["id"] not in have]

    # -- replay ----------------------------------------------------------------------
    def replay(self, e: dict[str, Any]) -> str | None:
        """Apply one journaled entry to this database, all or nothing, and keep it as part of
        the audit trail. Returns None, or why it did not apply."""
        try:
            with self.db.transaction() as conn:
                columns: dict[str, dict[str, int]] = {}
                for table, old, new in e.get("changes", []):
                    _apply(conn, columns, table, old, new)
                self._insert(conn, Entry(e["action"], e.get("target", ""), e.get("who", ""),
                                         e.get("detail", {}), e.get("at", ""), e.get("id", ""),
                                         e.get("seq"), e.get("changes", [])))
        except (sqlite3.Error, KeyError, TypeError, ValueError) as exc:
            return f"{e.get('seq')} {e.get('action')}: {exc}"
        return None


def _apply(conn: sqlite3.Connection, columns: dict[str, dict[str, int]], table: str,
           old: dict | None, new: dict | None) -> None:
    """One row image: the row keyed like `old` goes, the row `new` is upserted."""
    if table not in JOURNALED:
        raise ValueError(f"table {table!r} is not journaled")
    if table not in columns:
        columns[table] = {c: pk for c, pk in _columns(conn, table)}
    known = columns[table]
    pk = [c for c, n in sorted(known.items(), key=lambda kv: kv[1]) if n]
    if table == "settings" and (new or old or {}).get("key") in INTERNAL_SETTINGS:
        return
    if old is not None and (new is None or any(old.get(c) != new.get(c) for c in pk)):
        conn.execute(f"DELETE FROM {table} WHERE " + " AND ".join(f"{c} = ?" for c in pk),
                     [old.get(c) for c in pk])
    if new is None:
        return
    cols = [c for c in new if c in known]
    if len(cols) != len(new):
        raise ValueError(f"unknown columns in {table}: {sorted(set(new) - set(known))}")
    rest = [c for c in cols if c not in pk]
    conn.execute(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))}) "
                 f"ON CONFLICT ({', '.join(pk)}) DO " +
                 (f"UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in rest)}" if rest else "NOTHING"),
                 [new[c] for c in cols])


CSV_COLUMNS = ("seq", "at", "who", "action", "target", "summary", "detail", "before", "after")


def as_csv(entries: Sequence[dict[str, Any]]) -> str:
    """Entries (as `Entry.to_dict` gives them) as CSV; detail, before and after as JSON."""
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for e in entries:
        writer.writerow({**e, **{k: dumps(e[k]) for k in ("detail", "before", "after")}})
    return out.getvalue()


def audited(action: str):
    """Decorate a method (of an object with `.ws`) or a function taking the workspace first:
    the call is one audited change, its first argument the target, its arguments the detail."""
    def wrap(fn):
        names = list(inspect.signature(fn).parameters)

        @functools.wraps(fn)
        def run(owner, *args, **kwargs):
            ws = getattr(owner, "ws", owner)
            detail = {**dict(zip(names[1:], args)), **kwargs}
            with ws.audited(action, args[0] if args else "", **detail):
                return fn(owner, *args, **kwargs)
        return run
    return wrap
