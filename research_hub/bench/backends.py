"""The three embedding backends side by side on BANKING77, in one run.

BANKING77 (Casanueva et al., 2020, PolyAI; CC BY 4.0) is ingested once through
the real pipeline on the first backend; each other backend gets a copy of that
workspace reindexed with its own vectors (the same snippets, the same keyword
index). Per backend: texts/s of a plain encode of every distinct message (all
cores, batch 64, no cache), one query's embedding (median ms over the 77
intent queries, one thread, as search runs it), precision@10 of dense and
hybrid search with the intent names as queries, and the mean and lowest cosine
of its vectors to torch's for the same texts.
"""
from __future__ import annotations

import shutil
import statistics
import time
from pathlib import Path
from typing import Callable

import numpy as np

from research_hub.bench.banking import CITATION
from research_hub.embed import BACKENDS, Embedder
from research_hub.hub import Hub
from research_hub.search import dense


def _precision(hub, intents: list[str], label: dict[str, str], mode: str) -> float:
    scores = []
    for intent in intents:
        hits = hub.search(intent.replace("_", " "), k=10, mode=mode)
        scores.append(sum(label.get(h.snippet_id) == intent for h in hits) / 10)
    return round(float(np.mean(scores)), 4)


def _query_ms(embedder: Embedder, queries: list[str]) -> float:
    encoder = embedder.encoder(1)
    embedder.encode_raw(["warm up"], encoder)
    times = []
    with dense.one_thread():
        for q in queries:
            t = time.perf_counter()
            embedder.encode_raw([q], encoder)
            times.append((time.perf_counter() - t) * 1000)
    return round(statistics.median(times), 2)


def _texts_per_s(embedder: Embedder, texts: list[str]) -> tuple[float, np.ndarray]:
    embedder.encode_raw(texts[:64])  # load outside the timing
    t = time.perf_counter()
    vecs = embedder.encode_raw(texts)
    return round(len(texts) / (time.perf_counter() - t), 1), vecs


def compare(banking: Path, tmp: Path, backends: tuple[str, ...] = BACKENDS,
            out: Callable = print) -> dict:
    first = tmp / f"banking-{backends[0]}"
    hub = Hub(first, backend=backends[0])
    out(f"ingesting {banking.name} on {backends[0]} ...")
    report = hub.ingest([banking], kind="support", text_col="text")
    if not report.ok:
        raise RuntimeError(f"could not ingest {banking}: {report.failed[0].error}")
    label = {s.snippet_id: s.meta["category"] for s in hub.snippets(role="participant")
             if s.meta.get("category")}
    texts = list(dict.fromkeys(s.text for s in hub.snippets(role="participant")))
    hub.close()
    intents = sorted(set(label.values()))
    queries = [i.replace("_", " ") for i in intents]
    rows, vectors = [], {}
    for b in backends:
        home = tmp / f"banking-{b}"
        if b != backends[0]:
            shutil.copytree(first, home)
            hub = Hub(home, backend=b)
            out(f"reindexing a copy on {b} ...")
            hub.reindex()
        else:
            hub = Hub(home, backend=b)
        e = hub.workspace.embedder
        rate, vectors[b] = _texts_per_s(Embedder(e.model_name, b, batch_size=e.batch_size), texts)
        rows.append({"backend": b, "texts_per_s": rate, "query_ms": _query_ms(e, queries),
                     "p@10 dense": _precision(hub, intents, label, "dense"),
                     "p@10 hybrid": _precision(hub, intents, label, "hybrid")})
        hub.close()
        out(f"  {rows[-1]}")
    ref = vectors.get("torch")
    for r in rows:
        if ref is not None:
            cos = (vectors[r["backend"]] * ref).sum(axis=1)
            r["cosine_to_torch"] = f"{cos.mean():.4f} (min {cos.min():.3f})"
        else:
            r["cosine_to_torch"] = "torch not run"
    base = next((r for r in rows if r["backend"] == "torch"), None)
    for r in rows:
        r["speed_vs_torch"] = round(r["texts_per_s"] / base["texts_per_s"], 2) if base else None
    return {"data": f"{CITATION}: {len(texts)} distinct messages, {len(intents)} intent queries",
            "rows": rows}
