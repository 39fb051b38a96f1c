"""Which files an ingest call means: folders are walked, hidden files skipped."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Candidate:
    path: Path
    folder_study: str | None  # name of the folder the file was found in, when walking one


def expand(paths: list[str | Path]) -> list[Candidate]:
    """Files named directly, plus every non-hidden file under named folders, sorted."""
    out: list[Candidate] = []
    seen: set[Path] = set()
    for given in paths:
        p = Path(given)
        if p.is_dir():
            files = sorted(f for f in p.rglob("*") if f.is_file() and not _hidden(f.relative_to(p)))
            found = [Candidate(f, f.parent.name) for f in files]
        else:
            found = [Candidate(p, None)]  # missing paths fail later with a clear reason
        for c in found:
            key = c.path.resolve() if c.path.exists() else c.path
            if key not in seen:
                seen.add(key)
                out.append(c)
    return out


def _hidden(rel: Path) -> bool:
    return any(part.startswith(".") or part == "__pycache__" for part in rel.parts)


def upload_name(name: str) -> str:
    """An uploaded file's name made safe to store: only its last part (either slash),
    printable, no leading dots, short enough for any file system (255 bytes)."""
    base = "".join(ch for ch in re.split(r"[\\/]", name)[-1] if ch.isprintable()).strip().lstrip(".")
    stem, dot, suffix = base.rpartition(".")
    if len(base.encode()) > 200:
        cut = (stem if dot else base).encode()[:150].decode("utf-8", "ignore")
        base = cut + (dot + suffix[:20] if dot else "")
    return base or "upload"
