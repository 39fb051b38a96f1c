"""`streamlit run app.py` from a checkout: the app itself is research_hub/ui/app.py."""
from research_hub.ui.app import main

main()
