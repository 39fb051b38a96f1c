"""bench search: ranking quality on banking77, latency on a 100,000-snippet store.

Quality: banking77_train.csv (CC BY 4.0, PolyAI) is ingested as a feedback
export through the real pipeline; each of the 77 intent names becomes a plain
query ("card_arrival" -> "card arrival") and a hit counts when its row carries
that intent. Precision@10 for dense, keyword (BM25), hybrid and reciprocal
rank fusion, plus hybrid across fusion weights.

Latency: a store of `size` snippets written straight into a temp workspace
(see search_store.py): texts are varied banking77 messages and sample
interview sentences; vectors are the real model's vectors of the base texts
plus small noise, so no 100k encodes are needed. Every timed query is a
distinct string, so the query cache never hides the model. Raw Chroma queries
with a precomputed embedding are timed in the same run, as the baseline.
"""
from __future__ import annotations

import csv
import os
import random
import re
import statistics
import tempfile
import time
from pathlib import Path
from typing import Callable

import numpy as np

from research_hub.bench.backends import compare
from research_hub.bench.search_store import fill_store
from research_hub.embed import BACKENDS
from research_hub.hub import Hub
from research_hub.ingest.parsers import parse_file
from research_hub.ingest.split import split_document
from research_hub.search import dense, fusion

TEMPLATES = ["{x}", "problems with {x}", "{x} not working", "question about {x}", "help with {x}",
             "why {x}", "customers asking about {x}", "{x} complaints", "how does {x} work",
             "{x} is confusing", "{x} takes too long", "{x} again"]
STUDIES = ["onboarding-2024", "pricing-2024", "mobile-2025", "churn-2025", "support-q1", "support-q2"]
KINDS = ["interview"] * 5 + ["support", "survey", "review"]
TAGS = [("pain_point", 0.3), ("feature_request", 0.1), ("bug", 0.08), ("praise", 0.05),
        ("export", 0.03), ("mobile", 0.05), ("pricing", 0.04)]
PER_DOC = 50
OPENERS = ["", "", "", "Honestly,", "To be fair,", "Last month", "Every quarter", "Most days",
           "When we started,", "Since the update,", "In our shop,"]


def sample_texts(root: Path) -> tuple[list[str], list[str]]:
    """(participant snippets, interviewer snippets) of the sample files, split as ingest does."""
    said: dict[bool, list[str]] = {True: [], False: []}
    for f in sorted(root.rglob("*")):
        try:
            doc = parse_file(f)
            drafts = split_document(doc, doc.title or f.stem)
        except Exception:  # unsupported or broken sample: skip it
            continue
        for d in drafts:
            said[d.role != "interviewer"].append(d.text)
    return (list(dict.fromkeys(said[True])) or ["Exporting the monthly report takes forever."],
            list(dict.fromkeys(said[False])) or ["How do you send the numbers to your accountant?"])


def _vary(rng: random.Random, text: str) -> str:
    """The same point in slightly different words: an opener, a changed number."""
    opener = rng.choice(OPENERS)
    body = re.sub(r"\b\d+\b", lambda m: str(rng.randint(2, 400)), text)
    return f"{opener} {body[:1].lower()}{body[1:]}" if opener else body


# -- quality -------------------------------------------------------------------
def quality(hub, banking: Path, out: Callable = print) -> dict:
    out(f"ingesting {banking.name} as feedback ...")
    started = time.perf_counter()
    report = hub.ingest([banking])
    if not report.ok:
        raise RuntimeError(f"could not ingest {banking}: {report.failed[0].error}")
    label = _labels(hub, banking)
    intents = sorted(set(label.values()))
    result: dict = {"snippets": report.snippets, "queries": len(intents),
                    "ingest_s": round(time.perf_counter() - started, 1)}
    for mode in ("dense", "keyword", "hybrid", "rrf"):
        result.update(_precision(hub, intents, label, mode, mode))
    default = fusion.ALPHA
    try:
        for alpha in (0.5, 0.6, 0.8, 0.9):
            fusion.ALPHA = alpha
            result.update(_precision(hub, intents, label, "hybrid", f"hybrid alpha={alpha}"))
    finally:
        fusion.ALPHA = default
    result["alpha"] = default
    return result


def _labels(hub, banking: Path) -> dict[str, str]:
    """snippet id -> intent, from the row's category column (or its text)."""
    by_text = {}
    with banking.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            by_text.setdefault(" ".join(row["text"].split()), row["category"])
    out = {}
    for s in hub.snippets(role="participant"):
        cat = s.meta.get("category") or by_text.get(" ".join(s.text.split()))
        if cat:
            out[s.snippet_id] = cat
    return out


def _precision(hub, intents: list[str], label: dict[str, str], mode: str, name: str) -> dict:
    """Mean precision@10 over all intents, and over each half (alternate intents), so a
    fusion weight that only wins on the data it was picked on shows up."""
    scores = []
    for intent in intents:
        hits = hub.search(intent.replace("_", " "), k=10, mode=mode)
        scores.append(sum(label.get(h.snippet_id) == intent for h in hits) / 10)
    return {f"p@10 {name}": round(float(np.mean(scores)), 3),
            f"p@10 {name} (halves)": f"{np.mean(scores[::2]):.3f} / {np.mean(scores[1::2]):.3f}"}


# -- the large store -------------------------------------------------------------
def build_store(hub, base_texts: list[str], base_vectors: np.ndarray, questions: list[str],
                size: int, seed: int = 11) -> dict:
    """Documents of PER_DOC snippets with realistic metadata; returns what filters to use."""
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    q_vectors = hub.workspace.embedder.encode(questions)
    docs, picks = [], []
    for d in range(max(1, size // PER_DOC)):
        kind = rng.choice(KINDS)
        study = rng.choice(STUDIES)
        date = f"{rng.choice([2023, 2024, 2025])}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        person = f"P{d:05d}"
        snippets = []
        for i in range(PER_DOC):
            asks = kind == "interview" and i % 3 == 0
            if asks:
                q = rng.randrange(len(questions))
                text, who, role = _vary(rng, questions[q]), "Interviewer", "interviewer"
                picks.append(-1 - q)
            else:
                b = rng.randrange(len(base_texts))
                text, role = _vary(rng, base_texts[b]), "participant"
                who = person if kind == "interview" else f"{person}-{i}"
                picks.append(b)
            tags = [t for t, p in TAGS if rng.random() < p] if role == "participant" else []
            snippets.append({"participant": who, "speaker": who, "role": role, "text": text, "tags": tags})
        docs.append({"name": f"bench_{d:05d}.txt", "title": f"Bench document {d}", "kind": kind,
                     "study": study, "date": date, "snippets": snippets})
    idx = np.array(picks)
    vectors = np.where((idx >= 0)[:, None], base_vectors[np.maximum(idx, 0)],
                       q_vectors[np.maximum(-1 - idx, 0)])
    vectors = vectors + nrng.normal(0, 0.01, vectors.shape).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    n = fill_store(hub, docs, vectors.astype(np.float32))
    interview = next((d for d in docs if d["kind"] == "interview"), docs[0])
    person = next(s["participant"] for s in interview["snippets"] if s["role"] == "participant")
    return {"snippets": n, "study": STUDIES[0], "participant": person}


def queries(intents: list[str], sentences: list[str]) -> list[str]:
    """Distinct, natural queries: intents through templates, then short sample phrases."""
    out = [t.format(x=i.replace("_", " ")) for t in TEMPLATES for i in intents]
    out += [" ".join(s.split()[:6]) for s in sentences]
    return list(dict.fromkeys(out))


def _time(fn: Callable, args: list) -> list[float]:
    times = []
    for a in args:
        t = time.perf_counter()
        fn(a)
        times.append((time.perf_counter() - t) * 1000)
    return times


def _row(name: str, times: list[float], note: str = "") -> dict:
    qs = statistics.quantiles(times, n=20) if len(times) > 1 else times * 19
    return {"measure": name, "queries": len(times), "p50_ms": round(statistics.median(times), 2),
            "p95_ms": round(qs[18], 2), "note": note}


def latency(hub, pool: list[str], n: int, filters: dict, out: Callable = print) -> list[dict]:
    """p50/p95 per measure; the measures take turns query by query, so a burst of load
    on the machine falls on all of them alike."""
    source = iter(pool)

    def take(m: int) -> list[str]:
        got = [q for _, q in zip(range(m), source)]
        if len(got) < m:
            raise RuntimeError("not enough distinct queries for this many timings; lower --queries")
        return got

    col = hub.workspace.index.collection
    for q in take(5):
        hub.search(q, k=10, role="any")  # load the model and the index outside the timings
    with dense.one_thread():
        vecs = [dense.encode_query(hub.workspace, q) for q in take(n)]  # precomputed for the raw Chroma rows

    def chroma(where=None):
        return lambda v: col.query(query_embeddings=[v], n_results=10, where=where, include=["distances"])

    def embed_then_chroma(q):
        with dense.one_thread():  # as Hub.search runs it
            col.query(query_embeddings=[dense.encode_query(hub.workspace, q)], n_results=10, include=["distances"])

    def embed(q):
        with dense.one_thread():
            dense.encode_query(hub.workspace, q)

    study, person = filters["study"], filters["participant"]
    searches = [("Hub.search, no filter (role=any)", {"role": "any"}),
                ("Hub.search, default filter (participants only)", {}),
                (f"Hub.search, study={study}", {"study": study}),
                ("Hub.search, tag feature_request + study", {"tags": ["feature_request"], "study": study}),
                (f"Hub.search, participant={person}", {"participant": person})]
    info = {name: {} for name, _ in searches}
    counts = {name: [] for name, _ in searches}

    def searcher(name, f):
        return lambda q: counts[name].append(len(hub.search(q, k=10, explain=info[name], **f)))

    few = max(5, n // 4)  # Chroma's where is slow: fewer of those
    measures = [("raw Chroma query, precomputed embedding, k=10", chroma(), vecs, ""),
                (f"raw Chroma query, where study={study}", chroma({"study": study}), vecs[:few], ""),
                ("raw Chroma query, where role=participant", chroma({"role": "participant"}), vecs[:few], ""),
                ("query embedding alone", embed, take(n), "one thread, as in search"),
                ("query embedding + raw Chroma query", embed_then_chroma, take(n), "the least a dense search does")]
    for name, f in searches:
        hub.search(take(1)[0], k=10, **f)
        measures.append((name, searcher(name, f), take(n), name))
    times: dict[str, list[float]] = {m[0]: [] for m in measures}
    for i in range(n):
        for name, fn, args, _ in measures:
            if i < len(args):
                times[name] += _time(fn, [args[i]])
    rows = []
    for name, _, _, note in measures:
        if note in info:
            c = counts[note]
            note = (f"{info[note].get('filtered_rows')} rows kept, {info[note].get('dense_path')}, "
                    f"{min(c)}-{max(c)} hits")
        rows.append(_row(name, times[name], note))
        out(f"  {rows[-1]}")
    return rows


def run(banking: Path, samples: Path, size: int = 100_000, n: int = 100, out: Callable = print,
        backends: tuple[str, ...] = BACKENDS) -> dict:
    """Backends side by side, then quality and (size > 0) latency on the default backend."""
    if not banking.exists():
        raise FileNotFoundError(f"{banking} not found (set RESEARCH_HUB_EVAL_DIR)")
    with tempfile.TemporaryDirectory(prefix="rh-bench-search-") as tmp:
        result: dict = {"backends": compare(banking, Path(tmp), backends, out) if backends else None}
        qhub = Hub(Path(tmp) / "quality")
        result["quality"] = quality(qhub, banking, out)
        out(f"quality: {result['quality']}")
        if size <= 0:
            qhub.close()
            return result
        intents = sorted({s.meta.get("category") for s in qhub.snippets() if s.meta.get("category")})
        base = list(dict.fromkeys(r["text"] for r in qhub.workspace.db.query("SELECT text FROM snippets")))
        sentences, questions = sample_texts(samples)
        base += sentences
        base_vectors = qhub.workspace.embedder.encode(base)  # banking77 comes from the cache
        out(f"building a {size}-snippet store from {len(base)} embedded texts ...")
        hub = Hub(Path(tmp) / "latency")
        t = time.perf_counter()
        filters = build_store(hub, base, base_vectors, questions, size)
        cold: dict = {"store_snippets": filters["snippets"], "store_build_s": round(time.perf_counter() - t, 1)}
        t = time.perf_counter()
        hub.workspace.keyword.state()
        cold["search_index_build_s"] = round(time.perf_counter() - t, 2)
        fresh = Hub(Path(tmp) / "latency")
        t = time.perf_counter()
        fresh.workspace.keyword.state()
        cold["search_index_load_s (new process)"] = round(time.perf_counter() - t, 2)
        fresh.close()
        result["cold"] = cold
        out(f"cold: {cold}")
        load_before = os.getloadavg()[0]
        result["latency"] = latency(hub, queries(intents, sentences), n, filters, out)
        result["cold"]["load_average_1min (before, after timings)"] = \
            f"{load_before:.1f}, {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        qhub.close()
        hub.close()
    return result
