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
from research_hub.store import upkeep
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


def kept_documents(entries: list[dict[str, Any]], sources: Path) -> tuple[dict[str, list], list[dict], list[str]]:
    """The documents alive at the end of the journal: {ingest entry id: recipes with their source
    files}; source copies no entry describes (ingested before the journal existed) with a plain
    recipe; and the names of documents whose copy is gone."""
    alive: dict[str, tuple[str, dict[str, Any]]] = {}
    for e in entries:
        d = e.get("detail", {})
        if e["action"] == "ingest":
            alive.pop(d.get("replaces") or "", None)
            alive[d["document_id"]] = (e["id"], d)
        elif e["action"] == "workspace.baseline":  # a workspace older than its journal
            alive.update({doc["document_id"]: (e["id"], doc) for doc in d.get("documents", [])})
        elif e["action"] == "document.delete":
            alive.pop(d.get("document_id") or "", None)
    files = {f.name.split(".", 1)[0]: f for f in sources.iterdir() if f.is_file()} if sources.is_dir() else {}
    kept, missing = {}, []
    for doc_id, (entry_id, recipe) in alive.items():
        f = sources / recipe["stored"] if recipe.get("stored") else files.get(doc_id)
        if f is None or not f.exists():
            missing.append(recipe.get("name") or doc_id)
            continue
        kept.setdefault(entry_id, []).append({**recipe, "file": f})
    plain = [{"document_id": i, "file": f, "plain": True} for i, f in sorted(files.items()) if i not in alive]
    return kept, plain, missing


def _ingest(ws, doc: dict[str, Any], progress) -> str | None:
    """Ingest one kept source copy back into the document it was; None, or why it failed."""
    path = str(doc["file"])
    restore = {} if doc.get("plain") else {
        path: {"id": doc["document_id"], **{k: doc[k] for k in ("name", "path", "title", "date")
                                            if doc.get(k) is not None}}}
    options = IngestOptions(study=doc.get("study"), kind=doc.get("kind"), text_col=doc.get("text_col"),
                            keys={path: doc["source_key"]} if doc.get("source_key") else {},
                            restore=restore, max_bytes=ws.settings.max_bytes)
    report = Pipeline(Writer(ws, doc.get("text_col")), ws.embedder, ws.tagger(), options, progress).run([path])
    bad = [f.error or f.path for f in report.files if f.status not in ("added", "replaced")]
    return "; ".join(bad) or None


def _baseline_taxonomy(entry: dict[str, Any]) -> str | None:
    """The taxonomy a baseline entry found: its documents are ingested again with it."""
    for table, _old, new in entry.get("changes", []):
        if table == "settings" and new and new.get("key") == "taxonomy":
            return new.get("value")
    return None


def _replay(ws, entries: list[dict[str, Any]], staged: Path, progress) -> dict[str, Any]:
    """Each document as its ingest entry comes, with the taxonomy of that moment, then that
    entry's own row changes (a highlight following its file, say): the journal's order."""
    kept, plain, missing = kept_documents(entries, staged)
    failed = [problem for doc in plain if (problem := _ingest(ws, doc, progress))]
    not_replayed, taxonomy = [], None
    for e in entries:
        if e["action"] == "workspace.baseline" and (older := _baseline_taxonomy(e)) is not None:
            ws.config.put("taxonomy", older)  # what is known of a workspace older than its journal
        for doc in kept.get(e["id"], []):
            if ws.config.raw("taxonomy") != taxonomy:  # tag with the taxonomy of that moment
                taxonomy = ws.config.raw("taxonomy")
                ws.reset_tagger()
            if (problem := _ingest(ws, doc, progress)):
                failed.append(problem)
        if (problem := ws.audit.replay(e)):
            not_replayed.append(problem)
    return {"restored": sum(map(len, kept.values())) + len(plain) - len(failed), "failed": failed,
            "not_replayed": not_replayed, "missing_sources": missing}


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
        with ws.write_lock():
            ws.index.reset()
            ws.vectors_reset()
            outcome = _replay(ws, entries, staged, progress)
            upkeep.doctor(ws, repair=True)  # replayed tag edits reach the index's copy of the tags
        ws.audit.paused = False
        if not outcome["failed"]:
            shutil.rmtree(staged)
        counts = ws.records.counts()
        result = {"home": str(home), "set_aside": str(aside) if aside else None,
                  "entries": len(entries), "replayed": len(entries) - len(outcome["not_replayed"]),
                  "documents": counts["documents"], "snippets": counts["snippets"], **outcome}
        ws.audit.record("workspace.rebuild", str(home), ws.user,
                        {k: v for k, v in result.items() if k != "home"})
        return result
    finally:
        ws.close()
