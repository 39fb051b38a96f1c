"""A workspace, or one study, gathered as a `Project`: sources, codings, cases, codes, users.

Codings come from the functions in `CODING_SOURCES`, each turning the spans a
person or the machine coded into `Coding`s: tagged snippets, and highlights.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Callable

from research_hub.core.errors import NotFoundError
from research_hub.core.models import Document, Snippet
from research_hub.ingest.parsers.tabular import normalize_column
from research_hub.qda.codebook import workspace_codes
from research_hub.qda.model import MACHINE, UNKNOWN, Applied, Case, Coding, Project, Source, guid, is_guid
from research_hub.roadmap.priority import SEGMENT_FIELDS
from research_hub.store.highlights import HighlightStore
from research_hub.store.qda import QDAStore

CASE_VARIABLES = ("participant", "role", "study", "kind")
SOURCE_VARIABLES = ("study", "kind", "date")
IMPORTED = "qdpx:"  # source key prefix of documents imported from a project: it keeps their GUID


@dataclass
class Scope:
    """What the coding sources read: the workspace and the documents and snippets exported."""

    ws: object
    documents: list[Document]
    snippets: list[Snippet]


def snippet_codings(scope: Scope) -> list[Coding]:
    """Every snippet with a tag: ingest tags by the machine, manual ones by their author."""
    tagged = [s for s in scope.snippets if s.tags]
    when_of = {d.id: d.ingested_at for d in scope.documents}
    applications = QDAStore(scope.ws.db).applications([s.snippet_id for s in tagged])
    out = []
    for s in tagged:
        when = when_of.get(s.document_id)
        codes = [Applied(a.tag, (a.author or UNKNOWN) if a.origin == "manual" else MACHINE,
                         a.at if a.origin == "manual" else when)
                 for a in applications.get(s.snippet_id, [])]
        out.append(Coding(key=f"snippet:{s.snippet_id}", document_id=s.document_id, start=s.char_start,
                          end=s.char_end, text=s.text, participant=s.participant, user=MACHINE,
                          at=when, codes=codes))
    return out


def highlight_codings(scope: Scope) -> list[Coding]:
    """Every highlight whose words are where it says (a highlight under review is left out:
    its offsets are not to be trusted), made and coded by its author."""
    ids = {d.id for d in scope.documents}
    out = []
    for h in HighlightStore(scope.ws.db).list(state="ok"):
        if h.document_id in ids:
            out.append(Coding(key=f"highlight:{h.id}", document_id=h.document_id, start=h.char_start,
                              end=h.char_end, text=h.text, participant=h.participant, user=h.author or UNKNOWN,
                              at=h.created_at, codes=[Applied(t, h.author or UNKNOWN, h.updated_at) for t in h.tags]))
    return out


CODING_SOURCES: tuple[Callable[[Scope], list[Coding]], ...] = (snippet_codings, highlight_codings)


def project(ws, study: str | None = None) -> Project:
    documents = ws.records.documents(study)
    if study and not documents:
        known = ", ".join(ws.records.distinct("study")) or "none"
        raise NotFoundError(f"no documents in study {study!r} (studies: {known})")
    ids = {d.id for d in documents}
    snippets = [s for s in ws.records.snippets(study=study) if s.document_id in ids]
    scope = Scope(ws, documents, snippets)
    codings = [c for make in CODING_SOURCES for c in make(scope)]
    cases, segments = _cases(snippets, codings)
    variables = [*CASE_VARIABLES, *segments, "date"]
    users = list(dict.fromkeys([MACHINE, *(c.user for c in codings),
                                *(a.user for c in codings for a in c.codes)]))
    return Project(name=f"research_hub {study}" if study else "research_hub workspace",
                   codes=workspace_codes(ws), sources=_sources(ws, documents), codings=codings,
                   cases=cases, variables=variables, users=users)


def _sources(ws, documents: list[Document]) -> list[Source]:
    keys = QDAStore(ws.db).source_keys()
    out = []
    for d in documents:
        kept = keys.get(d.id, "").removeprefix(IMPORTED)
        source_guid = kept if is_guid(kept) else guid("source", d.id)
        out.append(Source(document_id=d.id, guid=source_guid, name=d.name, title=d.title,
                          text=ws.records.document_text(d.id) or "", kind=d.kind, study=d.study,
                          date=d.date, at=d.ingested_at))
    return out


def _cases(snippets: list[Snippet], codings: list[Coding]) -> tuple[list, list[str]]:
    """One case per person who speaks, with their variables; and the segment columns found."""
    values: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    docs: dict[str, dict[str, None]] = defaultdict(dict)
    for s in snippets:
        v = values[s.participant]
        v["participant"].add(s.participant)
        v["role"].add(s.role)
        v["study"].add(s.study or "")
        v["kind"].add(s.kind or "")
        for column, value in s.meta.items():
            name = normalize_column(str(column))
            if name in SEGMENT_FIELDS and str(value or "").strip():
                v[name].add(str(value).strip())
        docs[s.participant][s.document_id] = None
    keys: dict[str, list[str]] = defaultdict(list)
    for c in codings:
        keys[c.participant].append(c.key)
    segments = sorted({n for v in values.values() for n in v if n not in CASE_VARIABLES})
    cases = [Case(participant=p, guid=guid("case", p),
                  variables={n: "; ".join(sorted(x for x in v[n] if x)) for n in (*CASE_VARIABLES, *segments)},
                  document_ids=list(docs[p]), coding_keys=keys.get(p, []))
             for p, v in sorted(values.items())]
    return cases, segments
