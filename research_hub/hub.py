"""`Hub`: the one facade the CLI, the UI and scripts call.

It owns the workspace (SQLite, Chroma, the embedding cache, copies of the
source files) and hands each capability to the module that implements it.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any, Sequence

from filelock import FileLock, Timeout

from research_hub import faults
from research_hub.config import Settings
from research_hub.embed import Embedder
from research_hub.core.models import Document, IngestReport, Snippet
from research_hub.store import Database, Records, VectorIndex
from research_hub.themes.verbs import ThemeVerbs


class BusyError(RuntimeError):
    """Another process is writing to this workspace."""


class Hub(ThemeVerbs):
    def __init__(self, home: str | Path | None = None, *, model: str | None = None,
                 chroma_url: str | None = None, lock_timeout: float = 600):
        self.settings = Settings.load(home, model, chroma_url)
        self.settings.home.mkdir(parents=True, exist_ok=True)
        self.db = Database(self.settings.db_path)
        self.records = Records(self.db)
        self.lock_timeout = lock_timeout
        self._embedder: Embedder | None = None
        self._index: VectorIndex | None = None
        self._tagger = None
        self._keyword = None
        self._write_lock: FileLock | None = None
        if self.settings.chroma_url and self.settings.collection == "snippets":
            self.settings.collection = f"rh_{self.workspace_id()}"  # issue 7: one collection per workspace on a shared server

    # -- lazily built parts --------------------------------------------------
    @property
    def home(self) -> Path:
        return self.settings.home

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = Embedder(self.settings.model, self.settings.cache_path,
                                      self.settings.batch_size)
        return self._embedder

    @property
    def index(self) -> VectorIndex:
        if self._index is None:
            index = VectorIndex(str(self.settings.chroma_path), self.settings.chroma_url,
                                self.settings.collection)
            self._index = index
            faults.heal(self)  # issue 7: a writer died between Chroma and SQLite; repair on open
        return self._index

    def tagger(self):
        if self._tagger is None:
            from research_hub.ingest.tag import Tagger

            self._tagger = Tagger(taxonomy=self.taxonomy())
        return self._tagger

    def write_lock(self) -> FileLock:
        if self._write_lock is None:  # one per Hub, so it is re-entrant (heal runs inside ingest)
            self._write_lock = FileLock(str(self.home / "write.lock"), timeout=self.lock_timeout)
        self._write_lock.timeout = self.lock_timeout
        return self._write_lock

    # -- ingestion -----------------------------------------------------------
    def ingest(self, paths: Sequence[str | Path] | str | Path, study: str | None = None,
               kind: str | None = None, *, taxonomy: str | Path | None = None,
               text_col: str | None = None, progress=None,
               keys: dict[str, str] | None = None, redact: bool | None = None,
               keep_original: bool | None = None) -> IngestReport:
        """Ingest files and folders. Unchanged files are skipped, changed ones replaced.

        redact (default: the workspace setting) replaces emails, phone and card numbers and
        person names before anything is stored; keep_original also keeps the source copy."""
        from research_hub.ingest.pipeline import Pipeline

        if isinstance(paths, (str, Path)):
            paths = [paths]
        try:
            with self.write_lock():
                if taxonomy is not None:
                    self.set_taxonomy(taxonomy)
                _ = self.index  # open (and heal) before writing
                faults.heal(self)  # issue 7: also when the index was already open
                pipeline = Pipeline(self, study=study, kind=kind, text_col=text_col, keys=keys,
                                    progress=progress, redactor=self.redactor(redact),
                                    keep_original=self._keep_original(keep_original))
                with faults.index_writes(self.home):
                    return faults.checked(self, pipeline.run(list(paths)))
        except Timeout as exc:
            raise BusyError(f"another ingest is writing to {self.home}; try again when it ends") from exc

    def ingest_upload(self, name: str, data: bytes, **kwargs) -> IngestReport:
        """Store an uploaded file under the workspace and ingest it, keyed by its name."""
        safe = upload_name(name)  # issue 7: never a path out of uploads/
        folder = self.home / "uploads"
        folder.mkdir(exist_ok=True)
        target = folder / safe
        target.write_bytes(data)
        report = self.ingest([target], keys={str(target): f"upload:{safe}"}, **kwargs)
        if self.redactor(kwargs.get("redact")) and not self._keep_original(kwargs.get("keep_original")):
            target.unlink(missing_ok=True)  # issue 7: the unredacted upload is not kept
        return report

    def save_source(self, doc_id: str, suffix: str, raw: bytes) -> Path:
        folder = self.settings.sources_dir
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{doc_id}{suffix.lower()}"
        if not target.exists():
            tmp = target.with_suffix(target.suffix + ".tmp")
            tmp.write_bytes(raw)
            tmp.replace(target)
        return target

    def remove_source(self, doc_id: str) -> None:
        for f in self.settings.sources_dir.glob(f"{doc_id}.*"):
            f.unlink(missing_ok=True)

    def on_document_written(self, conn, doc_id: str, replaced: str | None) -> None:
        """Hook inside the write transaction: roadmap flags links whose quote changed."""
        if replaced:
            from research_hub import roadmap

            roadmap.flag_changed_links(conn, doc_id, replaced)

    def keyword_dirty(self) -> None:
        if self._keyword is not None:
            self._keyword.mark_dirty()

    # -- taxonomy ------------------------------------------------------------
    def taxonomy(self) -> list:
        from research_hub.ingest.tag import TaxonomyTag

        raw = self.db.scalar("SELECT value FROM settings WHERE key = 'taxonomy'")
        return [TaxonomyTag(**t) for t in json.loads(raw)] if raw else []

    def set_taxonomy(self, path: str | Path) -> None:
        from dataclasses import asdict

        from research_hub.ingest.tag import load_taxonomy

        tags = load_taxonomy(Path(path))
        with self.db.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO settings VALUES ('taxonomy', ?)",
                         (json.dumps([asdict(t) for t in tags]),))
            conn.executemany("INSERT OR REPLACE INTO tags (name, origin, description) VALUES (?, 'taxonomy', ?)",
                             [(t.tag, t.description) for t in tags])
        self._tagger = None

    # -- reading -------------------------------------------------------------
    def documents(self, study: str | None = None) -> list[Document]:
        return self.records.documents(study)

    def document(self, ref: str) -> dict[str, Any]:
        """One document with its text and snippets, for reading it as a transcript."""
        row = self.records.find_document(ref)
        if row is None:
            raise KeyError(f"no document {ref!r}")
        docs = {d.id: d for d in self.records.documents()}
        return {"document": docs[row["id"]], "text": row["text"],
                "snippets": self.records.snippets(document=row["id"])}

    def snippets(self, tags: Sequence[str] | None = None, document: str | None = None,
                 **filters: Any) -> list[Snippet]:
        return self.records.snippets(tags=tags, document=document, **filters)

    def snippet_vectors(self, snippets: Sequence[Snippet]):
        """Stored embeddings in snippet order (cache first, then the index); no model time."""
        from research_hub.themes.engine import vectors

        return vectors(self, snippets)

    def snippet(self, snippet_id: str) -> Snippet:
        found = self.records.get_snippets([snippet_id])
        if snippet_id not in found:
            raise KeyError(f"no snippet {snippet_id!r}")
        return found[snippet_id]

    def stats(self) -> dict[str, Any]:
        from research_hub.core import nlp

        out: dict[str, Any] = dict(self.records.counts())
        out["tags"] = dict(self.records.tag_counts())
        out["studies"] = self.records.distinct("study")
        out["kinds"] = self.records.distinct("kind")
        out["vectors"] = self.index.count()
        out["index"] = self.index.mode
        out["model"] = self.embedder.model_key
        out["spacy"] = nlp.active_pipeline_name()
        out["home"] = str(self.home)
        return out

    def filter_values(self) -> dict[str, list[str]]:
        """Choices for filter widgets."""
        return {"study": self.records.distinct("study"), "kind": self.records.distinct("kind"),
                "participant": self.records.distinct("participant"),
                "role": self.records.distinct("role"),
                "tag": [t for t, _ in self.records.tag_counts()]}

    # -- editing -------------------------------------------------------------
    def add_tag(self, snippet_id: str, tag: str) -> None:
        self._edit_tag(snippet_id, tag, "add")

    def remove_tag(self, snippet_id: str, tag: str) -> None:
        self._edit_tag(snippet_id, tag, "remove")

    def _edit_tag(self, snippet_id: str, tag: str, op: str) -> None:
        from research_hub.ingest.tag import normalize_tag

        self.snippet(snippet_id)  # raises for an unknown id
        with faults.index_writes(self.home):  # issue 7: a crash before the index update is healed
            self.records.set_manual_tag(snippet_id, normalize_tag(tag), op)
            faults.crash_point("tag_saved")
            row = self.records.vector_rows([snippet_id])[0]
            from research_hub.store.vectors import vector_metadata

            self.index.update_metadata([snippet_id], [vector_metadata(row, self.snippet(snippet_id).tags)])
        self.keyword_dirty()

    def manual_tag_map(self, ids: Sequence[str]) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        ids = list(ids)
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            for r in self.db.query(
                    f"SELECT snippet_id, tag, op FROM manual_tags WHERE snippet_id IN ({','.join('?' * len(chunk))})",
                    chunk):
                out.setdefault(r["snippet_id"], {})[r["tag"]] = r["op"]
        return out

    def delete_document(self, ref: str) -> str:
        row = self.records.find_document(ref)
        if row is None:
            raise KeyError(f"no document {ref!r}")
        with self.write_lock(), faults.index_writes(self.home):  # issue 7: healed if killed
            ids = self.records.snippet_ids(row["id"])
            with self.db.transaction() as conn:
                self.records.delete_document(conn, row["id"])
            faults.crash_point("rows_deleted")
            self.index.delete(ids)
            self.remove_source(row["id"])
            self.keyword_dirty()
        return row["name"]

    # -- index upkeep ----------------------------------------------------------
    def reindex(self, progress=None) -> dict[str, int]:
        from research_hub import upkeep

        return upkeep.reindex(self, progress)

    def doctor(self, repair: bool = False) -> dict[str, Any]:
        from research_hub import upkeep

        return upkeep.doctor(self, repair)

    def close(self) -> None:
        self.db.close()

    # -- capabilities that live in their own modules -------------------------
    def keyword_index(self):
        """The BM25 index over snippet text, persisted beside the database."""
        if self._keyword is None:
            from research_hub.search.keyword import KeywordIndex

            self._keyword = KeywordIndex(self)
        return self._keyword

    def search(self, query: str, k: int = 10, **filters: Any) -> list:
        """Hybrid dense + keyword search. Filters: tags, participant, study, kind, role,
        document, since, until (ISO dates)."""
        from research_hub.search import search

        return search(self, query, k=k, **filters)

    @property
    def roadmap(self):
        """Features, evidence links and prioritisation."""
        from research_hub.roadmap import Roadmap

        return Roadmap(self)

    def export(self, feature_id: str, format: str = "md", out: str | Path | None = None):
        """An evidence bundle for a feature; returns bytes, also written to `out` if given."""
        from research_hub.export import export_bundle

        return export_bundle(self, feature_id, format, out)

    # -- reliability, privacy, backup (issue 7) --------------------------------
    def config(self, key: str) -> str | None:
        """A workspace setting from `research-hub config set` (see WORKSPACE_OPTIONS)."""
        return self.db.scalar("SELECT value FROM settings WHERE key = ?", (f"config.{key}",))

    def set_config(self, key: str, value: str) -> None:
        allowed = WORKSPACE_OPTIONS.get(key)
        if allowed is None or value not in allowed:
            raise ValueError(f"unknown setting {key}={value!r}; choose from "
                             + "; ".join(f"{k}: {'|'.join(v)}" for k, v in WORKSPACE_OPTIONS.items()))
        with self.db.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", (f"config.{key}", value))

    def workspace_id(self) -> str:
        """A random id made once per workspace (names its collection on a Chroma server)."""
        import secrets

        with self.db.transaction() as conn:
            conn.execute("INSERT OR IGNORE INTO settings VALUES ('workspace_id', ?)", (secrets.token_hex(8),))
        return self.db.scalar("SELECT value FROM settings WHERE key = 'workspace_id'")

    def redactor(self, redact: bool | None = None):
        """The PII redactor when redaction is on (argument, else workspace setting), else None."""
        from research_hub.ingest.redact import redactor_for

        return redactor_for(self, redact if redact is not None else self.config("redact") == "true")

    def _keep_original(self, keep: bool | None) -> bool:
        return keep if keep is not None else self.config("keep_original") == "true"

    def backup(self, out: str | Path) -> dict[str, Any]:
        """A consistent snapshot of the workspace as a .tar.gz with a manifest, taken while in use."""
        from research_hub.backup import backup

        return backup(self, out)

    @staticmethod
    def restore(archive: str | Path, home: str | Path, force: bool = False, **hub_options: Any) -> dict[str, Any]:
        """Unpack a backup into `home` and rebuild its vector index (cached vectors, no model)."""
        from research_hub.backup import restore

        return restore(archive, home, force=force, **hub_options)


WORKSPACE_OPTIONS = {"redact": ("true", "false"), "keep_original": ("true", "false")}


def upload_name(name: str) -> str:
    """Only the last part of an uploaded name (either slash), printable, no leading dots."""
    import re

    base = "".join(ch for ch in re.split(r"[\\/]", name)[-1] if ch.isprintable()).strip().lstrip(".")
    stem, dot, suffix = base.rpartition(".")
    if len(base.encode()) > 200:  # file systems stop at 255 bytes
        cut = (stem if dot else base).encode()[:150].decode("utf-8", "ignore")
        base = cut + (dot + suffix[:20] if dot else "")
    return base or "upload"
