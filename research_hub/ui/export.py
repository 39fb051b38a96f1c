"""Export page: pick a feature and a format, preview the evidence bundle, download it."""
from __future__ import annotations

import io
import json
import re
import zipfile

import streamlit as st

from research_hub.export import FORMATS
from research_hub.ui.common import get_hub, hub_call, md_escape, plural


def choose_feature(hub) -> str | None:
    rows = hub.roadmap.table(sort="evidence")
    if not rows:
        st.info("No features yet: import a roadmap on the **Roadmap** page.")
        return None
    label = {p.feature_id: f"{p.feature_id} · {p.title} ({plural(p.evidence, 'confirmed quote')})"
             for p in rows}
    wanted = st.session_state.get("export_feature_pick")
    index = list(label).index(wanted) if wanted in label else 0
    picked = st.selectbox("Feature", list(label), index=index, format_func=label.get,
                          key="export_feature")
    st.session_state["export_feature_pick"] = picked
    return picked


def preview(data: bytes, fmt: str) -> None:
    """Show the bundle as text or a table; never as rendered HTML."""
    if fmt in ("md", "html"):
        st.code(data.decode("utf-8", "replace"), language="markdown" if fmt == "md" else "html",
                wrap_lines=True, height=480)
    elif fmt == "json":
        st.json(json.loads(data), expanded=2)
    elif fmt == "csv":
        import pandas as pd

        st.dataframe(pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False), hide_index=True)
    elif fmt == "zip":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            st.dataframe([{"file": i.filename, "bytes": i.file_size} for i in zf.infolist()],
                         hide_index=True)
    else:
        st.caption(f"A {len(data):,} byte PDF; download it to read it.")


def main() -> None:
    hub = get_hub()
    st.title("Export evidence")
    st.caption("A bundle holds the feature, its figures and every confirmed quote verbatim, with "
               "who said it and where.")
    feature_id = choose_feature(hub)
    if not feature_id:
        return
    fmt = st.segmented_control("Format", list(FORMATS), format_func=lambda f: FORMATS[f].label, default="md",
                               required=True, key="export_format")
    priority = hub_call(hub.roadmap.priority, feature_id)
    if priority is not None and not priority.evidence:
        st.warning("This feature has no confirmed evidence yet: confirm suggestions on the "
                   "**Roadmap** page first.")
    data = hub_call(hub.export, feature_id, fmt)
    if data is None:
        return
    file_name = f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', feature_id)}-evidence.{fmt}"
    st.download_button(f"Download {md_escape(file_name)}", data=data, file_name=file_name, mime=FORMATS[fmt].mime,
                       type="primary", icon=":material/download:", on_click="ignore",
                       key="export_download")
    st.caption(f"{md_escape(file_name)}: {len(data):,} bytes")
    st.subheader("Preview")
    preview(data, fmt)


main()
