"""Backup and restore of a workspace, while it is in use.

A backup is a .tar.gz holding:

    manifest.json      what is inside: counts, model, sha256 and size of every file
    hub.sqlite         SQLite's online backup API: one consistent snapshot, taken
                       without the write lock, so readers and an ingest go on
    embeddings.sqlite  the embedding cache, snapshotted after hub.sqlite: it only
                       grows, so it holds a vector for every snippet in the snapshot
    sources/...        the stored source copies of the documents in the snapshot
    journal.jsonl      the journal of manual work as of the snapshot (from its audit table)

The Chroma index is not copied: restore rebuilds it from hub.sqlite and the cached
vectors (no model time), so a backup never carries an index that disagrees with its
record, and it restores into embedded or server mode alike.
"""
from __future__ import annotations

import io
import json
import shutil
import sqlite3
import tarfile
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from research_hub.core.errors import BackupError
from research_hub.core.text import file_sha256
from research_hub.store import upkeep

FORMAT = "research_hub-backup"
VERSION = 1
DATABASES = ("hub.sqlite", "embeddings.sqlite")
JOURNAL = "journal.jsonl"


def _snapshot(source: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)  # one step under a read transaction: consistent while others write
        dst.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
    finally:
        dst.close()
        src.close()


def _counts(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        q = {"documents": "documents", "snippets": "snippets", "manual_tags": "manual_tags",
             "features": "features", "evidence_links": "evidence_links"}
        return {k: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for k, t in q.items()}
    finally:
        conn.close()


def _copy_sources(ws, db: Path, stage: Path) -> list[str]:
    """Copy the source files the snapshot names; a document deleted since then has none."""
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT id, stored_path FROM documents WHERE stored_path IS NOT NULL").fetchall()
    conn.close()
    (stage / "sources").mkdir()
    missing = []
    for doc_id, stored in rows:
        src = ws.settings.sources_dir / Path(stored).name
        try:
            shutil.copy2(src, stage / "sources" / src.name)
        except FileNotFoundError:
            missing.append(doc_id)
    return missing


def _copy_journal(ws, db: Path, stage: Path) -> None:
    """The journal as of the snapshot, written from its audit table (the same entries, in
    commit order), so the restored workspace can itself be rebuilt."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        rows = conn.execute("SELECT * FROM audit ORDER BY seq").fetchall()
    finally:
        conn.close()
    lines = [{**{k: r[k] for k in ("seq", "id", "at", "who", "action", "target")},
              "detail": json.loads(r["detail"]), "changes": json.loads(r["changes"])} for r in rows]
    if lines:
        (stage / JOURNAL).write_text("".join(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n"
                                             for e in lines), encoding="utf-8")


def backup(ws, out: str | Path) -> dict[str, Any]:
    """Write a consistent snapshot of `ws`'s workspace to `out` (a .tar.gz, or a folder)."""
    out = Path(out)
    if out.is_dir():
        out = out / f"research-hub-{datetime.now().strftime('%Y%m%d-%H%M%S')}.tar.gz"
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".backup-") as tmp:
        stage = Path(tmp)
        for name in DATABASES:
            if (ws.home / name).exists():
                _snapshot(ws.home / name, stage / name)
        missing = _copy_sources(ws, stage / "hub.sqlite", stage)
        _copy_journal(ws, stage / "hub.sqlite", stage)
        files = sorted(p for p in stage.rglob("*") if p.is_file())
        manifest = {
            "format": FORMAT, "version": VERSION,
            "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "source_home": str(ws.home), "model": ws.embedder.model_key,
            "counts": _counts(stage / "hub.sqlite"), "missing_sources": missing,
            "index": "not included: restore rebuilds it from hub.sqlite and embeddings.sqlite",
            "files": {str(p.relative_to(stage)): {"size": p.stat().st_size, "sha256": file_sha256(p)}
                      for p in files},
        }
        part = out.with_name(out.name + ".part")
        with tarfile.open(part, "w:gz") as tar:
            data = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            for p in files:
                tar.add(p, arcname=str(p.relative_to(stage)), recursive=False)
        part.replace(out)
    return {"path": str(out), "bytes": out.stat().st_size, **manifest["counts"],
            "files": len(manifest["files"]), "missing_sources": len(missing)}


# -- restore ---------------------------------------------------------------------
def _allowed(name: str) -> bool:
    """Only the names a backup writes: no absolute paths, no '..', no folders but sources/."""
    parts = name.split("/")
    if name in DATABASES or name == JOURNAL:
        return True
    return len(parts) == 2 and parts[0] == "sources" and parts[1] not in ("", ".", "..") \
        and "\\" not in parts[1]


def _read_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = tar.getmember("manifest.json")
        manifest = json.loads(tar.extractfile(member).read())
    except (KeyError, AttributeError, json.JSONDecodeError) as exc:
        raise BackupError("not a research_hub backup (no readable manifest.json)") from exc
    if manifest.get("format") != FORMAT or manifest.get("version", 0) > VERSION:
        raise BackupError(f"not a research_hub backup this version can read ({manifest.get('format')} "
                          f"v{manifest.get('version')})")
    return manifest


def _unpack(archive: Path, home: Path) -> dict[str, Any]:
    try:
        tar = tarfile.open(archive, "r:gz")
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"cannot read {archive.name}: {exc}") from exc
    with tar:
        manifest = _read_manifest(tar)
        expected = manifest.get("files", {})
        for name, meta in expected.items():
            if not _allowed(name):
                raise BackupError(f"refusing a backup with an unexpected member {name!r}")
            try:
                member = tar.getmember(name)
            except KeyError as exc:
                raise BackupError(f"backup is incomplete: {name} is missing") from exc
            if not member.isfile():
                raise BackupError(f"refusing a backup whose {name} is not a regular file")
            target = home / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with tar.extractfile(member) as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst)
            if file_sha256(target) != meta["sha256"]:
                raise BackupError(f"backup is damaged: {name} does not match its checksum")
    return manifest


def _prepare_target(home: Path, force: bool) -> None:
    if home.exists() and any(home.iterdir()):
        if not force:
            raise BackupError(f"{home} is not empty; restore into a new folder (or --force to replace "
                              "the workspace there)")
        if not (home / "hub.sqlite").exists():
            raise BackupError(f"{home} is not a research_hub workspace; refusing to replace it")
        shutil.rmtree(home)
    home.mkdir(parents=True, exist_ok=True)


def _relocate(home: Path) -> None:
    """Stored paths point at the new sources folder; a new workspace id keeps a restored copy
    from sharing a Chroma server collection with its original."""
    conn = sqlite3.connect(home / "hub.sqlite")
    try:
        if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError("the restored hub.sqlite fails SQLite's integrity check")
        rows = conn.execute("SELECT id, stored_path FROM documents WHERE stored_path IS NOT NULL").fetchall()
        with conn:
            conn.executemany("UPDATE documents SET stored_path = ? WHERE id = ?",
                             [(str(home / "sources" / Path(p).name), i) for i, p in rows])
            conn.execute("DELETE FROM settings WHERE key = 'workspace_id'")
    finally:
        conn.close()


def restore(archive: str | Path, home: str | Path, open_workspace: Callable[[Path], Any],
            force: bool = False) -> dict[str, Any]:
    """Unpack `archive` into `home`, check it, rebuild the vector index, run doctor.
    `open_workspace(home)` opens the restored workspace."""
    archive, home = Path(archive), Path(home).expanduser().resolve()
    if not archive.is_file():
        raise BackupError(f"no backup file {archive}")
    _prepare_target(home, force)
    manifest = _unpack(archive, home)
    _relocate(home)
    ws = open_workspace(home)
    try:
        indexed = upkeep.reindex(ws)
        doctor = upkeep.doctor(ws)
        counts = ws.records.counts()
    finally:
        ws.close()
    return {"home": str(home), "created_at": manifest["created_at"], "documents": counts["documents"],
            "snippets": counts["snippets"], "indexed": indexed["indexed"], "encoded": indexed["encoded"],
            "doctor_ok": doctor["ok"], "missing_sources": len(manifest.get("missing_sources", []))}
