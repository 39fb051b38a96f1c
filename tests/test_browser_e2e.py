"""The app in a real browser: Debian's Chromium driven by Playwright against `streamlit run`.

Upload a transcript on the Library page, ingest it, search for a phrase from it
and see the hit (its hostile markup shown as text). Then save a screenshot of
every page to docs/screenshots/ for the README.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.integration]
ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "docs" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"]
SLOW = 300_000  # ms: the first ingest or search loads the model inside the app
PHRASE = "the quarterly mileage log keeps vanishing"
TRANSCRIPT = f"""---
title: Interview with Priya (courier)
study: Browser test
date: 2026-11-20
---
Interviewer: What is the most annoying part of your week?
Priya: Honestly {PHRASE}, see <b>this</b> and [help](http://evil.example) or mail priya@example.com.
Interviewer: What do you do about it?
Priya: I keep a paper notebook in the van as a backup, which is silly in 2026.
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float = 180) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            pytest.fail(f"streamlit exited early:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"streamlit did not come up:\n{log.read_text()[-3000:]}")


@contextmanager
def served(cmd: list[str], env: dict, log: Path, port: int):
    """The app started by `cmd`, until it answers its health check; stopped afterwards."""
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc, log)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextmanager
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()


@contextmanager
def new_tab(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1200})
    pg = context.new_page()
    pg.set_default_timeout(SLOW)
    yield pg
    context.close()


@pytest.fixture(scope="module")
def workspace(sample_workspace, tmp_path_factory) -> Path:
    """A copy of the sample workspace with the roadmap imported and some evidence confirmed."""
    from research_hub import Hub

    home = tmp_path_factory.mktemp("browser") / "ws"
    shutil.copytree(sample_workspace, home)
    hub = Hub(home)
    hub.roadmap.import_file(ROOT / "sample_interviews" / "roadmap" / "features.csv")
    for feature in hub.roadmap.features()[:6]:
        suggestions = hub.roadmap.suggest(feature.id, k=6, themes=False)
        for s in suggestions.snippets[:4]:
            hub.roadmap.link(feature.id, s.snippet.snippet_id, note="confirmed for the screenshots")
    hub.close()
    return home


@pytest.fixture(scope="module")
def app_url(workspace, tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is not installed at /usr/bin/chromium (make browser)")
    pytest.importorskip("playwright.sync_api")
    port = free_port()
    log = tmp_path_factory.mktemp("streamlit") / "streamlit.log"
    env = {**os.environ, "RESEARCH_HUB_HOME": str(workspace), "HF_HUB_OFFLINE": "1"}
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
           "--server.port", str(port), "--server.headless", "true",
           "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
           "--browser.gatherUsageStats", "false", "--client.toolbarMode", "viewer"]
    with served(cmd, env, log, port) as url:
        yield url


@pytest.fixture(scope="module")
def browser(app_url):
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser):
    with new_tab(browser) as pg:
        yield pg


def settle(pg, quiet_checks: int = 4) -> None:
    """Wait until the script run is over (Streamlit's running indicator stays gone)."""
    pg.wait_for_selector("[data-testid=stMain]")
    busy = "[data-testid=stStatusWidget], [data-testid=stSpinner]"
    quiet, end = 0, time.monotonic() + SLOW / 1000
    while quiet < quiet_checks and time.monotonic() < end:
        quiet = 0 if pg.locator(busy).count() else quiet + 1
        time.sleep(0.5)
    assert not pg.locator("[data-testid=stException]").count(), \
        pg.locator("[data-testid=stException]").first.inner_text()


def open_page(pg, app_url: str, path: str = "") -> None:
    pg.goto(f"{app_url}/{path}")
    settle(pg)


def shoot(pg, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.mouse.move(0, 0)
    pg.wait_for_timeout(500)
    pg.screenshot(path=str(SHOTS / f"{name}.png"))


def search_for(pg, query: str) -> None:
    box = pg.get_by_role("textbox", name="Search quotes")
    box.fill(query)
    box.press("Enter")
    pg.wait_for_timeout(500)
    settle(pg)


def test_upload_ingest_search_and_see_the_hit(page, app_url, tmp_path):
    source = tmp_path / "priya_courier.txt"
    source.write_text(TRANSCRIPT, encoding="utf-8")
    open_page(page, app_url, "library")
    page.locator("[data-testid=stFileUploader] input[type=file]").set_input_files(str(source))
    page.get_by_text("priya_courier.txt").first.wait_for()
    settle(page)
    page.get_by_role("button", name="Ingest", exact=True).click()
    page.get_by_text("1 file processed").wait_for()
    settle(page)
    assert page.locator("[data-testid=stAlertContentSuccess]").count()
    shoot(page, "library")

    open_page(page, app_url)
    search_for(page, "mileage log vanishing")
    # the innermost block holding the phrase and the hit's buttons is its quote card
    card = page.locator("[data-testid=stVerticalBlock]", has_text=PHRASE,
                        has=page.locator("[data-testid=stPopover]")).last
    card.wait_for()
    text = card.inner_text().replace("\u2060", "")
    assert "Priya" in text and "Interview with Priya (courier)" in text
    # the quote's markup is shown as text: no link, no bold, nothing rendered from it
    assert "<b>this</b>" in text and "[help](http://evil.example)" in text
    assert "priya@example.com" in text
    assert card.locator("a").count() == 0 and card.locator("b").count() == 0
    assert card.locator("[data-testid=stMarkdown] span").count() >= 1, "matched terms are marked"


def test_screenshots_of_every_page(page, app_url):
    open_page(page, app_url)
    search_for(page, "exporting invoices is slow")
    page.get_by_text("quotes for").first.wait_for()
    shoot(page, "search")

    open_page(page, app_url, "themes")
    page.get_by_text("What hurts most").wait_for()
    page.locator("[data-testid=stVegaLiteChart]").first.wait_for()
    shoot(page, "themes")

    open_page(page, app_url, "roadmap")
    page.get_by_text("Confirmed evidence").first.wait_for()
    shoot(page, "roadmap")
    page.get_by_role("heading", name="Feature", exact=True).evaluate(
        "e => e.scrollIntoView({block: 'start'})")
    shoot(page, "roadmap-feature")

    open_page(page, app_url, "export")
    page.get_by_role("button", name="Download").wait_for()
    shoot(page, "export")

    open_page(page, app_url, "audit")
    page.get_by_role("button", name="Download CSV").wait_for()
    shoot(page, "audit")
    for name in ("library", "search", "themes", "roadmap", "roadmap-feature", "export", "audit"):
        assert (SHOTS / f"{name}.png").stat().st_size > 10_000


# -- highlights and Ask ------------------------------------------------------------
HIGHLIGHTED = "Two to three hours on a good week"
SELECT_JS = """(words) => {
  for (const el of document.querySelectorAll('.words')) {
    const node = [...el.childNodes].find(n => n.nodeType === 3 && n.data.includes(words));
    if (!node) continue;
    el.scrollIntoView({block: 'center'});
    const i = node.data.indexOf(words);
    const r = document.createRange();
    r.setStart(node, i); r.setEnd(node, i + 1);
    const a = r.getBoundingClientRect();
    r.setStart(node, i + words.length - 1); r.setEnd(node, i + words.length);
    const b = r.getBoundingClientRect();
    return [a.left + 1, a.top + a.height / 2, b.right - 1, b.top + b.height / 2];
  }
  return null;
}"""


def test_select_words_in_the_reader_to_highlight_them(page, app_url, workspace):
    from research_hub import Hub

    hub = Hub(workspace)
    doc = next(d for d in hub.documents() if "maria" in d.name)
    open_page(page, app_url, "library")
    page.get_by_role("combobox", name="Document").click()
    page.keyboard.type(doc.title[:30])
    page.keyboard.press("Enter")
    settle(page)
    page.get_by_role("radio", name="Highlight", exact=True).click()
    settle(page)
    reader = page.locator('iframe[src*="highlighter"]')
    reader.scroll_into_view_if_needed()
    frame = reader.element_handle().content_frame()
    frame.wait_for_selector(".words")
    ax, ay, bx, by = frame.evaluate(SELECT_JS, HIGHLIGHTED)
    box = reader.bounding_box()
    page.mouse.move(box["x"] + ax, box["y"] + ay)
    page.mouse.down()
    page.mouse.move(box["x"] + bx, box["y"] + by, steps=12)
    page.mouse.up()
    page.get_by_text("New highlight").wait_for()
    settle(page)
    page.get_by_label("Tags (comma-separated)").fill("admin time")
    page.get_by_role("button", name="Save highlight").click()
    page.get_by_text("Highlight saved.").wait_for()
    settle(page)
    made = hub.highlights.list(document=doc.id, tag="admin_time")
    assert [h.text for h in made] == [HIGHLIGHTED]
    text = hub.workspace.records.document_text(doc.id)
    assert text[made[0].char_start:made[0].char_end] == HIGHLIGHTED
    frame = page.locator('iframe[src*="highlighter"]').element_handle().content_frame()
    frame.wait_for_selector(f'mark[data-highlight="{made[0].id}"]')
    shoot(page, "library-highlight")
    hub.close()


def test_ask_a_question_and_see_grouped_quotes_with_counts(page, app_url, workspace):
    from research_hub import Hub

    question = "Why do exports fail or take so long?"
    hub = Hub(workspace)
    answer = hub.ask(question)
    hub.close()
    assert answer.groups
    open_page(page, app_url, "ask")
    box = page.get_by_role("textbox", name="Your question")
    box.fill(question)
    box.press("Enter")
    page.wait_for_timeout(500)
    settle(page)
    first = page.locator(".st-key-ask_group_0")
    first.wait_for()
    text = first.inner_text().replace("\u2060", "")
    g = answer.groups[0]
    assert f"{g.participants} of {g.of} participants" in text
    assert g.quotes[0].text.split("\n")[0][:60] in text
    assert page.locator("[class*='st-key-ask_group_']").count() == len(answer.groups)
    shoot(page, "ask")
    first.get_by_role("button", name="Draft an insight from this group").click()
    page.get_by_text("Draft insight created").wait_for()
    open_page(page, app_url, "insights")
    page.get_by_role("heading", name="Participants talk about").first.wait_for()
    page.get_by_text("Strength", exact=True).first.wait_for()
    shoot(page, "insights")
