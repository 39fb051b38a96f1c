"""Fixtures for the parser tests: write a small file, parse it, check offsets.

Every successful parse goes through ``check_doc``, which asserts the offset
invariant all parsers promise.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Callable

import pytest

from research_hub.ingest.parsers import parse_file
from research_hub.ingest.types import INTERVIEWER, PARTICIPANT, IngestError, ParsedDocument


def check_doc(doc: ParsedDocument) -> ParsedDocument:
    """The contract every parser keeps, for every turn."""
    assert isinstance(doc, ParsedDocument)
    assert isinstance(doc.text, str) and "\r" not in doc.text
    assert doc.turns, "a parsed document has at least one turn"
    previous_end = 0
    for turn in doc.turns:
        span = doc.text[turn.start:turn.end]
        assert span, f"empty turn {turn}"
        assert span == span.strip(), f"turn has surrounding whitespace: {span!r}"
        assert turn.start >= previous_end, "turns overlap or are out of order"
        assert doc.text[:turn.start].count("\n") + 1 == turn.line, (turn.line, span[:40])
        assert turn.role in (INTERVIEWER, PARTICIPANT)
        assert turn.speaker and turn.speaker == turn.speaker.strip()
        label = re.compile(rf"[*_\[(]*{re.escape(turn.speaker)}[*_\])]*\s*:")
        assert not label.match(span), f"turn still holds its label: {span[:40]!r}"
        for cue in turn.cues:
            piece = doc.text[cue.start:cue.end]
            assert piece and piece == piece.strip()
            assert turn.start <= cue.start < cue.end <= turn.end
            assert cue.end_time >= cue.start_time
        if turn.start_time is not None and turn.end_time is not None:
            assert turn.end_time >= turn.start_time
        previous_end = turn.end
    json.dumps(doc.metadata)  # storable as JSON
    for turn in doc.turns:
        json.dumps(turn.meta)
    return doc


def spoken(doc: ParsedDocument) -> list[tuple[str, str, str]]:
    """(speaker, role, text) for each turn."""
    return [(t.speaker, t.role, doc.text[t.start:t.end]) for t in doc.turns]


def _write(tmp_path: Path, name: str, content: str | bytes, encoding: str) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_bytes(content.encode(encoding))
    return path


@pytest.fixture
def parse(tmp_path) -> Callable[..., ParsedDocument]:
    """parse(name, content, encoding="utf-8", **parse_file kwargs) -> checked doc."""

    def _parse(name: str, content: str | bytes, encoding: str = "utf-8", **kwargs) -> ParsedDocument:
        return check_doc(parse_file(_write(tmp_path, name, content, encoding), **kwargs))

    return _parse


@pytest.fixture
def parse_error(tmp_path) -> Callable[..., str]:
    """parse_error(name, content, **kwargs) -> the IngestError message (one line)."""

    def _parse_error(name: str, content: str | bytes, encoding: str = "utf-8", **kwargs) -> str:
        with pytest.raises(IngestError) as info:
            parse_file(_write(tmp_path, name, content, encoding), **kwargs)
        message = str(info.value)
        assert message and "\n" not in message
        return message

    return _parse_error


@pytest.fixture
def check() -> Callable[[ParsedDocument], ParsedDocument]:
    """The offset-invariant checker, for documents built without ``parse``."""
    return check_doc


@pytest.fixture(name="spoken")
def spoken_fixture() -> Callable[[ParsedDocument], list[tuple[str, str, str]]]:
    return spoken
