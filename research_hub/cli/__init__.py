"""`research-hub`: the command line over `Hub`."""
from research_hub.cli.main import app, main

__all__ = ["app", "main"]
