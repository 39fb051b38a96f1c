"""Search filters: checked once, then turned into a numpy mask over the catalog.

Fields: tags (every one required), participant, study, kind, document, role
(each a value or a list of alternatives), since/until (ISO dates, inclusive;
"2024-03" means the whole month). Role defaults to "participant": interviewer
questions are not evidence. role="any" searches every speaker.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from typing import Any, Iterable

import numpy as np

from research_hub.core.errors import InvalidInputError
from research_hub.ingest.taxonomy import normalize_tag

DEFAULT_ROLE = "participant"
ANY = {"any", "all", "*"}
FIELDS = ("tags", "participant", "study", "kind", "document", "role", "since", "until")
DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


@dataclass
class Filters:
    tags: tuple[str, ...] = ()
    participant: tuple[str, ...] = ()
    study: tuple[str, ...] = ()
    kind: tuple[str, ...] = ()
    document: tuple[str, ...] = ()  # document ids
    role: tuple[str, ...] = (DEFAULT_ROLE,)
    since: int | None = None  # YYYYMMDD
    until: int | None = None

    def mask(self, catalog) -> np.ndarray | None:
        """Rows that pass every filter; None when nothing is filtered."""
        mask = None
        for category, values in (("role", self.role), ("participant", self.participant),
                                 ("study", self.study), ("kind", self.kind),
                                 ("document_id", self.document)):
            if values:
                codes = [catalog.code(category, v) for v in values]
                column = catalog.codes[category]
                mask = _and(mask, column == codes[0] if len(codes) == 1 else np.isin(column, codes))
        for tag in self.tags:
            has = np.zeros(len(catalog), dtype=bool)
            has[catalog.rows_with_tag(tag)] = True
            mask = _and(mask, has)
        if self.since is not None:
            mask = _and(mask, catalog.dates >= self.since)
        if self.until is not None:
            mask = _and(mask, (catalog.dates <= self.until) & (catalog.dates > 0))
        return mask


def _and(mask: np.ndarray | None, other: np.ndarray) -> np.ndarray:
    return other if mask is None else mask & other


def _values(name: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else list(value)
    out = []
    for item in items:
        if not isinstance(item, str):
            raise InvalidInputError(f"filter {name} takes text, got {item!r}")
        if item.strip():
            out.append(item.strip())
    return tuple(dict.fromkeys(out))


def parse_date(text: str, end: bool) -> int:
    """'2024', '2024-03' or '2024-03-07' -> YYYYMMDD; `end` picks the last day of a period."""
    m = DATE.match(text.strip())
    if not m:
        raise InvalidInputError(f"bad date {text!r}: use YYYY-MM-DD, YYYY-MM or YYYY")
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    mon = int(month) if month else (12 if end else 1)
    if not 1 <= mon <= 12:
        raise InvalidInputError(f"bad date {text!r}: month {mon} does not exist")
    last = calendar.monthrange(year, mon)[1]
    dd = int(day) if day else (last if end else 1)
    if not 1 <= dd <= last:
        raise InvalidInputError(f"bad date {text!r}: day {dd} does not exist")
    return year * 10000 + mon * 100 + dd


def normalize_tags(tags: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(normalize_tag(t) for t in tags))


def parse_filters(ws, **given: Any) -> Filters:
    """Validate keyword filters; unknown names and bad values raise InvalidInputError."""
    unknown = sorted(set(given) - set(FIELDS) - {"tag"})
    if unknown:
        raise InvalidInputError(f"unknown filter {unknown[0]!r}; filters are: {', '.join(FIELDS)}")
    tags = _values("tags", given.get("tags")) + _values("tag", given.get("tag"))
    role = tuple(r.lower() for r in _values("role", given.get("role")))
    f = Filters(tags=normalize_tags(tags),
                participant=_values("participant", given.get("participant")),
                study=_values("study", given.get("study")), kind=_values("kind", given.get("kind")),
                role=() if set(role) & ANY else (role or (DEFAULT_ROLE,)))
    docs = []
    for ref in _values("document", given.get("document")):
        row = ws.records.find_document(ref)
        if row is None:
            raise InvalidInputError(f"no document {ref!r}")
        docs.append(row["id"])
    f.document = tuple(docs)
    for name in ("since", "until"):
        value = given.get(name)
        if value is not None and str(value).strip():
            setattr(f, name, parse_date(str(value), end=name == "until"))
    if f.since and f.until and f.since > f.until:
        raise InvalidInputError("since is after until: no date can match")
    return f
