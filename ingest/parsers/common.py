"""Small helpers shared by the parsers: offsets, lines, titles, dates."""
from __future__ import annotations

import bisect
import datetime as _dt
import re
from pathlib import Path
from typing import Any

from research_hub.ingest.parsers.dates import normalize_date

_FILENAME_DATE = re.compile(r"(?<!\d)(\d{4})[-_.](\d{2})[-_.](\d{2})(?!\d)")
_TIME = re.compile(
    r"^(?:(?P<h>\d{1,3}):)?(?P<m>\d{1,2}):(?P<s>\d{2})(?:[.,](?P<f>\d{1,3}))?$"
)


class LineIndex:
    """Maps an offset in a text to its 1-based line number."""

    def __init__(self, text: str) -> None:
        self._newlines = [m.start() for m in re.finditer("\n", text)]

    def line_of(self, offset: int) -> int:
        return bisect.bisect_left(self._newlines, offset) + 1


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) so it has no leading or trailing whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def parse_clock(value: str) -> float | None:
    """'00:12:03', '12:03', '1:02:03.250' -> seconds; None if not a time."""
    match = _TIME.match(value.strip())
    if not match:
        return None
    hours = int(match.group("h") or 0)
    minutes = int(match.group("m"))
    seconds = int(match.group("s"))
    if seconds >= 60 or (match.group("h") is not None and minutes >= 60):
        return None
    frac = match.group("f")
    millis = int(frac.ljust(3, "0")) if frac else 0
    return hours * 3600 + minutes * 60 + seconds + millis / 1000.0


def humanize_stem(path: Path) -> str:
    """'2024-03-05_interview-maria' -> 'Interview maria' (date kept apart)."""
    stem = _FILENAME_DATE.sub(" ", path.stem)
    words = re.sub(r"[_\-.]+", " ", stem).split()
    if not words:
        return path.stem or path.name
    title = " ".join(words)
    return title[0].upper() + title[1:]


def date_from_filename(path: Path) -> str | None:
    match = _FILENAME_DATE.search(path.stem)
    if not match:
        return None
    try:
        return _dt.date(*(int(g) for g in match.groups())).isoformat()
    except ValueError:
        return None


def iso_date(value: Any) -> str | None:
    """A YAML/JSON date value -> 'YYYY-MM-DD' when it clearly is one."""
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return normalize_date(value)
    return None


def json_safe(value: Any) -> Any:
    """Make YAML front-matter values JSON-serialisable (dates -> ISO strings)."""
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [json_safe(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def first_line(message: str) -> str:
    line = str(message).strip().splitlines()[0] if str(message).strip() else ""
    return line[:200]


_SESSION_WORDS = {
    "think", "aloud", "thinkaloud", "usability", "session", "sessions", "test", "testing",
    "tests", "interview", "interviews", "transcript", "transcripts", "recording", "notes",
    "study", "round", "task", "tasks", "ux", "moderated", "unmoderated", "final", "draft",
    "call", "research", "user", "raw", "cleaned", "clean", "copy", "edited", "and", "with",
}
_PARTICIPANT_CODE = re.compile(r"^(?:p|participant|user|u)[-_ ]?(\d{1,3})$", re.IGNORECASE)
_VERSION = re.compile(r"^v\d+$|^\d+$", re.IGNORECASE)


def participant_from_filename(path: Path) -> str:
    """A participant's name from a file name: 'think-aloud_p07.txt' -> 'P07',
    '2026-05-03_usability_ana-ruiz.txt' -> 'Ana Ruiz'; the humanized stem when
    nothing but session words is left."""
    stem = _FILENAME_DATE.sub(" ", path.stem)
    words = [w for w in re.split(r"[\s_\-.]+", stem) if w]
    for word in words:
        code = _PARTICIPANT_CODE.match(word)
        if code:
            return f"P{code.group(1)}"
    for a, b in zip(words, words[1:]):
        if a.casefold() in ("p", "participant", "user") and b.isdigit() and len(b) <= 3:
            return f"P{b}"
    kept = [w for w in words if w.casefold() not in _SESSION_WORDS and not _VERSION.match(w)]
    if not kept:
        return humanize_stem(path)
    return " ".join(w if any(c.isupper() for c in w) else w.capitalize() for w in kept)
