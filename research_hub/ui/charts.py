"""Altair charts for the Themes page, built from what `Hub.themes()` returns.

Labels and quotes reach the browser only as chart data (tooltips and axis text
are drawn as text by Vega, never parsed as HTML).
"""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from research_hub.themes.reduce import SMALL, map_2d

UNTHEMED_COLOR = "#c8c8c8"


def theme_bars(themes) -> alt.Chart:
    """Themes sorted by distinct participants, the figure that says how widely it hurts."""
    data = pd.DataFrame([{
        "theme": t.label, "participants": t.participant_count, "snippets": t.size,
        "documents": t.document_count, "studies": ", ".join(t.studies),
        "keywords": ", ".join(t.keywords[:6]), "pinned": t.state == "pinned"} for t in themes])
    order = data.sort_values(["participants", "snippets"], ascending=False)["theme"].tolist()
    return alt.Chart(data).mark_bar(cornerRadiusEnd=3).encode(
        x=alt.X("participants:Q", title="Distinct participants"),
        y=alt.Y("theme:N", sort=order, title=None, axis=alt.Axis(labelLimit=260, labelOverlap=False)),
        color=alt.condition("datum.pinned", alt.value("#e07b00"), alt.value("#4c78a8")),
        tooltip=["theme", "participants", "snippets", "documents", "studies", "keywords"],
    ).properties(height=max(120, 26 * len(data)))


MAP_POINTS = 5000  # a seeded sample of larger selections is drawn


def project(vectors: np.ndarray, documents=None, positions=None) -> np.ndarray:
    """2-D coordinates of the vectors the themes were clustered on: UMAP from reduce.SMALL
    snippets on (where the themes come from UMAP too), PCA of fewer; tiny selections get
    a flat layout."""
    if len(vectors) < 4:
        return np.column_stack([np.arange(len(vectors), dtype=float), np.zeros(len(vectors))])
    if len(vectors) >= SMALL:
        return map_2d(vectors, documents, positions)
    from sklearn.decomposition import PCA

    return PCA(n_components=2, random_state=0).fit_transform(vectors)


def snippet_map(themes, vectors: np.ndarray, ids: list[str]) -> alt.Chart:
    """Each selected snippet as a dot, coloured by its theme; unthemed ones in grey."""
    theme_of = {sid: t.label for t in themes for sid in t.snippet_ids}
    if len(ids) > MAP_POINTS:
        keep = np.sort(np.random.default_rng(0).choice(len(ids), MAP_POINTS, replace=False))
        vectors, ids = vectors[keep], [ids[i] for i in keep]
    found = [themes.snippets.get(sid) for sid in ids]
    xy = project(vectors, np.array([s.document_id if s else "" for s in found]),
                 np.array([s.char_start if s else 0 for s in found]))
    rows = []
    for (x, y), sid in zip(xy, ids):
        s = themes.snippets.get(sid)
        rows.append({"x": float(x), "y": float(y), "theme": theme_of.get(sid, "Unthemed"),
                     "quote": (s.text[:160] + ("..." if len(s.text) > 160 else "")) if s else "",
                     "participant": s.participant if s else ""})
    data = pd.DataFrame(rows)
    labels = [t.label for t in themes]
    palette = alt.Scale(domain=[*labels, "Unthemed"],
                        range=[*_palette(len(labels)), UNTHEMED_COLOR])
    return alt.Chart(data).mark_circle(size=46, opacity=0.8).encode(
        x=alt.X("x:Q", axis=None), y=alt.Y("y:Q", axis=None),
        color=alt.Color("theme:N", scale=palette, legend=alt.Legend(title="Theme", symbolLimit=40)),
        tooltip=["theme", "participant", "quote"],
    ).properties(height=460).interactive()


def _palette(n: int) -> list[str]:
    base = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#ff9da6",
            "#9d755d", "#eeca3b", "#439894", "#d67195", "#79706e", "#1f77b4", "#bcbd22",
            "#8c564b", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39"]
    return [base[i % len(base)] for i in range(n)]


def timeline(records: list[dict], period: str) -> alt.Chart | None:
    """Distinct participants per theme per period (undated snippets are left out)."""
    data = pd.DataFrame([r for r in records if r.get("start")])
    if data.empty:
        return None
    unit = "yearmonth" if period == "month" else "yearmonthdate"
    return alt.Chart(data).mark_line(point=True).encode(
        x=alt.X(f"{unit}(start):T", title="Week of" if period == "week" else "Month"),
        y=alt.Y("participants:Q", title="Distinct participants"),
        color=alt.Color("label:N", title="Theme"),
        tooltip=["label", "period", "participants", "count"],
    ).properties(height=320)
