"""research_hub: a local-first customer research repository with semantic search."""
from research_hub.hub import Hub

__all__ = ["Hub"]
__version__ = "0.1.0"
