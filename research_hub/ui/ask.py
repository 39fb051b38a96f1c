"""Ask page: a question in plain words, answered with groups of verbatim quotes and counts.

Nothing here is generated prose: a group's label is a machine description of its
quotes (marked as such), every number counts the quotes shown, and every quote
is a stored snippet with its citation.
"""
from __future__ import annotations

import streamlit as st

from research_hub.core.access import Permission
from research_hub.ui import actions
from research_hub.ui.common import can, get_hub, hub_call, md_escape, plural, source_line

ANY = "Any"
EXAMPLES = ["What frustrates people most?", "What do people wish the product did?",
            "Why do people stop using it?"]
SHOWN = 4  # quotes per group before "more"


def _example() -> None:
    st.session_state["ask_q"] = st.session_state.get("ask_try") or ""
    st.session_state["ask_try"] = None


def sidebar(hub) -> tuple[dict, int]:
    st.sidebar.header("Ask over")
    values = hub.filter_values()
    filters = {}
    for name, label in (("study", "Study"), ("kind", "Kind")):
        choice = st.sidebar.selectbox(label, [ANY, *values.get(name, [])], key=f"ask_{name}")
        if choice != ANY:
            filters[name] = choice
    tags = st.sidebar.multiselect("Tags (all of)", values.get("tag", []), key="ask_tags")
    if tags:
        filters["tags"] = tags
    k = st.sidebar.select_slider("Quotes to read", [10, 20, 30, 50, 80], value=30, key="ask_k")
    return filters, k


def quote(q, against: bool = False) -> None:
    with st.container(border=True):
        st.markdown(md_escape(q.text))
        line = source_line(q) + f" · chars {q.char_start}-{q.char_end}"
        st.caption(("Says the opposite · " if against else "") + line)


def _draft(label: str, ids: list[str]) -> None:
    actions.run_action(get_hub().insights.draft, label, ids,
                       done="Draft insight created: edit its sentence on the Insights page.")


def group_card(g, n: int) -> None:
    with st.container(border=True, key=f"ask_group_{n}"):
        st.markdown(f"#### {md_escape(g.label)}")
        st.caption(f"Machine label from the quotes' words · keywords: {md_escape(', '.join(g.keywords[:5]))}")
        st.markdown(f"**{g.participants} of {g.of} participants** in the selection "
                    f"({plural(len(g.quotes), 'quote')})")
        for q in g.quotes[:SHOWN]:
            quote(q)
        if len(g.quotes) > SHOWN:
            with st.expander(f"{len(g.quotes) - SHOWN} more quotes"):
                for q in g.quotes[SHOWN:]:
                    quote(q)
        if g.counter:
            with st.expander(f"{plural(g.counter_participants, 'participant')} say the opposite"):
                for q in g.counter:
                    quote(q, against=True)
        if can(Permission.EDIT):
            st.button("Draft an insight from this group", key=f"ask_draft_{n}", on_click=_draft,
                      args=(g.label, [q.snippet_id for q in g.quotes]))


def answer_view(answer) -> None:
    st.markdown(f"**{plural(answer.retrieved, 'quote')}** from **{answer.participants_retrieved} of "
                f"{answer.participants_in_selection} participants** in the selection, in "
                f"{plural(len(answer.groups), 'group')}.")
    if not answer.retrieved:
        st.info("No participant quotes match: try other words or loosen the filters.")
        return
    for n, g in enumerate(answer.groups):
        group_card(g, n)
    if answer.other:
        with st.expander(f"{plural(len(answer.other), 'more relevant quote')} in no group"):
            for q in answer.other:
                quote(q)
    with st.expander("How this answer was made"):
        for name, how in answer.method.items():
            st.markdown(f"**{md_escape(name)}:** {md_escape(how)}")


def main() -> None:
    hub = get_hub()
    st.title("Ask")
    st.caption("Ask in plain words; the answer is built only from participants' quotes, grouped, "
               "counted and cited. No language model writes anything.")
    actions.show_flash()
    filters, k = sidebar(hub)
    question = st.text_input("Your question", key="ask_q", placeholder="e.g. What slows people down?")
    if not question.strip():
        st.pills("Or try", EXAMPLES, key="ask_try", on_change=_example)
        return
    with st.spinner("Reading the quotes (the language model loads on the first question)..."):
        answer = hub_call(hub.ask, question, k=k, **filters)
    if answer is not None:
        answer_view(answer)


main()
