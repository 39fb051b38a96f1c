"""The highlighting reader on the Library page: select words in a turn, tag them, use them.

The reader is a small Streamlit component (components/highlighter/index.html,
no library, nothing downloaded). It shows each speaker block's text as-is and
reports a selection as UTF-16 offsets into one block; here they become code
point offsets into the document, checked against the selected text, and the
highlight is made through `hub.highlights`. Typing the exact words does the
same without a mouse.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st
import streamlit.components.v1 as components

from research_hub.store.spans import utf16_to_index
from research_hub.ui import actions
from research_hub.ui.common import get_hub, hub_call, md_escape, plural, tags_markdown

_reader = components.declare_component(
    "research_hub_highlighter", path=str(Path(__file__).resolve().parent / "components" / "highlighter"))
PENDING = "hl_pending"  # (document id, start, end) of the selection waiting to be saved
NO_FEATURE, NO_INSIGHT = "(no feature)", "(no insight)"


def offsets(view: dict, value: dict) -> tuple[int, int] | None:
    """Document offsets of a selection the reader reported, or None if it does not match."""
    try:
        block = view["blocks"][int(value["block"])]
        if block["start"] != value["block_start"]:
            return None
        start = utf16_to_index(block["text"], int(value["start16"]))
        end = utf16_to_index(block["text"], int(value["end16"]))
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    if end <= start or block["text"][start:end] != value.get("text"):
        return None
    return block["start"] + start, block["start"] + end


def _find(doc_id: str) -> None:
    words = st.session_state.get("hl_words") or ""
    try:
        start, end = get_hub().highlights.locate(doc_id, words)
    except Exception as exc:  # a ResearchHubError; shown once
        actions.flash(md_escape(str(exc)), "error")
        return
    st.session_state[PENDING] = (doc_id, start, end)


def _save(doc_id: str, start: int, end: int) -> None:
    s = st.session_state
    tags = [t.strip() for t in (s.get("hl_tags") or "").split(",") if t.strip()]
    feature = s.get("hl_feature")
    insight = s.get("hl_insight")
    ok = actions.run_action(
        get_hub().highlights.add, doc_id, start, end, tags, s.get("hl_note") or None, None,
        None if feature in (None, NO_FEATURE) else feature,
        None if insight in (None, NO_INSIGHT) else insight,
        "contradicts" if s.get("hl_stance") == "contradicts" else "supports",
        done="Highlight saved.")
    if ok:
        s.pop(PENDING, None)
        for key in ("hl_tags", "hl_note", "hl_words"):
            s[key] = ""


def _remove(highlight_id: str) -> None:
    actions.run_action(get_hub().highlights.remove, highlight_id, done="Highlight removed.")


def pending_form(hub, doc_id: str, text: str) -> None:
    _, start, end = st.session_state[PENDING]
    with st.container(border=True, key="hl_form"):
        st.markdown("**New highlight** " + f":gray[chars {start}-{end}]")
        st.markdown(md_escape(text[start:end]))
        st.text_input("Tags (comma-separated)", key="hl_tags", placeholder="e.g. onboarding, trust")
        st.text_input("Note (optional)", key="hl_note")
        features = [NO_FEATURE] + [f.id for f in hub.roadmap.features()]
        insights = {i.id: i.statement for i in hub.insights.list()}
        cols = st.columns(3)
        cols[0].selectbox("Evidence for feature", features, key="hl_feature")
        cols[1].selectbox("Evidence for insight", [NO_INSIGHT, *insights], key="hl_insight",
                          format_func=lambda i: i if i == NO_INSIGHT else f"{i}: {insights[i][:60]}")
        cols[2].selectbox("It", ["supports", "contradicts"], key="hl_stance",
                          help="For an insight: does this span support or contradict it?")
        st.button("Save highlight", type="primary", key="hl_save", on_click=_save,
                  args=(doc_id, start, end))


def existing(hub, doc_id: str) -> None:
    marks = hub_call(hub.highlights.list, document=doc_id) or []
    st.caption(plural(len(marks), "highlight") + " in this document")
    for h in marks:
        with st.container(border=True):
            head = f"**{md_escape(h.participant)}** · {md_escape(h.citation())}"
            if not h.ok:
                head += f" · :orange-badge[needs review] {md_escape(h.reason)}"
            st.markdown(head)
            st.markdown(md_escape(h.text))
            if h.tags:
                st.markdown(tags_markdown(h.tags, "orange"))
            st.button("Remove", key=f"hl_rm_{h.id}", on_click=_remove, args=(h.id,))


def highlight_section(hub, doc_id: str) -> None:
    view = hub_call(hub.highlights.reader, doc_id)
    if view is None:
        return
    text = hub.workspace.records.document_text(view["document_id"]) or ""
    value = _reader(blocks=view["blocks"], key=f"hl_reader_{doc_id}", default=None)
    if value and value.get("nonce") != st.session_state.get("hl_nonce"):
        st.session_state["hl_nonce"] = value.get("nonce")
        found = offsets(view, value)
        if found is None:
            st.warning("That selection does not match the document's text; select it again.")
        else:
            st.session_state[PENDING] = (doc_id, *found)
    with st.expander("Or type the exact words to highlight"):
        st.text_input("Words", key="hl_words", placeholder="copy a phrase from one turn")
        st.button("Find", key="hl_find", on_click=_find, args=(doc_id,))
    pending = st.session_state.get(PENDING)
    if pending and pending[0] == doc_id:
        pending_form(hub, doc_id, text)
    existing(hub, doc_id)
