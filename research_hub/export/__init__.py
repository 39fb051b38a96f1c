"""Evidence bundles for a feature: md, html, csv, json, pdf, or a zip of them all.

    bundle.py    the data, built once (feature, figures, quotes by theme, sources)
    markdown.py  html.py  tabular.py (csv)  pdf.py  archive.py (zip + manifest)

`Hub.export(feature_id, format, out)` calls `export_bundle`.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

from research_hub.export import archive, bundle, html, markdown, pdf, tabular

FORMATS = ("md", "html", "csv", "json", "zip", "pdf")


def render_json(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


RENDERERS: dict[str, Callable[[dict], bytes]] = {
    "md": markdown.render, "html": html.render, "csv": tabular.render, "json": render_json,
    "pdf": pdf.render}


def render(data: dict[str, Any], format: str) -> bytes:
    if format == "zip":
        return archive.render(data, RENDERERS)
    return RENDERERS[format](data)


def export_bundle(hub, feature_id: str, format: str = "md", out: str | Path | None = None) -> bytes:
    """The bundle as bytes; also written to `out` (a file, or a folder to put it in)."""
    format = (format or "").lower().lstrip(".")
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r} (use {', '.join(FORMATS)})")
    data = render(bundle.build(hub, feature_id), format)
    if out is not None:
        write(data, Path(out), f"{archive.safe_stem(hub.roadmap.feature(feature_id).id)}-evidence.{format}")
    return data


def write(data: bytes, out: Path, default_name: str) -> Path:
    target = out / default_name if out.is_dir() else out
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(target)
    return target
