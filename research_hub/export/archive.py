"""Zip bundle: every format plus manifest.json with a sha256 of each file in the
zip and of each cited source file (the workspace copy; for an intact copy that
hash equals the document id, which `matches_document_id` records)."""
from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from typing import Any, Callable

NOTE = ("Quotes are verbatim; in the csv a cell starting with = + - @ tab or CR has a leading "
        "single quote added against spreadsheet formula injection. Offsets index the stored "
        "document text; source sha256 is of the original file.")


def safe_stem(feature_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", feature_id).strip("._") or "feature"


def render(bundle: dict[str, Any], renderers: dict[str, Callable[[dict], bytes]]) -> bytes:
    stem = f"{safe_stem(bundle['feature']['id'])}-evidence"
    files = {f"{stem}.{fmt}": render_one(bundle) for fmt, render_one in renderers.items()}
    manifest = {
        "bundle": bundle["bundle"], "version": bundle["version"], "feature_id": bundle["feature"]["id"],
        "generated_at": bundle["generated_at"], "note": NOTE,
        "files": [{"name": name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
                  for name, data in files.items()],
        "sources": bundle["sources"],
    }
    files["manifest.json"] = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
    stamp = _zip_time(bundle["generated_at"])
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            info = zipfile.ZipInfo(f"{stem}/{name}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return buf.getvalue()


def _zip_time(iso: str) -> tuple[int, int, int, int, int, int]:
    try:
        d, t = iso[:10], iso[11:19]
        y, mo, day = (int(x) for x in d.split("-"))
        h, mi, s = (int(x) for x in t.split(":"))
        return (max(1980, y), mo, day, h, mi, s)
    except ValueError:
        return (1980, 1, 1, 0, 0, 0)
