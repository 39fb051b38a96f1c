"""bench snippets: speakers, roles, titles and fragments on real transcripts.

Ingests Anthropic Interviewer transcripts (Handa et al. 2025, CC BY; the
interviewer speaks as `AI:` or `Assistant:`, the participant as `User:`) and the
University of Idaho oral histories (MIT; interviewer Devin Becker, written `DB` in
one file) into a fresh workspace, then counts per corpus: snippets whose role
matches who really spoke, documents titled from a line of speech, and participant
snippets under four words.
"""
from __future__ import annotations

import csv
import re
import tempfile
from pathlib import Path
from typing import Callable

from research_hub.hub import Hub

INTERVIEWERS = {"anthropic_interviewer": {"AI", "Assistant"}, "oral_histories": {"Devin Becker", "DB"}}
_WORD = re.compile(r"[^\W_]+")


def _write_transcripts(eval_dir: Path, folder: Path, per_set: int) -> None:
    csv.field_size_limit(1 << 30)
    for table in sorted((eval_dir / "interviews" / "anthropic_interviewer").glob("*_transcripts.csv")):
        with table.open(newline="", encoding="utf-8") as f:
            for i, row in enumerate(csv.DictReader(f)):
                if i >= per_set:
                    break
                (folder / f"{row['transcript_id']}.txt").write_text(row["text"], encoding="utf-8")


def _measure(hub: Hub, corpus: str, docs: list) -> dict:
    snippets = [s for d in docs for s in hub.snippets(document=d.id)]
    interviewers = INTERVIEWERS[corpus]
    right = sum((s.speaker in interviewers) == (s.role == "interviewer") for s in snippets)
    spoken = [s for s in snippets if s.role != "interviewer"]
    short = [s for s in spoken if len(_WORD.findall(s.text)) < 4]
    speech = {s.text.strip() for s in snippets}
    from_speech = [d.title for d in docs if d.title.strip() in speech]
    return {"corpus": corpus, "documents": len(docs), "snippets": len(snippets),
            "roles_right": round(right / max(len(snippets), 1), 4), "titles_from_speech": len(from_speech),
            "participant_snippets": len(spoken), "under_four_words": len(short),
            "under_four_share": round(len(short) / max(len(spoken), 1), 4),
            "short_examples": [s.text for s in short[:8]]}


def run(eval_dir: Path, per_set: int = 40, out: Callable[[str], None] = lambda m: None) -> dict:
    oral = eval_dir / "interviews" / "oral_histories"
    if not oral.is_dir():
        raise FileNotFoundError(f"no eval interviews under {eval_dir} (set RESEARCH_HUB_EVAL_DIR)")
    with tempfile.TemporaryDirectory(prefix="rh-bench-snippets-") as tmp:
        folder = Path(tmp) / "anthropic"
        folder.mkdir()
        _write_transcripts(eval_dir, folder, per_set)
        hub = Hub(Path(tmp) / "ws")
        try:
            out(f"ingesting {per_set} transcripts of each Anthropic Interviewer set and the oral histories")
            report = hub.ingest([folder, *sorted(oral.glob("*.csv"))])
            docs = hub.documents()
            rows = [_measure(hub, "anthropic_interviewer", [d for d in docs if d.name.endswith(".txt")]),
                    _measure(hub, "oral_histories", [d for d in docs if d.name.endswith(".csv")])]
        finally:
            hub.close()
    return {"rows": rows, "failed": [f.error for f in report.failed],
            "data": "Anthropic Interviewer (CC BY); University of Idaho oral histories (MIT)"}
