"""bench themes on real interviews: agreement with human codes, generic labels, scale.

1. Oral histories (University of Idaho Library, Oral History as Data; MIT):
   every participant row of the five interviews is a snippet, in reading
   order; the archivists' first code of a row is its truth. Ours (as
   hub.themes clusters), ours without context, the graph method (what
   themes used before) and BERTopic with default settings all get the same
   vectors, embedded once; V-measure and ARI are over the coded rows, the
   unthemed share over all rows (BERTopic's topic -1 counts as one more
   cluster, as a researcher would see it).
2. Anthropic Interviewer (Handa et al., 2025; CC BY): the 250 interviews
   ingested through the real pipeline; hub.themes on the pain_point
   snippets; a label is generic when it holds one of the 15 content words
   that the most participants of the workspace use.
3. Scale: clustering plus labelling of `scale` snippets, vectors resampled
   from the real ones with a little noise (texts with them); seconds and the
   process's peak memory.
"""
from __future__ import annotations

import csv
import html
import os
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

from research_hub.bench.themes import ours as ours_labelled
from research_hub.core.settings import Settings
from research_hub.embed import Embedder
from research_hub.hub import Hub
from research_hub.themes import cluster as C
from research_hub.themes.engine import vectors
from research_hub.themes.label import stop_words
from research_hub.themes.phrases import content, tokens

ORAL = "five oral histories, University of Idaho Library, Oral History as Data (MIT)"
ANTHROPIC = "Anthropic Interviewer, 250 interviews (Handa et al., Anthropic, 2025; CC BY)"
INTERVIEWERS = {"DB", "Devin Becker"}


def eval_dir() -> Path:
    here = Path(__file__).resolve().parents[2]
    for candidate in (os.environ.get("RESEARCH_HUB_EVAL_DIR", ""), here.parent / "shared" / "eval",
                      here.parent.parent / "shared" / "eval"):
        if candidate and (Path(candidate) / "interviews").is_dir():
            return Path(candidate)
    raise FileNotFoundError("no evaluation data (set RESEARCH_HUB_EVAL_DIR to the folder holding interviews/)")


def oral_rows(folder: Path) -> list[dict]:
    """Participant rows of the oral histories: document, position, text, first code (or None)."""
    rows = []
    for path in sorted(folder.glob("*.csv")):
        speaker = "DB"
        with path.open(newline="", encoding="utf-8") as f:
            for pos, r in enumerate(csv.DictReader(f)):
                speaker = (r["speaker"] or "").strip().rstrip(":") or speaker
                text = html.unescape(r["words"] or "").strip()
                if not text or speaker in INTERVIEWERS:
                    continue
                codes = [c.strip() for c in (r["tags"] or "").split(";") if c.strip()]
                rows.append({"doc": path.stem, "pos": pos, "text": text,
                             "code": codes[0] if codes else None})
    if not rows:
        raise FileNotFoundError(f"no oral histories in {folder}")
    return rows


def scores(truth: list, labels: np.ndarray, coded: np.ndarray) -> dict:
    from sklearn.metrics import adjusted_rand_score, v_measure_score

    t = [truth[i] for i in np.flatnonzero(coded)]
    return {"v_measure": round(float(v_measure_score(t, labels[coded])), 3),
            "ari": round(float(adjusted_rand_score(t, labels[coded])), 3),
            "themes": int(len(set(labels.tolist()) - {-1})),
            "unthemed_share": round(float((labels == -1).mean()), 3)}


def _timed(name: str, fn) -> dict:
    started = time.perf_counter()
    labels = fn()
    return {"method": name, "labels": labels, "seconds": round(time.perf_counter() - started, 2)}


def bertopic_labels(texts: list[str], x: np.ndarray) -> np.ndarray:
    from bertopic import BERTopic

    topics, _ = BERTopic(embedding_model=None).fit_transform(texts, embeddings=x)
    return np.asarray(topics)


def run_oral(encode, with_bertopic: bool = True, out=print) -> dict:

    rows = oral_rows(eval_dir() / "interviews" / "oral_histories")
    texts = [r["text"] for r in rows]
    truth = [r["code"] for r in rows]
    coded = np.array([c is not None for c in truth])
    docs = np.array([r["doc"] for r in rows])
    pos = np.array([r["pos"] for r in rows])
    out(f"oral histories: {len(rows)} participant rows, {int(coded.sum())} coded; {ORAL}")
    x = C.normalize(encode(texts))
    C.cluster(x[:300], documents=docs[:300], positions=pos[:300])  # numba compiles UMAP once
    runs = [_timed("research_hub", lambda: C.cluster(x, documents=docs, positions=pos).labels),
            _timed("research_hub, no context", lambda: C.cluster(x).labels),
            _timed("graph method (before)", lambda: C.graph_cluster(x).labels)]
    note = None
    if with_bertopic:
        try:
            import bertopic as _  # noqa: F401
        except ImportError:
            note = "BERTopic is not installed (pip install -e '.[bench]'); it was not measured"
        else:
            bertopic_labels(texts[:300], x[:300])
            runs.append(_timed("BERTopic (defaults)", lambda: bertopic_labels(texts, x)))
    table = [{"method": r["method"], **scores(truth, r["labels"], coded), "seconds": r["seconds"]}
             for r in runs]
    result = {"rows": len(rows), "coded": int(coded.sum()), "methods": table, "data": ORAL}
    if note:
        result["note"] = note
    return result


def generic_words(texts: list[str], people: list[str], top: int = 15) -> list[str]:
    """The metric's list: the `top` content words by share of participants (no floor)."""

    stops, users = stop_words(), {}
    for text, person in zip(texts, people):
        for w in set(tokens(text)):
            if content(w, stops):
                users.setdefault(w, set()).add(person)
    return [w for w, _ in sorted(users.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:top]]


def generic_share(labels: list[str], generic: list[str]) -> float:

    bad = [label for label in labels if set(tokens(label)) & set(generic)]
    return round(len(bad) / len(labels), 3) if labels else 0.0


def anthropic_workspace(home: Path, out=print):
    """The 250 interviews ingested into a workspace at `home`; when it is there already, reused
    and retagged, so its pain points are the current tagger's and not those of the run that
    ingested it."""

    hub = Hub(home)
    if hub.snippets(role="participant"):
        out(f"retagging the workspace reused from {home} with {hub.workspace.tagger_description()}...")
        hub.retag()
        return hub
    folder = eval_dir() / "interviews" / "anthropic_interviewer"
    files = home.parent / "anthropic-files"
    files.mkdir(parents=True, exist_ok=True)
    csv.field_size_limit(1 << 30)
    paths = []
    for source in sorted(folder.glob("*.csv")):
        with source.open(newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                path = files / f"{row['transcript_id']}.txt"
                path.write_text(row["text"], encoding="utf-8")
                paths.append(path)
    out(f"ingesting {len(paths)} interviews (once; reused from {home})...")
    report = hub.ingest(paths)
    if not report.ok:
        raise RuntimeError(f"could not ingest {report.failed[0].error}")
    return hub


def run_pain(home: Path, scale: int = 0, out=print) -> tuple[dict, dict | None]:
    """(pain-point themes of the Anthropic workspace, the scale run on its vectors or None)."""

    hub = anthropic_workspace(home, out)
    try:
        everyone = hub.snippets(role="participant")
        generic = generic_words([s.text for s in everyone], [s.participant for s in everyone])
        started = time.perf_counter()
        result = hub.themes(tags=["pain_point"])
        seconds = round(time.perf_counter() - started, 2)
        labels = [t.auto_label for t in result]
        big = run_scale(scale, vectors(hub.workspace, everyone), [s.text for s in everyone], out) \
            if scale else None
        return {"snippets": result.total, "themes": len(result), "seconds": seconds,
                "unthemed_share": round(result.unthemed_share, 3), "generic": generic,
                "generic_share": generic_share(labels, generic), "labels": labels[:12],
                "headline": result[0].headline["text"][:160] if len(result) and result[0].headline else None,
                "data": ANTHROPIC}, big
    finally:
        hub.close()


def run_scale(n: int, x: np.ndarray, texts: list[str], out=print) -> dict:
    """Cluster and label n snippets resampled from real ones (40 to a document); seconds and
    the process's peak memory, which includes the embedding model and everything before."""
    rng = np.random.default_rng(0)
    pick = rng.integers(0, len(x), n)
    big = x[pick] + rng.normal(scale=0.02, size=(n, x.shape[1])).astype(np.float32)
    docs = np.repeat(np.arange(n // 40 + 1), 40)[:n]
    big_texts = [texts[i] for i in pick]
    out(f"scale: {n} snippets...")
    started = time.perf_counter()
    labels, names = ours_labelled(big_texts, big, documents=docs)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    return {"snippets": n, "themes": int(labels.max() + 1), "seconds": round(seconds, 1),
            "peak_gb": round(peak, 2), "unthemed_share": round(float((labels == -1).mean()), 3)}


def run(with_bertopic: bool = True, scale: int = 100_000, workdir: Path | None = None,
        out=print) -> dict:

    embedder = Embedder(Settings.load(None, None, None).model)
    oral = run_oral(embedder.encode_raw, with_bertopic, out)
    home = Path(workdir or Path(tempfile.gettempdir()) / "research-hub-bench-themes") / "anthropic-ws"
    pain, big = run_pain(home, scale, out)
    return {"oral": oral, "pain": pain, "scale": big}
