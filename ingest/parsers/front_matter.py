"""YAML front matter (``---`` ... ``---`` at the very top) and header lines.

The front matter stays in the normalized text; the parsers start looking for
turns after it, so offsets remain exact.
"""
from __future__ import annotations

import re
from typing import Any

import yaml

from research_hub.ingest.parsers.common import iso_date, json_safe

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_HEADER_FIELD = re.compile(
    r"^[ \t]*(?:\*\*|__)?(?P<key>[^\W\d_][\w ]{0,24}?)(?:\*\*|__)?[ \t]*:(?:\*\*|__)?[ \t]*(?P<value>.+?)[ \t]*$"
)
KINDS = {"interview", "survey", "support", "review", "note"}


class _NoAliasLoader(yaml.SafeLoader):
    """Front matter never needs anchors; refusing aliases stops a 'billion laughs' file,
    whose aliases would be expanded when the metadata is made JSON."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise yaml.YAMLError("aliases are not allowed in front matter")
        return super().compose_node(parent, index)


def split_front_matter(text: str) -> tuple[dict[str, Any] | None, int]:
    """(front matter mapping or None, offset where the body starts)."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return None, 0
    try:
        data = yaml.load(match.group(1) or "", Loader=_NoAliasLoader) or {}  # noqa: S506 - safe loader
    except yaml.YAMLError:
        return None, 0
    if not isinstance(data, dict):
        return None, 0
    return {str(k): v for k, v in data.items()}, match.end()


def header_fields(lines: list[str]) -> dict[str, str]:
    """'Date: 2024-03-05' style lines above a transcript -> {key: value}."""
    fields: dict[str, str] = {}
    for line in lines:
        if len(line) > 300:
            continue
        match = _HEADER_FIELD.match(line)
        if match:
            key = re.sub(r"\s+", " ", match.group("key")).strip().casefold()
            fields.setdefault(key, match.group("value").strip().strip("*_").strip())
    return fields


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple, set)):
        return [str(v).strip() for v in value if str(v).strip()]
    if isinstance(value, dict):
        return [str(k).strip() for k in value]
    return [p.strip() for p in re.split(r"[,;]| and ", str(value)) if p.strip()]


def _pick(data: dict[str, Any], *names: str) -> Any:
    lowered = {k.casefold(): v for k, v in data.items()}
    for name in names:
        if name in lowered and lowered[name] not in (None, ""):
            return lowered[name]
    return None


def document_fields(data: dict[str, Any]) -> dict[str, Any]:
    """title/study/date/participants/interviewers/kind from front matter or header fields."""
    out: dict[str, Any] = {}
    title = _pick(data, "title")
    if title is not None:
        out["title"] = str(title).strip()
    study = _pick(data, "study", "project", "research")
    if study is not None:
        out["study"] = str(study).strip()
    date = _pick(data, "date", "interview date", "interview_date", "recorded", "created")
    if date is not None:
        out["date"] = iso_date(date)
    participants = _as_list(_pick(data, "participants", "participant", "interviewee",
                                  "interviewees", "respondent", "customer"))
    if participants:
        out["participants"] = participants
    interviewers = _as_list(_pick(data, "interviewer", "interviewers", "moderator",
                                  "facilitator", "researcher", "researchers"))
    if interviewers:
        out["interviewers"] = interviewers
    kind = _pick(data, "kind", "type")
    if isinstance(kind, str) and kind.strip().casefold() in KINDS:
        out["kind"] = kind.strip().casefold()
    return out


def front_matter_metadata(data: dict[str, Any]) -> dict[str, Any]:
    return json_safe(data)
