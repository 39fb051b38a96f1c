"""Streamlit pages (one module per page) over `Hub`; app.py here wires them up.

`research-hub app` runs `APP_SCRIPT` with Streamlit, so the app starts the same
from a checkout or an installed wheel; the repository's top-level app.py is a
shim for `streamlit run app.py`.
"""
from pathlib import Path

APP_SCRIPT = Path(__file__).resolve().parent / "app.py"
