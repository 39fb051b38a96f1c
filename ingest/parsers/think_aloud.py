"""Sessions without speaker labels: numbered task prompts, then the participant.

A think-aloud usability session is often written down as the moderator's
numbered tasks or questions, each followed by what the participant said::

    Task 2: Find last month's invoices and export them.
    Okay so I'd look under reports first, hmm, no, it's not there...

    3.a Please explain what you expected to happen.
    I thought it would download straight away.

``find_prompts`` finds such prompt lines. A line is a prompt when it starts
with a task word and a number (``Task 2:``, ``Question 3.``, ``Scenario 1 -``,
``Q4)``), or with a bare task number (``3.a``, ``3a.``, ``4)``, ``5.``)
followed by a question or an instruction (``Please explain ...``, ``Find
...``). A document is a session when it has a task-word prompt, or two
numbered ones, and speech follows at least half of them (a plain numbered
list in research notes has nothing between its items, so it stays a note).

``session_turns`` makes each prompt line a moderator turn (interviewer role)
and the lines up to the next prompt a participant turn, so the prompt is the
``context`` of the participant snippets that follow it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from research_hub.ingest.parsers.labels import is_question
from research_hub.ingest.parsers.speakers import HEADING, iter_lines

_KEYWORD_PROMPT = re.compile(
    r"^[ \t]*(?:[*_]{1,2})?(?:task|question|scenario|prompt|exercise|activity|mission|q)"
    r"[ \t]*#?[ \t]*(?P<num>\d{1,3}(?:\.\d{1,2}|[.\-]?[a-z](?![a-z]))?)(?:[*_]{1,2})?"
    r"[ \t]*(?:[:.)\-\u2013\u2014][ \t]*|[ \t]+)(?=\S)",
    re.IGNORECASE,
)
_NUMBER_PROMPT = re.compile(
    r"^[ \t]*(?:[*_]{1,2})?(?P<num>\d{1,2}(?:\.\d{1,2}|\.?[a-z](?![a-z]))?)(?:[.)]|[ \t]*[:\-\u2013])?"
    r"(?:[*_]{1,2})?[ \t]+(?=\S)",
    re.IGNORECASE,
)
INSTRUCTIONS = {
    "please", "try", "find", "show", "open", "explain", "describe", "tell", "imagine", "go",
    "navigate", "locate", "use", "create", "add", "look", "click", "tap", "choose", "select",
    "pick", "think", "read", "compare", "sign", "log", "set", "change", "complete", "start",
    "buy", "book", "search", "order", "upload", "download", "share", "send", "edit", "delete",
    "remove", "rate", "talk", "walk", "review", "check", "enter", "fill", "make", "pay",
    "schedule", "export", "import", "invite", "update", "save", "let's", "now",
}
_WORD = re.compile(r"[^\W\d_][\w'\u2019]*")


@dataclass
class Prompt:
    start: int  # the prompt line, trimmed, in the document text
    end: int
    number: str  # "2", "3.a"


def prompt_number(line: str) -> str | None:
    """The task number when ``line`` is a task/question prompt, else None."""
    match = _KEYWORD_PROMPT.match(line)
    if match:
        return match.group("num")
    match = _NUMBER_PROMPT.match(line)
    if not match:
        return None
    rest = line[match.end():].strip().lstrip("*_\"'\u201c")
    first = _WORD.match(rest)
    if first is None:
        return None
    if first.group(0).casefold() in INSTRUCTIONS or is_question(rest):
        return match.group("num")
    return None


def reads_as_prompt(text: str) -> bool:
    """A question or an instruction (with or without a task number)."""
    if prompt_number(text) is not None or is_question(text):
        return True
    first = _WORD.match(text.strip().lstrip("*_\"'\u201c"))
    return first is not None and first.group(0).casefold() in INSTRUCTIONS


def _keyword(line: str) -> bool:
    return _KEYWORD_PROMPT.match(line) is not None


def find_prompts(text: str, body_start: int = 0) -> list[Prompt] | None:
    """The prompt lines when ``text[body_start:]`` reads as a session, else None."""
    prompts: list[Prompt] = []
    keyword = 0
    answered = 0
    speech_after_last = False
    for offset, line in iter_lines(text, body_start):
        stripped = line.strip()
        if not stripped:
            continue
        number = prompt_number(line)
        if number is not None:
            if prompts and speech_after_last:
                answered += 1
            start = offset + len(line) - len(line.lstrip())
            prompts.append(Prompt(start, offset + len(line.rstrip()), number))
            keyword += _keyword(line)
            speech_after_last = False
        elif prompts and not HEADING.match(line):
            speech_after_last = True
    if prompts and speech_after_last:
        answered += 1
    if not prompts or not (keyword >= 1 or len(prompts) >= 2):
        return None
    if answered == 0 or answered * 2 < len(prompts):
        return None
    return prompts


@dataclass
class Span:
    start: int
    end: int
    prompt: Prompt | None  # None for participant speech


def session_spans(text: str, prompts: list[Prompt], body_start: int = 0,
                  skip: set[int] | None = None) -> list[Span]:
    """Prompt spans and the participant speech between them, in order.

    Speech runs from the line after a prompt to the line before the next one
    (blank lines inside kept); a markdown heading or rule ends it. Lines whose
    offset is in ``skip`` (header fields, a title) are not speech.
    """
    skip = skip or set()
    by_start = {p.start: p for p in prompts}
    spans: list[Span] = []
    current: Span | None = None
    for offset, line in iter_lines(text, body_start):
        content_start = offset + len(line) - len(line.lstrip())
        content_end = offset + len(line.rstrip())
        prompt = by_start.get(content_start) if line.strip() else None
        if prompt is not None:
            current = None
            spans.append(Span(prompt.start, prompt.end, prompt))
        elif HEADING.match(line) or offset in skip:
            current = None
        elif line.strip():
            if current is None:
                current = Span(content_start, content_end, None)
                spans.append(current)
            current.end = content_end
    return spans
