"""Healing the index after a crash.

SQLite is the truth and commits atomically; Chroma is written before and after
the SQLite transaction, so a process that dies mid-file can leave the index out
of step. Every block that writes both runs inside ``index_writes(home)``, which
leaves a marker file ``index.pending.<pid>`` until the block ends. On open,
``heal`` runs ``doctor(repair=True)`` when a marker of a dead process is there or
the counts differ, but only if it can take the write lock at once: while another
process holds it, a difference is that writer's work in progress, not damage.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from filelock import Timeout

from research_hub.store import upkeep

MARKER = "index.pending"


def _marker(home: Path) -> Path:
    return Path(home) / f"{MARKER}.{os.getpid()}"


@contextmanager
def index_writes(home: Path) -> Iterator[None]:
    """Mark the index as possibly out of step with SQLite while the block runs.

    The marker is removed only when the block ends normally; a crash or an
    exception leaves it, and the next open repairs the index.
    """
    marker = _marker(home)
    mine = not marker.exists()  # re-entrant: only the outermost block owns it
    if mine:
        marker.write_text(str(os.getpid()))
    yield
    if mine:
        marker.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def left_by_crash(home: Path) -> list[Path]:
    """Markers whose writer is gone (or is this process, after an exception)."""
    out = []
    for marker in Path(home).glob(f"{MARKER}.*"):
        pid = marker.suffix.lstrip(".")
        if not pid.isdigit() or int(pid) == os.getpid() or not _alive(int(pid)):
            out.append(marker)
    return out


def heal(ws) -> dict[str, Any] | None:
    """Repair the index if a writer died mid-way; None when nothing was needed or possible."""
    markers = left_by_crash(ws.home)
    if not markers and ws.index.count() == ws.records.counts()["snippets"]:
        return None
    lock = ws.write_lock()
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return None  # a writer is at work; what differs is its unfinished file
    try:
        markers = left_by_crash(ws.home)  # the lock may have changed the picture
        report = upkeep.doctor(ws, repair=True)
        remove_orphan_sources(ws)
        for marker in markers:
            marker.unlink(missing_ok=True)
        return report
    finally:
        lock.release()


def checked(ws, report):
    """After an ingest: a file that failed while being stored may have left vectors
    behind (the pipeline reports it and goes on), so repair before the marker goes."""
    if any(f.status == "failed" and "could not store" in (f.error or "") for f in report.files):
        upkeep.doctor(ws, repair=True)
        remove_orphan_sources(ws)
    return report


def remove_orphan_sources(ws) -> None:
    """Source copies (and half-written .tmp files) whose document never got committed."""
    folder = ws.settings.sources_dir
    if not folder.is_dir():
        return
    known = set(ws.records.stored_paths())
    for f in folder.iterdir():
        if f.is_file() and f.name.split(".", 1)[0] not in known:
            f.unlink(missing_ok=True)
