"""Streamlit pages (one module per page) over `Hub`; app.py at the repo root wires them up."""
