"""bench cold: a new `research-hub` process per command on the sample workspace.

The sample interviews are ingested once; each backend gets a copy of that
workspace, reindexed with its own vectors. Every timed run is a fresh process
(`research-hub search ...` exactly as a user types it): wall time and peak
resident memory from the kernel's accounting of the child (wait4), median of
`repeat` runs after one untimed run that leaves Python's bytecode cache and the
OS file cache as any second use finds them. torch is the baseline measured in
the same run. Each reading command is also run once inside a wrapper that
lists which heavy libraries it imported: none of them may load torch,
transformers, sentence-transformers or spaCy.
"""
from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable

from research_hub.embed import BACKENDS
from research_hub.hub import Hub

QUERY = "export is slow"
COMMANDS = {"search": ["search", QUERY, "--k", "10"], "stats": ["stats"], "snippets": ["snippets"],
            "features list": ["features", "list"], "themes": ["themes"]}
HEAVY = ("torch", "transformers", "sentence_transformers", "spacy", "thinc")
WRAPPER = """import json, sys
sys.argv = ["research-hub"] + json.loads(sys.argv[1])
from research_hub.cli import main
try:
    main()
except SystemExit:
    pass
heavy = [m for m in %r if m in sys.modules]
open(%r, "w").write(json.dumps(heavy))
"""


LAUNCHER = """import json, resource, subprocess, sys, time
argv, timeout = json.loads(sys.argv[1]), json.loads(sys.argv[2])
started = time.perf_counter()
try:
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=timeout)
    code, err = done.returncode, done.stderr.decode(errors="replace")[-500:]
except subprocess.TimeoutExpired:
    code, err = -9, f"stopped after {timeout} s"
wall = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps([code, wall, peak, err]))
"""


def _cli() -> list[str]:
    script = Path(sys.executable).with_name("research-hub")
    return [str(script)] if script.exists() else [sys.executable, "-m", "research_hub.cli"]


def _env(home: Path, backend: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "RESEARCH_HUB_HOME": str(home), "RESEARCH_HUB_BACKEND": backend}


def timed(argv: list[str], env: dict[str, str], timeout: float | None = None) -> tuple[float, float]:
    """(wall seconds, peak resident MB) of one new process.

    Started from a small launcher: a child's peak memory counts the parent's memory at
    fork, and this process holds spaCy and torch after the ingest."""
    done = subprocess.run([sys.executable, "-c", LAUNCHER, json.dumps(argv), json.dumps(timeout)], env=env,
                          capture_output=True, text=True, check=True)
    code, wall, peak_kb, err = json.loads(done.stdout)
    if code != 0:
        raise RuntimeError(f"{' '.join(argv[-4:])} failed: {err}")
    return wall, peak_kb / 1024  # Linux reports KB


def heavy_imports(args: list[str], env: dict[str, str], tmp: Path) -> list[str]:
    out = tmp / "imported.json"
    code = WRAPPER % (list(HEAVY), str(out))
    subprocess.run([sys.executable, "-c", code, json.dumps(args)], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return json.loads(out.read_text())


def workspaces(samples: Path, tmp: Path, backends: tuple[str, ...], out: Callable) -> dict[str, Path]:
    first = tmp / f"ws-{backends[0]}"
    out(f"ingesting {samples} on {backends[0]} ...")
    hub = Hub(first, backend=backends[0])
    report = hub.ingest([samples])
    hub.close()
    if not report.ok:
        raise RuntimeError(f"could not ingest the samples: {report.failed[0].error}")
    homes = {backends[0]: first}
    for b in backends[1:]:
        homes[b] = tmp / f"ws-{b}"
        shutil.copytree(first, homes[b])
        out(f"reindexing a copy on {b} ...")
        hub = Hub(homes[b], backend=b)
        hub.reindex()
        hub.close()
    return homes


def run(samples: Path, backends: tuple[str, ...] = BACKENDS, repeat: int = 5, out: Callable = print) -> dict:
    load = [os.getloadavg()[0]]
    rows, imports = [], {}
    with tempfile.TemporaryDirectory(prefix="rh-bench-cold-") as tmp:
        homes = workspaces(samples, Path(tmp), backends, out)
        for b in backends:
            env = _env(homes[b], b)
            argv = _cli() + COMMANDS["search"]
            timed(argv, env)  # untimed: bytecode and file caches as a second use finds them
            runs = [timed(argv, env) for _ in range(repeat)]
            rows.append({"backend": b, "runs": repeat,
                         "wall_s_median": round(statistics.median(r[0] for r in runs), 3),
                         "wall_s_min_max": f"{min(r[0] for r in runs):.2f}-{max(r[0] for r in runs):.2f}",
                         "peak_mb_median": round(statistics.median(r[1] for r in runs), 1)})
            out(f"  {rows[-1]}")
        default = backends[0]
        env = _env(homes[default], default)
        for name, args in COMMANDS.items():
            wall, mb = timed(_cli() + args, env)
            imports[name] = {"heavy_imports": heavy_imports(args, env, Path(tmp)) or "none",
                             "wall_s": round(wall, 2), "peak_mb": round(mb, 1)}
            out(f"  {name}: {imports[name]}")
    load.append(os.getloadavg()[0])
    return {"workspace": f"sample_interviews ingested, query {QUERY!r}",
            "load_average_1min (start, end)": f"{load[0]:.1f}, {load[1]:.1f} on {os.cpu_count()} cores",
            "search": rows, "commands": imports}
