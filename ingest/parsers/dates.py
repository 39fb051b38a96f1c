"""Date strings found in exports -> ISO 'YYYY-MM-DD' (None when unsure)."""
from __future__ import annotations

import datetime as _dt
import email.utils
import re

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[T ])")
_YMD = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?:$|[T ,])")
_NUMERIC = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{2}|\d{4})(?:$|[T ,])")
_EPOCH = re.compile(r"^\d{10}(?:\d{3})?(?:\.\d+)?$")
_TEXT_FORMATS = (
    "%B %d, %Y",
    "%b %d, %Y",
    "%B %d %Y",
    "%b %d %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%d %B, %Y",
    "%d %b, %Y",
    "%b. %d, %Y",
    "%A, %B %d, %Y",
    "%a, %b %d, %Y",
)


def _make(year: int, month: int, day: int) -> str | None:
    if year < 100:
        year += 2000
    try:
        return _dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def normalize_date(value: str) -> str | None:
    """Parse common date spellings; ambiguous a/b/yyyy is read month-first
    with '/' (US exports) and day-first with '.' or '-' (European)."""
    text = str(value).strip()
    if not text:
        return None
    match = _ISO.match(text)
    if match:
        return _make(*(int(g) for g in match.groups()))
    match = _YMD.match(text)
    if match:
        return _make(*(int(g) for g in match.groups()))
    match = _NUMERIC.match(text)
    if match:
        first, sep, second, year = match.groups()
        a, b, y = int(first), int(second), int(year)
        if a > 12:
            return _make(y, b, a)
        if b > 12:
            return _make(y, a, b)
        return _make(y, a, b) if sep == "/" else _make(y, b, a)
    if _EPOCH.match(text):
        seconds = float(text)
        if seconds > 1e11:  # milliseconds
            seconds /= 1000.0
        try:
            return _dt.datetime.fromtimestamp(seconds, tz=_dt.timezone.utc).date().isoformat()
        except (OverflowError, OSError, ValueError):
            return None
    cleaned = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text)
    cleaned = re.sub(r"\s+", " ", cleaned)
    # drop a trailing time part like " 10:30" / " at 10:30 AM"
    cleaned = re.sub(r"(?:,|\sat)?\s\d{1,2}:\d{2}.*$", "", cleaned)
    for fmt in _TEXT_FORMATS:
        try:
            return _dt.datetime.strptime(cleaned, fmt).date().isoformat()
        except ValueError:
            continue
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed.date().isoformat() if parsed else None
