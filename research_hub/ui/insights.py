"""Insights page: findings in one sentence, the evidence for and against them, how strong and
how fresh they are, and the roadmap features they bear on."""
from __future__ import annotations

import streamlit as st

from research_hub.core.access import Permission
from research_hub.insights.book import strength_table
from research_hub.ui import actions
from research_hub.ui.common import (can, counter_list, get_hub, hub_call, md_escape, plural,
                                     tags_markdown)

FORMULA = ("Strength = reach (distinct participants, repeats count a quarter) × breadth (studies, "
           "segments) × recency (newest supporting quote) × agreement (share of the reach that is "
           "not contradicted). See docs/insights.md.")


# -- callbacks (the rerun shows the result) --------------------------------------------
def _create() -> None:
    text = st.session_state.get("in_new") or ""
    if actions.run_action(get_hub().insights.add, text, done="Insight created."):
        st.session_state["in_new"] = ""


def _save(insight_id: str) -> None:
    actions.run_action(get_hub().insights.edit, insight_id, st.session_state.get(f"in_text_{insight_id}"),
                       done="Statement saved.")


def _status(insight_id: str, status: str) -> None:
    actions.run_action(get_hub().insights.edit, insight_id, None, status, done=f"Insight is now {status}.")


def _attach(insight_id: str, refs: list[str], stance: str) -> None:
    actions.run_action(get_hub().insights.attach, insight_id, refs, stance,
                       done=f"Evidence attached ({stance}).")


def _attach_typed(insight_id: str) -> None:
    refs = [r for r in (st.session_state.get(f"in_ref_{insight_id}") or "").replace(",", " ").split() if r]
    _attach(insight_id, refs, st.session_state.get(f"in_stance_{insight_id}") or "supports")


def _detach(insight_id: str, ref: str) -> None:
    actions.run_action(get_hub().insights.detach, insight_id, ref, done="Evidence removed.")


def _link(insight_id: str, remove: bool = False, feature_id: str | None = None) -> None:
    fid = feature_id or st.session_state.get(f"in_feature_{insight_id}")
    if fid:
        actions.run_action(get_hub().insights.link, insight_id, fid, remove,
                           done="Feature unlinked." if remove else f"Linked to {md_escape(fid)}.")


# -- pieces ----------------------------------------------------------------------------
def evidence_list(insight, items, stance: str) -> None:
    other = "contradicts" if stance == "supports" else "supports"
    for e in items:
        with st.container(border=True):
            if e.status != "ok":
                st.markdown(f":orange-badge[needs review] {md_escape(e.reason)}")
            st.markdown(md_escape(e.text))
            bits = [e.participant, e.citation, f"{e.kind} {e.id[:12]}", e.note]
            st.caption(" · ".join(md_escape(b) for b in bits if b))
            if e.tags:
                st.markdown(tags_markdown(e.tags, "gray"))
            row = st.container(horizontal=True)
            row.button("Remove", key=f"in_rm_{insight.id}_{e.id}", on_click=_detach, args=(insight.id, e.id))
            if e.status == "ok":
                row.button(f"Mark as {'contradicting' if other == 'contradicts' else 'supporting'}",
                           key=f"in_flip_{insight.id}_{e.id}", on_click=_attach,
                           args=(insight.id, [e.id], other))


def strength_view(insight) -> None:
    st_ = insight.strength
    cols = st.columns(5)
    cols[0].metric("Strength", st_.score)
    cols[1].metric("Participants", st_.participants, help=f"{plural(st_.evidence, 'supporting quote')}")
    cols[2].metric("Studies", st_.studies)
    cols[3].metric("Segments", len(st_.segments))
    cols[4].metric("Against", st_.counter_participants, help=f"{plural(st_.counter_evidence, 'contradicting quote')}")
    if st_.parts:
        st.caption(f"{st_.score} = " + " × ".join(f"{k} {v}" for k, v in st_.parts.items())
                   + f" · newest supporting quote: {st_.newest or 'undated'}")
    if st_.stale:
        st.warning("Stale: " + md_escape("; ".join(st_.stale_reasons)))
    if st_.needs_review:
        st.warning(f"{plural(st_.needs_review, 'piece')} of evidence changed when their files were "
                   "re-ingested; they do not count until you review them.")


def features_view(hub, insight) -> None:
    features = {f.id: f.title for f in hub.roadmap.features()}
    for fid in insight.features:
        row = st.container(horizontal=True)
        row.markdown(f"Bears on **{md_escape(fid)}** {md_escape(features.get(fid, ''))}")
        row.button("Unlink", key=f"in_unlink_{insight.id}_{fid}", on_click=_link,
                   args=(insight.id, True, fid))
    free = [f for f in features if f not in insight.features]
    if free:
        st.selectbox("Link to a roadmap feature", free, key=f"in_feature_{insight.id}",
                     format_func=lambda f: f"{f} - {features[f]}")
        st.button("Link feature", key=f"in_link_{insight.id}", on_click=_link, args=(insight.id,))
        st.caption("A linked insight's supporting quotes count in the feature's score and its "
                   "contradicting quotes lower it (docs/prioritisation.md).")


def counter_view(hub, insight) -> None:
    found = hub_call(hub.insights.counter, insight.id)
    if found is not None:
        counter_list(found, "these supporting quotes",
                     ("Attach as contradicting", f"in_counter_{insight.id}",
                      lambda sid: _attach(insight.id, [sid], "contradicts")))


def edit_controls(insight) -> None:
    with st.popover("Edit", icon=":material/edit:"):
        st.text_area("Statement", value=insight.statement, key=f"in_text_{insight.id}")
        st.button("Save statement", key=f"in_save_{insight.id}", on_click=_save, args=(insight.id,))
    row = st.container(horizontal=True)
    if insight.draft:
        row.button("Accept draft", key=f"in_accept_{insight.id}", on_click=_status, args=(insight.id, "active"))
    archived = insight.status == "archived"
    row.button("Restore" if archived else "Archive", key=f"in_arch_{insight.id}", on_click=_status,
               args=(insight.id, "active" if archived else "archived"))


def card(hub, insight) -> None:
    head = f"### {md_escape(insight.statement)}"
    if insight.draft:
        head += " :orange-badge[draft]"
    st.markdown(head)
    if insight.draft:
        st.caption("A starting point made from a group's machine label, not a finding: rewrite the "
                   "sentence in your words (that makes it yours) or accept it.")
    st.caption(f"{md_escape(insight.id)} · {md_escape(insight.status)} · by {md_escape(insight.author)} · "
               f"origin {md_escape(insight.origin)}")
    if can(Permission.EDIT):
        edit_controls(insight)
    strength_view(insight)
    features_view(hub, insight)
    st.markdown(f"#### Supporting ({len(insight.supporting)})")
    evidence_list(insight, insight.supporting, "supports")
    st.markdown(f"#### Contradicting ({len(insight.contradicting)})")
    evidence_list(insight, insight.contradicting, "contradicts")
    if can(Permission.EDIT):
        with st.expander("Attach evidence by id"):
            st.text_input("Snippet or highlight ids", key=f"in_ref_{insight.id}",
                          help="Snippet ids (or their first 8 characters) from Search, highlight ids "
                               "from the Library.")
            st.radio("It", ["supports", "contradicts"], key=f"in_stance_{insight.id}", horizontal=True)
            st.button("Attach", key=f"in_attach_{insight.id}", on_click=_attach_typed, args=(insight.id,))
    if st.toggle("Who says the opposite?", key=f"in_counter_on_{insight.id}"):
        counter_view(hub, insight)


def main() -> None:
    hub = get_hub()
    st.title("Insights")
    st.caption(FORMULA)
    actions.show_flash()
    if can(Permission.EDIT):
        with st.expander("Write an insight"):
            st.text_area("One sentence: what you found", key="in_new",
                         placeholder="e.g. Freelancers give up on invoicing when bank feeds disconnect.")
            st.button("Create insight", key="in_create", type="primary", on_click=_create)
            st.caption("Or draft one from a theme (Themes page) or from an Ask answer.")
    show_archived = st.toggle("Show archived", key="in_archived")
    items = hub_call(hub.insights.list, include_archived=show_archived) or []
    if not items:
        st.info("No insights yet: write one above, or draft one from a theme or an Ask answer.")
        return
    st.dataframe(strength_table(items), hide_index=True, key="in_table")
    labels = {i.id: f"{i.id}: {i.statement[:90]}" for i in items}
    chosen = st.selectbox("Open an insight", list(labels), format_func=labels.get, key="in_open")
    insight = next(i for i in items if i.id == chosen)
    st.divider()
    card(hub, insight)


main()
