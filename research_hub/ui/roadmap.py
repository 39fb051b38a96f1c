"""Roadmap page: features ranked by their evidence, one feature's evidence to confirm or
reject, and importing features from a Jira / Linear / Productboard export."""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

import streamlit as st

from research_hub.core.access import Permission
from research_hub.core.models import Snippet
from research_hub.ui import actions
from research_hub.ui.common import (
    can,
    get_hub,
    hub_call,
    md_escape,
    quote_card,
    tags_markdown,
)

SORTS = {"score": "Score", "participants": "Distinct participants", "evidence": "Confirmed quotes",
         "recent": "Most recent evidence"}


# -- the table -------------------------------------------------------------------
def feature_table(hub) -> list:
    sort = st.selectbox("Sort by", list(SORTS), format_func=SORTS.get, key="rm_sort")
    rows = hub.roadmap.table(sort=sort)
    if not rows:
        st.info("No features yet: import a roadmap export below.")
        return rows
    table = [{"id": p.feature_id, "title": p.title, "status": p.status, "score": p.score,
              "quotes": p.evidence, "participants": p.participants, "studies": p.studies,
              "pain %": round(100 * p.pain_share), "request %": round(100 * p.request_share),
              "newest": p.newest or "", "to review": p.suggested, "flagged": p.flagged}
             for p in rows]
    top = max(p.score for p in rows) or 1.0
    st.dataframe(table, hide_index=True, key="rm_table", height=min(420, 38 + 35 * len(table)),
                 column_config={
                     "score": st.column_config.ProgressColumn(format="%.1f", min_value=0.0,
                                                              max_value=float(top)),
                     "pain %": st.column_config.NumberColumn(format="%d%%"),
                     "request %": st.column_config.NumberColumn(format="%d%%")})
    st.caption("Score = reach (distinct participants, repeats count a quarter) x breadth (studies, "
               "segments) x severity (share of pain points) x freshness. Click a column to sort.")
    return rows


# -- one feature ------------------------------------------------------------------
def _decide(verb: str, feature_id: str, snippet_id: str) -> None:
    roadmap = get_hub().roadmap
    fn = roadmap.link if verb == "confirm" else roadmap.reject
    actions.run_action(fn, feature_id, snippet_id,
                 done=f"Quote {'confirmed' if verb == 'confirm' else 'rejected'}.")


def _decide_theme(verb: str, feature_id: str, theme_id: str) -> None:
    roadmap = get_hub().roadmap
    fn = roadmap.confirm_theme if verb == "confirm" else roadmap.reject_theme
    actions.run_action(fn, feature_id, theme_id, done=f"Theme {verb}ed.")


def _suggest(feature_id: str) -> None:
    st.session_state.setdefault("rm_suggested", set()).add(feature_id)
    actions.run_action(get_hub().roadmap.suggest, feature_id, done="Suggestions refreshed.")


def _snippet(entry: dict) -> Snippet | None:
    return Snippet(**entry["snippet"]) if entry.get("snippet") else None


def figures(view: dict) -> None:
    p = view["priority"]
    cols = st.columns(5)
    cols[0].metric("Score", p["score"])
    cols[1].metric("Confirmed quotes", p["evidence"])
    cols[2].metric("Participants", p["participants"])
    cols[3].metric("Studies", p["studies"])
    cols[4].metric("Pain points", f"{round(100 * p['pain_share'])}%")


def confirmed_section(feature_id: str, view: dict) -> None:
    st.subheader(f"Confirmed evidence ({len(view['confirmed'])})")
    if not view["confirmed"]:
        st.caption("Nothing confirmed yet: confirm suggestions below, or link quotes from Search.")
    for entry in view["confirmed"]:
        snip = _snippet(entry)
        with st.container(border=True):
            if snip is None or entry.get("flag"):
                st.warning(f"Needs review: {md_escape(entry.get('flag') or 'the quote left its source')}")
                st.markdown(f"> {md_escape(entry.get('snippet_text') or '')}")
            if snip is not None:
                quote_card(snip)
            if entry.get("note"):
                st.caption(f"Note: {md_escape(entry['note'])}")
            if can(Permission.EDIT):
                st.button("Reject", key=f"rm_unlink_{entry['snippet_id']}", on_click=_decide,
                          args=("reject", feature_id, entry["snippet_id"]))


def suggestions_section(feature_id: str, view: dict) -> None:
    head = st.columns([4, 1], vertical_alignment="bottom")
    head[0].subheader(f"Suggested evidence ({len(view['suggested'])})")
    head[1].button("Refresh suggestions", key="rm_refresh", on_click=_suggest, args=(feature_id,))
    if not view["suggested"]:
        st.caption("No open suggestions. Refresh to look again; rejected quotes never come back.")
    for entry in view["suggested"]:
        snip = _snippet(entry)
        if snip is None:
            continue
        with st.container(border=True):
            quote_card(snip, score=entry.get("score"))
            if not can(Permission.EDIT):
                continue
            row = st.container(horizontal=True)
            row.button("Confirm", key=f"rm_ok_{snip.snippet_id}", type="primary", on_click=_decide,
                       args=("confirm", feature_id, snip.snippet_id), icon=":material/check:")
            row.button("Reject", key=f"rm_no_{snip.snippet_id}", on_click=_decide,
                       args=("reject", feature_id, snip.snippet_id), icon=":material/close:")


def themes_section(feature_id: str, view: dict) -> None:
    rows = [t for t in view.get("themes", []) if t["state"] != "rejected"]
    if not rows:
        return
    st.subheader("Matching themes")
    for t in rows:
        with st.container(border=True):
            st.markdown(f"**{md_escape(t['label'])}** · {md_escape(t['state'])}")
            keywords = t.get("keywords")
            if isinstance(keywords, str):
                keywords = json.loads(keywords or "[]")
            if keywords:
                st.markdown(tags_markdown(keywords, "gray"))
            if t["state"] == "suggested" and can(Permission.EDIT):
                row = st.container(horizontal=True)
                row.button("Confirm theme", key=f"rm_tok_{t['theme_id']}", on_click=_decide_theme,
                           args=("confirm", feature_id, t["theme_id"]))
                row.button("Reject theme", key=f"rm_tno_{t['theme_id']}", on_click=_decide_theme,
                           args=("reject", feature_id, t["theme_id"]))


def feature_view(hub, rows: list) -> None:
    st.header("Feature")
    titles = {p.feature_id: f"{p.feature_id} · {p.title}" for p in rows}
    wanted = st.session_state.get("export_feature_pick")
    feature_id = st.selectbox("Open a feature", list(titles), format_func=titles.get,
                              index=list(titles).index(wanted) if wanted in titles else 0,
                              key="rm_feature")
    if not feature_id:
        return
    st.session_state["export_feature_pick"] = feature_id  # the Export page opens on it
    first_visit = feature_id not in st.session_state.setdefault("rm_suggested", set())
    view = hub_call(hub.roadmap.show, feature_id)
    if view is None:
        return
    if first_visit and not view["suggested"]:
        with st.spinner("Looking for evidence..."):
            _suggest(feature_id)
        st.session_state.pop("_flash", None)
        view = hub.roadmap.show(feature_id)
    feature = view["feature"]
    st.markdown(f"### {md_escape(feature['title'])}")
    if feature.get("status"):
        st.badge(md_escape(feature["status"]), color="gray")
    if feature.get("description"):
        st.markdown(md_escape(feature["description"]))
    figures(view)
    confirmed_section(feature_id, view)
    themes_section(feature_id, view)
    suggestions_section(feature_id, view)


# -- import -----------------------------------------------------------------------
def import_section(hub) -> None:
    with st.expander("Import features", expanded=not hub.roadmap.features()):
        upload = st.file_uploader("A CSV or JSON export from Jira, Linear or Productboard",
                                  type=["csv", "tsv", "json", "jsonl"], key="rm_upload")
        if upload is None or not st.button("Import", type="primary", key="rm_import"):
            return
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / Path(upload.name).name
            path.write_bytes(upload.getvalue())
            report = hub_call(hub.roadmap.import_file, path)
        if report is not None:
            st.success(f"{len(report.added)} added, {len(report.updated)} updated, "
                       f"{len(report.unchanged)} unchanged, {len(report.skipped)} skipped.")
            for reason in report.skipped[:20]:
                st.caption(md_escape(reason))


def main() -> None:
    hub = get_hub()
    st.title("Roadmap")
    actions.show_flash()
    if can(Permission.EDIT):
        import_section(hub)
    rows = feature_table(hub)
    if rows:
        st.divider()
        feature_view(hub, rows)


main()
