"""The search index stays in step with the store: writes, deletes, tags, other processes."""
from __future__ import annotations

import shutil

import pytest

from research_hub.store.keyword import KeywordIndex
from tests.conftest import write
from tests.search_corpus import DOCS

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    from research_hub import Hub
    from research_hub.bench.search_store import fill_store

    home = tmp_path_factory.mktemp("search-index") / "ws"
    h = Hub(home)
    fill_store(h, DOCS)
    h.close()
    return home


@pytest.fixture
def store(template, tmp_path):
    from research_hub import Hub

    home = tmp_path / "ws"
    shutil.copytree(template, home)
    h = Hub(home)
    yield h
    h.close()


def ids(hits):
    return {h.snippet_id for h in hits}


def test_index_is_saved_and_reloaded_by_a_new_process(store, monkeypatch):
    from research_hub import Hub

    before = store.search("SSO", k=3)
    saved = [p for p in (store.home / "search").iterdir() if (p / "done").exists()]
    assert len(saved) == 1
    monkeypatch.setattr(KeywordIndex, "_build", lambda self: pytest.fail("rebuilt instead of loading"))
    again = Hub(store.home)
    assert [h.snippet_id for h in again.search("SSO", k=3)] == [h.snippet_id for h in before]


def test_unreadable_saved_index_is_rebuilt(store):
    from research_hub import Hub

    store.search("SSO", k=1)
    for f in (store.home / "search").glob("*/catalog.npz"):
        f.write_bytes(b"not a zip")
    assert "SSO" in Hub(store.home).search("SSO", k=1)[0].text


def test_deleted_document_leaves_search_at_once(store):
    assert any(h.document_title == "Jo interview" for h in store.search("bank feeds", k=5))
    store.delete_document("jo.txt")
    hits = store.search("bank feeds", k=5)
    assert hits and all(h.document_title != "Jo interview" for h in hits)
    assert store.search('"bank feeds"', k=5) == []


def test_manual_tags_reach_the_tag_filter(store):
    target = store.search("dark mode", k=1)[0]
    assert store.search("dark mode", k=5, tags=["accessibility"]) == []
    store.add_tag(target.snippet_id, "accessibility")
    assert ids(store.search("dark mode", k=5, tags=["accessibility"])) == {target.snippet_id}
    store.remove_tag(target.snippet_id, "accessibility")
    assert store.search("dark mode", k=5, tags=["accessibility"]) == []


def test_new_snippets_are_found_right_after_they_are_written(store):
    from research_hub.bench.search_store import fill_store

    assert store.search('"zebra invoices"', k=3) == []
    fill_store(store, [{"name": "new.txt", "study": "late", "snippets": [
        {"participant": "Zed", "text": "I would love zebra invoices with stripes."}]}])
    hits = store.search('"zebra invoices"', k=3)
    assert [h.participant for h in hits] == ["Zed"]


def test_another_process_writing_is_noticed(store):
    from research_hub import Hub

    assert any(h.participant == "Maria" for h in store.search("SSO", k=3))
    other = Hub(store.home)  # its own SQLite connection, like a second process
    other.delete_document("maria.txt")
    other.close()
    assert all(h.participant != "Maria" for h in store.search("SSO", k=3))


def test_reindex_keeps_search_working(store):
    before = [h.snippet_id for h in store.search("receipt scanner", k=3)]
    store.reindex()
    assert [h.snippet_id for h in store.search("receipt scanner", k=3)] == before


def test_ingest_and_reingest_of_a_changed_file(hub, tmp_path):
    path = write(tmp_path / "in" / "ana.txt",
                 "Interviewer: How do you log in?\nAna: Our team wants SSO through Azure.\n")
    assert hub.ingest([path]).ok
    hit = hub.search("SSO", k=1)[0]
    assert hit.participant == "Ana" and hit.context and "log in" in hit.context
    write(path, "Interviewer: How do you log in?\nAna: Passkeys would be lovely.\n")
    assert hub.ingest([path]).ok
    assert hub.search('"Azure"', k=3) == []
    assert "Passkeys" in hub.search("passkeys", k=1)[0].text


def test_what_a_reader_remembers_per_connection_starts_fresh_with_each_connection(tmp_path):
    """A thread's connection gets its own state: data_version readings of a closed
    connection (whose id() the next one may reuse) never vouch for a new one."""
    import threading

    from research_hub.store.db import Database

    db = Database(tmp_path / "hub.sqlite")
    db.connection_state()["seen"] = 1
    assert db.connection_state() == {"seen": 1}
    other = []
    t = threading.Thread(target=lambda: other.append(dict(db.connection_state())))
    t.start()
    t.join()
    assert other == [{}]
