"""`research-hub search` and search over the ingested sample data."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

pytestmark = pytest.mark.integration
STUDY = "2026-q4-accountant-workflows"


def run(home, *args):
    from research_hub.cli import app

    return CliRunner().invoke(app, ["--home", str(home), *args])


def test_json_hits_carry_provenance(sample_hub):
    res = run(sample_hub.home, "search", "SSO", "--k", "3", "--json")
    assert res.exit_code == 0, res.output
    hits = json.loads(res.output)
    assert len(hits) == 3 and "SSO" in hits[0]["text"]
    for key in ("snippet_id", "score", "document_title", "document_path", "participant", "role",
                "char_start", "char_end", "highlights", "neighbours", "duplicates", "context"):
        assert key in hits[0]
    a, b = hits[0]["highlights"][0]
    assert hits[0]["text"][a:b] == "SSO"


def test_filters_on_the_command_line(sample_hub):
    res = run(sample_hub.home, "search", "exports to the accountant are broken", "--study", STUDY,
              "--k", "10", "--json")
    hits = json.loads(res.output)
    assert len(hits) == 10 and {h["study"] for h in hits} == {STUDY}
    res = run(sample_hub.home, "search", "how do you", "--role", "interviewer", "--k", "3", "--json")
    assert {h["role"] for h in json.loads(res.output)} == {"interviewer"}


def test_table_output_shows_quotes_without_reading_markup(sample_hub):
    res = run(sample_hub.home, "search", "bank feeds disconnect", "--k", "2")
    assert res.exit_code == 0 and "bank" in res.output.lower()
    res = run(sample_hub.home, "search", "[bold]zzzz[/bold] qqqq", "--k", "1")
    assert res.exit_code == 0


@pytest.mark.parametrize("args, message", [
    (["   "], "query is empty"), (["export", "--since", "yesterday"], "bad date"),
    (["export", "--k", "0"], "k must be"), (["export", "--document", "nope.txt"], "no document"),
    (["export", "--mode", "fuzzy"], "unknown mode")])
def test_bad_input_is_one_line_not_a_traceback(sample_hub, args, message):
    res = run(sample_hub.home, "search", *args)
    assert res.exit_code == 1 and message in res.output and "Traceback" not in res.output


def test_sample_phrase_and_paraphrase(sample_hub):
    hits = sample_hub.search('"fix the Tallybook export"', k=5)
    assert hits and all("fix the Tallybook export" in h.text for h in hits)
    hits = sample_hub.search("the connection to my bank keeps dropping", k=5)
    assert sum("bank" in h.text.lower() or "feed" in h.text.lower() for h in hits) >= 3
