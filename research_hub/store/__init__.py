"""Storage: SQLite (truth) and Chroma (index)."""
from research_hub.store.db import Database
from research_hub.store.records import Records
from research_hub.store.vectors import VectorIndex

__all__ = ["Database", "Records", "VectorIndex"]
