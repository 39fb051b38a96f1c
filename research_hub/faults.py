"""Crash safety: named crash points for tests, and healing the index after a crash.

Crash points. ``crash_point("upserted")`` does nothing unless the environment says
``RESEARCH_HUB_CRASH_AT=upserted:2``: then the second time the process reaches
that point it kills itself with SIGKILL (no cleanup, no atexit, like a power cut).
``RESEARCH_HUB_PAUSE_AT=<stage>:<n>`` with ``RESEARCH_HUB_PAUSE_FILE=<path>``
instead writes ``<path>.reached`` and waits until ``<path>.go`` exists, so a test
can look at the workspace from another process at an exact moment.

Healing. SQLite is the truth and commits atomically; Chroma is written before and
after the SQLite transaction, so a process that dies mid-file can leave the index
out of step. Every block that writes both runs inside ``index_writes(home)``,
which leaves a marker file ``index.pending.<pid>`` until the block ends. On open,
``heal`` runs ``doctor(repair=True)`` when a marker of a dead process is there or
the counts differ, but only if it can take the write lock at once: while another
process holds it, a difference is that writer's work in progress, not damage.
"""
from __future__ import annotations

import os
import signal
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from filelock import Timeout

CRASH_ENV = "RESEARCH_HUB_CRASH_AT"
PAUSE_ENV = "RESEARCH_HUB_PAUSE_AT"
PAUSE_FILE_ENV = "RESEARCH_HUB_PAUSE_FILE"
MARKER = "index.pending"

_reached: Counter = Counter()


def _matches(spec: str | None, stage: str) -> bool:
    if not spec:
        return False
    name, _, nth = spec.partition(":")
    return name == stage and _reached[stage] == int(nth or 1)


def crash_point(stage: str) -> None:
    """Die here (SIGKILL) or pause here when the environment asks for this stage."""
    crash, pause = os.environ.get(CRASH_ENV), os.environ.get(PAUSE_ENV)
    if not crash and not pause:
        return
    _reached[stage] += 1
    if _matches(crash, stage):
        os.kill(os.getpid(), signal.SIGKILL)
    if _matches(pause, stage):
        base = os.environ[PAUSE_FILE_ENV]
        Path(base + ".reached").write_text(stage)
        while not Path(base + ".go").exists():
            time.sleep(0.05)


# -- the marker ----------------------------------------------------------------
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


def heal(hub) -> dict[str, Any] | None:
    """Repair the index if a writer died mid-way; None when nothing was needed or possible."""
    markers = left_by_crash(hub.home)
    if not markers and hub.index.count() == hub.db.scalar("SELECT count(*) FROM snippets"):
        return None
    lock = hub.write_lock()
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return None  # a writer is at work; what differs is its unfinished file
    try:
        markers = left_by_crash(hub.home)  # the lock may have changed the picture
        report = hub.doctor(repair=True)
        _remove_orphan_sources(hub)
        for marker in markers:
            marker.unlink(missing_ok=True)
        return report
    finally:
        lock.release()


def checked(hub, report):
    """After an ingest: a file that failed while being stored may have left vectors
    behind (the pipeline reports it and goes on), so repair before the marker goes."""
    if any(f.status == "failed" and "could not store" in (f.error or "") for f in report.files):
        hub.doctor(repair=True)
        _remove_orphan_sources(hub)
    return report


def _remove_orphan_sources(hub) -> None:
    """Source copies (and half-written .tmp files) whose document never got committed."""
    folder = hub.settings.sources_dir
    if not folder.is_dir():
        return
    known = {r[0] for r in hub.db.query("SELECT id FROM documents")}
    for f in folder.iterdir():
        if f.is_file() and f.name.split(".", 1)[0] not in known:
            f.unlink(missing_ok=True)
