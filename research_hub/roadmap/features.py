"""Roadmap features: read Jira / Linear / Productboard exports, create, edit, archive.

An import matches columns by name (case and punctuation ignored, a Jira JSON
``fields.`` prefix dropped) and keeps every other non-empty column in
``extra``. The feature id is the source key (Jira ``Issue key``, Linear
``identifier`` / ``ID``, Productboard ``id``), so importing the same file
again updates the features instead of adding copies. Rows without any key get
``F-`` plus a hash of their title, which is just as stable.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from research_hub.store.db import Database, dumps, loads, now

KEY_NAMES = ("issue_key", "key", "identifier", "feature_id", "issue_id", "id", "ref", "reference")
TITLE_NAMES = ("summary", "title", "name", "feature_name", "feature", "idea", "subject")
DESCRIPTION_NAMES = ("description", "feature_description", "body", "details", "content", "notes")
STATUS_NAMES = ("status", "status_name", "state", "state_name", "feature_status", "status_title")
MAX_ID = 120


class FeatureError(ValueError):
    """A feature file or edit cannot be used; the message is one line."""


@dataclass
class Feature:
    id: str
    title: str
    description: str = ""
    status: str = ""
    archived: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    created_at: str = ""
    updated_at: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "row N: reason"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def row_to_feature(row) -> Feature:
    return Feature(id=row["id"], title=row["title"], description=row["description"],
                   status=row["status"], archived=bool(row["archived"]),
                   extra=loads(row["extra"], {}), created_at=row["created_at"],
                   updated_at=row["updated_at"])


# -- reading export files ------------------------------------------------------
def read_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV, JSON or JSONL export as (source row number, {column: text})."""
    from research_hub.ingest.parsers.encoding import decode_bytes
    from research_hub.ingest.parsers.tabular import read_csv, read_json, read_jsonl
    from research_hub.ingest.types import IngestError

    suffix = path.suffix.lower()
    readers = {".csv": read_csv, ".tsv": read_csv, ".json": read_json, ".jsonl": read_jsonl}
    if suffix not in readers:
        raise FeatureError(f"{path.name}: unsupported file type {suffix or '(none)'} (use .csv, .json or .jsonl)")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise FeatureError(f"{path}: no such file") from None
    except OSError as exc:
        raise FeatureError(f"{path}: cannot read ({exc.strerror or exc})") from None
    try:
        text = decode_bytes(data)
        table = readers[suffix](_records_json(text) if suffix == ".json" else text)
    except IngestError as exc:
        raise FeatureError(f"{path.name}: {exc}") from None
    if not table.rows:
        raise FeatureError(f"{path.name}: no rows found")
    return table.rows


RECORD_KEYS = ("issues", "features", "nodes", "edges", "data", "items", "results", "records", "values")


def _records_json(text: str) -> str:
    """The list of records inside an export (Linear GraphQL nests it as data.issues.nodes)."""
    import json

    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return text  # read_json words the error
    found = _find_list(data, 0)
    return json.dumps(found) if found is not None else text


def _find_list(data: Any, depth: int) -> list | None:
    if isinstance(data, list):
        return data
    if not isinstance(data, dict) or depth > 4:
        return None
    keys = sorted(data, key=lambda k: (str(k).casefold() not in RECORD_KEYS, str(k)))
    for key in keys:
        value = data[key]
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            return [v.get("node", v) if isinstance(v.get("node"), dict) else v for v in value]
        if isinstance(value, dict) and str(key).casefold() in RECORD_KEYS:
            found = _find_list(value, depth + 1)
            if found is not None:
                return found
    return None


def _normal(column: str) -> str:
    from research_hub.ingest.parsers.tabular import normalize_column

    name = normalize_column(column)
    return name[len("fields_"):] if name.startswith("fields_") else name


def pick_columns(columns: list[str]) -> dict[str, str | None]:
    """Which source column plays key, title, description and status."""
    by_name: dict[str, str] = {}
    for col in columns:
        by_name.setdefault(_normal(col), col)
    chosen: dict[str, str | None] = {}
    for role, names in (("key", KEY_NAMES), ("title", TITLE_NAMES),
                        ("description", DESCRIPTION_NAMES), ("status", STATUS_NAMES)):
        chosen[role] = next((by_name[n] for n in names if n in by_name), None)
    return chosen


def _clean_id(value: str) -> str:
    value = re.sub(r"\s+", " ", value).strip()
    return value[:MAX_ID]


def title_id(title: str) -> str:
    return "F-" + hashlib.sha1(title.strip().casefold().encode("utf-8")).hexdigest()[:8]


def features_from_rows(rows: list[tuple[int, dict[str, str]]]) -> tuple[list[Feature], list[str]]:
    columns: list[str] = []
    for _, row in rows:
        columns += [c for c in row if c not in columns]
    picked = pick_columns(columns)
    if picked["title"] is None:
        raise FeatureError("no title column found (expected one of: Summary, Title, Name, "
                           f"Feature name); columns: {', '.join(columns[:20])}")
    used = {c for c in picked.values() if c}
    features, skipped, seen = [], [], set()
    for number, row in rows:
        title = (row.get(picked["title"]) or "").strip()
        if not title:
            skipped.append(f"row {number}: no title")
            continue
        key = _clean_id(row.get(picked["key"]) or "") if picked["key"] else ""
        fid = key or title_id(title)
        if fid in seen:
            skipped.append(f"row {number}: repeats id {fid}")
            continue
        seen.add(fid)
        extra = {c: v for c, v in row.items() if c not in used and v not in ("", None)}
        features.append(Feature(
            id=fid, title=title,
            description=(row.get(picked["description"]) or "") if picked["description"] else "",
            status=(row.get(picked["status"]) or "") if picked["status"] else "",
            extra=extra))
    return features, skipped


# -- the store -----------------------------------------------------------------
class FeatureStore:
    def __init__(self, db: Database):
        self.db = db

    def get(self, feature_id: str) -> Feature:
        row = self.db.one("SELECT * FROM features WHERE id = ?", (feature_id,))
        if row is None:
            row = self.db.one("SELECT * FROM features WHERE lower(id) = lower(?)", (feature_id,))
        if row is None:
            raise KeyError(f"no feature {feature_id!r}")
        return row_to_feature(row)

    def list(self, include_archived: bool = False) -> list[Feature]:
        sql = "SELECT * FROM features" + ("" if include_archived else " WHERE archived = 0")
        return [row_to_feature(r) for r in self.db.query(sql + " ORDER BY id")]

    def import_file(self, path: str | Path) -> ImportReport:
        features, skipped = features_from_rows(read_rows(Path(path)))
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
        fid = _clean_id(feature_id) if feature_id else self._next_id()
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
