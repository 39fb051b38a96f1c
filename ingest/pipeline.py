"""parse -> split -> tag -> embed, one file at a time as an atomic unit, into a sink.

Files are prepared (parsed, split, tagged) one by one on the calling thread
while a worker embeds the ones already prepared, which is where the time goes.
Each group the worker hands back goes to the sink (`store.writer.Writer`),
which stores every file on its own: source copy, vectors, one SQLite
transaction. The pipeline never touches the database itself: it asks the sink
whether a file is known and hands it typed rows (core.rows).
"""
from __future__ import annotations

import hashlib
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Protocol, Sequence

import numpy as np

from research_hub.core.errors import IngestError
from research_hub.core.faults import crash_point
from research_hub.core.models import FileResult, IngestReport
from research_hub.core.rows import DocumentRow, NewDocument, SnippetRow
from research_hub.core.text import text_hash
from research_hub.ingest.embed_worker import EmbedWorker
from research_hub.ingest.files import Candidate, expand
from research_hub.ingest.language import ENGLISH
from research_hub.ingest.language import detect as detect_language
from research_hub.ingest.parsers import parse_file
from research_hub.ingest.split import split_document
from research_hub.ingest.tag import context_vectors
from research_hub.ingest.types import INTERVIEWER, ParsedDocument, SnippetDraft

MAX_WAITING = 4096  # snippets prepared but not stored, before preparing waits for storing
Progress = Callable[[int, int, str], None]  # (files done, files total, message)


class Sink(Protocol):
    """What the pipeline needs from the store."""

    def document_for(self, source_key: str) -> str | None: ...

    def has_document(self, doc_id: str) -> bool: ...

    def store(self, files: Sequence[NewDocument], vectors: np.ndarray) -> list[Exception | None]: ...


@dataclass
class IngestOptions:
    study: str | None = None
    kind: str | None = None
    text_col: str | None = None
    keys: dict[str, str] = field(default_factory=dict)  # path -> source key (uploads)
    redactor: object | None = None  # applied right after parsing
    keep_original: bool = False  # with a redactor: still keep the unredacted source copy
    max_bytes: int = 50 * 1024 * 1024
    # path -> the document fields it had (id, name, path, title): a rebuild ingests a kept
    # source copy back into the very document it was
    restore: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class Prepared:
    candidate: Candidate
    new: NewDocument
    result: FileResult

    also_embed: list[str] = field(default_factory=list)  # contexts the tag model reads

    @property
    def snippets(self) -> list[SnippetRow]:  # what the embedding worker reads
        return self.new.snippets


def source_key(path: Path) -> str:
    return str(path.resolve())


def snippet_id(key: str, draft: SnippetDraft, occurrence: int) -> str:
    """Stable across re-ingestion: the same words by the same person in the same file."""
    raw = f"{key}\x00{draft.participant}\x00{draft.role}\x00{draft.text}\x00{occurrence}"
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:20]


class Pipeline:
    def __init__(self, sink: Sink, embedder, tagger, options: IngestOptions | None = None,
                 progress: Progress | None = None):
        self.sink = sink
        self.embedder = embedder
        self.tagger = tagger
        self.options = options or IngestOptions()
        self.progress = progress or (lambda done, total, message: None)
        self.taken: set[str] = set()  # document ids prepared in this run, not yet stored
        self.done = self.total = 0

    def run(self, paths: list[str | Path]) -> IngestReport:
        """Prepare files on this thread while a worker embeds the ones already prepared.

        Storing stays on this thread too: each group the worker hands back is
        stored as soon as this thread is between two files.
        """
        started = time.perf_counter()
        candidates = expand(paths)
        self.total = len(candidates)
        report = IngestReport()
        self.progress(0, self.total, "starting")
        with EmbedWorker(self.embedder) as worker:
            for cand in candidates:
                outcome = self._prepare(cand)
                if isinstance(outcome, FileResult):
                    report.files.append(outcome)
                    self._advance(f"{cand.path.name}: {outcome.status}")
                    continue
                worker.submit(outcome)
                for group in worker.ready():
                    self._store(group, report)
                while worker.outstanding > MAX_WAITING:  # bounded memory on huge ingests
                    self._store(worker.wait(), report)
            worker.close()
            while (group := worker.wait()) is not None:
                self._store(group, report)
        order = {str(c.path): i for i, c in enumerate(candidates)}
        report.files.sort(key=lambda f: order.get(f.path, len(order)))
        report.seconds = time.perf_counter() - started
        return report

    def _advance(self, message: str) -> None:
        self.done += 1
        self.progress(self.done, self.total, message)

    # -- prepare: everything that can fail for reasons of the file itself ----
    def _prepare(self, cand: Candidate) -> Prepared | FileResult:
        path, opts = cand.path, self.options
        try:
            if not path.exists():
                raise IngestError("no such file")
            raw = path.read_bytes() if path.stat().st_size <= opts.max_bytes else None
            doc_id = hashlib.sha256(raw).hexdigest() if raw is not None else ""
            if opts.redactor and doc_id:  # a redacted version is another document
                doc_id = opts.redactor.document_id(doc_id)
            doc_id = opts.restore.get(str(path), {}).get("id", doc_id)
            key = opts.keys.get(str(path), source_key(path))
            old = self.sink.document_for(key)
            if old is not None and old == doc_id:
                return FileResult(str(path), "unchanged", document_id=doc_id)
            if doc_id and (doc_id in self.taken or self.sink.has_document(doc_id)):
                return FileResult(str(path), "duplicate", document_id=doc_id,
                                  error="same content is already stored under another name")
            parsed = parse_file(path, text_col=opts.text_col, max_bytes=opts.max_bytes)
            crash_point("parsed")
            if opts.redactor:  # PII out before anything is embedded or stored
                parsed = opts.redactor(parsed)
            drafts = split_document(parsed, parsed.title or path.stem)
            if not any(d.role != INTERVIEWER for d in drafts):
                raise IngestError("no participant text found")
            language = detect_language([d.text for d in drafts if d.role != INTERVIEWER])
            self.tagger.tag(drafts, language)
        except IngestError as exc:
            return FileResult(str(path), "failed", error=f"{path.name}: {exc}")
        except Exception as exc:  # a parser bug must not stop the other files
            return FileResult(str(path), "failed", error=f"{path.name}: unexpected {type(exc).__name__}: {exc}")
        self.taken.add(doc_id)
        doc = self._document(cand, key, doc_id, parsed, drafts, len(raw))
        for name, value in opts.restore.get(str(path), {}).items():
            setattr(doc, name, value)
        doc.language = language
        snippets = self._snippets(doc, key, drafts)
        source, suffix = raw, path.suffix
        if opts.redactor and not opts.keep_original:  # keep only the redacted text
            source, suffix = doc.text.encode("utf-8"), ".redacted.txt"
        result = FileResult(str(path), "replaced" if old is not None else "added", snippets=len(snippets),
                            document_id=doc_id, participants=len(doc.participants))
        return Prepared(cand, NewDocument(doc, snippets, source, suffix, old), result,
                        also_embed=self._contexts(doc, snippets))

    def _contexts(self, doc: DocumentRow, snippets: list[SnippetRow]) -> list[str]:
        """The questions `_learn_tags` will read, embedded beside the snippets rather than after."""
        if not self.tagger.reads_vectors or doc.language != ENGLISH:
            return []
        return list(dict.fromkeys(s.context for s in snippets
                                  if s.role != INTERVIEWER and s.context and s.context.strip()))

    def _document(self, cand: Candidate, key: str, doc_id: str, parsed: ParsedDocument,
                  drafts: list[SnippetDraft], size: int) -> DocumentRow:
        meta = dict(parsed.metadata)
        study = self.options.study or meta.get("study") or cand.folder_study
        has_interviewer = any(d.role == INTERVIEWER for d in drafts)
        kind = self.options.kind or parsed.kind_hint or ("interview" if has_interviewer else "note")
        return DocumentRow(
            id=doc_id, source_key=key, name=cand.path.name, path=str(cand.path),
            title=parsed.title or cand.path.stem, kind=kind, study=str(study) if study else None,
            date=parsed.date, participants=sorted({d.participant for d in drafts if d.role != INTERVIEWER}),
            metadata=meta, text=parsed.text, size=size)

    def _snippets(self, doc: DocumentRow, key: str, drafts: list[SnippetDraft]) -> list[SnippetRow]:
        seen: Counter = Counter()
        taxonomy = {t.name for t in self.tagger.taxonomy}
        out = []
        for seq, d in enumerate(drafts):
            seen[(d.participant, d.role, d.text)] += 1
            out.append(SnippetRow(
                id=snippet_id(key, d, seen[(d.participant, d.role, d.text)]),
                document_id=doc.id, seq=seq, speaker=d.speaker, role=d.role,
                participant=d.participant, text=d.text, char_start=d.char_start,
                char_end=d.char_end, line=d.line, start_time=d.start_time,
                end_time=d.end_time, context=d.context, sentiment=d.sentiment,
                entities=d.entities, meta=_meta(d),
                kind=d.meta.get("kind") or doc.kind, study=doc.study,
                date=d.meta.get("date") or doc.date, text_hash=text_hash(d.text),
                tags=sorted(set(d.tags)),
                tag_origins={t: "taxonomy" for t in d.tags if t in taxonomy}))
        return out

    # -- store a group the worker embedded -------------------------------------------
    def _store(self, group: tuple[list[Prepared], np.ndarray], report: IngestReport) -> None:
        pending, vectors = group
        self._learn_tags(pending, vectors)
        self.progress(self.done, self.total, f"storing {sum(len(p.snippets) for p in pending)} snippets")
        outcomes = self.sink.store([p.new for p in pending], vectors)
        for p, error in zip(pending, outcomes):
            name = p.candidate.path.name
            if error is None:
                report.files.append(p.result)
                self._advance(f"{name}: {p.result.status}")
            else:
                report.files.append(FileResult(str(p.candidate.path), "failed",
                                               error=f"{name}: could not store: {error}"))
                self._advance(f"{name}: failed")

    def _learn_tags(self, pending: list[Prepared], vectors: np.ndarray) -> None:
        """The tag model reads each snippet's vector, so it tags a file once it is embedded."""
        if getattr(self.tagger, "model", None) is None:
            return
        rows, picks, start = [], [], 0
        for p in pending:
            if p.new.doc.language == ENGLISH:
                for i, s in enumerate(p.snippets):
                    if s.role != INTERVIEWER:
                        rows.append(s)
                        picks.append(start + i)
            start += len(p.snippets)
        if rows:
            X = Xc = None
            if self.tagger.reads_vectors:
                X = vectors[picks]
                Xc = context_vectors([r.context or "" for r in rows], self.embedder.encode, X.shape[1])
            self.tagger.learn(rows, X, Xc)


def _meta(draft: SnippetDraft) -> dict:
    """The draft's meta, plus its reading form (fillers dropped) when that differs."""
    if draft.reading_text and draft.reading_text != draft.text:
        return {**draft.meta, "reading_text": draft.reading_text}
    return draft.meta
