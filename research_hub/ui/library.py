"""Library page: upload and ingest files, list documents, read one as a transcript (or select
words in it to highlight them), delete."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from research_hub.core.access import Permission
from research_hub.ingest.parsers import accepted_types_help, upload_types
from research_hub.ui import actions
from research_hub.ui.common import (
    can,
    english_model_note,
    format_seconds,
    get_hub,
    hub_call,
    language_name,
    md_escape,
    plural,
    tags_markdown,
)
from research_hub.ui.highlighter import highlight_section

KINDS = ["interview", "survey", "support", "review", "note"]
AUTO = "(detect)"
NEW_STUDY = "New study..."


def _study_choice(hub) -> str | None:
    studies = hub.filter_values().get("study", [])
    choice = st.selectbox("Study", [AUTO, *studies, NEW_STUDY], key="up_study",
                          help="Detect: from the file's front matter or folder name.")
    if choice == NEW_STUDY:
        return st.text_input("New study name", key="up_new_study").strip() or None
    return None if choice == AUTO else choice


def _result_rows(report) -> list[dict]:
    return [{"file": Path(f.path).name, "status": f.status, "snippets": f.snippets,
             "participants": f.participants, "problem": f.error or ""} for f in report.files]


def ingest_files(hub, files, study: str | None, kind: str | None) -> list[dict]:
    """Ingest uploads one by one with a progress bar; one bad file never stops the rest."""
    bar = st.progress(0.0, text="Starting...")
    rows: list[dict] = []
    for i, upload in enumerate(files):
        def progress(done: int, total: int, message: str, i=i) -> None:
            share = (i + (done / total if total else 0)) / len(files)
            bar.progress(min(share, 1.0), text=f"{upload.name}: {message}"[:120])

        report = hub_call(hub.ingest_upload, upload.name, upload.getvalue(), study=study,
                          kind=kind, progress=progress)
        if report is None:
            rows.append({"file": upload.name, "status": "failed", "snippets": 0,
                         "participants": 0, "problem": "could not be ingested (see message above)"})
        else:
            for row in _result_rows(report):
                row["file"] = upload.name
                rows.append(row)
    bar.progress(1.0, text=f"Done: {plural(len(files), 'file')}")
    return rows


def upload_section(hub) -> None:
    st.subheader("Add files")
    limit_mb = max(1, hub.workspace.settings.max_bytes // (1024 * 1024))
    files = st.file_uploader(
        "Drop transcripts or feedback exports here", type=upload_types(), accept_multiple_files=True,
        max_upload_size=limit_mb, key="uploads",
        help=accepted_types_help())
    st.caption(f"Up to {limit_mb} MB per file. Unchanged files are skipped; changed files replace "
               "their old version.")
    col1, col2 = st.columns(2)
    with col1:
        study = _study_choice(hub)
    with col2:
        kind = st.selectbox("Kind", [AUTO, *KINDS], key="up_kind")
    if st.button("Ingest", type="primary", disabled=not files, key="ingest_go"):
        st.session_state["ingest_rows"] = ingest_files(hub, files, study,
                                                       None if kind == AUTO else kind)
    rows = st.session_state.get("ingest_rows")
    if rows:
        failed = sum(r["status"] == "failed" for r in rows)
        stored = sum(r["snippets"] for r in rows if r["status"] in ("added", "replaced"))
        message = f"{plural(len(rows), 'file')} processed, {plural(stored, 'snippet')} stored"
        (st.warning if failed else st.success)(message + (f", {failed} failed." if failed else "."))
        st.dataframe(rows, hide_index=True, key="ingest_table")


def documents_section(hub) -> list:
    st.subheader("Documents")
    docs = hub.documents()
    if not docs:
        st.info("No documents yet: add some above.")
        return docs
    rows = [{"title": d.title, "study": d.study or "", "kind": d.kind, "date": d.date or "",
             "language": language_name(d.language), "participants": len(d.participants),
             "snippets": d.snippet_count, "file": d.name} for d in docs]
    st.caption(f"{plural(len(docs), 'document')}, {plural(sum(d.snippet_count for d in docs), 'snippet')}")
    st.dataframe(rows, hide_index=True, key="doc_table",
                 column_config={"snippets": st.column_config.NumberColumn(format="%d")})
    english_model_note(hub.stats().get("languages", {}))
    return docs


def transcript(view: dict) -> None:
    """The document as speaker turns, each with its tags."""
    doc = view["document"]
    meta = [doc.kind, doc.study, doc.date, language_name(doc.language),
            plural(len(doc.participants), "participant")]
    st.caption(" · ".join(md_escape(m) for m in meta if m))
    for snip in view["snippets"]:
        when = format_seconds(snip.start_time) or (f"line {snip.line}" if snip.line else "")
        label = f"**{md_escape(snip.speaker)}**"
        if snip.role != "participant":
            label = f":gray[{label}]"
        with st.container(border=snip.role == "participant"):
            st.markdown(f"{label} {':gray[' + md_escape(when) + ']' if when else ''}")
            st.markdown(md_escape(snip.text))
            if snip.tags:
                st.markdown(tags_markdown(snip.tags))


def _delete(ref: str, name: str) -> None:
    if actions.run_action(get_hub().delete_document, ref, done=f"Deleted {md_escape(name)} and its snippets."):
        st.session_state.pop("open_doc", None)


def reader_section(hub, docs: list) -> None:
    if not docs:
        return
    st.subheader("Read a document")
    titles = {d.id: f"{d.title} ({d.name})" for d in docs}
    ref = st.selectbox("Document", list(titles), format_func=titles.get, index=None,
                       placeholder="Choose a document to read", key="open_doc")
    if not ref:
        return
    view = hub_call(hub.document, ref)
    if view is None:
        return
    st.markdown(f"### {md_escape(view['document'].title)}")
    if can(Permission.ADMIN):
        with st.popover("Delete this document", icon=":material/delete:"):
            st.write("This removes the document, its snippets and their vectors from the workspace.")
            st.button("Delete for good", type="primary", key="doc_delete", on_click=_delete,
                      args=(ref, view["document"].name))
    if not can(Permission.EDIT):
        transcript(view)
        return
    mode = st.segmented_control("View", ["Read", "Highlight"], default="Read", required=True,
                                key="reader_mode",
                                help="Highlight: select any words in one speaker's turn to tag "
                                     "them or use them as evidence.")
    if mode == "Highlight":
        highlight_section(hub, view["document"].id)
    else:
        transcript(view)


def main() -> None:
    hub = get_hub()
    st.title("Library")
    actions.show_flash()
    if can(Permission.ADMIN):
        upload_section(hub)
        st.divider()
    docs = documents_section(hub)
    reader_section(hub, docs)


main()
