"""Sign-in and roles in a real browser: `research-hub app` on a workspace with accounts,
driven by Debian's Chromium. A wrong password is refused; a viewer sees no ingest, tag,
link or delete controls; an editor's evidence link is recorded under their name."""
from __future__ import annotations

import os
import shutil
import sys

import pytest

from tests.test_browser_e2e import CHROMIUM, ROOT, chromium, free_port, new_tab, served, settle

pytestmark = [pytest.mark.browser, pytest.mark.integration]
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def team_workspace(sample_workspace, tmp_path_factory):
    from research_hub import Hub

    home = tmp_path_factory.mktemp("team") / "ws"
    shutil.copytree(sample_workspace, home)
    hub = Hub(home)
    hub.roadmap.import_file(ROOT / "sample_interviews" / "roadmap" / "features.csv")
    hub.add_user("eve", PASSWORD, "editor")
    hub.add_user("vic", PASSWORD, "viewer")
    hub.close()
    return home


@pytest.fixture(scope="module")
def team_url(team_workspace, tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is not installed at /usr/bin/chromium (make browser)")
    pytest.importorskip("playwright.sync_api")
    port = free_port()
    log = tmp_path_factory.mktemp("team-app") / "app.log"
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    cmd = [sys.executable, "-c", "from research_hub.cli import main; main()", "--home", str(team_workspace),
           "app", "--port", str(port)]
    with served(cmd, env, log, port) as url:
        yield url


@pytest.fixture(scope="module")
def team_browser(team_url):
    with chromium() as b:
        yield b


@pytest.fixture
def tab(team_browser):
    with new_tab(team_browser) as pg:
        yield pg


def sign_in(pg, url: str, name: str, password: str) -> None:
    pg.goto(url)
    settle(pg)
    pg.get_by_role("textbox", name="Account").fill(name)
    pg.get_by_role("textbox", name="Password").fill(password)
    pg.get_by_role("button", name="Sign in").click()
    pg.wait_for_timeout(500)
    settle(pg)


def search(pg, query: str) -> None:
    box = pg.get_by_role("textbox", name="Search quotes")
    box.fill(query)
    box.press("Enter")
    pg.wait_for_timeout(500)
    settle(pg)
    pg.get_by_text("quotes for").first.wait_for()


def test_sign_in_is_required_and_a_wrong_password_is_refused(tab, team_url):
    tab.goto(team_url)
    settle(tab)
    assert tab.get_by_role("button", name="Sign in").count() == 1
    assert tab.get_by_role("textbox", name="Search quotes").count() == 0  # no page before sign-in
    sign_in(tab, team_url, "vic", "not the password")
    tab.get_by_text("wrong account name or password").wait_for()
    assert tab.get_by_role("textbox", name="Search quotes").count() == 0


def test_a_viewer_reads_and_searches_but_sees_no_ingest_tag_or_delete(tab, team_url, team_workspace):
    from research_hub import Hub

    sign_in(tab, team_url, "vic", PASSWORD)
    tab.get_by_text("Signed in as").wait_for()
    assert "vic (viewer)" in tab.locator("[data-testid=stSidebar]").inner_text()
    search(tab, "exporting invoices is slow")
    assert tab.locator("[data-testid=stPopover]").count() == 0  # no Tags / Link to feature
    tab.get_by_role("link", name="Library").click()
    settle(tab)
    tab.get_by_text("Documents").first.wait_for()
    assert tab.locator("[data-testid=stFileUploader]").count() == 0
    assert tab.get_by_role("button", name="Ingest").count() == 0
    doc = Hub(team_workspace).documents()[0]
    tab.get_by_role("combobox", name="Document").click()
    tab.keyboard.type(doc.title[:30])
    tab.keyboard.press("Enter")
    settle(tab)
    tab.get_by_role("heading", name=doc.title).wait_for()
    assert tab.get_by_text("Delete this document").count() == 0
    assert tab.get_by_role("radio", name="Highlight").count() == 0
    tab.get_by_role("button", name="Sign out").click()
    settle(tab)
    tab.get_by_role("button", name="Sign in").wait_for()


def test_an_editors_evidence_link_is_recorded_under_their_name(tab, team_url, team_workspace):
    from research_hub import Hub

    sign_in(tab, team_url, "eve", PASSWORD)
    search(tab, "exporting invoices is slow")
    assert tab.get_by_role("button", name="Ingest").count() == 0
    tab.locator("[data-testid=stPopover]", has_text="Link to feature").first.click()
    tab.get_by_role("button", name="Link as evidence").first.click()
    tab.get_by_text("as confirmed evidence").wait_for()
    hub = Hub(team_workspace)
    links = [link for f in hub.roadmap.features() for link in hub.roadmap.links(f.id, "confirmed")]
    hub.close()
    assert links and {link["who"] for link in links} == {"eve"}
