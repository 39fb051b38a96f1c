"""Highlights: exact spans of one speaker's words, tagged, searchable, and kept across
re-ingest (followed when their words are unchanged, flagged when they changed).
One small ingested workspace for the module; each re-ingest scenario has its own file."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from research_hub.core.errors import InvalidInputError, NotFoundError
from research_hub.store.spans import index_to_utf16, utf16_to_index
from tests.conftest import write

pytestmark = pytest.mark.integration

MAIN = """---
study: pilot
date: 2026-04-02
---
Interviewer: How do you reconcile the books?
Maria: The bank feed drops every Monday, so I re-import the CSV by hand 😤 and it takes an hour.
Maria: And the categories reset afterwards, which nobody warned me about.
Interviewer: What would you change?
Maria: I'd want the feed to reconnect itself without asking me.
"""
FOLLOW = """Interviewer: Tell me about month end.
Omar: Chasing receipts is the worst part of my month.
Interviewer: Anything else?
Omar: The mobile app logs me out every single day.
"""
MOVED = """Interviewer: First, a warm-up question.
Omar: I run a small bakery with two staff and a van.
""" + FOLLOW
SAME_WORDS = """Interviewer: How is the export?
Lena: The export is too slow for me on busy days.
Interviewer: And the sync?
Lena: Honestly the sync is too slow on Fridays as well.
"""
CHANGED = SAME_WORDS.replace("The export is too slow for me on busy days.", "The export is quick now, thanks.")


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    from research_hub import Hub

    root = tmp_path_factory.mktemp("highlights")
    files = {"main.txt": MAIN, "follow.txt": FOLLOW, "same.txt": SAME_WORDS, "gone.txt": FOLLOW.replace("Omar", "Ines")}
    for name, text in files.items():
        write(root / "in" / name, text)
    hub = Hub(root / "ws")
    assert hub.ingest([root / "in"]).ok
    hub.roadmap.add("Bank feed reliability", feature_id="BANK")
    hub.root = root
    yield hub
    hub.close()


def doc(hub, name):
    d = next(d for d in hub.documents() if d.name == name)
    return d, hub.workspace.records.document_text(d.id)


def span(text, words):
    start = text.index(words)
    return start, start + len(words)


def test_a_highlight_is_the_document_text_at_its_offsets(ws):
    d, text = doc(ws, "main.txt")
    start, end = span(text, "drops every Monday, so I re-import the CSV by hand 😤")
    h = ws.highlights.add(d.id, start - 1, end + 1, tags=["Bank Feed", "manual work"])  # spaces trimmed
    assert (h.char_start, h.char_end) == (start, end)
    assert text[h.char_start:h.char_end] == h.text == "drops every Monday, so I re-import the CSV by hand 😤"
    assert (h.speaker, h.role, h.participant, h.state) == ("Maria", "participant", "Maria", "ok")
    assert h.tags == ["bank_feed", "manual_work"] and h.line == text.count("\n", 0, start) + 1
    again = ws.highlights.add(d.id, start, end, tags=["monday"])
    assert again.id == h.id and again.tags == ["bank_feed", "manual_work", "monday"]


def test_a_highlight_may_span_consecutive_turns_of_one_speaker_but_never_another_voice(ws):
    d, text = doc(ws, "main.txt")
    start = text.index("it takes an hour.")
    end = text.index("nobody warned me") + len("nobody warned me")
    h = ws.highlights.add(d.id, start, end)
    assert text[h.char_start:h.char_end] == h.text and "Maria: And the categories" in h.text
    with pytest.raises(InvalidInputError, match="one speaker"):
        ws.highlights.add(d.id, text.index("books?") , text.index("bank feed"))
    with pytest.raises(InvalidInputError, match="one speaker"):
        ws.highlights.add(d.id, text.index("nobody warned"), text.index("reconnect itself"))
    with pytest.raises(InvalidInputError, match="outside"):
        ws.highlights.add(d.id, 5, len(text) + 3)
    with pytest.raises(NotFoundError):
        ws.highlights.add("no-such-document", 0, 3)


def test_interviewer_words_can_be_marked_but_are_not_evidence(ws):
    d, text = doc(ws, "main.txt")
    h = ws.highlights.add(d.id, *span(text, "How do you reconcile the books?"))
    assert h.role == "interviewer"
    with pytest.raises(InvalidInputError, match="not evidence"):
        ws.highlights.link(h.id, feature="BANK")
    ws.highlights.remove(h.id)
    with pytest.raises(NotFoundError):
        ws.highlights.get(h.id)


def test_the_reader_shows_each_block_as_is_and_offsets_survive_utf16(ws):
    d, text = doc(ws, "main.txt")
    view = ws.highlights.reader(d.id)
    for b in view["blocks"]:
        assert b["text"] == text[b["start"]:b["end"]]
        for m in b["marks"]:
            assert utf16_to_index(b["text"], m["u16_start"]) == m["start"]
            assert utf16_to_index(b["text"], m["u16_end"]) == m["end"]
    maria = next(b for b in view["blocks"] if b["speaker"] == "Maria")
    assert "Maria: And the categories" in maria["text"]  # two turns of one speaker, one block
    after = maria["text"].index("and it takes")  # after the emoji: UTF-16 counts it twice
    assert index_to_utf16(maria["text"], after) == after + 1
    assert utf16_to_index(maria["text"], after + 1) == after


def test_list_filters_and_search_find_highlights(ws):
    d, text = doc(ws, "main.txt")
    h = ws.highlights.add(d.id, *span(text, "reconnect itself without asking me"), tags=["wish"],
                          note="the ask")
    assert h.id in {x.id for x in ws.highlights.list(tag="wish")}
    assert h.id in {x.id for x in ws.highlights.list(text="reconnect asking", participant="Maria")}
    assert not ws.highlights.list(text="reconnect", participant="Omar")
    hits = ws.highlights.search("the bank connection should come back on its own")
    assert hits and hits[0].highlight.id == h.id
    assert ws.highlights.search('"without asking"')[0].highlight.id == h.id
    assert not ws.highlights.search('"never said this"')


def reingest(hub, name, text):
    write(hub.root / "in" / name, text)
    report = hub.ingest([hub.root / "in" / name])
    assert report.ok and report.files[0].status == "replaced", report.to_dict()


def test_unchanged_words_follow_their_file_to_its_new_version(ws):
    d, text = doc(ws, "follow.txt")
    h = ws.highlights.add(d.id, *span(text, "logs me out every single day"), tags=["auth"])
    ws.highlights.link(h.id, feature="BANK")
    reingest(ws, "follow.txt", MOVED)
    d2, text2 = doc(ws, "follow.txt")
    moved = ws.highlights.get(h.id)
    assert d2.id != d.id and moved.document_id == d2.id and moved.state == "ok"
    assert moved.char_start == text2.index("logs me out") != h.char_start
    assert text2[moved.char_start:moved.char_end] == moved.text == h.text
    assert moved.tags == ["auth"] and moved.features == ["BANK"]
    assert ws.roadmap.priority("BANK").highlights == 1


def test_changed_words_are_flagged_never_moved_onto_the_same_words_elsewhere(ws):
    d, text = doc(ws, "same.txt")
    first = ws.highlights.add(d.id, *span(text, "too slow for me"))
    h = ws.highlights.add(d.id, *span(text, "too slow"))
    assert text.count("too slow") == 2
    reingest(ws, "same.txt", CHANGED)
    d2, text2 = doc(ws, "same.txt")
    for hid in (first.id, h.id):
        flagged = ws.highlights.get(hid)
        assert flagged.state == "review" and "changed" in flagged.reason
        assert flagged.document_id == d2.id and flagged.line is None
    assert {x.id for x in ws.highlights.list(state="review")} >= {first.id, h.id}
    with pytest.raises(InvalidInputError, match="review"):
        ws.highlights.link(h.id, feature="BANK")
    reingest(ws, "same.txt", SAME_WORDS)  # the words come back: so do the highlights
    d3, text3 = doc(ws, "same.txt")
    back = ws.highlights.get(h.id)
    assert back.state == "ok" and back.document_id == d3.id
    assert (back.char_start, back.char_end) == span(text3, "too slow") == (h.char_start, h.char_end)


def test_a_deleted_document_leaves_its_highlights_for_review(ws):
    d, text = doc(ws, "gone.txt")
    h = ws.highlights.add(d.id, *span(text, "Chasing receipts"))
    ws.delete_document(d.id)
    gone = ws.highlights.get(h.id)
    assert gone.state == "review" and "deleted" in gone.reason and gone.text == "Chasing receipts"


def test_cli_adds_lists_tags_and_removes(ws):
    from research_hub.cli import app

    d, text = doc(ws, "main.txt")
    start, end = span(text, "the categories reset afterwards")
    runner = CliRunner()
    base = ["--home", str(ws.home), "highlights"]
    out = runner.invoke(app, [*base, "add", d.id[:10], str(start), str(end), "--tag", "reset", "--json"])
    assert out.exit_code == 0, out.output
    made = json.loads(out.output)
    assert made["text"] == text[start:end] == text[made["char_start"]:made["char_end"]]
    listed = json.loads(runner.invoke(app, [*base, "list", "--tag", "reset", "--json"]).output)
    assert [h["id"] for h in listed] == [made["id"]]
    assert runner.invoke(app, [*base, "remove", made["id"]]).exit_code == 0
    bad = runner.invoke(app, [*base, "add", d.id, "0", str(len(text))])
    assert bad.exit_code == 1 and "one speaker" in bad.output
