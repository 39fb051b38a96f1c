"""The REFI-QDA downloads on the Export page: the workspace or a study as QDPX, the codebook as QDC."""
from __future__ import annotations

import streamlit as st

from research_hub.qda import FORMATS
from research_hub.ui.common import hub_call, md_escape

WHOLE = "Whole workspace"


def refi_downloads(hub) -> None:
    st.subheader("REFI-QDA project")
    st.caption("For NVivo, ATLAS.ti, MAXQDA and QualCoder: documents as sources, tags as codes, "
               "tagged quotes as coded selections at their exact offsets, participants as cases "
               "with their variables. The codebook alone is a QDC file.")
    values = hub_call(hub.filter_values) or {}
    study = st.selectbox("Project", [WHOLE, *values.get("study", [])], key="qda_study")
    study = None if study == WHOLE else study
    qda = hub.qda
    left, right = st.columns(2)
    project = hub_call(qda.export_qdpx, study=study)
    if project is not None:
        name = qda.file_name("qdpx", study)
        left.download_button(f"Save {md_escape(name)}", data=project, file_name=name,
                             mime=FORMATS["qdpx"].mime, icon=":material/download:", on_click="ignore",
                             key="qda_download_qdpx")
        left.caption(f"{FORMATS['qdpx'].label}: {len(project):,} bytes")
    codebook = hub_call(qda.export_qdc) if values.get("tag") else None
    if codebook is None:
        right.caption("No tags yet, so no codebook.")
    else:
        name = qda.file_name("qdc")
        right.download_button(f"Save {md_escape(name)}", data=codebook, file_name=name,
                              mime=FORMATS["qdc"].mime, icon=":material/download:", on_click="ignore",
                              key="qda_download_qdc")
        right.caption(f"{FORMATS['qdc'].label}: {len(codebook):,} bytes")
