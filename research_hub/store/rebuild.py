"""Rebuilding a workspace whose database is damaged or lost, from what outlives it.

Two things outlive hub.sqlite: the kept copy of every ingested file (sources/,
named by document id) and the journal of manual work (journal.jsonl). A rebuild
sets the damaged files aside (never deletes them), starts an empty database,
replays the journal's row images in commit order (tags, links, features, themes
and theme sets, highlights, insights, settings: everything a person did), then
ingests each document that was still there when the database was lost from its
source copy, with the id, source key, name, title, study, kind and CSV column
its `ingest` entry recorded, so its snippet ids come out as they were. Vectors
come from the embedding cache, so a rebuild rarely needs the model.
"""
from __future__ import annotations

import shutil
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from research_hub.core.errors import InvalidInputError
from research_hub.ingest.pipeline import IngestOptions, Pipeline
from research_hub.store.audit import JOURNAL, Journal
from research_hub.store.db import Database
from research_hub.store.writer import Writer

SUFFIXES = ("", "-wal", "-shm")


def healthy(db_path: Path) -> bool:
    """Does the database exist and pass SQLite's quick check?"""
    if not db_path.exists():
        return False
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            return conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return False


def set_aside(db_path: Path) -> Path | None:
    """Move the database and its WAL files into damaged-<time>/ beside it; None if none."""
    present = [Path(f"{db_path}{s}") for s in SUFFIXES if Path(f"{db_path}{s}").exists()]
    if not present:
        return None
    folder = db_path.parent / f"damaged-{datetime.now().strftime('%Y%m%d-%H%M%S')}"
    folder.mkdir(exist_ok=True)
    for f in present:
        shutil.move(str(f), folder / f.name)
    return folder


def stage_sources(home: Path) -> Path:
    """Move the source copies to sources.rebuild/ while the rebuild runs: opening the index on
    an empty database would otherwise clear them away as copies of no document. A rebuild
    that died leaves them there, and the next one picks them up."""
    sources, staged = home / "sources", home / "sources.rebuild"
    staged.mkdir(exist_ok=True)
    if sources.is_dir():
        for f in sources.iterdir():
            if f.is_file() and not (staged / f.name).exists():
                shutil.move(str(f), staged / f.name)
    return staged


def kept_documents(entries: list[dict[str, Any]], sources: Path) -> tuple[list[dict], list[str]]:
    """The documents alive at the end of the journal, as (recipe, source file); plus source
    copies no entry describes (ingested before the journal existed), with a plain recipe."""
    alive: dict[str, dict[str, Any]] = {}
    for e in entries:
        d = e.get("detail", {})
        if e["action"] == "ingest":
            alive.pop(d.get("replaces") or "", None)
            alive[d["document_id"]] = d
        elif e["action"] == "document.delete":
            alive.pop(d.get("document_id") or "", None)
    files = {f.name.split(".", 1)[0]: f for f in sources.iterdir() if f.is_file()} if sources.is_dir() else {}
    out, missing = [], []
    for doc_id, recipe in alive.items():
        f = sources / recipe["stored"] if recipe.get("stored") else files.get(doc_id)
        if f is None or not f.exists():
            missing.append(recipe.get("name") or doc_id)
            continue
        out.append({**recipe, "file": f})
    out += [{"document_id": i, "file": f, "plain": True} for i, f in sorted(files.items()) if i not in alive]
    return out, missing


def _ingest(ws, docs: list[dict[str, Any]], progress) -> tuple[int, list[str]]:
    groups: dict[tuple, list[dict]] = {}
    for d in docs:
        groups.setdefault((d.get("study"), d.get("kind"), d.get("text_col")), []).append(d)
    stored, failed = 0, []
    for (study, kind, text_col), group in groups.items():
        keys = {str(d["file"]): d["source_key"] for d in group if d.get("source_key")}
        restore = {str(d["file"]): {"id": d["document_id"], **{k: d[k] for k in ("name", "path", "title", "date")
                                                               if d.get(k) is not None}}
                   for d in group if not d.get("plain")}
        options = IngestOptions(study=study, kind=kind, text_col=text_col, keys=keys, restore=restore,
                                max_bytes=ws.settings.max_bytes)
        report = Pipeline(Writer(ws, text_col), ws.embedder, ws.tagger(), options, progress).run(
            [d["file"] for d in group])
        stored += sum(1 for f in report.files if f.status in ("added", "replaced"))
        failed += [f.error or f.path for f in report.files if f.status == "failed"]
    return stored, failed


def rebuild(home: Path, open_workspace: Callable[[Path], Any], force: bool = False,
            progress=None) -> dict[str, Any]:
    """Set the damaged database aside and rebuild it from sources/ and the journal."""
    db_path = Path(home) / "hub.sqlite"
    if healthy(db_path) and not force:
        raise InvalidInputError(f"{db_path} passes SQLite's integrity check; a rebuild would replace it "
                                "from sources/ and journal.jsonl (give --force to do it anyway)")
    entries = Journal(Path(home) / JOURNAL).read()
    aside = set_aside(db_path)
    staged = stage_sources(Path(home))
    Database(db_path).close()  # an empty database, so the workspace opens
    ws = open_workspace(Path(home))
    try:
        ws.audit.paused = True
        replayed = ws.audit.replay(entries)
        docs, missing = kept_documents(entries, staged)
        with ws.write_lock():
            ws.index.reset()
            ws.vectors_reset()
            stored, failed = _ingest(ws, docs, progress)
        ws.audit.paused = False
        if not failed:
            shutil.rmtree(staged)
        counts = ws.records.counts()
        result = {"home": str(home), "set_aside": str(aside) if aside else None,
                  "entries": len(entries), "replayed": replayed["applied"],
                  "not_replayed": replayed["failed"], "documents": counts["documents"],
                  "snippets": counts["snippets"], "restored": stored, "missing_sources": missing,
                  "failed": failed}
        ws.audit.record("workspace.rebuild", str(home), ws.user,
                        {k: v for k, v in result.items() if k != "home"})
        return result
    finally:
        ws.close()
