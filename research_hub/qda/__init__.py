"""REFI-QDA exchange: QDPX projects and QDC codebooks, the formats NVivo, ATLAS.ti,
MAXQDA and QualCoder move projects in.

    research_hub            REFI-QDA
    tag                     Code (description; nesting kept from imported codebooks)
    document                TextSource, its stored text as Sources/<guid>.txt (UTF-8)
    snippet with tags       PlainTextSelection at code-point offsets, one Coding per tag
    person who speaks       Case, with Variables participant, role, study, kind and any
                            segment column (plan, segment, company size, ...)
    who tagged              User: 'research_hub' for ingest tags, the author for manual ones
    study, kind, date       Variables on each TextSource

    collect.py   workspace -> Project     qde.py      project.qde written and read
    codebook.py  codes, QDC               package.py  the .qdpx zip
    offsets.py   reading other tools' positions       importer.py  a project into the workspace

`Hub.qda` is the facade (`QDA`); `FORMATS` lists the two downloads for the CLI and the UI.
"""
from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Callable

from research_hub.core.errors import InvalidInputError
from research_hub.export import write
from research_hub.export.archive import safe_stem
from research_hub.qda import collect, package, qde
from research_hub.qda.codebook import as_taxonomy, parse_qdc, render_qdc, tree_entries, workspace_codes
from research_hub.qda.importer import import_project
from research_hub.qda.model import Project
from research_hub.store.audit import audited
from research_hub.store.db import now
from research_hub.store.qda import QDAStore


@dataclass(frozen=True)
class ProjectFormat:
    name: str  # also the file suffix
    label: str
    mime: str


FORMATS = {f.name: f for f in (
    ProjectFormat("qdpx", "REFI-QDA project (QDPX)", "application/zip"),
    ProjectFormat("qdc", "REFI-QDA codebook (QDC)", "application/xml"),
)}


def origin() -> str:
    try:
        return f"research_hub {metadata.version('research-hub')}"
    except metadata.PackageNotFoundError:
        return "research_hub"


class QDA:
    """Export the workspace (or a study) as QDPX and its codebook as QDC; import both."""

    def __init__(self, ws, ingest: Callable[..., Any]):
        self.ws = ws
        self._ingest = ingest

    def project(self, study: str | None = None) -> Project:
        """What a QDPX export holds, before it is written."""
        return collect.project(self.ws, study)

    def export_qdpx(self, out: str | Path | None = None, study: str | None = None) -> bytes:
        """The project as a .qdpx (bytes), also written to `out` (a file, or a folder to put it in)."""
        project = self.project(study)
        created = now()
        xml = qde.render(project, origin(), created)
        data = package.write(xml, {qde.source_file(s.guid): s.text for s in project.sources}, created)
        return self._write(data, out, self.file_name("qdpx", study))

    def export_qdc(self, out: str | Path | None = None) -> bytes:
        """The codebook alone (every tag as a code) as a .qdc."""
        data = render_qdc(workspace_codes(self.ws), origin())
        return self._write(data, out, self.file_name("qdc"))

    @audited("qdc.import")
    def import_qdc(self, path: str | Path) -> dict[str, Any]:
        """A codebook as taxonomy tags (each matches its own name), applied to later ingests like
        `--taxonomy`; merged into the current taxonomy. Nesting, names and GUIDs are kept."""
        path = Path(path)
        codes = parse_qdc(_read(path, self.ws.settings.max_bytes), path.name)
        store = QDAStore(self.ws.db)
        store.save_codes({**store.code_tree(), **tree_entries(codes)},
                         [(c.tag, c.description) for c in codes if c.codable])
        added = as_taxonomy(codes)
        merged = {t.name: t for t in self.ws.taxonomy()}
        merged.update({t.name: t for t in added})
        self.ws.set_taxonomy(list(merged.values()))
        return {"codebook": path.name, "codes": len(codes), "taxonomy_tags": [t.name for t in added],
                "categories": [c.tag for c in codes if not c.codable],
                "rule_tags": [c.tag for c in codes if c.codable and c.tag not in {t.name for t in added}],
                "taxonomy": len(merged)}

    def import_qdpx(self, path: str | Path, study: str | None = None) -> dict[str, Any]:
        """A project's text sources as documents and its codings as manual tags at their offsets.
        Study: `study`, else the source's study variable, else the file's name."""
        return import_project(self.ws, path, self._ingest, study)

    @staticmethod
    def file_name(fmt: str, study: str | None = None) -> str:
        """The default file name of an export: <study>.qdpx, research_hub.qdpx, research_hub-codebook.qdc."""
        return f"{safe_stem(study or 'research_hub')}.qdpx" if fmt == "qdpx" else "research_hub-codebook.qdc"

    @staticmethod
    def _write(data: bytes, out: str | Path | None, default_name: str) -> bytes:
        if out is not None:
            write(data, Path(out), default_name)
        return data


def _read(path: Path, max_bytes: int) -> bytes:
    try:
        if path.stat().st_size > max_bytes:
            raise InvalidInputError(f"{path.name}: over the {max_bytes:,} byte limit")
        return path.read_bytes()
    except FileNotFoundError:
        raise InvalidInputError(f"{path}: not found") from None
    except IsADirectoryError:
        raise InvalidInputError(f"{path}: is a folder, not a codebook file") from None
