"""parse -> split -> tag -> embed -> store, one file at a time as an atomic unit.

Files are prepared (parsed, split, tagged) one by one; their snippets are
embedded together in large batches, which is where the time goes; then each
file is written on its own: vectors into Chroma, then one SQLite transaction.
A crash between the two leaves only index entries that `doctor --repair`
(run on open) removes, never a half-stored document.
"""
from __future__ import annotations

import hashlib
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from research_hub.ingest.embed_worker import EmbedWorker
from research_hub.ingest.files import Candidate, expand
from research_hub.ingest.parsers import parse_file
from research_hub.ingest.split import split_document
from research_hub.ingest.types import INTERVIEWER, IngestError, ParsedDocument, SnippetDraft
from research_hub.embed import text_hash
from research_hub.faults import crash_point  # issue 7: named points where a test may kill us
from research_hub.core.models import FileResult, IngestReport
from research_hub.store.vectors import vector_metadata

MAX_WAITING = 4096  # snippets prepared but not stored, before preparing waits for storing
Progress = Callable[[int, int, str], None]  # (files done, files total, message)


@dataclass
class Prepared:
    candidate: Candidate
    doc: dict[str, Any]
    snippets: list[dict[str, Any]]
    replaces: str | None  # id of the older version of this file
    result: FileResult = field(default_factory=lambda: FileResult(path="", status="added"))


def source_key(path: Path) -> str:
    return str(path.resolve())


def snippet_id(key: str, draft: SnippetDraft, occurrence: int) -> str:
    """Stable across re-ingestion: the same words by the same person in the same file."""
    raw = f"{key}\x00{draft.participant}\x00{draft.role}\x00{draft.text}\x00{occurrence}"
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:20]


class Pipeline:
    def __init__(self, hub, *, study: str | None = None, kind: str | None = None,
                 text_col: str | None = None, keys: dict[str, str] | None = None,
                 progress: Progress | None = None, redactor=None, keep_original: bool = False):
        self.hub = hub
        self.redactor = redactor  # issue 7: ingest/redact.py, applied right after parsing
        self.keep_original = keep_original
        self.study = study
        self.kind = kind
        self.text_col = text_col
        self.keys = keys or {}  # path -> source key, for uploads whose temp path means nothing
        self.progress = progress or (lambda done, total, message: None)
        self.tagger = hub.tagger()
        self.taken: set[str] = set()  # document ids prepared in this run, not yet stored

    def run(self, paths: list[str | Path]) -> IngestReport:
        """Prepare files on this thread while a worker embeds the ones already prepared.

        Storing stays on this thread too: each group the worker hands back is
        stored as soon as this thread is between two files.
        """
        started = time.perf_counter()
        candidates = expand(paths)
        self.total = len(candidates)
        report = IngestReport()
        self.done = 0
        self.progress(0, self.total, "starting")
        with EmbedWorker(self.hub.embedder) as worker:
            for cand in candidates:
                outcome = self._prepare(cand)
                if isinstance(outcome, FileResult):
                    report.files.append(outcome)
                    self._advance(f"{cand.path.name}: {outcome.status}")
                    continue
                worker.submit(outcome)
                for group in worker.ready():
                    self._store_group(group, report)
                while worker.outstanding > MAX_WAITING:  # bounded memory on huge ingests
                    self._store_group(worker.wait(), report)
            worker.close()
            while (group := worker.wait()) is not None:
                self._store_group(group, report)
        order = {str(c.path): i for i, c in enumerate(candidates)}
        report.files.sort(key=lambda f: order.get(f.path, len(order)))
        report.seconds = time.perf_counter() - started
        return report

    def _advance(self, message: str) -> None:
        self.done += 1
        self.progress(self.done, self.total, message)

    # -- prepare: everything that can fail for reasons of the file itself ----
    def _prepare(self, cand: Candidate) -> Prepared | FileResult:
        path = cand.path
        try:
            if not path.exists():
                raise IngestError("no such file")
            raw = path.read_bytes() if path.stat().st_size <= self.hub.settings.max_bytes else None
            doc_id = hashlib.sha256(raw).hexdigest() if raw is not None else ""
            if self.redactor and doc_id:  # issue 7: a redacted version is another document
                doc_id = self.redactor.document_id(doc_id)
            key = self.keys.get(str(path), source_key(path))
            old = self.hub.records.document_by_key(key)
            if old is not None and old["id"] == doc_id:
                return FileResult(str(path), "unchanged", document_id=doc_id)
            if doc_id and (doc_id in self.taken or self.hub.records.has_document(doc_id)):
                return FileResult(str(path), "duplicate", document_id=doc_id,
                                  error="same content is already stored under another name")
            parsed = parse_file(path, text_col=self.text_col, max_bytes=self.hub.settings.max_bytes)
            crash_point("parsed")
            if self.redactor:  # issue 7: PII out before anything is embedded or stored
                parsed = self.redactor(parsed)
            drafts = split_document(parsed, parsed.title or path.stem)
            if not any(d.role != INTERVIEWER for d in drafts):
                raise IngestError("no participant text found")
            self.tagger.tag(drafts)
        except IngestError as exc:
            return FileResult(str(path), "failed", error=f"{path.name}: {exc}")
        except Exception as exc:  # a parser bug must not stop the other files
            return FileResult(str(path), "failed", error=f"{path.name}: unexpected {type(exc).__name__}: {exc}")
        self.taken.add(doc_id)
        doc = self._document(cand, key, doc_id, parsed, drafts, raw)
        snippets = self._snippets(doc, key, drafts)
        status = "replaced" if old is not None else "added"
        result = FileResult(str(path), status, snippets=len(snippets), document_id=doc_id,
                            participants=len(doc["participants"]))
        return Prepared(cand, doc, snippets, old["id"] if old is not None else None, result)

    def _document(self, cand: Candidate, key: str, doc_id: str, parsed: ParsedDocument,
                  drafts: list[SnippetDraft], raw: bytes) -> dict[str, Any]:
        meta = dict(parsed.metadata)
        study = self.study or meta.get("study") or cand.folder_study
        has_interviewer = any(d.role == INTERVIEWER for d in drafts)
        kind = self.kind or parsed.kind_hint or ("interview" if has_interviewer else "note")
        participants = sorted({d.participant for d in drafts if d.role != INTERVIEWER})
        return {
            "id": doc_id, "source_key": key, "name": cand.path.name, "path": str(cand.path),
            "stored_path": None, "title": parsed.title or cand.path.stem, "kind": kind,
            "study": str(study) if study else None, "date": parsed.date, "participants": participants,
            "metadata": meta, "text": parsed.text, "size": len(raw), "raw": raw,
        }

    def _snippets(self, doc: dict[str, Any], key: str, drafts: list[SnippetDraft]) -> list[dict]:
        seen: Counter = Counter()
        taxonomy = {t.name for t in self.tagger.taxonomy}
        out = []
        for seq, d in enumerate(drafts):
            seen[(d.participant, d.role, d.text)] += 1
            out.append({
                "id": snippet_id(key, d, seen[(d.participant, d.role, d.text)]),
                "document_id": doc["id"], "seq": seq, "speaker": d.speaker, "role": d.role,
                "participant": d.participant, "text": d.text, "char_start": d.char_start,
                "char_end": d.char_end, "line": d.line, "start_time": d.start_time,
                "end_time": d.end_time, "context": d.context, "sentiment": d.sentiment,
                "entities": d.entities, "meta": d.meta,
                "kind": d.meta.get("kind") or doc["kind"], "study": doc["study"],
                "date": d.meta.get("date") or doc["date"], "text_hash": text_hash(d.text),
                "tags": sorted(set(d.tags)),
                "tag_origins": {t: "taxonomy" for t in d.tags if t in taxonomy},
            })
        return out

    # -- store a group the worker embedded: index first, then each file atomically --
    def _store_group(self, group: tuple[list[Prepared], Any], report: IngestReport) -> None:
        pending, vectors = group
        self.progress(self.done, self.total, f"storing {sum(len(p.snippets) for p in pending)} snippets")
        crash_point("embedded")  # after the embedding cache write
        files, start = [], 0
        for p in pending:
            rows, start = vectors[start:start + len(p.snippets)], start + len(p.snippets)
            try:
                self._save_source(p)
                files.append((p, rows))
            except Exception as exc:
                self._failed(p, report, exc)
        try:  # one index write for the group: one per file costs 20-30% more
            self._index(files)
        except Exception as exc:
            for p, _ in files:
                self._failed(p, report, exc)
            return
        for p, _ in files:
            try:
                self._commit(p)
            except Exception as exc:
                self._failed(p, report, exc)
                continue
            report.files.append(p.result)
            self._advance(f"{p.candidate.path.name}: {p.result.status}")

    def _failed(self, p: Prepared, report: IngestReport, exc: Exception) -> None:
        name = p.candidate.path.name
        report.files.append(FileResult(str(p.candidate.path), "failed", error=f"{name}: could not store: {exc}"))
        self._advance(f"{name}: failed")

    def _save_source(self, p: Prepared) -> None:
        doc = p.doc
        raw, suffix = doc.pop("raw"), p.candidate.path.suffix
        if self.redactor and not self.keep_original:  # issue 7: keep only the redacted text
            raw, suffix = doc["text"].encode("utf-8"), ".redacted.txt"
        doc["stored_path"] = str(self.hub.save_source(doc["id"], suffix, raw))
        crash_point("source_saved")

    def _index(self, files: list[tuple[Prepared, Any]]) -> None:
        if not files:
            return
        snippets = [s for p, _ in files for s in p.snippets]
        manual = self.hub.manual_tag_map([s["id"] for s in snippets])
        metas = [vector_metadata(s, _effective(s["tags"], manual.get(s["id"], {}))) for s in snippets]
        self.hub.index.upsert([s["id"] for s in snippets], np.vstack([rows for _, rows in files]), metas)
        crash_point("upserted")

    def _commit(self, p: Prepared) -> None:
        """The document's rows in one transaction; then what the old version leaves behind."""
        hub = self.hub
        old_ids = set(hub.records.snippet_ids(p.replaces)) if p.replaces else set()
        with hub.db.transaction() as conn:
            if p.replaces:
                hub.records.delete_document(conn, p.replaces)
            hub.records.write_document(conn, p.doc, p.snippets)
            hub.on_document_written(conn, p.doc["id"], p.replaces)
            crash_point("in_transaction")
        crash_point("committed")
        stale = old_ids - {s["id"] for s in p.snippets}
        if stale:
            hub.index.delete(stale)
        crash_point("stale_deleted")
        if p.replaces:
            hub.remove_source(p.replaces)
        hub.keyword_dirty()
        crash_point("stored")


def _effective(tags: list[str], manual: dict[str, str]) -> list[str]:
    out = set(tags)
    for tag, op in manual.items():
        (out.add if op == "add" else out.discard)(tag)
    return sorted(out)
