"""Named crash points, so tests can kill or pause a process at an exact moment.

``crash_point("upserted")`` does nothing unless the environment says
``RESEARCH_HUB_CRASH_AT=upserted:2``: then the second time the process reaches
that point it kills itself with SIGKILL (no cleanup, no atexit, like a power cut).
``RESEARCH_HUB_PAUSE_AT=<stage>:<n>`` with ``RESEARCH_HUB_PAUSE_FILE=<path>``
instead writes ``<path>.reached`` and waits until ``<path>.go`` exists, so a test
can look at the workspace from another process at an exact moment.
"""
from __future__ import annotations

import os
import signal
import time
from collections import Counter
from pathlib import Path

from research_hub.core.settings import env_value

_reached: Counter = Counter()


def _matches(spec: str | None, stage: str) -> bool:
    if not spec:
        return False
    name, _, nth = spec.partition(":")
    return name == stage and _reached[stage] == int(nth or 1)


def crash_point(stage: str) -> None:
    """Die here (SIGKILL) or pause here when the environment asks for this stage."""
    crash, pause = env_value("crash_at"), env_value("pause_at")
    if not crash and not pause:
        return
    _reached[stage] += 1
    if _matches(crash, stage):
        os.kill(os.getpid(), signal.SIGKILL)
    if _matches(pause, stage):
        base = env_value("pause_file")
        Path(base + ".reached").write_text(stage)
        while not Path(base + ".go").exists():
            time.sleep(0.05)
