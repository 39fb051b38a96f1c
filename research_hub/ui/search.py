"""Search page (the app's front door): workspace figures, one search box, quote cards.

Filters live in the sidebar; each hit can be read in context, tagged, and linked
to a roadmap feature in one step.
"""
from __future__ import annotations

import datetime as dt

import streamlit as st

from research_hub.core.access import Permission
from research_hub.ui import actions
from research_hub.ui.common import (
    can,
    context_block,
    english_model_note,
    get_hub,
    hub_call,
    md_escape,
    plural,
    quote_card,
    tags_markdown,
)

ANY = "Any"
MAX_HIGHLIGHTS = 5
STARTERS = ["too slow", "confusing", "it keeps failing", "too expensive", "I wish it could"]


def _try_starter() -> None:
    st.session_state["q"] = st.session_state.get("q_try") or ""
    st.session_state["q_try"] = None


def stats_strip(hub) -> dict:
    stats = hub.stats()
    cols = st.columns(6)
    figures = [("Documents", stats.get("documents", 0)), ("Participants", stats.get("participants", 0)),
               ("Snippets", stats.get("snippets", 0)), ("Studies", stats.get("studies", 0)),
               ("Features", stats.get("features", 0)), ("Confirmed links", stats.get("confirmed_links", 0))]
    for col, (label, value) in zip(cols, figures):
        col.metric(label, len(value) if isinstance(value, (list, dict)) else value or 0)
    english_model_note(stats.get("languages", {}))
    return stats


def _pick(label: str, values: list[str], key: str) -> str | None:
    choice = st.sidebar.selectbox(label, [ANY, *values], key=key)
    return None if choice == ANY else choice


def _date_bounds(hub) -> tuple[dt.date, dt.date] | None:
    dates = sorted(d.date[:10] for d in hub.documents() if d.date)
    try:
        return dt.date.fromisoformat(dates[0]), dt.date.fromisoformat(dates[-1])
    except (IndexError, ValueError):
        return None


def sidebar_filters(hub) -> tuple[dict, int]:
    """Filter widgets whose choices come from the workspace; returns Hub.search kwargs and k."""
    st.sidebar.header("Filters")
    values = hub.filter_values()
    filters: dict = {
        "study": _pick("Study", values.get("study", []), "f_study"),
        "kind": _pick("Kind", values.get("kind", []), "f_kind"),
        "participant": _pick("Participant", values.get("participant", []), "f_participant"),
        "role": _pick("Role", values.get("role", []), "f_role"),
        "tags": st.sidebar.multiselect("Tags (all of)", values.get("tag", []), key="f_tags") or None,
    }
    bounds = _date_bounds(hub)
    if bounds:
        picked = st.sidebar.date_input("Date range", value=(), min_value=bounds[0],
                                       max_value=bounds[1], key="f_dates")
        if isinstance(picked, (list, tuple)) and picked:
            filters["since"] = picked[0].isoformat()
            filters["until"] = (picked[1] if len(picked) > 1 else picked[0]).isoformat()
    k = st.sidebar.select_slider("Results", [5, 10, 20, 50], value=10, key="f_k")
    return {name: v for name, v in filters.items() if v}, k


def hit_card(hit, features: list | None) -> None:
    with st.container(border=True):
        quote_card(hit, hit.highlights, hit.score)
        if hit.duplicates:
            st.caption(f"Said {plural(hit.duplicates + 1, 'time')} by this participant "
                       f"(near-identical quotes collapsed).")
        if can(Permission.EDIT):
            row = st.container(horizontal=True)
            with row.popover("Tags", icon=":material/sell:"):
                actions.tag_editor(hit)
            with row.popover("Link to feature", icon=":material/link:"):
                actions.link_editor(hit, features)
        if hit.context or hit.neighbours:
            with st.expander("Context"):
                context_block(hit, hit.neighbours)


def results(hub, query: str, filters: dict, k: int) -> None:
    with st.spinner("Searching (the language model loads on the first search)..."):
        hits = hub_call(hub.search, query, k=k, **filters)
    if hits is None:
        return
    if not hits:
        st.info("No matching quotes. Try other words or loosen the filters.")
        return
    st.caption(f"{plural(len(hits), 'quote')} for *{md_escape(query)}*")
    highlight_matches(hub, query, min(h.score for h in hits))
    features = actions.feature_choices(hub)
    for hit in hits:
        hit_card(hit, features)


def highlight_matches(hub, query: str, floor: float) -> None:
    """Highlights people made that score at least as well as the last quote shown."""
    found = [m for m in hub_call(hub.highlights.search, query, k=MAX_HIGHLIGHTS) or [] if m.score >= floor]
    if not found:
        return
    with st.expander(f"{plural(len(found), 'highlight')} by researchers match", expanded=True):
        for m in found:
            h = m.highlight
            st.markdown(md_escape(h.text))
            st.caption(" · ".join(md_escape(b) for b in (h.participant, h.citation(), f"by {h.author}",
                                                        f"score {m.score:.2f}")))
            if h.tags:
                st.markdown(tags_markdown(h.tags, "orange"))


def main() -> None:
    hub = get_hub()
    st.title("Search customer evidence")
    stats = stats_strip(hub)
    actions.show_flash()
    filters, k = sidebar_filters(hub)
    query = st.text_input("Search quotes", key="q", placeholder="e.g. exporting invoices is slow",
                          help='Plain words find paraphrases; put a phrase in "quotes" to require it.')
    if not stats.get("snippets"):
        st.info("The workspace is empty: upload interviews or feedback on the **Library** page.")
        return
    if not query.strip():
        st.caption("Type what customers might have said; results show who said it and where.")
        st.pills("Or start with", STARTERS, key="q_try", on_change=_try_starter)
        return
    results(hub, query, filters, k)


main()
