"""`bench load`: concurrent app sessions searching while an ingest runs in another process.

The real app (`research-hub app` on a free loopback port) is driven by Debian's Chromium
through Playwright: each session is its own browser context (its own Streamlit session),
types a query, and waits until every result card is drawn. Every search is checked
against a direct `hub.search` in this process, made just before and just after it: the
app's quotes must be the same, in the same order, as one of the two (an ingest commit
between them can change the ranking; a mismatch with no commit between is wrong).

Same-run baseline: one session searching the same workspace alone, before the ingest.
Data: the Anthropic Interviewer transcripts (Handa et al., Anthropic, 2025; CC BY).
"""
from __future__ import annotations

import asyncio
import csv
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np

from research_hub.hub import Hub

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"]
QUERIES = ["the AI makes mistakes I have to fix", "worried it will replace my job",
           "it saves me time on boring tasks", "I do not trust the answers",
           "writing the first draft", "it hallucinates citations", "brainstorming ideas with it",
           "my clients do not want AI work", "checking its code takes longer", "losing my own voice",
           "using it to analyse data", "it forgets the context"]
RESULTS = 10  # the app's default number of results
WAIT_MS = 600_000
DONE_JS = """(q) => {
  const main = document.querySelector('[data-testid=stMain]');
  if (!main || main.querySelector('[data-stale="true"]')) return false;
  const text = main.innerText.replace(/\\u2060/g, '');
  const m = text.match(/(\\d+) quotes? for (.*)/);
  if (!m || m[2].trim() !== q) return false;
  return (text.match(/ · score \\d/g) || []).length === Number(m[1]);
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cli(home: Path, *args: str) -> list[str]:
    return [sys.executable, "-c", "from research_hub.cli import main; main()", "--home", str(home), *args]


def write_interviews(source: Path, out: Path, skip: int, count: int) -> list[Path]:
    """Interviews `skip` .. `skip + count` of a transcripts CSV, one .txt file each."""
    csv.field_size_limit(1 << 30)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    with source.open(newline="", encoding="utf-8") as f:
        for i, row in enumerate(csv.DictReader(f)):
            if skip <= i < skip + count:
                path = out / f"{row['transcript_id']}.txt"
                path.write_text(row["text"], encoding="utf-8")
                paths.append(path)
    return paths


def start_app(home: Path, log: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    with open(log, "w") as out:
        proc = subprocess.Popen(_cli(home, "app", "--port", str(port)), env=env, stdout=out,
                                stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    end = time.monotonic() + 180
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited early: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    raise RuntimeError(f"the app did not come up: {log.read_text()[-2000:]}")


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u2060", "")).strip()


def matches(page_text: str, hits) -> bool:
    """The hits' quotes all appear on the page, in their order."""
    text, pos = _norm(page_text), 0
    for hit in hits:
        at = text.find(_norm(hit.text)[:80], pos)
        if at < 0:
            return False
        pos = at + 1
    return True


class Checker:
    """Direct searches in this process, off the event loop, to check what the app shows.

    A query's hits depend only on the query and the stored corpus, so they are kept per
    (query, corpus version): twenty sessions asking the same thing cost one direct search."""

    def __init__(self, hub: Hub):
        self.hub, self.cache = hub, {}

    def version(self) -> tuple[int, int]:
        counts = self.hub.workspace.records.counts()
        return counts["documents"], counts["snippets"]

    def _hits(self, query: str):
        version = self.version()
        if (query, version) not in self.cache:
            hits = self.hub.search(query, k=RESULTS)
            if self.version() != version:  # a commit landed during the search: do not keep it
                return version, hits
            self.cache[(query, version)] = hits
        return version, self.cache[(query, version)]

    async def snapshot(self, query: str):
        return await asyncio.to_thread(self._hits, query)


async def one_search(page, query: str, checker: Checker, record: list, ingest) -> None:
    during = ingest is not None and ingest.poll() is None
    version, before = await checker.snapshot(query)
    box = page.get_by_role("textbox", name="Search quotes")
    await box.fill(query)
    started = time.monotonic()
    await box.press("Enter")
    await page.wait_for_function(DONE_JS, arg=query, timeout=WAIT_MS, polling=50)
    seconds = time.monotonic() - started
    shown = await page.locator("[data-testid=stMain]").inner_text()
    errors = await page.locator("[data-testid=stException], [data-testid=stAlertContentError]").count()
    version_after, after = await checker.snapshot(query)
    ok = not errors and (matches(shown, before) or matches(shown, after))
    verdict = "correct" if ok else "raced" if version_after != version and not errors else "wrong"
    record.append({"query": query, "seconds": seconds, "verdict": verdict,
                   "during_ingest": during or (ingest is not None and ingest.poll() is None)})
    if verdict == "wrong":
        record[-1]["detail"] = {"shown": _norm(shown)[:1500], "expected": [_norm(h.text)[:80] for h in after]}


async def open_session(browser, url: str):
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(WAIT_MS)
    await page.goto(url)
    await page.get_by_role("textbox", name="Search quotes").wait_for()
    return context, page


async def searching(page, index: int, searches: int, checker: Checker, record: list,
                    ingest=None, cap: int = 40) -> None:
    """`searches` searches, and more while the ingest runs (up to `cap`)."""
    n = 0
    while n < searches or (ingest is not None and ingest.poll() is None and n < cap):
        await one_search(page, QUERIES[(index + n) % len(QUERIES)], checker, record, ingest)
        n += 1


async def session(browser, url: str, index: int, searches: int, checker: Checker, record: list) -> None:
    context, page = await open_session(browser, url)
    await searching(page, index, searches, checker, record)
    await context.close()


def _figures(record: list) -> dict:
    secs = np.array([r["seconds"] for r in record]) * 1000
    verdicts = [r["verdict"] for r in record]
    return {"searches": len(record), "p50_ms": round(float(np.percentile(secs, 50))),
            "p95_ms": round(float(np.percentile(secs, 95))), "max_ms": round(float(secs.max())),
            "correct": verdicts.count("correct"), "raced": verdicts.count("raced"),
            "wrong": verdicts.count("wrong"),
            "wrong_examples": [r["detail"] for r in record if "detail" in r][:3],
            "during_ingest": sum(r["during_ingest"] for r in record)}


async def drive(url: str, home: Path, live: Path, sessions: int, searches: int, checker: Checker,
                work: Path, out) -> dict:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        warm: list = []
        out("warming up the app (the model loads on its first search)...")
        await session(browser, url, 0, 1, checker, warm)
        alone: list = []
        out(f"baseline: 1 session, {len(QUERIES)} searches, no ingest...")
        await session(browser, url, 0, len(QUERIES), checker, alone)
        out(f"load: opening {sessions} sessions...")
        opened = await asyncio.gather(*(open_session(browser, url) for _ in range(sessions)))
        out(f"load: {sessions} sessions searching while `ingest` runs in another process...")
        with open(work / "ingest.json", "w") as report:
            started = time.monotonic()
            ingest = subprocess.Popen(_cli(home, "ingest", str(live), "--study", "live", "--json"),
                                      stdout=report, stderr=subprocess.DEVNULL,
                                      env={**os.environ, "HF_HUB_OFFLINE": "1"})
            loaded: list = []
            await asyncio.gather(*(searching(page, i, searches, checker, loaded, ingest)
                                   for i, (_, page) in enumerate(opened)))
            ingest.wait()
            ingest_seconds = time.monotonic() - started
        out("settled: every session searches once more, the ingest over...")
        settled: list = []
        await asyncio.gather(*(searching(page, i + 5, 1, checker, settled) for i, (_, page) in enumerate(opened)))
        await browser.close()
    return {"alone": alone, "loaded": loaded, "settled": settled, "ingest_rc": ingest.returncode,
            "ingest_seconds": ingest_seconds}


def run(eval_dir: Path, sessions: int = 20, searches: int = 3, base: int = 20, live: int = 30,
        out=print) -> dict:
    if not CHROMIUM.exists():
        raise RuntimeError("Debian's Chromium is not at /usr/bin/chromium (sudo apt-get install chromium)")
    source = eval_dir / "interviews" / "anthropic_interviewer" / "creatives_transcripts.csv"
    if not source.is_file():
        raise FileNotFoundError(f"the eval interviews are not at {source}")
    work = Path(tempfile.mkdtemp(prefix="rh-bench-load-"))
    home = work / "ws"
    base_files = write_interviews(source, work / "base", 0, base)
    live_files = write_interviews(source, work / "live", base, live)
    out(f"ingesting {len(base_files)} interviews as the searched corpus...")
    hub = Hub(home)
    if not hub.ingest([work / "base"], study="base").ok:
        raise RuntimeError(f"the base interviews did not ingest into {home}")
    proc, url = start_app(home, work / "app.log")
    try:
        runs = asyncio.run(drive(url, home, work / "live", sessions, searches, Checker(hub), work, out))
    finally:
        proc.terminate()
        proc.wait(30)
    report = json.loads((work / "ingest.json").read_text() or "{}")
    stats = hub.stats()
    alone, loaded, settled = (_figures(runs[name]) for name in ("alone", "loaded", "settled"))
    result = {"sessions": sessions, "corpus": f"{len(base_files)} + {len(live_files)} Anthropic Interviewer "
              "creatives interviews (CC BY)", "alone": alone, "loaded": loaded, "settled": settled,
              "p50_ratio": round(loaded["p50_ms"] / max(alone["p50_ms"], 1), 2),
              "p95_ratio": round(loaded["p95_ms"] / max(alone["p95_ms"], 1), 2),
              "ingest_ok": runs["ingest_rc"] == 0 and all(f["status"] != "failed" for f in report.get("files", [])),
              "ingest_seconds": round(runs["ingest_seconds"], 1),
              "documents": stats["documents"], "documents_expected": len(base_files) + len(live_files),
              "vectors_match": stats["vectors"] == stats["snippets"], "doctor_ok": hub.doctor()["ok"],
              "app_errors_logged": (work / "app.log").read_text().count("Traceback"),
              "note": "a shared machine: absolute times are inflated by other work, compare the ratios"}
    hub.close()
    shutil.rmtree(work, ignore_errors=True)
    return result
