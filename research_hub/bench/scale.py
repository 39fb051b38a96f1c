"""bench scale: synthesised stores of n snippets, and how each cost grows with n.

A store of n snippets is made as `bench search` makes its latency store
(search.build_store): documents of 50 snippets with studies, kinds, dates,
participants and tags; texts are real BANKING77 messages (CC BY 4.0, PolyAI)
and sample-interview sentences, varied; vectors are the real model's vectors
of those texts plus small noise, so no n encodes are needed. Per size:

* store write: snippets/s into Chroma + SQLite + the embedding cache (no
  model: the model's share is what `bench ingest` measures),
* search p50/p95 (Hub.search, the query embedding included, plain and
  filtered) against raw Chroma in the same run,
* a cold `research-hub search` (new process: wall, peak memory),
* `research-hub themes` (the default pain_point scope; new process: wall, peak memory),
* reindex (index rebuilt from SQLite and the cache, no model time),
* disk per snippet (SQLite, Chroma, cache).
"""
from __future__ import annotations

import csv
import os
import tempfile
import time
from pathlib import Path
from typing import Callable

from research_hub.bench import search as bench_search
from research_hub.bench.cold import _cli, _env, timed
from research_hub.hub import Hub

THEMES_TIMEOUT_S = 600


def _disk(home: Path) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for f in home.rglob("*"):
        if f.is_file():
            part = f.relative_to(home).parts[0]
            key = "chroma" if "chroma" in part else "sqlite" if part.endswith((".db", ".db-wal", ".sqlite")) \
                else "cache" if "cache" in part else "other"
            sizes[key] = sizes.get(key, 0) + f.stat().st_size
    return sizes


def base_texts(banking: Path, samples: Path) -> tuple[list[str], list[str]]:
    with banking.open(newline="", encoding="utf-8") as f:
        texts = list(dict.fromkeys(r["text"] for r in csv.DictReader(f) if r.get("text")))
    said, questions = bench_search.sample_texts(samples)
    return texts + said, questions


def one_size(n: int, base: list[str], base_vectors, questions: list[str], intents: list[str],
             tmp: Path, queries: int, themes: bool, out: Callable) -> dict:
    home = tmp / f"store-{n}"
    hub = Hub(home)
    t = time.perf_counter()
    filters = bench_search.build_store(hub, base, base_vectors, questions, n)
    write_s = time.perf_counter() - t
    row: dict = {"snippets": filters["snippets"], "store_write_s": round(write_s, 1),
                 "store_write_per_s": round(filters["snippets"] / write_s, 1)}
    out(f"  {n}: stored in {write_s:.1f}s")
    t = time.perf_counter()
    hub.workspace.keyword.state()
    row["keyword_index_build_s"] = round(time.perf_counter() - t, 1)
    lat = bench_search.latency(hub, bench_search.queries(intents, base[-200:]), queries, filters, lambda m: None)
    row["latency"] = {r["measure"]: (r["p50_ms"], r["p95_ms"]) for r in lat}
    hub.close()
    env = _env(home, "onnx")
    timed(_cli() + ["search", "export is slow"], env)  # untimed: page cache and bytecode
    wall, mb = timed(_cli() + ["search", "export takes forever"], env)
    row["cold_search"] = {"wall_s": round(wall, 2), "peak_mb": round(mb, 1)}
    out(f"  {n}: cold search {row['cold_search']}")
    if themes:
        try:
            wall, mb = timed(_cli() + ["themes", "--json"], env, timeout=THEMES_TIMEOUT_S)
            row["themes"] = {"wall_s": round(wall, 1), "peak_mb": round(mb, 1)}
        except (RuntimeError, TimeoutError) as exc:
            row["themes"] = {"error": str(exc)[:200]}
        out(f"  {n}: themes (pain_point) {row['themes']}")
    hub = Hub(home)
    t = time.perf_counter()
    done = hub.reindex()
    row["reindex_s"] = round(time.perf_counter() - t, 1)
    row["reindex_encoded"] = done["encoded"]
    hub.close()
    disk = _disk(home)
    row["disk_bytes_per_snippet"] = {k: round(v / row["snippets"]) for k, v in sorted(disk.items())}
    row["disk_bytes_per_snippet"]["total"] = round(sum(disk.values()) / row["snippets"])
    out(f"  {n}: reindex {row['reindex_s']}s, disk {row['disk_bytes_per_snippet']}")
    return row


def run(banking: Path, samples: Path, sizes: tuple[int, ...] = (25_000, 100_000), queries: int = 60,
        themes: bool = True, out: Callable = print) -> dict:
    if not banking.exists():
        raise FileNotFoundError(f"{banking} not found (set RESEARCH_HUB_EVAL_DIR)")
    load = [os.getloadavg()[0]]
    base, questions = base_texts(banking, samples)
    with open(banking, newline="", encoding="utf-8") as f:
        intents = sorted({r["category"] for r in csv.DictReader(f)})
    rows = []
    with tempfile.TemporaryDirectory(prefix="rh-bench-scale-") as tmp:
        hub = Hub(Path(tmp) / "base")
        out(f"embedding {len(base)} base texts ...")
        base_vectors = hub.workspace.embedder.encode(base)
        hub.close()
        for n in sizes:
            out(f"size {n} ...")
            rows.append(one_size(n, base, base_vectors, questions, intents, Path(tmp), queries, themes, out))
    load.append(os.getloadavg()[0])
    return {"data": "BANKING77 (Casanueva et al., 2020, PolyAI; CC BY 4.0) and sample sentences, varied, "
                    "vectors of the real model plus noise",
            "load_average_1min (start, end)": f"{load[0]:.1f}, {load[1]:.1f} on {os.cpu_count()} cores",
            "sizes": rows}
