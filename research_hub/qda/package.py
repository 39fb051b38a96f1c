"""The .qdpx container: a zip of project.qde and Sources/, written and read with care.

Reading trusts nothing: member sizes are capped before anything is read, no
member name leaves the archive, and a source is found by its path inside
Sources/ whichever way a tool spelled it (`internal://x.txt`, `relative://x.txt`,
an absolute path, a bare file name).
"""
from __future__ import annotations

import io
import posixpath
import zipfile
from pathlib import Path

from research_hub.core.errors import InvalidInputError
from research_hub.export.archive import _zip_time

PROJECT = "project.qde"
SOURCES = "Sources"


def write(project_xml: bytes, sources: dict[str, str], created: str) -> bytes:
    """The zip: project.qde, then each source text as UTF-8 (no BOM) under Sources/."""
    stamp = _zip_time(created)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in [(PROJECT, project_xml),
                           *((f"{SOURCES}/{n}", t.encode("utf-8")) for n, t in sources.items())]:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return buf.getvalue()


class Package:
    """An opened .qdpx: its project XML and the bytes of the sources it holds."""

    def __init__(self, path: str | Path, max_bytes: int):
        self.path, self.max_bytes = Path(path), max_bytes
        try:
            self.zip = zipfile.ZipFile(self.path)
        except FileNotFoundError:
            raise InvalidInputError(f"{self.path}: not found") from None
        except (zipfile.BadZipFile, OSError) as exc:
            raise InvalidInputError(f"{self.path.name}: not a QDPX file (not a zip: {exc})") from None
        self.members = {i.filename: i for i in self.zip.infolist() if not i.is_dir()}
        self._by_base = {}
        for name in self.members:
            self._by_base.setdefault(posixpath.basename(name).lower(), name)

    def project(self) -> bytes:
        name = next((n for n in self.members if posixpath.basename(n).lower() == PROJECT), None)
        if name is None:
            raise InvalidInputError(f"{self.path.name}: no {PROJECT} inside, so not a REFI-QDA project")
        return self._read(name)

    def source(self, path: str) -> bytes | None:
        """The bytes of a source path as the project gives it, or None if the archive lacks it."""
        tail = path.split("://", 1)[-1].replace("\\", "/")
        for candidate in (f"{SOURCES}/{tail.lstrip('/')}", tail.lstrip("/")):
            if candidate in self.members:
                return self._read(candidate)
        found = self._by_base.get(posixpath.basename(tail).lower())
        return self._read(found) if found else None

    def _read(self, name: str) -> bytes:
        info = self.members[name]
        if info.file_size > self.max_bytes:
            raise InvalidInputError(f"{self.path.name}: {name} is {info.file_size:,} bytes, over the "
                                    f"{self.max_bytes:,} byte limit")
        with self.zip.open(info) as f:
            data = f.read(self.max_bytes + 1)
        if len(data) > self.max_bytes:  # the header lied about the size
            raise InvalidInputError(f"{self.path.name}: {name} is over the {self.max_bytes:,} byte limit")
        return data

    def close(self) -> None:
        self.zip.close()

    def __enter__(self) -> "Package":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
