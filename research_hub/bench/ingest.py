"""bench ingest: pipeline snippets/s against raw model.encode on the same texts.

The corpus is made fresh for each run from the sample transcripts, with every
sentence varied so that neither the embedding cache nor a duplicate inside the
corpus can make the pipeline look faster than the model.
"""
from __future__ import annotations

import random
import re
import tempfile
import time
from pathlib import Path

NAMES = ["Avery", "Blake", "Casey", "Devon", "Emery", "Finley", "Harper", "Jordan", "Kai", "Logan",
         "Morgan", "Noel", "Parker", "Quinn", "Reese", "Sage", "Taylor", "Val"]
OPENERS = ["Honestly,", "To be fair,", "Last month", "Every quarter", "On Mondays", "Most days",
           "When we onboarded,", "Before the update,", "With two clients,", "In our shop,", ""]
QUESTIONS = ["How did that go?", "Can you walk me through that?", "What happened next?",
             "Why does that matter to you?", "How often does that happen?"]


def sample_sentences(root: Path) -> list[str]:
    from ingest.parsers import parse_file
    from ingest.types import PARTICIPANT

    sentences: list[str] = []
    for f in sorted(root.rglob("*")):
        if not f.is_file() or f.suffix.lower() not in {".txt", ".md", ".vtt", ".srt", ".docx", ".csv", ".jsonl"}:
            continue
        try:
            doc = parse_file(f)
        except Exception:
            continue
        for t in doc.turns:
            if t.role == PARTICIPANT:
                sentences += [s.strip() for s in re.split(r"(?<=[.!?])\s+", doc.text[t.start:t.end])
                              if len(s.split()) >= 5]
    return sentences or ["Exporting the monthly report takes forever and times out."]


def make_corpus(folder: Path, sentences: list[str], target: int, seed: int = 7) -> int:
    """Write transcripts whose participant sentences are all distinct; returns turns written."""
    rng = random.Random(seed)
    seen: set[str] = set()
    written, file_no = 0, 0
    while written < target:
        file_no += 1
        person = f"{rng.choice(NAMES)} {file_no}"
        lines = []
        for _ in range(80):
            lines.append(f"Interviewer: {rng.choice(QUESTIONS)}")
            text = _vary(rng, rng.choice(sentences))
            while text in seen:
                text = _vary(rng, rng.choice(sentences))
            seen.add(text)
            lines.append(f"{person}: {text}")
            written += 1
        (folder / f"bench_{file_no:04d}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return written


def _vary(rng: random.Random, sentence: str) -> str:
    opener = rng.choice(OPENERS)
    number = rng.randint(2, 400)
    body = re.sub(r"\b\d+\b", str(number), sentence)
    if body == sentence:
        body = f"{sentence.rstrip('.!?')}, about {number} times."
    return f"{opener} {body[0].lower() + body[1:]}".strip() if opener else body


def run(corpus: Path | None, snippets: int, samples: Path, out=print) -> dict:
    from research_hub.hub import Hub

    with tempfile.TemporaryDirectory(prefix="rh-bench-") as tmp:
        tmp_path = Path(tmp)
        if corpus is None:
            corpus = tmp_path / "corpus"
            corpus.mkdir()
            make_corpus(corpus, sample_sentences(samples), snippets)
        hub = Hub(tmp_path / "ws")
        hub.embedder.encode_query("warm up the model")  # load weights outside both timings
        hub.tagger()
        _ = hub.index
        started = time.perf_counter()
        report = hub.ingest([corpus])
        pipe_s = time.perf_counter() - started
        texts = [r["text"] for r in hub.db.query("SELECT text FROM snippets ORDER BY document_id, seq")]
        encoded = hub.embedder.encoded - 1
        model = hub.embedder.model
        started = time.perf_counter()
        model.encode(texts, batch_size=hub.settings.batch_size, normalize_embeddings=True,
                     show_progress_bar=False)
        raw_s = time.perf_counter() - started
    result = {
        "files": len(report.files), "failed": len(report.failed), "snippets": len(texts),
        "distinct_texts": len(set(texts)), "model_encoded": encoded,
        "cache_hits": len(texts) - encoded, "batch_size": hub.settings.batch_size,
        "pipeline_s": round(pipe_s, 2), "raw_encode_s": round(raw_s, 2),
        "pipeline_snippets_per_s": round(len(texts) / pipe_s, 1),
        "raw_encode_snippets_per_s": round(len(texts) / raw_s, 1),
    }
    result["ratio"] = round(result["pipeline_snippets_per_s"] / result["raw_encode_snippets_per_s"], 3)
    return result
