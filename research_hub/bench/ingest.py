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
PARTS = 4  # pipeline and raw encode alternate part by part, so both see the same machine load


def sample_sentences(root: Path) -> tuple[list[str], list[str]]:
    """(participant sentences, interviewer sentences) from the sample files."""
    from ingest.parsers import parse_file
    from ingest.types import PARTICIPANT

    said: dict[bool, list[str]] = {True: [], False: []}
    for f in sorted(root.rglob("*")):
        if not f.is_file() or f.suffix.lower() not in {".txt", ".md", ".vtt", ".srt", ".docx", ".csv", ".jsonl"}:
            continue
        try:
            doc = parse_file(f)
        except Exception:
            continue
        for t in doc.turns:
            said[t.role == PARTICIPANT] += [s.strip() for s in re.split(r"(?<=[.!?])\s+",
                                                                       doc.text[t.start:t.end])
                                            if len(s.split()) >= 5]
    return (said[True] or ["Exporting the monthly report takes forever and times out."],
            said[False] or ["How do you send the numbers to your accountant?"])


def make_corpus(folder: Path, sentences: tuple[list[str], list[str]], target: int,
                seed: int = 7) -> list[Path]:
    """Write transcripts in PARTS sub-folders; every line is distinct. Returns the folders."""
    rng = random.Random(seed)
    seen: set[str] = set()
    answers, questions = sentences
    parts = [folder / f"part_{i}" for i in range(PARTS)]
    for p in parts:
        p.mkdir(parents=True)
    written, file_no = 0, 0
    while written < target:
        file_no += 1
        person = f"{rng.choice(NAMES)} {file_no}"
        lines = []
        for _ in range(40):
            lines.append(f"Interviewer: {_unique(rng, questions, seen)}")
            lines.append(f"{person}: {_unique(rng, answers, seen)}")
            written += 2
        target_dir = parts[file_no % PARTS]
        (target_dir / f"bench_{file_no:04d}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return parts


def _unique(rng: random.Random, pool: list[str], seen: set[str]) -> str:
    text = _vary(rng, rng.choice(pool))
    while text in seen:
        text = _vary(rng, rng.choice(pool))
    seen.add(text)
    return text


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
            parts = make_corpus(tmp_path / "corpus", sample_sentences(samples), snippets)
        else:
            parts = [corpus]
        hub = Hub(tmp_path / "ws")
        hub.embedder.encode_query("warm up the model")  # load weights outside both timings
        hub.tagger()
        _ = hub.index
        before = hub.embedder.encoded
        pipe_s = raw_s = 0.0
        files = failed = 0
        texts: list[str] = []
        for i, part in enumerate(parts):
            if i % 2:  # alternate which goes first, so neither always meets the busier moment
                raw_s += _raw(hub, _new_texts(part, texts))
            started = time.perf_counter()
            report = hub.ingest([part])
            pipe_s += time.perf_counter() - started
            files, failed = files + len(report.files), failed + len(report.failed)
            if not i % 2:
                raw_s += _raw(hub, _new_texts(part, texts))
        encoded = hub.embedder.encoded - before
    result = {
        "files": files, "failed": failed, "snippets": len(texts),
        "distinct_texts": len(set(texts)), "model_encoded": encoded,
        "cache_hits": len(texts) - encoded, "batch_size": hub.settings.batch_size,
        "pipeline_s": round(pipe_s, 2), "raw_encode_s": round(raw_s, 2),
        "pipeline_snippets_per_s": round(len(texts) / pipe_s, 1),
        "raw_encode_snippets_per_s": round(len(texts) / raw_s, 1),
    }
    result["ratio"] = round(result["pipeline_snippets_per_s"] / result["raw_encode_snippets_per_s"], 3)
    return result


def _new_texts(part: Path, texts: list[str]) -> list[str]:
    """The snippet texts this part yields, split by the pipeline's own splitter (untimed)."""
    from ingest.files import expand
    from ingest.parsers import parse_file
    from ingest.split import split_document

    new = []
    for cand in expand([part]):
        try:
            new += [d.text for d in split_document(parse_file(cand.path), cand.path.stem)]
        except Exception:  # a file the pipeline also refuses adds nothing to either side
            continue
    texts += new
    return new


def _raw(hub, texts: list[str]) -> float:
    started = time.perf_counter()
    hub.embedder.model.encode(texts, batch_size=hub.settings.batch_size, normalize_embeddings=True,
                              show_progress_bar=False)
    return time.perf_counter() - started
