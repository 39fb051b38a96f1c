"""bench ingest: every embedding backend's whole pipeline against raw torch encode, one run.

The corpus is real: the 250 Anthropic Interviewer transcripts (Handa et al.,
Anthropic, 2025, CC BY; ../shared/eval/interviews/anthropic_interviewer/), one
.txt file per interview, ingested through the real pipeline with NER on (the
spaCy pipeline in use is reported). The baseline is sentence-transformers on
torch encoding the same distinct snippet texts (all cores, batch 64, no
cache): what ingest would cost if it were nothing but the model.

Raw encode takes half the texts before the ingests and half after, so a change
in machine load during the run falls on both sides alike. Every ingest goes
into a fresh workspace (an empty embedding cache). The main thread's time
in tagging (NER, rules, learned tags) and in the index upsert is measured too:
with the model cheap, those are what is left. Each backend's own raw encode of
the same texts (every core, nothing else) gives its ceiling: the ratio an
ingest would reach if it cost nothing but that backend's model.
"""
from __future__ import annotations

import csv
import os
import tempfile
import time
from pathlib import Path
from typing import Callable

from research_hub.core.nlp import active_pipeline_name
from research_hub.core.settings import resolve_model
from research_hub.embed import BACKENDS, Embedder
from research_hub.hub import Hub
from research_hub.ingest.embed_worker import plan
from research_hub.ingest.files import expand
from research_hub.ingest.parsers import parse_file
from research_hub.ingest.split import split_document

CORPUS = "interviews/anthropic_interviewer"
CITATION = "Anthropic Interviewer transcripts (Handa et al., Anthropic, 2025), CC BY"


def make_corpus(eval_dir: Path, folder: Path, limit: int | None = None) -> Path:
    """One .txt transcript per interview row of the two CSVs."""
    source = eval_dir / CORPUS
    files = sorted(source.glob("*_transcripts.csv"))
    if not files:
        raise FileNotFoundError(f"no *_transcripts.csv in {source} (set RESEARCH_HUB_EVAL_DIR)")
    csv.field_size_limit(1 << 30)
    folder.mkdir(parents=True, exist_ok=True)
    n = 0
    for f in files:
        with f.open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if limit is not None and n >= limit:
                    return folder
                (folder / f"{row['transcript_id']}.txt").write_text(row["text"], encoding="utf-8")
                n += 1
    return folder


def corpus_texts(corpus: Path) -> list[str]:
    """The snippet texts the corpus yields, split by the pipeline's own splitter (untimed)."""
    texts: list[str] = []
    for cand in expand([corpus]):
        try:
            texts += [d.text for d in split_document(parse_file(cand.path), cand.path.stem)]
        except Exception:  # a file the pipeline also refuses adds nothing to either side
            continue
    return texts


def _timed(obj, name: str, spent: dict) -> None:
    """Wrap obj.name so its calls add their wall seconds (on the calling thread) to spent[name]."""
    inner = getattr(obj, name)

    def wrapper(*args, **kwargs):
        t = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            spent[name] = spent.get(name, 0.0) + time.perf_counter() - t

    setattr(obj, name, wrapper)


def ingest_once(corpus: Path, home: Path, backend: str) -> dict:
    """One ingest of the corpus into a fresh workspace on this backend; model loaded first."""
    hub = Hub(home, backend=backend)
    ws = hub.workspace
    ws.embedder.encode_query("warm up the model")  # load weights (and export) outside the timing
    tagger = ws.tagger()
    _ = ws.index
    spent: dict[str, float] = {}
    _timed(tagger, "tag", spent)
    _timed(ws.index, "upsert", spent)
    before = ws.embedder.encoded
    cpu, started = time.process_time(), time.perf_counter()
    report = hub.ingest([corpus])
    wall = time.perf_counter() - started
    row = {"backend": backend, "files": len(report.files), "failed": len(report.failed),
           "snippets": report.snippets, "encoded": ws.embedder.encoded - before,
           "seconds": round(wall, 2), "cpu_s": round(time.process_time() - cpu, 2),
           "tag_s": round(spent.get("tag", 0.0), 2), "upsert_s": round(spent.get("upsert", 0.0), 2)}
    hub.close()
    return row


def raw_encode(texts: list[str], batch_size: int, backend: str = "torch") -> float:
    """Seconds for the backend alone to encode texts on every core: no cache, nothing else."""
    e = Embedder(_model(), backend, batch_size=batch_size)
    e.encode_raw(texts[:8])  # load the model outside the timing
    started = time.perf_counter()
    e.encode_raw(texts)
    return time.perf_counter() - started


def _model() -> str:
    return resolve_model(None)


def run(eval_dir: Path, backends: tuple[str, ...] = BACKENDS, limit: int | None = None,
        batch_size: int = 64, out: Callable = print) -> dict:
    with tempfile.TemporaryDirectory(prefix="rh-bench-ingest-") as tmp:
        tmp_path = Path(tmp)
        corpus = make_corpus(eval_dir, tmp_path / "corpus", limit)
        texts = corpus_texts(corpus)
        n_files = len(list(corpus.glob("*.txt")))
        distinct = list(dict.fromkeys(texts))
        half = len(distinct) // 2
        warm = make_corpus(eval_dir, tmp_path / "warm", 3)
        ingest_once(warm, tmp_path / "ws-warm", backends[0])  # lazy loads (tag model, NER) untimed
        load = [os.getloadavg()[0]]
        out(f"raw torch encode of {half} of {len(distinct)} distinct texts ...")
        raw_s = raw_encode(distinct[:half], batch_size)
        rows = []
        for backend in backends:
            out(f"ingest on {backend} ...")
            rows.append(ingest_once(corpus, tmp_path / f"ws-{backend}", backend))
            rows[-1]["raw_encode_s"] = round(raw_encode(distinct, batch_size, backend), 2)
            out(f"  {rows[-1]}")
        out("raw torch encode of the other half ...")
        raw_s += raw_encode(distinct[half:], batch_size)
        load.append(os.getloadavg()[0])
    raw_rate = len(distinct) / raw_s
    for r in rows:
        r["distinct_texts_per_s"] = round(len(distinct) / r["seconds"], 1)
        r["ratio_to_raw_torch"] = round(raw_s / r["seconds"], 3)
        r["ceiling_ratio"] = round(raw_s / r["raw_encode_s"], 3)  # the model alone, nothing else
    replicas, threads = plan()
    return {"corpus": f"{CITATION}: {n_files} files, {len(texts)} snippets, "
                      f"{len(distinct)} distinct texts",
            "spacy": active_pipeline_name(), "workers x threads": f"{replicas} x {threads}",
            "raw_torch_encode_s": round(raw_s, 2), "raw_torch_texts_per_s": round(raw_rate, 1),
            "load_average_1min (start, end)": f"{load[0]:.1f}, {load[1]:.1f} on {os.cpu_count()} cores",
            "rows": rows}
