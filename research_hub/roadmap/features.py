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
import json
from pathlib import Path
from typing import Any

from research_hub.core.errors import FeatureError, IngestError
from research_hub.core.models import Feature, ImportReport
from research_hub.ingest.parsers.encoding import decode_bytes
from research_hub.store.features import clean_id
from research_hub.ingest.parsers.tabular import normalize_column, read_csv, read_json, read_jsonl

KEY_NAMES = ("issue_key", "key", "identifier", "feature_id", "issue_id", "id", "ref", "reference")
TITLE_NAMES = ("summary", "title", "name", "feature_name", "feature", "idea", "subject")
DESCRIPTION_NAMES = ("description", "feature_description", "body", "details", "content", "notes")
STATUS_NAMES = ("status", "status_name", "state", "state_name", "feature_status", "status_title")


# -- reading export files ------------------------------------------------------
def read_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV, JSON or JSONL export as (source row number, {column: text})."""
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
        key = clean_id(row.get(picked["key"]) or "") if picked["key"] else ""
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


def import_file(store, path: str | Path) -> ImportReport:
    """Read an export file and upsert its features into `store`."""
    features, skipped = features_from_rows(read_rows(Path(path)))
    return store.upsert_many(features, skipped)
