"""BANKING77 (PolyAI, CC BY 4.0) as a research workspace, for the quality benchmarks.

The CSV (columns text, category; 10,003 customer messages to a bank, 77
intents) is ingested through the real pipeline as one feedback file, so every
row becomes participant snippets whose `meta["category"]` is the intent label.
Found at $RESEARCH_HUB_EVAL_DIR/banking77_train.csv, else <repo>/../shared/eval/.
"""
from __future__ import annotations

import csv
import os
from pathlib import Path

from research_hub import Hub

FILE = "banking77_train.csv"
CITATION = "BANKING77 (Casanueva et al., 2020, PolyAI), CC BY 4.0"


def find_csv() -> Path:
    folders = [os.environ.get("RESEARCH_HUB_EVAL_DIR", ""),
               str(Path(__file__).resolve().parents[3] / "shared" / "eval")]
    for folder in folders:
        if folder and (Path(folder) / FILE).is_file():
            return Path(folder) / FILE
    raise FileNotFoundError(f"{FILE} not found; set RESEARCH_HUB_EVAL_DIR to the folder holding it")


def intents(csv_path: Path | None = None) -> list[str]:
    with open(csv_path or find_csv(), newline="", encoding="utf-8") as f:
        return sorted({row["category"] for row in csv.DictReader(f)})


def banking_workspace(tmp: str | Path, csv_path: Path | None = None, progress=None):
    """(hub, labels_by_snippet_id): BANKING77 ingested as feedback into a workspace under `tmp`."""
    source = Path(csv_path or find_csv())
    hub = Hub(Path(tmp) / "banking77-ws")
    report = hub.ingest([source], kind="support", text_col="text", progress=progress)
    if not report.ok:
        raise RuntimeError(f"could not ingest {source.name}: {report.failed[0].error}")
    labels = {s.snippet_id: s.meta["category"] for s in hub.snippets(role="participant")
              if s.meta.get("category")}
    return hub, labels
