"""bench themes: our clustering against BERTopic (default settings) on BANKING77.

Both methods get the same MiniLM vectors, embedded once; only clustering plus
labelling is timed, after a small warm-up of each (model loads and numba's
just-in-time compilation are not clustering). The unthemed group (BERTopic's
topic -1) counts as one more cluster in V-measure and ARI, as a researcher
would see it. Data: BANKING77 (PolyAI, CC BY 4.0), 77 intent labels.
"""
from __future__ import annotations

import csv
import os
import random
import time
from pathlib import Path
from typing import Callable

import numpy as np

from research_hub.core.settings import Settings
from research_hub.embed import Embedder
from research_hub.themes.cluster import cluster
from research_hub.themes.label import describe
from research_hub.themes.model import nearest_first

ATTRIBUTION = "BANKING77 (Casanueva et al. 2020, PolyAI), CC BY 4.0"


def default_csv(repo_root: Path) -> Path:
    env = os.environ.get("RESEARCH_HUB_EVAL_DIR")
    return Path(env) / "banking77_train.csv" if env else repo_root.parent / "shared" / "eval" / "banking77_train.csv"


def load(path: Path, sample: int | None = None, seed: int = 0) -> tuple[list[str], list[str]]:
    if not path.exists():
        raise FileNotFoundError(f"no evaluation file at {path} (set RESEARCH_HUB_EVAL_DIR)")
    with path.open(newline="", encoding="utf-8") as f:
        rows = [(r["text"], r["category"]) for r in csv.DictReader(f) if r.get("text")]
    if sample and sample < len(rows):
        rows = random.Random(seed).sample(rows, sample)
    return [t for t, _ in rows], [c for _, c in rows]


def ours(texts: list[str], x: np.ndarray, documents: np.ndarray | None = None) -> tuple[np.ndarray, list[str]]:
    result = cluster(x, documents=documents)
    nearest = []
    for t in range(result.n_themes):
        rows = np.flatnonzero(result.labels == t)
        nearest.append([int(rows[j]) for j in nearest_first(x[rows])])
    labels = [label for label, _ in describe(texts, result.labels, result.n_themes, nearest)]
    return result.labels, labels


def bertopic(texts: list[str], x: np.ndarray) -> tuple[np.ndarray, list[str]]:
    from bertopic import BERTopic

    model = BERTopic()
    topics, _ = model.fit_transform(texts, embeddings=x)
    names = model.get_topic_info()["Name"].tolist()
    return np.asarray(topics), names


def measure(name: str, method: Callable, texts: list[str], x: np.ndarray, truth: list[str]) -> dict:
    from sklearn.metrics import adjusted_rand_score, v_measure_score

    started = time.perf_counter()
    labels, names = method(texts, x)
    seconds = time.perf_counter() - started
    return {"method": name, "v_measure": round(float(v_measure_score(truth, labels)), 4),
            "ari": round(float(adjusted_rand_score(truth, labels)), 4),
            "themes": int(len(set(labels.tolist()) - {-1})),
            "unthemed_share": round(float((labels == -1).mean()), 4),
            "seconds": round(seconds, 2), "example_labels": names[:5]}


def run(path: Path, sample: int | None = None, with_bertopic: bool = True, out=print) -> dict:

    texts, truth = load(path, sample)
    out(f"{len(texts)} texts, {len(set(truth))} intents; {ATTRIBUTION}")
    started = time.perf_counter()
    x = Embedder(Settings.load(None, None, None).model).encode_raw(texts)
    embed_seconds = time.perf_counter() - started
    out(f"embedded once in {embed_seconds:.1f}s; both methods reuse these vectors")
    warm = slice(0, min(600, len(texts)))
    ours(texts[warm], x[warm])
    rows = [measure("research_hub", ours, texts, x, truth)]
    note = None
    if with_bertopic:
        try:
            import bertopic as _  # noqa: F401
        except ImportError:
            note = "BERTopic is not installed (pip install -e '.[bench]'); only research_hub was measured"
        else:
            out("warming BERTopic up (numba compiles UMAP on first use)...")
            bertopic(texts[warm], x[warm])
            rows.append(measure("BERTopic (defaults)", bertopic, texts, x, truth))
    result = {"texts": len(texts), "intents": len(set(truth)), "embed_seconds": round(embed_seconds, 1),
              "rows": rows, "data": ATTRIBUTION}
    if len(rows) == 2 and rows[1]["seconds"]:
        result["time_ratio"] = round(rows[0]["seconds"] / rows[1]["seconds"], 3)
    if note:
        result["note"] = note
    return result
