"""WebVTT (webvtt-py) and SubRip (pysrt) subtitles -> speaker turns.

Speakers come from ``<v Name>`` voice spans or a ``Name:`` prefix on a cue
line (``- Name:`` and ``>> Name:`` too); a cue without one continues the
previous speaker. Consecutive cues of one speaker merge into one Turn whose
``cues`` keep each cue's offsets and times.

The stored text is a readable transcript built here, one line per turn::

    Maria: I export every month and it takes an hour.

Tags (``<i>``, ``<c.x>``, ``{\\an8}``...) are removed as text, never rendered.
Cues with broken timestamps are skipped and counted in
``metadata["skipped_cues"]``.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from research_hub.ingest.parsers.common import date_from_filename, humanize_stem, parse_clock
from research_hub.ingest.parsers.encoding import decode_bytes
from research_hub.ingest.parsers.labels import accepted_keys, label_key, match_label
from research_hub.ingest.parsers.registry import TRANSCRIPT, register
from research_hub.ingest.parsers.speakers import assign_roles
from research_hub.ingest.types import Cue, IngestError, ParsedDocument, Turn

UNKNOWN = "Unknown"
UNKNOWN_GAP = 2.0  # seconds of silence that split an unlabelled speaker's turn
_VOICE = re.compile(r"<v(?:\.[\w-]*)*[ \t]+([^<>\n]*)>")
_TAG = re.compile(r"<[^<>\n]*>")
_ASS_TAG = re.compile(r"\{\\[^{}\n]*\}")
_LINE_PREFIX = re.compile(r"^[ \t]*(?:-|>>)[ \t]*")
_ROLE_SUFFIX = re.compile(r"^(.*?)[ \t]*\(([^()]*)\)$")
_SRT_TIMING = re.compile(
    r"^[ \t]*\d+:\d{1,2}:\d{1,2}[,.]\d{1,3}[ \t]*-->[ \t]*\d+:\d{1,2}:\d{1,2}[,.]\d{1,3}(?:[ \t].*)?$"
)


@dataclass
class _Cue:
    start_time: float
    end_time: float
    raw: str


@dataclass
class _Unit:
    """Contiguous cue text of one speaker (part of one cue)."""

    cue: int
    speaker: str | None
    role_label: str | None
    text: str
    start_time: float
    end_time: float


@dataclass
class _TurnDraft:
    speaker: str
    role_label: str | None
    units: list[_Unit] = field(default_factory=list)


def _clean(text: str) -> str:
    text = _ASS_TAG.sub("", _TAG.sub("", text))
    return html.unescape(text).replace("\u00a0", " ")


def _split_voices(raw: str) -> list[tuple[str | None, str]]:
    """[(voice or None, text)] in order; text before the first tag has None."""
    parts: list[tuple[str | None, str]] = []
    pos = 0
    voice: str | None = None
    for match in _VOICE.finditer(raw):
        parts.append((voice, raw[pos:match.start()]))
        voice = match.group(1).strip() or None
        pos = match.end()
    parts.append((voice, raw[pos:]))
    return [(v, t) for v, t in parts if t.strip() or v]


def _voice_name(voice: str) -> tuple[str, str | None]:
    match = _ROLE_SUFFIX.match(voice)
    if match and match.group(1).strip():
        return match.group(1).strip(), match.group(2).strip() or None
    return voice, None


def _seconds(stamp: str, fallback: float) -> float:
    value = parse_clock(stamp)
    return float(fallback) if value is None else value


def _vtt_cues(text: str) -> tuple[list[_Cue], int, str | None]:
    import webvtt
    from webvtt.errors import MalformedCaptionError, MalformedFileError

    try:
        vtt = webvtt.from_string(text)
    except MalformedFileError as exc:
        raise IngestError("not a WebVTT file (no WEBVTT header)") from exc
    except (MalformedCaptionError, ValueError) as exc:
        raise IngestError(f"malformed WebVTT ({exc})") from exc
    cues = []
    for caption in vtt.captions:
        start = _seconds(caption.start, caption.start_in_seconds)
        end = _seconds(caption.end, caption.end_in_seconds)
        cues.append(_Cue(start, max(start, end), caption.raw_text))
    arrows = sum(1 for line in text.split("\n") if "-->" in line)
    header = (getattr(vtt, "header_text", "") or "").strip().lstrip("-").strip()
    return cues, max(0, arrows - len(cues)), header or None


def _srt_blocks(text: str) -> tuple[list[str], int]:
    """Blocks with a valid timing line; a timeless block after a cue is a
    blank line inside that cue's text and is kept with it."""
    blocks: list[str] = []
    skipped = 0
    for block in re.split(r"\n[ \t]*\n", text):
        lines = [line for line in block.split("\n")]
        while lines and not lines[0].strip():
            lines.pop(0)
        if not lines:
            continue
        head = lines[:2]
        if any(_SRT_TIMING.match(line) for line in head):
            if not _SRT_TIMING.match(head[0]) and not head[0].strip().isdigit():
                lines = lines[1:]  # junk before the timing line
            blocks.append("\n".join(lines))
        elif any("-->" in line for line in head):
            skipped += 1
            blocks.append("")  # a broken cue ends the previous one
        elif blocks and blocks[-1]:
            blocks[-1] += "\n" + "\n".join(lines)
    return [b for b in blocks if b], skipped


def _srt_cues(text: str) -> tuple[list[_Cue], int]:
    import pysrt

    blocks, skipped = _srt_blocks(text)
    if not blocks:
        return [], skipped
    source = "\n\n".join(blocks) + "\n"
    items = pysrt.SubRipFile.from_string(source, error_handling=pysrt.SubRipFile.ERROR_PASS)
    cues = []
    for item in items:
        start = item.start.ordinal / 1000.0
        end = max(item.end.ordinal / 1000.0, start)
        cues.append(_Cue(start, end, item.text))
    skipped += max(0, len(blocks) - len(cues))
    return cues, skipped


def _units(cues: list[_Cue]) -> list[_Unit]:
    lines: list[tuple[int, str | None, str]] = []  # (cue index, voice, clean line)
    for index, cue in enumerate(cues):
        for voice, segment in _split_voices(cue.raw):
            for line in _clean(segment).split("\n"):
                lines.append((index, voice, line))
    candidates = [match_label(_LINE_PREFIX.sub("", line)) for _, _, line in lines]
    keys = accepted_keys((m for m in candidates if m is not None), trust_names=True)

    units: list[_Unit] = []
    names: dict[str, str] = {}
    prev_voice: dict[int, str | None] = {}
    for (index, voice, line), match in zip(lines, candidates):
        cue = cues[index]
        body = _LINE_PREFIX.sub("", line)
        speaker = role = None
        new_unit = False
        if match is not None and match.key in keys:
            speaker = names.setdefault(match.key, match.name)
            role = match.role_label
            body = body[match.speech_start:]
            new_unit = True
        elif voice is not None:
            speaker, role = _voice_name(voice)
            speaker = names.setdefault(label_key(speaker), speaker)
            new_unit = prev_voice.get(index, "\0") != voice
        else:
            body = line
        prev_voice[index] = voice
        body = " ".join(body.split())
        last = units[-1] if units else None
        if new_unit or last is None or last.cue != index:
            if not body and not new_unit:
                continue
            units.append(_Unit(index, speaker, role, body, cue.start_time, cue.end_time))
        elif body:
            last.text = f"{last.text} {body}".strip()
    return units  # a unit may be empty: a label whose words come in the next cue


def _turn_drafts(units: list[_Unit]) -> list[_TurnDraft]:
    drafts: list[_TurnDraft] = []
    current: _TurnDraft | None = None
    pending: _Unit | None = None  # a bare label: its speaker owns the next words
    for unit in units:
        if not unit.text:
            pending = unit if unit.speaker else pending
            continue
        if unit.speaker is None and pending is not None:
            unit.speaker, unit.role_label = pending.speaker, pending.role_label
        pending = None
        speaker = unit.speaker or (current.speaker if current else UNKNOWN)
        role_label = unit.role_label if unit.speaker else (current.role_label if current else None)
        same = current is not None and label_key(current.speaker) == label_key(speaker)
        if same and speaker == UNKNOWN and unit.speaker is None:
            gap = unit.start_time - current.units[-1].end_time
            same = gap < UNKNOWN_GAP
        if not same:
            current = _TurnDraft(speaker, role_label)
            drafts.append(current)
        current.units.append(unit)
    return drafts


def parse_subtitles(path: Path, data: bytes, fmt: str) -> ParsedDocument:
    text = decode_bytes(data)
    if not text.strip():
        raise IngestError("file has no text (only whitespace)")
    header_title = None
    is_vtt = text.lstrip().startswith("WEBVTT")
    if is_vtt:
        cues, skipped, header_title = _vtt_cues(text.lstrip())
    else:
        cues, skipped = _srt_cues(text)
        if not cues and fmt == "vtt":
            raise IngestError("not a WebVTT file (no WEBVTT header)")
    if not cues:
        detail = f" ({skipped} had broken timestamps)" if skipped else ""
        raise IngestError(f"no subtitle cues found{detail}")

    drafts = _turn_drafts(_units(cues))
    if not drafts:
        raise IngestError("no speech found in the subtitles (every cue is empty)")

    out_lines: list[str] = []
    turns: list[Turn] = []
    offset = 0
    for number, draft in enumerate(drafts, start=1):
        prefix = f"{draft.speaker}: "
        line = prefix
        cue_spans: list[Cue] = []
        for unit in draft.units:
            if len(line) > len(prefix):
                line += " "
            start = offset + len(line)
            line += unit.text
            cue_spans.append(Cue(start, offset + len(line), unit.start_time, unit.end_time))
        turn = Turn(
            speaker=draft.speaker,
            role="",
            start=offset + len(prefix),
            end=offset + len(line),
            line=number,
            start_time=draft.units[0].start_time,
            end_time=max(u.end_time for u in draft.units),
            cues=cue_spans,
        )
        if draft.role_label:
            turn.meta["role_label"] = draft.role_label
        turns.append(turn)
        out_lines.append(line)
        offset += len(line) + 1
    doc_text = "\n".join(out_lines)

    roles = assign_roles([(t.speaker, t.meta.get("role_label"), doc_text[t.start:t.end])
                          for t in turns])
    for turn in turns:
        turn.role = roles[turn.speaker]
    metadata = {"format": "vtt" if is_vtt else "srt", "cues": len(cues), "speakers": roles}
    if skipped:
        metadata["skipped_cues"] = skipped
    return ParsedDocument(
        text=doc_text,
        turns=turns,
        kind_hint="interview",
        title=header_title or humanize_stem(path),
        date=date_from_filename(path),
        metadata=metadata,
    )


register([".vtt"], label="WebVTT subtitles", families=[TRANSCRIPT],
         parse=lambda path, data, text_col: parse_subtitles(path, data, "vtt"))
register([".srt"], label="SubRip subtitles", families=[TRANSCRIPT],
         parse=lambda path, data, text_col: parse_subtitles(path, data, "srt"))
