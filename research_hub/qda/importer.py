"""A REFI-QDA project (.qdpx) into the workspace.

Each text source is ingested like any file (its text, BOM removed and line ends
made LF, goes through the usual parse, split, tag and embed), keyed by its GUID
so importing the project again updates rather than duplicates, and so a
re-export gives it the same GUID. Its selections are read (see `offsets` for
how positions are interpreted) and land on the snippets at those offsets:

- a selection that is exactly one snippet (surrounding white space aside) tags it;
- a longer one tags every whole snippet inside it;
- one that holds no whole snippet (half a sentence) is listed as not placed.

The codes it applies become manual tags, each credited to the user who coded it
with the date the project gives; the codebook's names, nesting and GUIDs are kept.
A project research_hub exported (it has codings by the `research_hub` user) is
restored as it was: ingest tags it does not have on a snippet are removed.
"""
from __future__ import annotations

import bisect
import codecs
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable

from research_hub.ingest.files import upload_name
from research_hub.ingest.parsers.common import trim_span
from research_hub.qda import qde
from research_hub.qda.codebook import tree_entries
from research_hub.qda.collect import IMPORTED
from research_hub.qda.model import MACHINE, ReadSource
from research_hub.qda.offsets import STANDARD, Positions
from research_hub.qda.package import Package
from research_hub.store.qda import ImportedCoding, QDAStore
from research_hub.store.vectors import vector_metadata

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}  # kept so Markdown is read as Markdown


def import_project(ws, path: str | Path, ingest: Callable[..., Any],
                   study: str | None = None) -> dict[str, Any]:
    path = Path(path)
    with Package(path, ws.settings.max_bytes) as pkg:
        parsed = qde.read(pkg.project())
        for src in parsed.sources:
            _read_text(src, pkg)
    store = QDAStore(ws.db)
    with ws.audited("qdpx.import", path.name, codes=len(parsed.codes)):
        store.save_codes({**store.code_tree(), **tree_entries(parsed.codes)},
                         [(c.tag, c.description) for c in parsed.codes if c.codable])
    ready = [s for s in parsed.sources if not s.problem]
    positions = {s.guid: Positions(s.text or "") for s in ready}
    documents, failed = _ingest(ws, path, ready, positions, ingest, study)
    report: dict[str, Any] = {
        "project": parsed.name or path.stem, "codes": len(parsed.codes), "cases": parsed.cases,
        "sources": len(documents),
        "skipped": [f"{s.name or s.guid}: {s.problem}" for s in parsed.sources if s.problem] + failed,
        "placed": {"exact": 0, "contained": 0}, "not_placed": [], "readings": {}}
    edits: dict[tuple[str, str], ImportedCoding] = {}
    removals: list[tuple[str, str]] = []
    restore = any(a.user == MACHINE for s in ready for sel in s.selections for a in sel.codes)
    for src in ready:
        if src.guid in documents:
            machine = _place(ws, src, positions[src.guid], documents[src.guid], edits, report)
            if restore and machine is not None:
                removals += _unlisted_ingest_tags(ws, documents[src.guid], machine)
    _record(ws, list(edits.values()), removals)
    report["codings"], report["removed"] = len(edits), len(removals)
    return report


def _read_text(src: ReadSource, pkg: Package) -> None:
    if src.problem or src.text is not None:
        return
    data = pkg.source(src.path)
    if data is None:
        src.problem = f"its text {src.path!r} is not in the archive"
        return
    try:
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            encoding = "utf-16-le" if data[:2] == codecs.BOM_UTF16_LE else "utf-16-be"
            src.text = "\ufeff" + data[2:].decode(encoding)
        else:
            src.text = data.decode("utf-8")  # a UTF-8 BOM stays: some tools count it
    except UnicodeDecodeError:
        src.problem = "its text is not UTF-8 (the standard's encoding)"


def _ingest(ws, path: Path, sources: list[ReadSource], positions: dict[str, Positions],
            ingest: Callable[..., Any], study: str | None) -> tuple[dict[str, str], list[str]]:
    """Write each source's text to a file under the workspace and ingest it; source GUID ->
    document id, and one line per source that failed."""
    folder = ws.home / "imports" / (upload_name(path.stem) or "project")
    folder.mkdir(parents=True, exist_ok=True)
    groups: dict[tuple[str | None, str | None], dict[Path, ReadSource]] = defaultdict(dict)
    taken: set[str] = set()
    for src in sources:
        target = folder / _file_name(src, taken)
        target.write_text(positions[src.guid].text, encoding="utf-8")
        key = (study or src.variables.get("study") or folder.name, src.variables.get("kind"))
        groups[key][target] = src
    documents, failed = {}, []
    for (group_study, kind), files in groups.items():
        keys = {str(p): f"{IMPORTED}{s.guid or p.name}" for p, s in files.items()}
        result = ingest(list(files), study=group_study, kind=kind, keys=keys)
        by_path = {str(p): s for p, s in files.items()}
        for f in result.files:
            src = by_path.get(f.path)
            if src is not None and f.status != "failed" and f.document_id:
                documents[src.guid] = f.document_id
            elif src is not None:
                failed.append(f"{src.name or src.guid}: {f.error}")
    return documents, failed


def _file_name(src: ReadSource, taken: set[str]) -> str:
    base = Path(upload_name(src.name or src.guid or "source"))
    suffix = base.suffix.lower() if base.suffix.lower() in TEXT_SUFFIXES else ".txt"
    name, n = f"{base.stem}{suffix}", 2
    while name.lower() in taken:
        name, n = f"{base.stem}-{n}{suffix}", n + 1
    taken.add(name.lower())
    return name


def _place(ws, src: ReadSource, pos: Positions, doc_id: str, edits: dict,
           report: dict) -> dict[str, set] | None:
    """Put the source's selections on snippets; returns the machine's tags per snippet (None
    when the stored text is not the source's, so nothing could be placed)."""
    stored = ws.records.document_text(doc_id) or ""
    if stored != pos.text:
        for sel in src.selections:
            _not_placed(report, src, sel, sel.name, "the stored text differs from the source's")
        return None
    snippets = sorted(ws.records.snippets(document=doc_id), key=lambda s: (s.char_start, s.char_end))
    starts = [s.char_start for s in snippets]
    reading = pos.choose(src.selections)
    if reading != STANDARD:
        report["readings"][src.name or src.guid] = reading.describe()
    machine: dict[str, set] = {}
    for sel in src.selections:
        span = pos.span(sel, reading)
        if span is None:
            _not_placed(report, src, sel, sel.name, "its positions fall outside the text")
            continue
        how, found = _snippets_at(stored, *span, snippets, starts)
        if not found:
            _not_placed(report, src, sel, stored[span[0]:span[1]], how)
            continue
        report["placed"][how] += 1
        for s in found:
            for applied in sel.codes:
                if applied.user == MACHINE:
                    machine.setdefault(s.snippet_id, set()).add(applied.tag)
                    if applied.tag in s.tags:
                        continue  # this workspace's own ingest gave it already
                edits.setdefault((s.snippet_id, applied.tag),
                                 ImportedCoding(s.snippet_id, applied.tag, applied.user, applied.at))
    return machine


def _not_placed(report: dict, src: ReadSource, sel, text: str, reason: str) -> None:
    report["not_placed"].append({"source": src.name, "start": sel.start, "end": sel.end, "text": text[:300],
                                 "codes": [a.tag for a in sel.codes], "reason": reason})


def _unlisted_ingest_tags(ws, doc_id: str, machine: dict[str, set]) -> list[tuple[str, str]]:
    """Tags this workspace's ingest gave the document's snippets that the project's machine
    codings do not list (removed by hand before the export, or from another taxonomy)."""
    ids = ws.records.snippet_ids(doc_id)
    applications = QDAStore(ws.db).applications(ids)
    return [(sid, a.tag) for sid in ids for a in applications.get(sid, [])
            if a.origin != "manual" and a.tag not in machine.get(sid, set())]


def _snippets_at(text: str, start: int, end: int, snippets, starts) -> tuple[str, list]:
    start, end = trim_span(text, start, end)
    i = bisect.bisect_left(starts, start)
    inside = []
    while i < len(snippets) and snippets[i].char_start < end:
        if snippets[i].char_end <= end:
            inside.append(snippets[i])
        i += 1
    exact = [s for s in inside if (s.char_start, s.char_end) == (start, end)]
    if exact:
        return "exact", exact[:1]
    if inside:
        return "contained", inside
    return "it holds no whole snippet (a highlight would keep it)", []


def _record(ws, codings: list[ImportedCoding], removals: list[tuple[str, str]]) -> None:
    if not codings and not removals:
        return
    ids = sorted({c.snippet_id for c in codings} | {sid for sid, _ in removals})
    with ws.writing():
        with ws.audited("qdpx.codings", f"{len(codings)} codings", removals=len(removals)):
            QDAStore(ws.db).record(codings, removals)
        tags = ws.records.effective_tags(ids)
        rows = {r["id"]: r for r in ws.records.vector_rows(ids)}
        ws.index.update_metadata(ids, [vector_metadata(rows[i], tags.get(i, [])) for i in ids])
    ws.changed()
