"""Taxonomy tags: a user file of tags and their keywords (see ``load_taxonomy``).

A snippet gets a taxonomy tag when one of its keywords occurs as whole words
(case-insensitive; a trailing ``*`` matches a word prefix, ``export*``). The
matching is done by ``ingest.tag.Tagger``; this module reads the file.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from research_hub.core.errors import InvalidInputError

Entry = tuple[Any, Any, Any]  # (tag name, description, keywords) as read from the file


def normalize_tag(name: str) -> str:
    """'Data Export' / 'DataExport' / 'data-export' -> 'data_export'."""
    s = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", str(name).strip())
    s = re.sub(r"[^0-9a-zA-Z]+", "_", s).strip("_").lower()
    return s


@dataclass
class TaxonomyTag:
    name: str  # lower_snake_case
    description: str = ""
    keywords: list[str] = field(default_factory=list)

    @property
    def tag(self) -> str:
        return self.name


def load_taxonomy(path: str | Path) -> list[TaxonomyTag]:
    """Read a taxonomy from YAML (.yaml/.yml/.json) or CSV.

    YAML: a list of ``{tag, description, keywords: [...]}`` or a mapping
    ``tag -> {description, keywords}`` (or ``tag -> [keywords]``). CSV: columns
    ``tag, description, keywords`` with keywords separated by ``;`` or ``|``.
    A tag without keywords matches its own name. Raises ValueError naming the
    file and the reason.
    """
    path = Path(path)
    where = f"taxonomy file {path}"
    text = _read_text(path, where)
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml", ".json"):
        return _from_yaml(_parse_yaml(text, where), where)
    if suffix in (".csv", ".tsv"):
        if suffix == ".tsv":
            text = "\n".join(",".join(f'"{c}"' for c in line.split("\t"))
                             for line in text.splitlines())
        try:
            return _from_csv(text, where)
        except csv.Error as exc:
            raise InvalidInputError(f"{where}: invalid CSV ({exc})") from None
    raise InvalidInputError(f"{where}: unsupported format {suffix or '(no extension)'}; "
                     "use .yaml, .yml or .csv")


def _read_text(path: Path, where: str) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InvalidInputError(f"{where}: not found") from None
    except UnicodeDecodeError:
        raise InvalidInputError(f"{where}: not UTF-8 text") from None
    except OSError as exc:
        raise InvalidInputError(f"{where}: cannot read ({exc.strerror or exc})") from None


def _parse_yaml(text: str, where: str) -> Any:
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        raise InvalidInputError(f"{where}: invalid YAML{at}") from None


# ------------------------------------------------------------------- YAML --

def _from_yaml(data: Any, where: str) -> list[TaxonomyTag]:
    data = _unwrap(data)
    if isinstance(data, list):
        entries = [_list_entry(item, i, where) for i, item in enumerate(data, 1)]
    elif isinstance(data, dict):
        entries = [_mapping_entry(name, value, where) for name, value in data.items()]
    elif data is None:
        raise InvalidInputError(f"{where}: the file is empty")
    else:
        raise InvalidInputError(f"{where}: expected a list of tags or a mapping of tag -> "
                         f"keywords, got {type(data).__name__}")
    return _collect(entries, where)


def _unwrap(data: Any) -> Any:
    """The list or mapping inside a top-level ``tags:`` / ``taxonomy:`` key."""
    if isinstance(data, dict) and len(data) == 1:
        (key, value), = data.items()
        if str(key).lower() in ("tags", "taxonomy") and isinstance(value, (list, dict)):
            return value
    return data


def _list_entry(item: Any, i: int, where: str) -> Entry:
    """One item of a YAML list: a tag name, or a mapping with 'tag' and 'keywords'."""
    if isinstance(item, str):
        return (item, "", None)
    if not isinstance(item, dict):
        raise InvalidInputError(f"{where}: entry {i} is {type(item).__name__}, "
                         "expected a mapping with 'tag' and 'keywords'")
    low = _lower_keys(item)
    name = low.get("tag", low.get("name"))
    if name is None:
        raise InvalidInputError(f"{where}: entry {i} has no 'tag'")
    return _entry(name, low)


def _mapping_entry(name: Any, value: Any, where: str) -> Entry:
    """One ``tag -> {description, keywords}`` or ``tag -> keywords`` of a YAML mapping."""
    if isinstance(value, dict):
        return _entry(name, _lower_keys(value))
    if value is None or isinstance(value, (str, list)):
        return (name, "", value)
    raise InvalidInputError(f"{where}: tag {name!r} maps to "
                     f"{type(value).__name__}, expected keywords")


def _lower_keys(fields: dict) -> dict[str, Any]:
    return {str(k).lower(): v for k, v in fields.items()}


def _entry(name: Any, low: dict[str, Any]) -> Entry:
    return (name, low.get("description") or "", low.get("keywords", low.get("keyword")))


# -------------------------------------------------------------------- CSV --

def _from_csv(text: str, where: str) -> list[TaxonomyTag]:
    rows = list(csv.reader(text.splitlines()))
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise InvalidInputError(f"{where}: the file is empty")
    header = [h.strip().lower() for h in rows[0]]
    col = {h: i for i, h in enumerate(header)}
    name_col = col.get("tag", col.get("name"))
    if name_col is None:
        raise InvalidInputError(f"{where}: no 'tag' column (columns: tag, description, keywords;"
                         f" found: {', '.join(h for h in header if h) or 'none'})")
    kw_col = col.get("keywords", col.get("keyword"))
    desc_col = col.get("description")

    def cell(row: list[str], i: int | None) -> str:
        return row[i].strip() if i is not None and i < len(row) else ""

    entries = [(cell(r, name_col), cell(r, desc_col), cell(r, kw_col)) for r in rows[1:]]
    for n, (name, _, _) in enumerate(entries, 2):
        if not name:
            raise InvalidInputError(f"{where}: row {n} has an empty tag")
    return _collect(entries, where)


# ---------------------------------------------------------------- entries --

def _collect(entries: Iterable[Entry], where: str) -> list[TaxonomyTag]:
    """Tags from (name, description, keywords) entries; rows of one tag merge."""
    tags: dict[str, TaxonomyTag] = {}
    for raw_name, description, keywords in entries:
        name = _tag_name(raw_name, where)
        try:
            kws = _split_keywords(keywords)
        except TypeError as exc:
            raise InvalidInputError(f"{where}: tag {raw_name!r}: {exc}") from None
        if not kws:
            kws = [name.replace("_", " ")]
        tag = tags.setdefault(name, TaxonomyTag(name=name))
        if description and not tag.description:
            tag.description = str(description).strip()
        for kw in kws:  # duplicate rows for one tag merge their keywords
            if kw.lower() not in {k.lower() for k in tag.keywords}:
                tag.keywords.append(kw)
    if not tags:
        raise InvalidInputError(f"{where}: no tags found")
    return list(tags.values())


def _tag_name(raw_name: Any, where: str) -> str:
    if raw_name is None or not str(raw_name).strip():
        raise InvalidInputError(f"{where}: an entry has no tag name")
    name = normalize_tag(str(raw_name))
    if not name:
        raise InvalidInputError(f"{where}: tag {raw_name!r} has no letters or digits")
    return name


def _split_keywords(value: Any) -> list[str]:
    """Keywords from text (split on ; | or newline) or a list; TypeError on nested data."""
    if value is None:
        return []
    if isinstance(value, str):
        parts = re.split(r"[;|\n]", value)
    elif isinstance(value, (list, tuple, set)):
        parts = []
        for item in value:
            if isinstance(item, (dict, list, tuple, set)):
                raise TypeError(f"keyword {item!r} is not text")
            parts.extend(re.split(r"[;|\n]", str(item)) if item is not None else [])
    else:
        parts = [str(value)]
    return [p.strip() for p in parts if p and p.strip()]
