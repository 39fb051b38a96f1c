"""Insights through `hub.insights` on real ingested quotes: strength follows the written
formula as evidence is added, contradicted, aged and changed on re-ingest; drafts,
stances, feature links and the CLI. One small workspace for the module."""
from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from research_hub.core.errors import InvalidInputError, NotFoundError
from tests.conftest import write
from tests.test_insights_strength import formula

pytestmark = pytest.mark.integration
AS_OF = date(2026, 6, 1)
FILES = {
    "ana.txt": ("2026-05-01", "Ana: Reconciling the bank feed takes me every Friday afternoon.\n"),
    "ben.txt": ("2026-05-20", "Ben: The bank feed reconciliation eats half my Friday.\n"
                              "Ben: I also do it again on Mondays when it breaks.\n"),
    "cai.txt": ("2025-05-01", "Cai: Reconciliation is quick for me, two minutes and done.\n"),
    "dee.txt": ("2026-05-25", "Dee: Matching transactions is painless now, I love it.\n"),
}


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    from research_hub import Hub

    root = tmp_path_factory.mktemp("insights")
    for name, (day, body) in FILES.items():
        write(root / "in" / name, f"---\nstudy: s-{name[0]}\ndate: {day}\n---\nInterviewer: How is month end?\n{body}")
    h = Hub(root / "ws")
    assert h.ingest([root / "in"]).ok
    h.roadmap.add("Faster reconciliation", feature_id="REC")
    h.root = root
    yield h
    h.close()


def said(hub, name):
    return [s for s in hub.snippets(role="participant") if s.document_path.endswith(name)]


def test_strength_moves_with_evidence_contradiction_and_age(hub):
    ana, ben, cai = said(hub, "ana.txt"), said(hub, "ben.txt"), said(hub, "cai.txt")
    book = hub.insights
    i = book.add("Reconciling the bank feed costs people their Friday.", evidence=[ana[0].snippet_id])
    one = book.get(i.id, as_of=AS_OF).strength
    assert one.score == formula(1, 1, age_days=31) and one.participants == 1
    both = book.attach(i.id, [s.snippet_id for s in ben]).id
    two = book.get(both, as_of=AS_OF).strength
    # Ana + Ben (two quotes): reach 2.25; two studies; newest 2026-05-20, 12 days before AS_OF
    assert two.score == formula(2, 3, studies=2, age_days=12) > one.score
    book.attach(i.id, cai[0].snippet_id, stance="contradicts")
    three = book.get(i.id, as_of=AS_OF).strength
    assert three.parts["agreement"] == round(2.25 / 3.25, 3)
    assert three.score == formula(2, 3, studies=2, age_days=12, cp=1, cn=1) < two.score
    assert not three.stale  # the contradicting quote (2025) is older than the support
    later = book.get(i.id, as_of=date(2027, 7, 1)).strength
    assert later.stale and later.score < three.score
    assert later.parts["recency"] == round(0.5 + 0.5 * 0.5 ** ((date(2027, 7, 1) - date(2026, 5, 20)).days / 365), 3)
    flipped = book.attach(i.id, cai[0].snippet_id, stance="supports")  # attaching again flips the stance
    assert [e.id for e in flipped.contradicting] == [] and flipped.strength.participants == 3
    book.detach(i.id, cai[0].snippet_id)
    assert book.get(i.id, as_of=AS_OF).strength.score == two.score


def test_newer_contradicting_evidence_makes_an_insight_stale(hub):
    dee = said(hub, "dee.txt")[0]
    i = hub.insights.add("Reconciliation is a chore.", evidence=[said(hub, "ana.txt")[0].snippet_id],
                         contradicting=[dee.snippet_id])
    st = hub.insights.get(i.id, as_of=AS_OF).strength
    assert st.stale and "2026-05-25" in st.stale_reasons[0]


def test_changed_words_put_evidence_under_review_and_out_of_the_strength(hub):
    ben = said(hub, "ben.txt")
    text = hub.workspace.records.document_text(ben[0].document_id)
    start = text.index("eats half my Friday")
    h = hub.highlights.add(ben[0].document_id, start, start + len("eats half my Friday"))
    i = hub.insights.add("Friday is lost to the bank feed.", evidence=[h.id, ben[1].snippet_id])
    assert hub.insights.get(i.id).strength.evidence == 2
    write(hub.root / "in" / "ben.txt", (hub.root / "in" / "ben.txt").read_text()
          .replace("eats half my Friday", "takes a minute").replace("when it breaks", "if it breaks"))
    assert hub.ingest([hub.root / "in" / "ben.txt"]).files[0].status == "replaced"
    after = hub.insights.get(i.id)
    assert after.strength.evidence == 0 and after.strength.needs_review == 2
    assert {e.status for e in after.supporting} == {"review"}
    assert {e.text for e in after.supporting} == {"eats half my Friday", ben[1].text}  # as attached


def test_drafts_stances_and_bad_input(hub):
    book = hub.insights
    snippet = said(hub, "ana.txt")[0]
    draft = book.draft("bank feed", [snippet.snippet_id])
    assert draft.draft and draft.origin == "ask" and draft.statement == "Participants talk about bank feed."
    assert draft.headline().id == snippet.snippet_id
    mine = book.edit(draft.id, statement="Ana spends Fridays reconciling.")
    assert mine.status == "active" and not mine.draft
    assert book.archive(mine.id).status == "archived"
    assert mine.id not in {x.id for x in book.list()}
    assert mine.id in {x.id for x in book.list(include_archived=True)}
    with pytest.raises(InvalidInputError):
        book.add("   ")
    with pytest.raises(InvalidInputError, match="stance"):
        book.attach(mine.id, snippet.snippet_id, stance="maybe")
    interviewer = next(s for s in hub.snippets() if s.role == "interviewer")
    with pytest.raises(InvalidInputError, match="interviewer"):
        book.attach(mine.id, interviewer.snippet_id)
    with pytest.raises(NotFoundError):
        book.get("I-999")
    with pytest.raises(NotFoundError):
        book.link(mine.id, "NOPE")
    assert book.remove(mine.id) == mine.id


def test_a_linked_insight_counts_in_the_feature_score(hub):
    ana, dee = said(hub, "ana.txt")[0], said(hub, "dee.txt")[0]
    base = hub.roadmap.priority("REC", as_of=AS_OF)
    assert base.score == 0
    i = hub.insights.add("Fridays go to reconciliation.", evidence=[ana.snippet_id], features=["REC"])
    backed = hub.roadmap.priority("REC", as_of=AS_OF)
    assert (backed.evidence, backed.insights, backed.counter) == (1, 1, 0) and "agreement" not in backed.parts
    hub.insights.attach(i.id, dee.snippet_id, stance="contradicts")
    contested = hub.roadmap.priority("REC", as_of=AS_OF)
    assert contested.parts["agreement"] == 0.5
    assert contested.score == pytest.approx(backed.score * 0.5, abs=0.01)
    hub.roadmap.link("REC", ana.snippet_id)  # the same quote confirmed directly counts once
    assert hub.roadmap.priority("REC", as_of=AS_OF).evidence == 1
    hub.insights.link(i.id, "REC", remove=True)
    assert hub.roadmap.priority("REC", as_of=AS_OF).insights == 0


def test_cli_writes_shows_and_lists_insights(hub):
    from research_hub.cli import app

    runner = CliRunner()
    base = ["--home", str(hub.home), "insights"]
    ana = said(hub, "ana.txt")[0]
    made = runner.invoke(app, [*base, "add", "Fridays disappear.", "-e", ana.snippet_id[:10], "--json"])
    assert made.exit_code == 0, made.output
    data = json.loads(made.output)
    assert data["supporting"][0]["id"] == ana.snippet_id and data["strength"]["participants"] == 1
    shown = runner.invoke(app, [*base, "show", data["id"]])
    assert "reach" in shown.output and "docs/insights.md" in shown.output
    listed = json.loads(runner.invoke(app, [*base, "list", "--json"]).output)
    assert data["id"] in [x["id"] for x in listed]
    bad = runner.invoke(app, [*base, "evidence", data["id"], "nosuchsnippet"])
    assert bad.exit_code == 1 and "no snippet" in bad.output
