"""research_hub: a local-first customer research repository with semantic search."""
from research_hub.core.errors import (BackupError, BusyError, FeatureError, IndexMismatchError,
                                      IngestError, InvalidInputError, NotFoundError, ResearchHubError)
from research_hub.hub import Hub

__all__ = ["Hub", "ResearchHubError", "NotFoundError", "InvalidInputError", "BusyError",
           "IngestError", "FeatureError", "BackupError", "IndexMismatchError"]
__version__ = "0.1.0"
