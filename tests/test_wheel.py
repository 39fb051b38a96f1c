"""A wheel installed the ordinary way works: ingest a file, then `research-hub app` serves.

Builds the wheel from this checkout, installs it into a fresh virtual environment
(torch pinned first, as the Makefile does) and runs the installed command from a
folder outside the checkout, so nothing can come from the source tree.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_interviews" / "interviews"
pytestmark = pytest.mark.wheel


def run(cmd, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kwargs)
    assert done.returncode == 0, f"{' '.join(map(str, cmd))}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    source = tmp_path_factory.mktemp("source") / "research_hub"  # building writes build/ beside the sources
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", ".research_hub", "build", "dist", "__pycache__", "*.egg-info", ".pytest_cache"))
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", dist, source])
    return next(dist.glob("research_hub-*.whl"))


def test_the_wheel_holds_the_package_and_no_top_level_ingest(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert not [n for n in names if n.split("/")[0] in ("ingest", "app.py", "tests")]
    for needed in ("research_hub/ingest/pipeline.py", "research_hub/ingest/parsers/__init__.py",
                   "research_hub/ui/app.py", "research_hub/ui/search.py", "research_hub/store/schema.sql",
                   "research_hub/ui/components/highlighter/index.html"):
        assert needed in names


def test_an_installed_wheel_ingests_and_serves_the_app(wheel, tmp_path):
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", venv])
    bin_ = venv / "bin"
    run([bin_ / "python", "-m", "pip", "install", "-q", "--no-compile", "torch==2.13.0"])
    run([bin_ / "python", "-m", "pip", "install", "-q", "--no-compile", wheel])
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    transcript = shutil.copy(sorted(SAMPLE.rglob("*.md"))[0], elsewhere)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "RESEARCH_HUB_HOME")}
    env["HF_HUB_OFFLINE"] = "1"
    home = elsewhere / "ws"
    probe = run([bin_ / "python", "-c", "import importlib.util, research_hub; "
                 "print(importlib.util.find_spec('ingest') is None, research_hub.__file__)"],
                cwd=elsewhere, env=env).stdout.split()
    assert probe[0] == "True" and str(venv) in probe[1]
    out = run([bin_ / "research-hub", "--home", home, "ingest", transcript], cwd=elsewhere, env=env)
    assert "1 added" in out.stdout
    port = free_port()
    app = subprocess.Popen([bin_ / "research-hub", "--home", home, "app", "--port", str(port)],
                           cwd=elsewhere, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert _health(port, app) == "ok"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as page:
            assert page.status == 200
    finally:
        app.terminate()
        app.wait(timeout=30)


def _health(port: int, app: subprocess.Popen, wait: float = 180) -> str:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if app.poll() is not None:
            pytest.fail(f"the app exited: {app.stdout.read().decode(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=5) as r:
                return r.read().decode()
        except OSError:
            time.sleep(1)
    pytest.fail("the app did not answer /_stcore/health")
