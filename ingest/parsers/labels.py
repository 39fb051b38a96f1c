"""Speaker labels at the start of a line, and what role a label names.

Recognised shapes (leading whitespace allowed)::

    Maria: text                 NAME : text            Interviewer 1: text
    Interviewer1: text          Interviewee1 : text     AI: / User: / Assistant: text
    P3: text                    [00:12:03] Maria: text  00:12:03 Maria: text
    (00:12) Maria: text         **Maria:** text         **Maria**: text
    Maria (Product lead): text  Dr. Jane Doe: text      Zoë O'Brien-Smith: text
    Maria Lopez  00:01:02       (label alone on its line, speech below: Otter/Teams)
    [Maria Lopez] 10:32:11      (the same, Zoom's text export)

A syntactic match is only a *candidate*: ``accepted_keys`` keeps the ones
that recur at least twice in the document or name a role, so that prose such
as ``Note: ...`` or ``The problem: ...`` is not taken for a speaker. Once a
document has such labels, a capitalised name that speaks only once is kept
too, unless it stands alone on its line while two or more speakers already
recur (then it is a sub-heading inside someone's turn: ``Initial Steps:``).
Labels are at most 4 words / 40 characters, start with a letter, and do not
start with a word of ``STOP_WORDS`` (note, example, step, summary...).

A role is read off the label's words, ignoring a number glued to them
(``Interviewer1`` is an interviewer, ``Interviewee2`` a participant). ``AI``
and ``Assistant`` (an AI interviewer's transcript) are interviewers, ``User``
a participant.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from research_hub.ingest.parsers.common import parse_clock
from research_hub.ingest.types import INTERVIEWER, PARTICIPANT

_TS = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
_TS_PREFIX = (
    rf"(?:\[[ \t]*(?P<t1>{_TS})[ \t]*\]|\([ \t]*(?P<t2>{_TS})[ \t]*\)|(?P<t3>{_TS}))"
    r"[ \t]*(?:[-\u2013\u2014|][ \t]*)?"
)
_WORD = r"[^\W_][\w'\u2019.\-]*"
_NAME = rf"{_WORD}(?:[ \t]{{1,3}}{_WORD}){{0,3}}"
_GROUPS = r"(?P<groups>(?:[ \t]*(?:\[[^\[\]\n]{1,40}\]|\([^()\n]{1,40}\)))*)"
_BOLD = r"\*\*|__"

COLON_LABEL = re.compile(
    rf"^[ \t]*(?:{_TS_PREFIX})?(?P<b1>{_BOLD})?(?P<name>{_NAME}){_GROUPS}"
    rf"(?P<b2>{_BOLD})?[ \t]*[:\uff1a](?:(?P<b3>{_BOLD})|(?=[ \t]|$))"
)
HEADER_LABEL = re.compile(
    rf"^[ \t]*(?P<b1>{_BOLD})?(?P<open>\[)?(?P<name>{_NAME})(?(open)\])(?P<b2>{_BOLD})?"
    rf"[ \t]+(?:[-|][ \t]*)?"
    rf"(?:\[[ \t]*(?P<t1>{_TS})[ \t]*\]|\([ \t]*(?P<t2>{_TS})[ \t]*\)|(?P<t3>{_TS}))[ \t]*$"
)
_GROUP_ITEM = re.compile(r"\[([^\[\]\n]*)\]|\(([^()\n]*)\)")

MAX_LABEL_CHARS = 40
MAX_LABEL_WORDS = 4

INTERVIEWER_WORDS = {"interviewer", "interviewers", "moderator", "facilitator",
                     "researcher", "host", "interviewing"}
INTERVIEWER_BARE = {"i", "q", "int", "iv", "mod", "ai", "assistant", "ai assistant", "bot"}
PARTICIPANT_WORDS = {"interviewee", "participant", "respondent", "customer",
                     "user", "client", "guest", "subject", "candidate"}
PARTICIPANT_BARE = {"a", "r", "p", "resp"}
GENERIC_WORDS = {"speaker", "person", "voice", "unknown"}
_PARTICIPANT_CODE = re.compile(r"^p[ \t\-_]?\d{1,3}$")
_NUMBER_SUFFIX = re.compile(r"[ \t\-_#]*\d{1,3}$")
_PARTICLES = {"de", "da", "del", "della", "van", "von", "der", "den", "du", "le",
              "la", "di", "bin", "al", "el", "y", "dos", "das", "ter", "ten", "st."}
# first words that mark prose headings / list labels, never speakers
STOP_WORDS = {
    "note", "notes", "nb", "n.b.", "ps", "p.s.", "example", "examples", "e.g.", "eg",
    "i.e.", "ie", "step", "tip", "tips", "warning", "caution", "important", "summary",
    "update", "edit", "todo", "fyi", "re", "subject", "date", "time", "location",
    "place", "title", "agenda", "topic", "topics", "goal", "goals", "objective",
    "objectives", "context", "background", "takeaway", "takeaways", "key", "action",
    "actions", "next", "source", "sources", "study", "project", "duration", "attendees",
    "participants", "observation", "observations", "insight", "insights", "finding",
    "findings", "quote", "quotes", "link", "links", "url", "http", "https", "ftp",
    "mailto", "www", "figure", "fig", "table", "chapter", "section", "page", "part",
    "item", "rule", "phase", "day", "week", "option", "version", "appendix", "pros",
    "cons", "pain", "problem", "problems", "issue", "issues", "solution", "idea",
    "ideas", "feature", "features", "bug", "bugs", "request", "requests",
    "hypothesis", "method", "methods", "result", "results", "conclusion",
    "recommendation", "recommendations", "status", "priority", "owner", "tags",
    "tag", "category", "theme", "themes", "company", "role", "team", "product",
    "plan", "pricing", "price", "cost", "email", "phone", "website", "address",
    "error", "transcript", "recording", "interview",
    "session", "call", "meeting", "format", "language", "platform", "device",
    "segment", "persona", "industry", "size", "age", "gender", "country", "city",
    "however", "also", "then", "so", "but", "and", "or", "because", "yes", "no", "ok",
    "okay", "well", "right", "sure", "honestly", "actually", "basically", "anyway",
    "plus", "bonus", "reminder", "correction", "disclaimer", "caveat", "aside", "fact",
    "meanwhile", "first", "second", "third", "finally", "lastly", "result", "outcome",
    "verdict", "answer", "question", "why", "what", "how", "who", "when", "where",
}


@dataclass
class LabelMatch:
    name: str  # speaker as displayed (bold markers and extra spaces removed)
    key: str  # identity used for recurrence / merging
    role_label: str | None  # the "(Role)" part, if any
    time: float | None  # seconds from a timestamp prefix/suffix
    speech_start: int  # index in the line where the spoken text begins
    alone: bool = False  # "Name:" with nothing after it on the line and no time


_SPACES = re.compile(r"[ \t]+")


def _clean_name(name: str) -> str:
    return _SPACES.sub(" ", name).strip()


def label_key(name: str) -> str:
    return _clean_name(name).casefold().rstrip(".")


def _bold_ok(match: re.Match) -> bool:
    b1, b2 = match.group("b1"), match.group("b2")
    b3 = match.groupdict().get("b3")
    if not b1:
        return not b2 and not b3
    closes = [b for b in (b2, b3) if b]
    return len(closes) == 1 and closes[0] == b1


def _shape_ok(name: str) -> bool:
    if len(name) > MAX_LABEL_CHARS:
        return False
    words = name.split()
    if not words or len(words) > MAX_LABEL_WORDS:
        return False
    if not words[0][0].isalpha():
        return False
    first = words[0].casefold()
    if first in STOP_WORDS or first.rstrip(".:") in STOP_WORDS:
        return False
    if words[0][-1] in "-'\u2019":
        return False
    if len(words) == 1:
        return True
    if is_role_name(name, None):
        return True
    for word in words:
        if word.casefold() in _PARTICLES:
            continue
        if not (word[0].isupper() or word[0].isdigit()):
            return False
    return True


def match_label(line: str) -> LabelMatch | None:
    """The syntactic speaker-label candidate at the start of ``line``."""
    match = COLON_LABEL.match(line)
    if match is None or not _bold_ok(match):
        header = HEADER_LABEL.match(line)
        if header is None or not _bold_ok(header):
            return None
        name = _clean_name(header.group("name"))
        if not _shape_ok(name) or parse_clock(name) is not None:
            return None
        stamp = header.group("t1") or header.group("t2") or header.group("t3")
        return LabelMatch(name, label_key(name), None, parse_clock(stamp), header.end())

    name = _clean_name(match.group("name"))
    if not _shape_ok(name):
        return None
    stamp = match.group("t1") or match.group("t2") or match.group("t3")
    time = parse_clock(stamp) if stamp else None
    role_parts: list[str] = []
    for item in _GROUP_ITEM.finditer(match.group("groups") or ""):
        inner = (item.group(1) if item.group(1) is not None else item.group(2)).strip()
        seconds = parse_clock(inner)
        if seconds is not None:
            time = seconds if time is None else time
        elif inner:
            role_parts.append(inner)
    role_label = ", ".join(role_parts) or None
    alone = time is None and not line[match.end():].strip()
    return LabelMatch(name, label_key(name), role_label, time, match.end(), alone)


_LETTERS = re.compile(r"[^\W\d_]+")


def _words(text: str) -> list[str]:
    """Runs of letters: 'Interviewer1' -> ['interviewer'], 'UX-Researcher' -> ['ux', 'researcher']."""
    return _LETTERS.findall(text.casefold())


@lru_cache(maxsize=4096)
def label_role(name: str, role_label: str | None) -> str | None:
    """INTERVIEWER / PARTICIPANT when the label itself says so, else None."""
    for text in (role_label, name):
        if not text:
            continue
        key = label_key(text)
        bare = _NUMBER_SUFFIX.sub("", key)
        words = _words(text)
        if key in INTERVIEWER_BARE or bare in INTERVIEWER_BARE:
            return INTERVIEWER
        if any(w in INTERVIEWER_WORDS for w in words):
            return INTERVIEWER
        if key in PARTICIPANT_BARE or _PARTICIPANT_CODE.match(key):
            return PARTICIPANT
        if any(w in PARTICIPANT_WORDS for w in words):
            return PARTICIPANT
    return None


@lru_cache(maxsize=4096)
def is_role_name(name: str, role_label: str | None) -> bool:
    """A label that is accepted even when it occurs once (names a role)."""
    if label_role(name, role_label) is not None:
        return True
    words = _words(name)
    return bool(words) and words[0] in GENERIC_WORDS and len(words) <= 2


def _name_shaped(match: LabelMatch) -> bool:
    """Looks like a person's name: 1-3 capitalised words."""
    words = match.name.split()
    if len(words) > 3 or not match.name[0].isupper():
        return False
    return all(w[0].isupper() or w.casefold() in _PARTICLES for w in words)


def accepted_keys(matches: Iterable[LabelMatch], trust_names: bool = False) -> set[str]:
    """Keys of the candidates that are real speaker labels in this document.

    A label counts when it recurs or names a role. Once a document has such
    a label it is a transcript, and a capitalised name that speaks only once
    (``Maria:``) is accepted too; ``trust_names`` (subtitles, where a cue
    prefix is nearly always a speaker) accepts such names from the start.
    """
    matches = list(matches)
    counts = Counter(m.key for m in matches)
    accepted = set()
    for m in matches:
        if counts[m.key] >= 2 or is_role_name(m.name, m.role_label):
            accepted.add(m.key)
    if accepted or trust_names:
        settled = len(accepted) >= 2
        accepted.update(m.key for m in matches
                        if _name_shaped(m) and not (settled and m.alone and counts[m.key] == 1))
    return accepted


_QUESTION_START = re.compile(
    r"^(?:what|how|why|when|where|who|which|whose|can you|could you|would you|"
    r"will you|do you|did you|does|have you|has|are you|were you|is there|is it|"
    r"tell me|talk me|walk me|describe|explain|share|any other|anything else)\b",
    re.IGNORECASE,
)


def is_question(text: str) -> bool:
    stripped = text.strip().rstrip("\"'\u201d\u2019)]*_ ")
    if stripped.endswith("?"):
        return True
    return bool(_QUESTION_START.match(text.strip().lstrip("\"'\u201c*_ ")))
