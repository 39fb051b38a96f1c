"""Highlights and insights in evidence bundles: in every format, each highlight (linked to
the feature, or evidence of a linked insight) is the document text at its cited offsets;
a highlight whose words changed is listed for review, never quoted; linked highlights and
insights count in the feature's score as docs/prioritisation.md says."""
from __future__ import annotations

import csv
import io
import json
import re
import shutil
import zipfile

import pytest

from research_hub.export import tabular
from research_hub.export.pdf import latin1, unicode_font
from tests.conftest import ROOT, write
from tests.test_export import _Tags, _pdf_text, _squash

pytestmark = pytest.mark.integration
FORMATS = ("md", "html", "csv", "json", "pdf", "zip")
EXTRA = """Interviewer: How did the quarter close go?
Zoë: =SUM(A1) is what I typed 😅 because the <b>export</b> broke again, “twice” in one week.
Zoë: Then the import wiped my categories, which cost me a whole afternoon.
"""


@pytest.fixture(scope="module")
def hub(sample_workspace, tmp_path_factory):
    from research_hub import Hub

    root = tmp_path_factory.mktemp("insights-export")
    shutil.copytree(sample_workspace, root / "ws")
    write(root / "in" / "zoe.txt", EXTRA)
    h = Hub(root / "ws")
    assert h.ingest([root / "in"]).ok
    h.roadmap.import_file(ROOT / "sample_interviews" / "roadmap" / "features.csv")
    h.root = root
    yield h
    h.close()


def text_of(hub, doc_id):
    return hub.workspace.records.document_text(doc_id)


@pytest.fixture(scope="module")
def linked(hub):
    """TB-101 with a confirmed snippet, two linked highlights (one later changed) and an
    insight backed by a highlight and a snippet and contradicted by another snippet."""
    zoe = next(d for d in hub.documents() if d.name == "zoe.txt")
    zt = text_of(hub, zoe.id)
    start = zt.index("=SUM(A1)")
    first = hub.highlights.add(zoe.id, start, zt.index("week.") + len("week."), tags=["export"],
                               feature="TB-101")
    changing = hub.highlights.add(zoe.id, zt.index("the import wiped"), zt.index(" which cost"),
                                  feature="TB-101")
    maria = next(d for d in hub.documents() if "maria" in d.name)
    mt = text_of(hub, maria.id)
    words = "Two to three hours on a good week"
    h2 = hub.highlights.add(maria.id, mt.index(words), mt.index(words) + len(words))
    snippets = [s for s in hub.snippets(role="participant") if s.document_id != zoe.id]
    hub.roadmap.link("TB-101", snippets[0].snippet_id)
    insight = hub.insights.add("Month-end admin eats a whole afternoon.", evidence=[h2.id, snippets[1].snippet_id],
                               contradicting=[snippets[2].snippet_id], features=["TB-101"])
    before = hub.roadmap.priority("TB-101")
    write(hub.root / "in" / "zoe.txt", EXTRA.replace("the import wiped", "the import kept"))
    assert hub.ingest([hub.root / "in" / "zoe.txt"]).files[0].status == "replaced"
    return {"first": first, "changing": changing, "h2": h2, "insight": insight, "before": before,
            "contradicting": snippets[2]}


@pytest.fixture(scope="module")
def out(hub, linked):
    return {fmt: hub.export("TB-101", fmt) for fmt in FORMATS}


def test_the_score_counts_linked_highlights_and_insights(hub, linked):
    before, after = linked["before"], hub.roadmap.priority("TB-101")
    assert before.highlights == 2 and before.insights == 1 and before.counter == 1
    assert after.highlights == 1 and after.flagged == 1  # the changed highlight waits for review
    assert 0 < after.parts["agreement"] < 1
    reach, counter = after.parts["reach"], 1.0
    assert after.parts["agreement"] == round(reach / (reach + counter), 3)
    expected = 1.0
    for part in after.parts.values():
        expected *= part
    assert after.score == pytest.approx(expected, abs=0.02)


def test_json_quotes_and_insight_evidence_are_verbatim_at_their_offsets(hub, linked, out):
    data = json.loads(out["json"])
    quotes = [q for g in data["groups"] for q in g["quotes"]]
    marked = [q for q in quotes if q["evidence"] == "highlight"]
    assert [q["highlight_id"] for q in marked] == [linked["first"].id]
    assert marked[0]["quote"].startswith("=SUM(A1)") and "😅" in marked[0]["quote"]
    entry = data["insights"][0]
    assert entry["id"] == linked["insight"].id and not entry["draft"]
    assert {q["evidence_id"] for q in entry["supporting"]} >= {linked["h2"].id}
    assert [q["snippet_id"] for q in entry["contradicting"]] == [linked["contradicting"].snippet_id]
    for q in quotes + entry["supporting"] + entry["contradicting"]:
        assert text_of(hub, q["document_id"])[q["char_start"]:q["char_end"]] == q["quote"]
    review = [r for r in data["needs_review"] if r.get("highlight_id")]
    assert [r["highlight_id"] for r in review] == [linked["changing"].id]
    assert review[0]["text_as_confirmed"] == "the import wiped my categories,"
    assert all(q["quote"] != review[0]["text_as_confirmed"] for q in quotes)


def md_quotes(md: str):
    """(text, start, end, kind, id, document prefix) of every fenced quote."""
    blocks = re.findall(r"\n(~{3,})text\n(.*?)\n\1\n", md, flags=re.S)
    cites = re.findall(r"chars (\d+)-(\d+)\n- Date.*?(Snippet|Highlight): (\w+) in document (\w+)\n", md,
                       flags=re.S)
    return [b for _, b in blocks], cites


def test_every_format_quotes_each_highlight_at_its_offsets(hub, linked, out):
    expected = json.loads(out["json"])
    cited = [q for g in expected["groups"] for q in g["quotes"]] + \
        [q for i in expected["insights"] for q in i["supporting"] + i["contradicting"]]
    ids = {q["evidence_id"] for q in cited}
    assert {linked["first"].id, linked["h2"].id} <= ids

    blocks, cites = md_quotes(out["md"].decode("utf-8"))
    quoted = [b for b in blocks if b != linked["changing"].text]
    assert len(cites) == len(cited) == len(quoted)
    for text, (start, end, kind, ref, prefix) in zip(quoted, cites):
        doc_id = hub.workspace.records.find_document(prefix)["id"]
        assert text_of(hub, doc_id)[int(start):int(end)] == text
    assert {ref for *_, ref, _ in cites} == ids

    page = _Tags()
    page.feed(out["html"].decode("utf-8"))
    assert len(page.quotes) == len(cited)
    for attrs, text in page.quotes:
        assert text_of(hub, attrs["data-document"])[int(attrs["data-start"]):int(attrs["data-end"])] == text
    assert {a.get("data-highlight") for a, _ in page.quotes} >= {linked["first"].id, linked["h2"].id}

    rows = [r for r in csv.DictReader(io.StringIO(out["csv"].decode("utf-8-sig"), newline=""))
            if r["status"] == "verified"]
    assert len(rows) == len(cited)
    for r in rows:
        quote = r["quote"][1:] if r["quote"].startswith("'") and r["quote"][1:].startswith(
            tabular.DANGEROUS) else r["quote"]
        assert text_of(hub, r["document_id"])[int(r["char_start"]):int(r["char_end"])] == quote
    assert any(r["highlight_id"] == linked["first"].id and r["quote"].startswith("'=") for r in rows)
    assert {r["stance"] for r in rows if r["insight"]} == {"supports", "contradicts"}

    pdf = _squash(_pdf_text(out["pdf"]))
    for q in cited:
        shown = q["quote"] if unicode_font() else latin1(q["quote"])
        assert _squash(shown).replace("😅", "") in pdf.replace("😅", "")

    zf = zipfile.ZipFile(io.BytesIO(out["zip"]))
    inner = json.loads(zf.read(next(n for n in zf.namelist() if n.endswith(".json") and "manifest" not in n)))
    for q in [q for g in inner["groups"] for q in g["quotes"]] + inner["insights"][0]["supporting"]:
        assert text_of(hub, q["document_id"])[q["char_start"]:q["char_end"]] == q["quote"]
    manifest = json.loads(zf.read(next(n for n in zf.namelist() if n.endswith("manifest.json"))))
    assert {q["document_id"] for q in cited} <= {s["document_id"] for s in manifest["sources"]}


def test_a_draft_insight_is_marked_as_a_draft_in_bundles(hub, linked):
    theme = next(t for t in hub.themes() if t.id != "unthemed")
    draft = hub.insights.propose(theme.id)
    assert draft.draft and draft.statement == f"Participants talk about {theme.label}."
    hub.insights.link(draft.id, "TB-098")
    data = json.loads(hub.export("TB-098", "json"))
    entry = next(i for i in data["insights"] if i["id"] == draft.id)
    assert entry["draft"] and entry["statement"] not in [q["quote"] for q in entry["supporting"]]
    assert "draft" in hub.export("TB-098", "md").decode("utf-8")
    assert len(entry["supporting"]) == len(set(theme.snippet_ids))
