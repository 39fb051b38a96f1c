"""Shared fixtures. Integration fixtures use the real bundled model and a real Chroma."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_interviews"


@pytest.fixture
def hub(tmp_path):
    """A fresh, empty workspace."""
    from research_hub import Hub

    h = Hub(tmp_path / "ws")
    yield h
    h.close()


@pytest.fixture(scope="session")
def sample_workspace(tmp_path_factory) -> Path:
    """The sample interviews and feedback ingested once per test session (do not write to it)."""
    from research_hub import Hub

    home = tmp_path_factory.mktemp("samples") / "ws"
    h = Hub(home)
    report = h.ingest([SAMPLES / "interviews", SAMPLES / "feedback"])
    assert report.ok, [f.error for f in report.failed]
    h.close()
    return home


@pytest.fixture(scope="session")
def sample_hub(sample_workspace):
    from research_hub import Hub

    return Hub(sample_workspace)


@pytest.fixture
def sample_copy(sample_workspace, tmp_path):
    """A private, writable copy of the sample workspace."""
    from research_hub import Hub

    home = tmp_path / "ws"
    shutil.copytree(sample_workspace, home)
    h = Hub(home)
    yield h
    h.close()


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding=encoding)
    return path
