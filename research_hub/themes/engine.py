"""Compute themes for a selection of participant snippets, honouring the researcher's decisions.

Order of precedence, strongest first:
1. moves: a snippet placed by hand stays where it was put (or unthemed);
2. pinned themes keep exactly their members;
3. kept themes keep their members;
4. the other (free) snippets are clustered afresh, then each goes to the
   group it fits best (cluster.place): a kept theme or a new cluster. This is
   how a later ingest lands new snippets in saved themes. On large selections
   (reduce.py) a free snippet stays in its new cluster unless a kept theme
   fits it. A new cluster takes
   the id of the earlier auto theme it mostly overlaps, so ids are stable.
No snippet is re-embedded: vectors come from the embedding cache by text hash,
then from Chroma for any the cache lacks.
"""
from __future__ import annotations

import hashlib
import time
from typing import Any, Sequence

import numpy as np

from research_hub.core.errors import IndexMismatchError
from research_hub.core.models import Snippet
from research_hub.themes import cluster as clustering
from research_hub.themes.label import describe, headline, stop_words
from research_hub.themes.phrases import Background
from research_hub.themes.model import UNTHEMED_ID, Themes, nearest_first, theme_record
from research_hub.store.themes import AUTO, KEPT, PINNED, StoredTheme, ThemeStore

PARTICIPANT = "participant"


def scope_key(tags: Sequence[str] | None, study: str | None = None, kind: str | None = None) -> str:
    """Names a selection; decisions are stored per selection."""
    parts = [f"tags={','.join(sorted(set(tags)))}" if tags else "all"]
    parts += [f"{k}={v}" for k, v in (("study", study), ("kind", kind)) if v]
    return ";".join(parts)


def select(ws, tags: Sequence[str] | None, study: str | None, kind: str | None) -> list[Snippet]:
    return ws.records.snippets(tags=list(tags) if tags else None, study=study, kind=kind,
                                role=PARTICIPANT)


def vectors(ws, snippets: Sequence[Snippet]) -> np.ndarray:
    """Stored vectors in snippet order: the embedding cache first, Chroma for the rest."""
    if not snippets:
        return np.zeros((0, 0), dtype=np.float32)
    ids = [s.snippet_id for s in snippets]
    hashes = {r["id"]: r["text_hash"] for r in ws.records.vector_rows(ids)}
    cached = ws.embedder.cache.get_many(list(hashes.values())) if ws.embedder.cache else {}
    missing = [i for i in ids if hashes.get(i) not in cached]
    from_index: dict[str, np.ndarray] = {}
    if missing:
        got = ws.index.get(missing, include=["embeddings"])
        from_index = {i: np.asarray(v, dtype=np.float32) for i, v in zip(got["ids"], got["embeddings"])}
    rows = []
    for i in ids:
        vec = cached.get(hashes.get(i)) if hashes.get(i) in cached else from_index.get(i)
        if vec is None:
            raise IndexMismatchError(f"snippet {i} has no stored vector; run `research-hub reindex`")
        rows.append(vec)
    return clustering.normalize(np.vstack(rows))


def compute(ws, tags: Sequence[str] | None = None, *, study: str | None = None,
            kind: str | None = None, min_size: int = clustering.MIN_SIZE,
            resolution: float | None = None, labels: bool = True) -> Themes:
    started = time.perf_counter()
    scope = scope_key(tags, study, kind)
    snippets = select(ws, tags, study, kind)
    if not snippets:
        return _empty(scope, started)
    x = vectors(ws, snippets)
    chance = clustering.Chance.of(x)
    store = ThemeStore(ws.db)
    stored = store.load(scope)
    assign, slots = _decided(snippets, stored, store.moves(scope))
    free = assign == FREE
    new_groups, partition = _cluster_free(x, snippets, assign, chance, min_size, resolution)
    assign = _settle_free(x, assign, free, slots, new_groups, stored, chance, min_size, partition)
    slots = slots + _carry_ids([[snippets[r].snippet_id for r in np.flatnonzero(assign == len(slots) + g)]
                                for g in range(new_groups)],
                               {tid: t.members for tid, t in stored.items() if t.state == AUTO}, scope)
    background = _background(ws, snippets, tags, study, kind)
    result = _describe(snippets, x, assign, slots, stored, scope, chance, labels, background, started)
    store.save_run(scope, [StoredTheme(t.id, scope, stored[t.id].name if t.id in stored else None,
                                       t.auto_label, t.keywords, t.state, set(t.snippet_ids))
                           for t in result])
    return result


# -- the steps -------------------------------------------------------------------
FREE = -2
FREE_BASE = 1_000_000  # labels of fresh clusters before they get slots


def _decided(snippets: list[Snippet], stored: dict[str, StoredTheme],
             moves: dict[str, str | None]) -> tuple[np.ndarray, list[str]]:
    """Rows placed by hand or held by kept/pinned themes; slots[i] is the theme id of slot i."""
    pos = {s.snippet_id: i for i, s in enumerate(snippets)}
    assign = np.full(len(snippets), FREE)
    slots = [tid for tid, t in stored.items() if t.state in (KEPT, PINNED)]
    index = {tid: i for i, tid in enumerate(slots)}
    for tid in slots:
        for sid in stored[tid].members:
            if sid in pos and sid not in moves:
                assign[pos[sid]] = index[tid]
    for sid, tid in moves.items():
        if sid in pos:
            assign[pos[sid]] = index.get(tid, clustering.UNTHEMED) if tid else clustering.UNTHEMED
    return assign, slots


def _cluster_free(x, snippets, assign, chance, min_size, resolution) -> tuple[int, bool]:
    """Cluster the free rows; they get labels FREE_BASE + cluster (or UNTHEMED).
    Returns (clusters, whether they partition the free rows)."""
    free = np.flatnonzero(assign == FREE)
    if not len(free):
        return 0, False
    documents = np.array([snippets[r].document_id for r in free])
    positions = np.array([snippets[r].char_start for r in free])
    result = clustering.cluster(x[free], min_size=min_size, chance=chance, resolution=resolution,
                                documents=documents, positions=positions)
    assign[free] = np.where(result.labels >= 0, FREE_BASE + result.labels, clustering.UNTHEMED)
    return result.n_themes, result.partition


def _settle_free(x, assign, free, slots, new_groups, stored, chance, min_size,
                 partition) -> np.ndarray:
    """Free rows go where they fit best: a kept theme or a new cluster (never a pinned one).
    A partition's rows move only into a kept theme that fits them."""
    k = len(slots)
    labels = np.where(assign >= FREE_BASE, assign - FREE_BASE + k, assign)
    if partition and k == 0:
        return labels
    pinned = [stored[t].state == PINNED for t in slots]
    closed = np.array(pinned + [partition] * new_groups, dtype=bool)
    protected = np.array([True] * k + [False] * new_groups, dtype=bool)
    return clustering.place(x, labels, free, chance, min_size, closed, protected,
                            keep_unfit=partition)


def _carry_ids(groups: list[list[str]], previous: dict[str, set[str]], scope: str) -> list[str]:
    """A new group takes the id of the earlier auto theme that shares at least half of the
    smaller of the two (largest overlaps first, one-to-one); else a fresh id."""
    pairs = []
    for g, members in enumerate(groups):
        mset = set(members)
        for tid, old in previous.items():
            shared = len(mset & old)
            if shared and shared * 2 >= min(len(mset), len(old)):
                pairs.append((shared, g, tid))
    ids: list[str | None] = [None] * len(groups)
    taken: set[str] = set()
    for _, g, tid in sorted(pairs, key=lambda p: (-p[0], p[1], p[2])):
        if ids[g] is None and tid not in taken:
            ids[g] = tid
            taken.add(tid)
    return [tid or new_id(scope, groups[g]) for g, tid in enumerate(ids)]


def new_id(scope: str, members: Sequence[str]) -> str:
    raw = scope + "\x00" + "\x00".join(sorted(members))
    return "t" + hashlib.sha1(raw.encode("utf-8")).hexdigest()[:9]


def _background(ws, snippets: list[Snippet], tags, study, kind) -> Background:
    """Phrase counts of every participant snippet of the workspace, which labels stand out from."""
    said = [(s.text, s.participant) for s in snippets] if not (tags or study or kind) \
        else ws.records.participant_words()
    return Background.of([t for t, _ in said], [p for _, p in said], stop_words())


def _describe(snippets, x, assign, slots, stored, scope, chance, labels, background,
              started) -> Themes:
    total = len(snippets)
    present = [i for i in range(len(slots)) if (assign == i).any()]
    label_of = np.full(len(snippets), -1)
    for k, i in enumerate(present):
        label_of[assign == i] = k
    nearest = []
    for k in range(len(present)):
        rows = np.flatnonzero(label_of == k)
        nearest.append([int(rows[j]) for j in nearest_first(x[rows])])
    texts = [s.text for s in snippets]
    described = describe(texts, label_of, len(present), nearest, phrases=labels, background=background)
    themes = []
    for k, i in enumerate(present):
        tid = slots[i]
        auto_label, keywords = described[k]
        old = stored.get(tid)
        state = old.state if old is not None else AUTO
        rows = np.flatnonzero(label_of == k)
        top = headline(texts, nearest[k], auto_label)
        themes.append(theme_record(tid, (old.name if old and old.name else auto_label), auto_label,
                                   keywords, state, [snippets[r] for r in rows], x[rows], total,
                                   headline_id=snippets[top].snippet_id if top is not None else None))
    themes.sort(key=lambda t: (-t.size, t.id))
    rows = np.flatnonzero(label_of < 0)
    unthemed = theme_record(UNTHEMED_ID, "Unthemed", "Unthemed", [], "unthemed",
                            [snippets[r] for r in rows], x[rows] if len(rows) else None, total)
    return Themes(themes, unthemed, scope=scope, total=total, chance=chance,
                  seconds=time.perf_counter() - started,
                  snippets={s.snippet_id: s for s in snippets})


def _empty(scope: str, started: float) -> Themes:
    unthemed = theme_record(UNTHEMED_ID, "Unthemed", "Unthemed", [], "unthemed", [], None, 0)
    return Themes([], unthemed, scope=scope, total=0, chance=None,
                  seconds=time.perf_counter() - started)


def theme_options(options: dict[str, Any]) -> dict[str, Any]:
    allowed = {"study", "kind", "min_size", "resolution", "labels"}
    unknown = set(options) - allowed
    if unknown:
        raise TypeError(f"unknown theme option(s): {', '.join(sorted(unknown))}")
    return options
