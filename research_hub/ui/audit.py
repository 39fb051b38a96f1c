"""Audit page: every human change (who, when, what, the rows before and after), filterable,
downloadable as CSV or JSON. It is also the journal a damaged workspace is rebuilt from."""
from __future__ import annotations

from datetime import date

import streamlit as st

from research_hub.ui.common import get_hub, hub_call, plural

ALL = "(everyone)"
EVERY = "(every action)"


def filters(hub) -> dict:
    entries = hub_call(hub.audit) or []
    people = sorted({e["who"] for e in entries})
    families = sorted({e["action"].split(".")[0] for e in entries} | {e["action"] for e in entries})
    left, mid, right, far = st.columns(4)
    who = left.selectbox("Who", [ALL, *people], key="audit_who")
    action = mid.selectbox("Action", [EVERY, *families], key="audit_action")
    since = right.date_input("From", value=None, key="audit_since")
    until = far.date_input("Until", value=None, key="audit_until")
    return {"who": None if who == ALL else who, "action": None if action == EVERY else action,
            "since": since.isoformat() if isinstance(since, date) else None,
            "until": until.isoformat() if isinstance(until, date) else None}


def main() -> None:
    hub = get_hub()
    st.title("Audit")
    st.caption("Every change a person made, with who, when and the rows before and after. "
               "`research-hub rebuild` replays this journal if the database is ever lost.")
    chosen = filters(hub)
    entries = hub_call(hub.audit, **chosen) or []
    st.write(plural(len(entries), "change"))
    st.dataframe([{"#": e["seq"], "when": e["at"], "who": e["who"], "action": e["action"],
                   "target": e["target"], "what changed": e["summary"]} for e in entries],
                 hide_index=True, key="audit_table")
    csv_col, json_col = st.columns(2)
    csv_col.download_button("Download CSV", hub.audit_export("csv", **chosen), "audit.csv", "text/csv",
                            key="audit_csv")
    json_col.download_button("Download JSON", hub.audit_export("json", **chosen), "audit.json",
                             "application/json", key="audit_json")
    if entries:
        pick = st.selectbox("Show one change", [e["seq"] for e in entries], key="audit_pick",
                            format_func=lambda s: next(f"#{e['seq']} {e['action']} {e['target']}"
                                                       for e in entries if e["seq"] == s))
        entry = next(e for e in entries if e["seq"] == pick)
        before, after = st.columns(2)
        before.caption("before")
        before.json(entry["before"], expanded=1)
        after.caption("after")
        after.json(entry["after"], expanded=1)


main()
