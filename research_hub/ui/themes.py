"""Themes page: what hurts most (by distinct participants), a map of the snippets, themes
over time, and one theme's quotes with rename, merge and pin, who says the opposite, and a
draft insight from it."""
from __future__ import annotations

import streamlit as st

from research_hub.core.access import Permission
from research_hub.ui import actions, charts
from research_hub.ui.common import (
    can,
    counter_list,
    english_model_note,
    get_hub,
    hub_call,
    md_escape,
    plural,
    quote_card,
    tags_markdown,
)

SELECTIONS = {"pain": "Pain points", "all": "All participant snippets"}
QUOTE_PAGE = 25


def stored_vectors(hub, result):
    """The selection's stored embeddings, as the themes module reads them (no re-embedding)."""
    return hub.snippet_vectors(list(result.snippets.values()))


def options_sidebar(hub) -> dict:
    st.sidebar.header("Selection")
    which = st.sidebar.radio("Snippets", list(SELECTIONS), format_func=SELECTIONS.get,
                             key="th_which")
    studies = hub.filter_values().get("study", [])
    study = st.sidebar.selectbox("Study", ["All studies", *studies], key="th_study")
    min_size = st.sidebar.slider("Smallest theme", 2, 10, 3, key="th_min",
                                 help="Groups smaller than this stay unthemed.")
    opts: dict = {"min_size": min_size}
    if which == "all":
        opts["all_snippets"] = True
    if study != "All studies":
        opts["study"] = study
    return opts


def summary(result) -> None:
    cols = st.columns(4)
    cols[0].metric("Themes", len(result))
    cols[1].metric("Snippets", result.total)
    cols[2].metric("Participants", len({s.participant for s in result.snippets.values()}))
    cols[3].metric("Unthemed", f"{round(100 * result.unthemed_share)}%")


def overview(hub, result) -> None:
    left, right = st.columns([5, 6])
    with left:
        st.subheader("What hurts most")
        st.altair_chart(charts.theme_bars(result), key="th_bars")
    with right:
        st.subheader("Map of snippets")
        ids = list(result.snippets)
        vectors = hub_call(stored_vectors, hub, result)
        if vectors is not None and len(ids):
            st.altair_chart(charts.snippet_map(result, vectors, ids), key="th_map")
            st.caption("Each dot is a quote, coloured by its theme; nearby dots say similar "
                       "things in similar surroundings (UMAP of the vectors the themes were "
                       "clustered on).")


def over_time(hub, result) -> None:
    st.subheader("Themes over time")
    period = st.segmented_control("Period", ["month", "week"], default="month", required=True,
                                  key="th_period")
    records = hub_call(hub.theme_timeline, period, result)
    chart = charts.timeline(records or [], period)
    if chart is None:
        st.caption("No dated snippets in this selection.")
    else:
        st.altair_chart(chart, key="th_time")


# -- editing (callbacks: the rerun shows the result) -----------------------------------
def _rename(theme_id: str) -> None:
    name = st.session_state.get(f"th_name_{theme_id}", "")
    actions.run_action(get_hub().rename_theme, theme_id, name,
                       done=f"Theme renamed to {md_escape(name.strip())}.")


def _merge(theme_id: str) -> None:
    other = st.session_state.get(f"th_into_{theme_id}")
    if other:
        actions.run_action(get_hub().merge_themes, theme_id, other, done="Themes merged.")


def _pin(theme_id: str, pinned: bool) -> None:
    actions.run_action(get_hub().pin_theme, theme_id, pinned,
                       done="Theme pinned: it is kept as it is." if pinned else "Theme unpinned.")


def _propose(theme_id: str) -> None:
    actions.run_action(get_hub().insights.propose, theme_id,
                       done="Draft insight created: rewrite its sentence on the Insights page.")


def counter_section(hub, theme) -> None:
    """Participants who say the opposite: praise inside a pain theme, segments that disagree."""
    found = hub_call(hub.theme_counter, theme.id)
    if found is not None:
        counter_list(found, "this theme")


def editor(result, theme) -> None:
    with st.popover("Rename", icon=":material/edit:"):
        st.text_input("New name", value=theme.label, key=f"th_name_{theme.id}")
        st.button("Save name", key=f"th_rename_{theme.id}", on_click=_rename, args=(theme.id,))
    others = {t.id: t.label for t in result if t.id != theme.id}
    if others:
        with st.popover("Merge", icon=":material/merge:"):
            st.selectbox("Merge this theme with", list(others), format_func=others.get,
                         key=f"th_into_{theme.id}")
            st.button("Merge", key=f"th_merge_{theme.id}", on_click=_merge, args=(theme.id,))
    pinned = theme.state == "pinned"
    st.button("Unpin" if pinned else "Pin", key=f"th_pin_{theme.id}", icon=":material/push_pin:",
              on_click=_pin, args=(theme.id, not pinned),
              help="A pinned theme keeps its quotes when themes are recomputed.")


def drill(result) -> None:
    st.subheader("Read a theme")
    labels = {t.id: f"{t.label} ({plural(t.participant_count, 'participant')})" for t in result}
    if result.unthemed.size:
        labels[result.unthemed.id] = f"Unthemed ({plural(result.unthemed.size, 'snippet')})"
    theme_id = st.selectbox("Theme", list(labels), format_func=labels.get, key="th_open")
    theme = result.get(theme_id)
    head = f"### {md_escape(theme.label)}"
    if theme.state == "pinned":
        head += " :orange-badge[pinned]"
    st.markdown(head)
    if theme.renamed:
        st.caption(f"Machine label: {md_escape(theme.auto_label)}")
    if theme.keywords:
        st.markdown(tags_markdown(theme.keywords, "gray"))
    facts = [plural(theme.size, "snippet"), plural(theme.participant_count, "participant"),
             plural(theme.document_count, "document"), ", ".join(theme.studies)]
    if theme.first_seen:
        facts.append(f"{theme.first_seen} to {theme.last_seen}")
    st.caption(" · ".join(md_escape(f) for f in facts if f))
    if theme.id != result.unthemed.id and can(Permission.EDIT):
        with st.container(horizontal=True):
            editor(result, theme)
            st.button("Draft an insight", key=f"th_propose_{theme.id}", icon=":material/lightbulb:",
                      on_click=_propose, args=(theme.id,),
                      help="A draft insight from this theme's label, with its quotes as evidence.")
    if theme.id != result.unthemed.id:
        if st.toggle("Who says the opposite?", key=f"th_counter_{theme.id}"):
            counter_section(get_hub(), theme)
    top = theme.headline["snippet_id"] if theme.headline else None
    if top and top in result.snippets:
        st.markdown("**Headline quote**")
        with st.container(border=True):
            quote_card(result.snippets[top])
    shown = st.session_state.get(f"th_more_{theme.id}", QUOTE_PAGE)
    for sid in [s for s in theme.snippet_ids if s != top][:shown]:
        snip = result.snippets.get(sid)
        if snip is not None:
            with st.container(border=True):
                quote_card(snip)
    if len(theme.snippet_ids) > shown:
        st.button(f"Show {min(QUOTE_PAGE, len(theme.snippet_ids) - shown)} more",
                  key=f"th_more_btn_{theme.id}", on_click=st.session_state.update,
                  kwargs={f"th_more_{theme.id}": shown + QUOTE_PAGE})


def main() -> None:
    hub = get_hub()
    st.title("Themes")
    st.caption("Participant quotes grouped by what they are about, from their stored embeddings. "
               "Rename, merge or pin a theme and it stays that way when themes are recomputed.")
    actions.show_flash()
    english_model_note(hub.stats().get("languages", {}))
    opts = options_sidebar(hub)
    with st.spinner("Grouping quotes into themes..."):
        result = hub_call(hub.themes, **opts)
    if result is None:
        return
    if not len(result):
        st.info("No themes in this selection yet: ingest more interviews or choose "
                "*All participant snippets* in the sidebar.")
        return
    summary(result)
    overview(hub, result)
    over_time(hub, result)
    st.divider()
    drill(result)


main()
