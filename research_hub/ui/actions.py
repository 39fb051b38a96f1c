"""Small editing widgets shared by pages: tag a quote, link it to a feature.

Edits run in widget callbacks, so the rerun that follows already shows the
result; the outcome is reported once through a flash message.
"""
from __future__ import annotations

import streamlit as st

from research_hub.core.errors import ResearchHubError
from research_hub.ui.common import get_hub, md_escape


def flash(message: str, kind: str = "success") -> None:
    st.session_state["_flash"] = (kind, message)


def show_flash() -> None:
    kind, message = st.session_state.pop("_flash", (None, None))
    if message:
        getattr(st, kind)(message)


def run_action(fn, *args, done: str) -> bool:
    """Call fn(*args); flash `done`, or the error in one line."""
    try:
        fn(*args)
    except ResearchHubError as exc:
        flash(md_escape(str(exc)), "error")
        return False
    flash(done)
    return True


# -- tags -----------------------------------------------------------------------
def _add_tag(snippet_id: str, key: str) -> None:
    tag = (st.session_state.get(key) or "").strip()
    if not tag:
        flash("Type a tag name first.", "warning")
        return
    if run_action(get_hub().add_tag, snippet_id, tag, done=f"Tag {md_escape(tag)} added."):
        st.session_state[key] = ""


def _remove_tag(snippet_id: str, key: str) -> None:
    tag = st.session_state.get(key)
    if tag:
        run_action(get_hub().remove_tag, snippet_id, tag, done=f"Tag {md_escape(tag)} removed.")


def tag_editor(snip) -> None:
    """Add a tag to a quote, or remove one of its tags."""
    sid = snip.snippet_id
    st.text_input("Add a tag", key=f"tag_new_{sid}", placeholder="e.g. pricing")
    st.button("Add tag", key=f"tag_add_{sid}", on_click=_add_tag, args=(sid, f"tag_new_{sid}"))
    if snip.tags:
        st.selectbox("Remove a tag", snip.tags, key=f"tag_old_{sid}")
        st.button("Remove tag", key=f"tag_rm_{sid}", on_click=_remove_tag, args=(sid, f"tag_old_{sid}"))


# -- feature links ----------------------------------------------------------------
def feature_choices(hub) -> list:
    """Live features as (id, title) pairs."""
    return [(f.id, f.title) for f in hub.roadmap.features()]


def _link(snippet_id: str, key: str, note_key: str) -> None:
    feature_id = st.session_state.get(key)
    if feature_id:
        note = (st.session_state.get(note_key) or "").strip() or None
        run_action(get_hub().roadmap.link, feature_id, snippet_id, note,
             done=f"Quote linked to {md_escape(feature_id)} as confirmed evidence.")


def link_editor(snip, features: list) -> None:
    """Confirm this quote as evidence for a feature, in one step."""
    if not features:
        st.caption("No features yet: import them on the Roadmap page.")
        return
    sid = snip.snippet_id
    titles = dict(features)
    st.selectbox("Feature", list(titles), key=f"link_f_{sid}",
                 format_func=lambda fid: f"{fid} - {titles[fid]}")
    st.text_input("Note (optional)", key=f"link_note_{sid}")
    st.button("Link as evidence", key=f"link_go_{sid}", type="primary", on_click=_link,
              args=(sid, f"link_f_{sid}", f"link_note_{sid}"))
