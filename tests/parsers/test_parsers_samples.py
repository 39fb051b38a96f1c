"""The shipped sample files parse, keep the offset invariant and find roles."""
from __future__ import annotations

from pathlib import Path

import pytest

from research_hub.ingest.parsers import SUPPORTED_EXTENSIONS, parse_file
from research_hub.ingest.types import INTERVIEWER, PARTICIPANT

SAMPLES = Path(__file__).resolve().parents[2] / "sample_interviews"
FILES = sorted(
    p for folder in ("interviews", "feedback") for p in (SAMPLES / folder).rglob("*")
    if p.is_file() and p.suffix.lower() in SUPPORTED_EXTENSIONS
) if SAMPLES.is_dir() else []


@pytest.mark.skipif(not FILES, reason="no sample files")
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_sample_file_parses_with_a_participant(path, check):
    doc = check(parse_file(path))
    roles = {t.role for t in doc.turns}
    assert PARTICIPANT in roles
    if "interviews" in path.parts:
        assert doc.kind_hint == "interview"
        assert INTERVIEWER in roles
        assert doc.date is not None
        assert all(t.speaker not in ("Author", "Unknown") for t in doc.turns)
    else:
        assert doc.metadata["text_column"]
