"""The Streamlit app: sign-in, page setup and navigation. Run by `research-hub app`.

The workspace comes from $RESEARCH_HUB_HOME (default ./.research_hub). Pages live
beside this file and call only `Hub`. A workspace with accounts shows the sign-in
form until this browser session signs in; one without has no sign-in (everyone is admin).
"""
from pathlib import Path

import streamlit as st

from research_hub.ui import auth
from research_hub.ui.common import base_hub

PAGES = Path(__file__).resolve().parent


def main() -> None:
    st.set_page_config(page_title="research_hub", page_icon=":material/forum:", layout="wide")
    if base_hub().workspace.accounts.any():
        session = auth.current()
        if session is None:
            auth.sign_in_form()
            return
        auth.account_box(session)
    pages = [
        st.Page(PAGES / "search.py", title="Search", icon=":material/search:", default=True),
        st.Page(PAGES / "library.py", title="Library", icon=":material/folder_open:"),
        st.Page(PAGES / "ask.py", title="Ask", icon=":material/question_answer:"),
        st.Page(PAGES / "themes.py", title="Themes", icon=":material/bubble_chart:"),
        st.Page(PAGES / "insights.py", title="Insights", icon=":material/lightbulb:"),
        st.Page(PAGES / "roadmap.py", title="Roadmap", icon=":material/flag:"),
        st.Page(PAGES / "export.py", title="Export", icon=":material/download:"),
        st.Page(PAGES / "audit.py", title="Audit", icon=":material/history:"),
    ]
    st.navigation(pages).run()


if __name__ == "__main__":
    main()
