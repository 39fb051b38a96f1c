"""Sign-in for a workspace with accounts: a form, the session check on every run, sign-out.

The session token lives in this browser session's state (a reload asks again);
the workspace keeps only its hash with an expiry, and the role is read afresh on
every run, so a role change or a removed account applies at once.
"""
from __future__ import annotations

import streamlit as st

from research_hub.core.errors import ResearchHubError
from research_hub.ui.common import base_hub, md_escape

TOKEN = "session_token"
USER = "signed_in_as"


def current():
    """This browser session's live sign-in, or None (also once it has expired)."""
    session = base_hub().session(st.session_state.get(TOKEN))
    if session is None:
        st.session_state.pop(TOKEN, None)
        st.session_state.pop(USER, None)
    else:
        st.session_state[USER] = session.name
    return session


def _sign_in() -> None:
    name, password = st.session_state.get("signin_name", ""), st.session_state.get("signin_password", "")
    st.session_state["signin_password"] = ""  # never kept in the session once used
    try:
        session = base_hub().sign_in(name, password)
    except ResearchHubError as exc:
        st.session_state["signin_error"] = str(exc)
        return
    st.session_state[TOKEN], st.session_state[USER] = session.token, session.name
    st.session_state.pop("signin_error", None)


def sign_in_form() -> None:
    st.title("research_hub")
    with st.form("signin", enter_to_submit=True):
        st.subheader("Sign in")
        st.text_input("Account", key="signin_name", autocomplete="username")
        st.text_input("Password", type="password", key="signin_password", autocomplete="current-password")
        st.form_submit_button("Sign in", type="primary", on_click=_sign_in)
    if st.session_state.get("signin_error"):
        st.error(md_escape(st.session_state["signin_error"]))
    st.caption("No account? Ask an admin of this workspace (`research-hub users add NAME`).")


def _sign_out() -> None:
    token = st.session_state.pop(TOKEN, None)
    st.session_state.pop(USER, None)
    if token:
        base_hub().sign_out(token)


def account_box(session) -> None:
    with st.sidebar:
        st.caption(f"Signed in as **{md_escape(session.name)}** ({md_escape(session.role)})")
        st.button("Sign out", key="signout", icon=":material/logout:", on_click=_sign_out)
