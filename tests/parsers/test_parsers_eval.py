"""Roles and fragments on real transcripts nobody here wrote (skipped when absent).

Reads ../shared/eval/interviews/ (or $RESEARCH_HUB_EVAL_DIR/interviews/):
the Anthropic Interviewer transcripts (CC BY; User = participant, AI and
Assistant = interviewer) and five oral histories of the University of Idaho
Library's Oral History as Data project (MIT; Devin Becker / DB interviews).
Nothing is copied into the repository.
"""
from __future__ import annotations

import bisect
import csv
import os
import re
from pathlib import Path

import pytest

from research_hub.ingest.parsers import parse_file
from research_hub.ingest.split import split_document, word_count
from research_hub.ingest.types import INTERVIEWER, PARTICIPANT

ROOT = Path(__file__).resolve().parents[2]


def _eval_dir() -> Path | None:
    candidates = [os.environ.get("RESEARCH_HUB_EVAL_DIR", ""),
                  ROOT.parent / "shared" / "eval",          # a clone beside shared/
                  ROOT.parent.parent / "shared" / "eval"]   # a git worktree one level down
    for candidate in candidates:
        if candidate and (Path(candidate) / "interviews").is_dir():
            return Path(candidate) / "interviews"
    return None


EVAL = _eval_dir()
pytestmark = pytest.mark.skipif(EVAL is None, reason="no ../shared/eval/interviews")
LABEL = re.compile(r"^(User|AI|Assistant):", re.M)
SAMPLE_EVERY = 5  # every fifth interview: 50 of 250, a few seconds


def _score(doc, drafts, truth_of):
    """(snippets with the right role, snippets, participant snippets, short pieces, short turns)."""
    spans = sorted((t.start, t.end, t) for t in doc.turns)
    starts = [s for s, _, _ in spans]
    right = total = participant = short_piece = short_turn = 0
    for d in drafts:
        start, end, turn = spans[bisect.bisect_right(starts, d.char_start) - 1]
        assert start <= d.char_start and d.char_end <= end
        assert doc.text[d.char_start:d.char_end] == d.text
        total += 1
        right += truth_of(doc, turn) == d.role
        if d.role == PARTICIPANT:
            participant += 1
            if word_count(d.text) < 4:
                if (d.char_start, d.char_end) == (start, end):
                    short_turn += 1
                else:
                    short_piece += 1
    return right, total, participant, short_piece, short_turn


def _anthropic_truth(doc, turn):
    labels = LABEL.findall(doc.text[:turn.start])
    return PARTICIPANT if labels[-1] == "User" else INTERVIEWER


def _oral_truth(doc, turn):
    label = turn.meta.get("label") or turn.speaker
    return INTERVIEWER if label in ("Devin Becker", "DB") else PARTICIPANT


@pytest.fixture(scope="module")
def anthropic(tmp_path_factory):
    folder = EVAL / "anthropic_interviewer"
    out = tmp_path_factory.mktemp("anthropic")
    csv.field_size_limit(1 << 30)
    paths = []
    for source in sorted(folder.glob("*.csv")):
        with source.open(newline="", encoding="utf-8") as handle:
            for index, row in enumerate(csv.DictReader(handle)):
                if index % SAMPLE_EVERY == 0:
                    path = out / f"{row['transcript_id']}.txt"
                    path.write_text(row["text"], encoding="utf-8")
                    paths.append(path)
    if not paths:
        pytest.skip("no Anthropic Interviewer transcripts")
    return paths


def test_anthropic_interviews_roles_and_fragments(anthropic):
    totals = [0, 0, 0, 0, 0]
    for path in anthropic:
        doc = parse_file(path)
        assert doc.title == path.stem.replace("_", " ").capitalize()  # the file name, never speech
        assert set(doc.metadata["speakers"]) == {"Assistant", "AI", "User"}
        drafts = split_document(doc, path.name)
        totals = [a + b for a, b in zip(totals, _score(doc, drafts, _anthropic_truth))]
    right, total, participant, short_piece, short_turn = totals
    assert right / total >= 0.98, f"role accuracy {right / total:.3f}"
    assert (short_piece + short_turn) / participant < 0.02, (short_piece, short_turn, participant)


def test_oral_history_tables_roles_codes_and_fragments():
    paths = sorted((EVAL / "oral_histories").glob("*.csv"))
    if not paths:
        pytest.skip("no oral histories")
    totals = [0, 0, 0, 0, 0]
    coded = 0
    for path in paths:
        doc = parse_file(path)
        assert doc.metadata["style"] == "transcript table" and doc.kind_hint == "interview"
        assert sum(r == INTERVIEWER for r in doc.metadata["speakers"].values()) == 1
        drafts = split_document(doc, path.name)
        coded += sum(1 for d in drafts if d.meta.get("codes"))
        assert all(not d.tags for d in drafts)  # archivists' codes are not product tags
        totals = [a + b for a, b in zip(totals, _score(doc, drafts, _oral_truth))]
    right, total, participant, short_piece, short_turn = totals
    assert right / total >= 0.98, f"role accuracy {right / total:.3f}"
    assert short_piece / participant < 0.02, (short_piece, participant)
    # Whole short answers ("Hundreds.", "Mostly poetry.") remain, with their question as context.
    assert short_turn / participant < 0.08, (short_turn, participant)
    assert coded > 500
