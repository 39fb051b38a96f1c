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


def sample_sentences(root: Path) -> tuple[list[str], list[str]]:
    """(participant sentences, interviewer sentences) from the sample files."""
    from research_hub.ingest.parsers import parse_file
    from research_hub.ingest.types import PARTICIPANT

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
                seed: int = 7) -> Path:
    """Write interview transcripts into folder; every line is distinct."""
    rng = random.Random(seed)
    seen: set[str] = set()
    answers, questions = sentences
    folder.mkdir(parents=True)
    written, file_no = 0, 0
    while written < target:
        file_no += 1
        person = f"{rng.choice(NAMES)} {file_no}"
        lines = []
        for _ in range(40):
            lines.append(f"Interviewer: {_unique(rng, questions, seen)}")
            lines.append(f"{person}: {_unique(rng, answers, seen)}")
            written += 2
        (folder / f"bench_{file_no:04d}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


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


def run_many(corpus: Path | None, snippets: int, samples: Path, repeat: int = 1) -> dict:
    """The run with the median ratio, and every run's ratio: one run is at the mercy of
    the machine's load (raw encode alone moves by 5% from run to run here)."""
    runs = [run(corpus, snippets, samples) for _ in range(max(1, repeat))]
    median = sorted(runs, key=lambda r: r["ratio"])[len(runs) // 2]
    if len(runs) > 1:
        median = {**median, "ratios": ", ".join(f"{r['ratio']:.3f}" for r in runs)}
    return median


def run(corpus: Path | None, snippets: int, samples: Path) -> dict:
    """One ingest of the whole corpus into a fresh workspace, as a user would run it.

    Raw encode takes half the texts just before the ingest and half just after,
    so a change in machine load during the run falls on both sides alike.
    """
    from research_hub.ingest.embed_worker import plan
    from research_hub.embed import default_threads
    from research_hub.hub import Hub
    from research_hub.core.nlp import active_pipeline_name

    with tempfile.TemporaryDirectory(prefix="rh-bench-") as tmp:
        tmp_path = Path(tmp)
        if corpus is None:
            corpus = make_corpus(tmp_path / "corpus", sample_sentences(samples), snippets)
        hub = Hub(tmp_path / "ws")
        hub.embedder.encode_query("warm up the model")  # load weights outside both timings
        hub.tagger()
        _ = hub.index
        texts = corpus_texts(corpus)
        before = hub.embedder.encoded
        half = len(texts) // 2
        raw_s = _raw(hub, texts[:half])
        started = time.perf_counter()
        report = hub.ingest([corpus])
        pipe_s = time.perf_counter() - started
        raw_s += _raw(hub, texts[half:])
        encoded = hub.embedder.encoded - before
        workers_s = _workers_only(hub, texts)
        hub.close()
    replicas, threads = plan()
    result = {
        "spacy": active_pipeline_name(), "model replicas x threads (pipeline)": f"{replicas} x {threads}",
        "torch threads (raw encode)": default_threads(),
        "files": len(report.files), "failed": len(report.failed), "snippets": len(texts),
        "distinct_texts": len(set(texts)), "model_encoded": encoded,
        "cache_hits": len(texts) - encoded, "batch_size": hub.settings.batch_size,
        "pipeline_s": round(pipe_s, 2), "raw_encode_s": round(raw_s, 2),
        "pipeline_snippets_per_s": round(len(texts) / pipe_s, 1),
        "embedding_workers_alone_snippets_per_s": round(len(texts) / workers_s, 1),
        "raw_encode_snippets_per_s": round(len(texts) / raw_s, 1),
    }
    result["ratio"] = round(result["pipeline_snippets_per_s"] / result["raw_encode_snippets_per_s"], 3)
    return result


def corpus_texts(corpus: Path) -> list[str]:
    """The snippet texts the corpus yields, split by the pipeline's own splitter (untimed)."""
    from research_hub.ingest.files import expand
    from research_hub.ingest.parsers import parse_file
    from research_hub.ingest.split import split_document

    texts: list[str] = []
    for cand in expand([corpus]):
        try:
            texts += [d.text for d in split_document(parse_file(cand.path), cand.path.stem)]
        except Exception:  # a file the pipeline also refuses adds nothing to either side
            continue
    return texts


def _raw(hub, texts: list[str]) -> float:
    started = time.perf_counter()
    hub.embedder.model.encode(texts, batch_size=hub.settings.batch_size, normalize_embeddings=True,
                              show_progress_bar=False)
    return time.perf_counter() - started


def _workers_only(hub, texts: list[str]) -> float:
    """The pipeline's embedding workers alone, uncached, on the same texts (after both
    timings): whether the replicas are what makes the pipeline faster or slower."""
    from types import SimpleNamespace

    from research_hub.ingest.embed_worker import EmbedWorker
    from research_hub.embed import Embedder, text_hash

    bare = Embedder(hub.embedder.model_name, None, hub.settings.batch_size)
    files = [SimpleNamespace(snippets=[{"text": t, "text_hash": text_hash(t)} for t in texts[i:i + 80]])
             for i in range(0, len(texts), 80)]
    started = time.perf_counter()
    with EmbedWorker(bare) as worker:
        for f in files:
            worker.submit(f)
        worker.close()
        while worker.wait() is not None:
            pass
    return time.perf_counter() - started
