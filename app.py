"""research_hub web app: `research-hub app` (or `streamlit run app.py`).

The workspace comes from $RESEARCH_HUB_HOME (default ./.research_hub). Pages live
in research_hub/ui/ and call only `Hub`.
"""
from pathlib import Path

import streamlit as st

UI = Path(__file__).resolve().parent / "research_hub" / "ui"

st.set_page_config(page_title="research_hub", page_icon=":material/forum:", layout="wide")

pages = [
    st.Page(UI / "search.py", title="Search", icon=":material/search:", default=True),
    st.Page(UI / "library.py", title="Library", icon=":material/folder_open:"),
    st.Page(UI / "themes.py", title="Themes", icon=":material/bubble_chart:"),
    st.Page(UI / "roadmap.py", title="Roadmap", icon=":material/flag:"),
    st.Page(UI / "export.py", title="Export", icon=":material/download:"),
]
st.navigation(pages).run()
