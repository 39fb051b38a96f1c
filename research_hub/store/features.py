"""Roadmap features in SQLite: list, upsert from an import, add, edit, archive."""
from __future__ import annotations

import re
from typing import Any, Sequence

from research_hub.core.errors import FeatureError, NotFoundError
from research_hub.core.models import Feature, ImportReport
from research_hub.store.db import Database, dumps, loads, now


MAX_ID = 120


def clean_id(value: str) -> str:
    """A feature id as stored: whitespace folded, at most MAX_ID characters."""
    return re.sub(r"\s+", " ", value).strip()[:MAX_ID]


def row_to_feature(row) -> Feature:
    return Feature(id=row["id"], title=row["title"], description=row["description"],
                   status=row["status"], archived=bool(row["archived"]),
                   extra=loads(row["extra"], {}), created_at=row["created_at"],
                   updated_at=row["updated_at"])


class FeatureStore:
    def __init__(self, db: Database):
        self.db = db

    def get(self, feature_id: str) -> Feature:
        row = self.db.one("SELECT * FROM features WHERE id = ?", (feature_id,))
        if row is None:
            row = self.db.one("SELECT * FROM features WHERE lower(id) = lower(?)", (feature_id,))
        if row is None:
            raise NotFoundError(f"no feature {feature_id!r}")
        return row_to_feature(row)

    def list(self, include_archived: bool = False) -> list[Feature]:
        sql = "SELECT * FROM features" + ("" if include_archived else " WHERE archived = 0")
        return [row_to_feature(r) for r in self.db.query(sql + " ORDER BY id")]

    def upsert_many(self, features: Sequence[Feature], skipped: list[str]) -> ImportReport:
        """Add new features and update changed ones in one transaction (key: the id)."""
        report = ImportReport(skipped=skipped)
        with self.db.transaction() as conn:
            for f in features:
                outcome = self._upsert(conn, f)
                getattr(report, outcome).append(f.id)
        return report

    def _upsert(self, conn, f: Feature) -> str:
        old = conn.execute("SELECT * FROM features WHERE id = ?", (f.id,)).fetchone()
        stamp = now()
        if old is None:
            conn.execute("INSERT INTO features (id, title, description, status, archived, extra, "
                         "created_at, updated_at) VALUES (?, ?, ?, ?, 0, ?, ?, ?)",
                         (f.id, f.title, f.description, f.status, dumps(f.extra), stamp, stamp))
            return "added"
        same = (old["title"], old["description"], old["status"], loads(old["extra"], {})) == \
            (f.title, f.description, f.status, f.extra)
        if same:
            return "unchanged"
        # archived stays as the PM left it: a re-import must not resurrect a feature
        conn.execute("UPDATE features SET title = ?, description = ?, status = ?, extra = ?, "
                     "updated_at = ? WHERE id = ?",
                     (f.title, f.description, f.status, dumps(f.extra), stamp, f.id))
        return "updated"

    def add(self, title: str, description: str = "", status: str = "",
            feature_id: str | None = None, extra: dict[str, Any] | None = None) -> Feature:
        title = title.strip()
        if not title:
            raise FeatureError("a feature needs a title")
        fid = clean_id(feature_id) if feature_id else self._next_id()
        if not fid:
            raise FeatureError("a feature id cannot be blank")
        stamp = now()
        with self.db.transaction() as conn:
            if conn.execute("SELECT 1 FROM features WHERE id = ?", (fid,)).fetchone():
                raise FeatureError(f"feature {fid} already exists")
            conn.execute("INSERT INTO features (id, title, description, status, archived, extra, "
                         "created_at, updated_at) VALUES (?, ?, ?, ?, 0, ?, ?, ?)",
                         (fid, title, description, status, dumps(extra or {}), stamp, stamp))
        return self.get(fid)

    def _next_id(self) -> str:
        taken = {r[0] for r in self.db.query("SELECT id FROM features WHERE id LIKE 'F-%'")}
        n = 1 + sum(1 for t in taken if t[2:].isdigit())
        while f"F-{n}" in taken:
            n += 1
        return f"F-{n}"

    def edit(self, feature_id: str, *, title: str | None = None, description: str | None = None,
             status: str | None = None) -> Feature:
        f = self.get(feature_id)
        if title is not None and not title.strip():
            raise FeatureError("a feature needs a title")
        with self.db.transaction() as conn:
            conn.execute("UPDATE features SET title = ?, description = ?, status = ?, updated_at = ? "
                         "WHERE id = ?",
                         (title.strip() if title is not None else f.title,
                          description if description is not None else f.description,
                          status if status is not None else f.status, now(), f.id))
        return self.get(f.id)

    def archive(self, feature_id: str, archived: bool = True) -> Feature:
        f = self.get(feature_id)
        with self.db.transaction() as conn:
            conn.execute("UPDATE features SET archived = ?, updated_at = ? WHERE id = ?",
                         (int(archived), now(), f.id))
        return self.get(f.id)
