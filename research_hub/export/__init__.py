"""Evidence bundles for a feature: md, html, csv, json, pdf, or a zip of them all.

    bundle.py    the data, built once (feature, figures, quotes by theme, sources)
    markdown.py  html.py  tabular.py (csv)  pdf.py  archive.py (zip + manifest)

`FORMATS` is the registry the CLI and the UI read (label, MIME type, renderer);
`Hub.export(feature_id, format, out)` calls `export_bundle`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from research_hub.core.errors import InvalidInputError
from research_hub.export import archive, bundle, html, markdown, pdf, tabular


@dataclass(frozen=True)
class ExportFormat:
    name: str  # also the file suffix
    label: str
    mime: str
    render: Callable[[dict[str, Any]], bytes]


def render_json(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _single(fmt: ExportFormat) -> bool:
    return fmt.name != "zip"


def render_zip(data: dict[str, Any]) -> bytes:
    return archive.render(data, {f.name: f.render for f in FORMATS.values() if _single(f)})


FORMATS: dict[str, ExportFormat] = {f.name: f for f in (
    ExportFormat("md", "Markdown", "text/markdown", markdown.render),
    ExportFormat("html", "HTML page", "text/html", html.render),
    ExportFormat("csv", "CSV", "text/csv", tabular.render),
    ExportFormat("json", "JSON", "application/json", render_json),
    ExportFormat("zip", "Zip (all)", "application/zip", render_zip),
    ExportFormat("pdf", "PDF", "application/pdf", pdf.render),
)}


def export_format(name: str) -> ExportFormat:
    name = (name or "").lower().lstrip(".")
    if name not in FORMATS:
        raise InvalidInputError(f"unknown format {name!r} (use {', '.join(FORMATS)})")
    return FORMATS[name]


def export_bundle(ws, feature_id: str, format: str = "md", out: str | Path | None = None) -> bytes:
    """The bundle as bytes; also written to `out` (a file, or a folder to put it in)."""
    fmt = export_format(format)
    data = bundle.build(ws, feature_id)
    rendered = fmt.render(data)
    if out is not None:
        write(rendered, Path(out), f"{archive.safe_stem(data['feature']['id'])}-evidence.{fmt.name}")
    return rendered


def write(data: bytes, out: Path, default_name: str) -> Path:
    target = out / default_name if out.is_dir() else out
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(target)
    return target
