"""Ask on real interviews (the shared Anthropic Interviewer creatives, CC BY): answers carry
only verbatim quotes (each the document text at its offsets), every count is of the quotes
shown, out of the selection's participants; counter-evidence is verbatim too."""
from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from research_hub.core.errors import InvalidInputError
from tests.conftest import ROOT

pytestmark = pytest.mark.integration
EVAL = next((Path(c) / "interviews" / "anthropic_interviewer" for c in (
    os.environ.get("RESEARCH_HUB_EVAL_DIR", ""), ROOT.parent / "shared" / "eval",
    ROOT.parent.parent / "shared" / "eval") if c and (Path(c) / "interviews").is_dir()),
    ROOT.parent / "shared" / "eval" / "interviews" / "anthropic_interviewer")
ROWS = 6
QUESTIONS = ("What frustrates people about using AI in their creative work?",
             "Do people worry that AI will replace them?")


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    source = EVAL / "creatives_transcripts.csv"
    if not source.is_file():
        pytest.skip(f"the shared eval interviews are not at {EVAL}")
    from research_hub import Hub

    root = tmp_path_factory.mktemp("ask")
    csv.field_size_limit(1 << 30)
    with source.open(newline="", encoding="utf-8") as f:
        for i, row in enumerate(csv.DictReader(f)):
            if i == ROWS:
                break
            (root / "in").mkdir(exist_ok=True)
            (root / "in" / f"{row['transcript_id']}.txt").write_text(row["text"], encoding="utf-8")
    h = Hub(root / "ws")
    assert h.ingest([root / "in"], study="creatives").ok
    yield h
    h.close()


def verbatim(hub, q) -> None:
    text = hub.workspace.records.document_text(q["document_id"])
    assert text[q["char_start"]:q["char_end"]] == q["text"]
    assert hub.snippet(q["snippet_id"]).text == q["text"]


@pytest.fixture(scope="module")
def answers(hub):
    return {q: hub.ask(q, k=24) for q in QUESTIONS}


def test_answers_hold_only_verbatim_quotes_with_traceable_counts(hub, answers):
    people = {s.participant for s in hub.snippets(role="participant")}
    assert len(people) == ROWS
    for answer in answers.values():
        data = answer.to_dict()
        assert data["participants_in_selection"] == ROWS and data["retrieved"] == 24
        assert data["groups"], "the quotes fall into sub-themes"
        quotes = [q for g in data["groups"] for q in g["quotes"] + g["counter"]] + data["other"]
        assert len(quotes) == data["retrieved"] == len({q["snippet_id"] for q in quotes})
        for q in quotes:
            verbatim(hub, q)
        assert data["participants_retrieved"] == len({q["participant"] for q in quotes})
        for g in data["groups"]:
            assert g["participants"] == len({q["participant"] for q in g["quotes"] + g["counter"]}) >= 1
            assert g["counter_participants"] == len({q["participant"] for q in g["counter"]})
            assert g["of"] == ROWS and g["share"] == round(g["participants"] / ROWS, 4)
            assert g["label"] and g["label"] not in {q["text"] for q in quotes}
        sizes = [g["participants"] for g in data["groups"]]
        assert sizes == sorted(sizes, reverse=True)


def test_filters_narrow_the_selection_and_its_count(hub):
    one = hub.snippets(role="participant")[0].participant
    answer = hub.ask(QUESTIONS[0], k=10, participant=one, labels=False)
    assert answer.participants_in_selection == 1
    assert {q.participant for q in answer.quotes()} == {one}
    assert hub.ask(QUESTIONS[0], study="no such study").retrieved == 0
    with pytest.raises(InvalidInputError):
        hub.ask("   ")
    with pytest.raises(InvalidInputError):
        hub.ask(QUESTIONS[0], role="interviewer")


def test_cli_ask_json_is_the_same_answer(hub, answers):
    from research_hub.cli import app

    result = CliRunner().invoke(app, ["--home", str(hub.home), "ask", QUESTIONS[1], "--k", "24", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    mine = answers[QUESTIONS[1]].to_dict()
    assert [g["label"] for g in data["groups"]] == [g["label"] for g in mine["groups"]]
    for g in data["groups"]:
        for q in g["quotes"]:
            verbatim(hub, q)


def test_counter_evidence_of_a_theme_and_an_insight_is_verbatim(hub):
    themes = hub.themes(all_snippets=True)
    theme = next(t for t in themes if t.id != "unthemed")
    found = hub.theme_counter(theme.id).to_dict()
    assert found["polarity"] in ("negative", "positive", "mixed")
    members = set(theme.snippet_ids)
    for q in found["inside"]:
        assert q["snippet_id"] in members
        verbatim(hub, q)
    for q in found["nearby"]:
        assert q["snippet_id"] not in members and q["similarity"] >= found["threshold"]
        verbatim(hub, q)
    draft = hub.insights.propose(theme.id)
    counter = hub.insights.counter(draft.id)
    attached = {e.id for e in draft.supporting}
    assert all(q["snippet_id"] not in attached for q in counter.nearby)
    for q in counter.inside + counter.nearby:
        verbatim(hub, q)
