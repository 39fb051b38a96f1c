"""Transcripts exported as tables: one row per utterance, with a speaker column.

Otter, Zoom, Descript, Dovetail and oral-history projects export transcripts
as CSV, TSV or XLSX with a speaker column, a text column and often a start
time::

    speaker,words,tags,timestamp
    Devin Becker,And there we go with that.,,[0:00]
    ,"So, three parts to the interview...",,          <- empty: same speaker
    RA:,OK.,career;teaching,

``transcript_columns`` tells such a table from a feedback export (one item
per row): it needs a speaker column (speaker, name, participant, who, ...) and
a text column named like speech (text, words, transcript, utterance,
content, ...), and the speakers must recur the way turns do (few speakers for
many rows, or rows that leave the speaker empty to continue it). A table
whose text column is a comment, feedback or review, or that has a rating,
is feedback, unless its speaker column is literally called "speaker"; one
that also has an email, date, channel or source column needs empty speaker
cells or clock times as well.

The stored text is a readable transcript built here, one block per turn::

    Devin Becker: And there we go with that.
    So, three parts to the interview...

    Rae Armantrout: About how long will it take?

Consecutive rows of one speaker are one turn (a row each line). Speakers are
named as written less a trailing colon; initials that abbreviate a full name
used elsewhere in the table are that person (``DB`` -> ``Devin Becker``).
A row's time (``[01:09]``, ``0:00:45``, ``12.5`` seconds) becomes a cue of its
line and the start time of its turn. The codes of a codes/tags column
(``career;teaching``) are kept per row in ``Turn.meta["source_rows"]`` and as
the turn's ``meta["codes"]``: ground truth for analysis, never product tags.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from research_hub.ingest.parsers.aliases import resolve_aliases
from research_hub.ingest.parsers.common import date_from_filename, humanize_stem, parse_clock
from research_hub.ingest.parsers.labels import label_key
from research_hub.ingest.parsers.speakers import assign_roles
from research_hub.ingest.parsers.tabular import Table, normalize_column
from research_hub.ingest.types import Cue, IngestError, ParsedDocument, Turn

SPEAKER_NAMES = ("speaker", "speaker_name", "speaker_label", "speakers", "name", "participant",
                 "who", "person", "voice", "spk", "talker")
STRONG_SPEAKER_NAMES = {"speaker", "speaker_name", "speaker_label", "speakers", "spk"}
TEXT_NAMES = ("text", "words", "transcript", "transcription", "utterance", "content", "speech",
              "said", "sentence", "sentences", "dialogue", "dialog", "line", "caption",
              "paragraph", "quote")
START_NAMES = ("start", "start_time", "starttime", "start_timestamp", "timestamp", "time",
               "begin", "start_s", "start_seconds", "in", "time_in", "from", "offset")
END_NAMES = ("end", "end_time", "endtime", "end_timestamp", "stop", "end_s", "end_seconds",
             "out", "time_out", "to")
CODE_NAMES = ("tags", "tag", "codes", "code", "topics", "topic", "themes", "labels")
ROLE_NAMES = ("role", "speaker_role", "speaker_type")
FEEDBACK_TEXT = {"comment", "comments", "feedback", "review", "response", "answer", "body",
                 "message", "description", "review_text", "feedback_text"}
FEEDBACK_SIGNS = {"rating", "score", "stars", "nps", "csat", "ces", "upvotes", "likes",
                  "review", "review_title", "app_version", "store", "country"}
# Columns a feedback export has and a transcript rarely does: with a speaker
# column named only "name", "participant", ... they need a second sign of a
# transcript (speaker cells left empty to continue, or clock times).
ITEM_SIGNS = {"email", "channel", "source", "platform", "date", "created", "created_at",
              "submitted", "submitted_at", "updated_at", "url", "subject", "title"}
MAX_SPEAKERS = 30
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z]{2,31});")
_CODE_SPLIT = re.compile(r"\s*[;|]\s*")
_SECONDS = re.compile(r"^\d{1,6}(?:\.\d{1,3})?$")


@dataclass
class Columns:
    speaker: str
    text: str
    start: str | None = None
    end: str | None = None
    codes: str | None = None
    role: str | None = None
    others: list[str] = field(default_factory=list)


def _find(columns: list[str], names, exclude=()) -> str | None:
    normalized: dict[str, str] = {}
    for col in columns:
        if col not in exclude:
            normalized.setdefault(normalize_column(col), col)
    for name in names:
        if name in normalized:
            return normalized[name]
    return None


def _speaker_value(value: str) -> str:
    return " ".join(value.strip().rstrip(":\uff1a").split()).strip("*_ ")


def transcript_columns(table: Table, text_col: str | None = None) -> Columns | None:
    """The speaker/text/time/codes columns when ``table`` is a transcript, else None."""
    columns = table.columns
    speaker = _find(columns, SPEAKER_NAMES)
    if speaker is None:
        return None
    if text_col is not None:
        text = next((c for c in columns if c == text_col), None) or next(
            (c for c in columns if c.strip().casefold() == text_col.strip().casefold()), None)
    else:
        text = _find(columns, TEXT_NAMES, exclude={speaker})
    if text is None or text == speaker:
        return None
    strong = normalize_column(speaker) in STRONG_SPEAKER_NAMES
    names = {normalize_column(c) for c in columns}
    if not strong and (normalize_column(text) in FEEDBACK_TEXT or names & FEEDBACK_SIGNS):
        return None

    speakers: list[str] = []
    continued = 0
    seen_speaker = False
    for _, row in table.rows:
        if not row.get(text, "").strip():
            continue
        value = _speaker_value(row.get(speaker, ""))
        if value:
            speakers.append(label_key(value))
            seen_speaker = True
        elif seen_speaker:
            continued += 1
    if not speakers:
        return None
    distinct = len(set(speakers))
    recurring = len(speakers) >= 2 and distinct <= len(speakers) / 2
    if distinct > MAX_SPEAKERS or not (strong or recurring or continued):
        return None

    used = {speaker, text}
    start = _find(columns, START_NAMES, exclude=used)
    if not strong and not continued and names & ITEM_SIGNS and not _clock_times(table, start):
        return None
    used |= {start} if start else set()
    end = _find(columns, END_NAMES, exclude=used)
    used |= {end} if end else set()
    codes = _find(columns, CODE_NAMES, exclude=used)
    used |= {codes} if codes else set()
    role = _find(columns, ROLE_NAMES, exclude=used)
    used |= {role} if role else set()
    return Columns(speaker, text, start, end, codes, role, [c for c in columns if c not in used])


def _clock_times(table: Table, column: str | None) -> bool:
    """Most values of ``column`` are offsets into a recording, not dates."""
    if column is None:
        return False
    values = [row.get(column, "").strip() for _, row in table.rows[:200]]
    values = [v for v in values if v]
    return bool(values) and sum(parse_seconds(v) is not None for v in values) * 2 >= len(values)


def parse_seconds(value: str) -> float | None:
    """'[01:09]', '0:00:45', '(12:03)', '00:01:02,500', '75.5' -> seconds."""
    value = value.strip().strip("[]() ")
    if not value:
        return None
    if _SECONDS.match(value):
        return float(value)
    return parse_clock(value)


def _codes(value: str) -> list[str]:
    return [c for c in _CODE_SPLIT.split(value.strip()) if c]


def _clean_text(value: str) -> str:
    value = value.strip()
    if "&" in value and _ENTITY.search(value):
        value = html.unescape(value)
    return value.replace("\x00", "")


@dataclass
class _Row:
    number: int
    label: str  # the speaker as written (colon dropped); "" continues
    text: str
    time: float | None
    end_time: float | None
    codes: list[str]
    role_label: str | None
    extra: dict[str, str]


def _rows(table: Table, cols: Columns) -> list[_Row]:
    rows = []
    for number, row in table.rows:
        text = _clean_text(row.get(cols.text, ""))
        if not text:
            continue
        extra = {c: row[c] for c in cols.others if row.get(c)}
        rows.append(_Row(
            number=number,
            label=_speaker_value(row.get(cols.speaker, "")),
            text=text,
            time=parse_seconds(row.get(cols.start, "")) if cols.start else None,
            end_time=parse_seconds(row.get(cols.end, "")) if cols.end else None,
            codes=_codes(row.get(cols.codes, "")) if cols.codes else [],
            role_label=row.get(cols.role, "").strip() or None if cols.role else None,
            extra=extra,
        ))
    return rows


def parse_transcript_table(path: Path, table: Table, cols: Columns, fmt: str) -> ParsedDocument:
    rows = _rows(table, cols)
    if not rows:
        raise IngestError(f"no rows with text in column '{cols.text}'")

    # Speakers: as written less the colon, one spelling per person, initials -> full names.
    spelling: dict[str, str] = {}
    for row in rows:
        if row.label:
            spelling.setdefault(label_key(row.label), row.label)
    aliases = resolve_aliases(list(spelling.values()))
    name_of = {key: aliases.get(name, name) for key, name in spelling.items()}

    # Group rows into turns: an empty speaker, or the same person, continues.
    groups: list[tuple[str | None, list[_Row]]] = []
    for row in rows:
        speaker = name_of[label_key(row.label)] if row.label else None
        if groups and (speaker is None or speaker == groups[-1][0]):
            groups[-1][1].append(row)
        else:
            groups.append((speaker, [row]))

    parts: list[str] = []
    turns: list[Turn] = []
    unattributed: list[int] = []
    offset = 0
    line = 1

    def add(piece: str) -> int:
        nonlocal offset, line
        start = offset
        parts.append(piece)
        offset += len(piece)
        line += piece.count("\n")
        return start

    for speaker, members in groups:
        if parts:
            add("\n\n")
        if speaker is None:  # rows before any speaker: kept in the text, not a turn
            for index, row in enumerate(members):
                if index:
                    add("\n")
                add(row.text)
                unattributed.append(row.number)
            continue
        add(f"{speaker}: ")
        turn_line = line
        source_rows: list[dict[str, Any]] = []
        for index, row in enumerate(members):
            if index:
                add("\n")
            start = add(row.text)
            entry: dict[str, Any] = {"row": row.number, "start": start, "end": offset}
            if row.codes:
                entry["codes"] = row.codes
            if row.time is not None:
                entry["time"] = row.time
            if row.label and row.label != speaker:
                entry["label"] = row.label
            if row.extra:
                entry["columns"] = row.extra
            source_rows.append(entry)
        turn = Turn(speaker=speaker, role="", start=source_rows[0]["start"], end=offset,
                    line=turn_line, start_time=members[0].time)
        codes = list(dict.fromkeys(c for r in members for c in r.codes))
        turn.meta = {"rows": [r.number for r in members], "source_rows": source_rows}
        if codes:
            turn.meta["codes"] = codes
        labels = list(dict.fromkeys(r.label for r in members if r.label and r.label != speaker))
        if labels:
            turn.meta["label"] = labels[0]
        role_label = next((r.role_label for r in members if r.role_label), None)
        if role_label:
            turn.meta["role_label"] = role_label
        turns.append(turn)
    if not turns:
        raise IngestError(f"no rows with a speaker in column '{cols.speaker}'")
    text = "".join(parts)

    _set_times(turns, rows)
    roles = assign_roles([(t.speaker, t.meta.get("role_label"), text[t.start:t.end])
                          for t in turns])
    for turn in turns:
        turn.role = roles[turn.speaker]
    metadata: dict[str, Any] = {
        "format": fmt,
        "style": "transcript table",
        "speaker_column": cols.speaker,
        "text_column": cols.text,
        "time_column": cols.start,
        "code_column": cols.codes,
        "columns": table.columns,
        "rows": len(rows),
        "speakers": roles,
        **table.info,
    }
    if aliases:
        metadata["aliases"] = aliases
    if unattributed:
        metadata["unattributed_rows"] = unattributed
    return ParsedDocument(
        text=text,
        turns=turns,
        kind_hint="interview",
        title=humanize_stem(path),
        date=date_from_filename(path),
        metadata=metadata,
    )


def _set_times(turns: list[Turn], rows: list[_Row]) -> None:
    """Cues for timed rows (ending where the next timed row starts), turn end times."""
    timed = [t for t in (r.time for r in rows) if t is not None]
    if not timed:
        return
    by_number = {r.number: r for r in rows}
    ordered = [by_number[e["row"]] for t in turns for e in t.meta["source_rows"]]
    following: float | None = None
    ends: dict[int, float | None] = {}
    for row in reversed(ordered):
        ends[row.number] = row.end_time if row.end_time is not None else following
        if row.time is not None:
            following = row.time
    for turn in turns:
        for entry in turn.meta["source_rows"]:
            row = by_number[entry["row"]]
            if row.time is None:
                continue
            end = ends[row.number]
            end = end if end is not None and end >= row.time else row.time
            turn.cues.append(Cue(entry["start"], entry["end"], row.time, end))
    following = None
    for turn in reversed(turns):
        if turn.start_time is not None:
            explicit = [r.end_time for r in (by_number[n] for n in turn.meta["rows"])
                        if r.end_time is not None]
            end = explicit[-1] if explicit else following
            turn.end_time = end if end is not None and end >= turn.start_time else None
            following = turn.start_time
