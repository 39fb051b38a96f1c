"""Ranking behaviour on a small corpus with the real model and a real Chroma."""
from __future__ import annotations

import pytest

from research_hub.search import dense
from tests.search_corpus import DOCS, Q_LOGIN

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    from research_hub import Hub
    from research_hub.bench.search_store import fill_store

    h = Hub(tmp_path_factory.mktemp("search") / "ws")
    fill_store(h, DOCS)
    yield h
    h.close()


def texts(hits):
    return [h.text for h in hits]


def test_paraphrase_without_shared_words_finds_its_target(corpus):
    hits = corpus.search("application keeps shutting down unexpectedly", k=3)
    assert hits[0].text == "The mobile app crashes when I photograph a receipt."
    assert hits[0].highlights == []  # found by meaning, no word matched


@pytest.mark.parametrize("query, needle", [("SSO", "SSO"), ("CSV", "CSV"), ("502", "502"),
                                           ("Okta", "Okta")])
def test_exact_term_puts_its_snippet_first(corpus, query, needle):
    assert needle in corpus.search(query, k=5)[0].text


def test_code_beats_a_similar_code(corpus):
    hits = corpus.search("error 502", k=3)
    assert "502" in hits[0].text
    assert "404" in hits[1].text  # the other error is related, but ranks below


def test_phrase_query_returns_only_snippets_with_the_phrase(corpus):
    hits = corpus.search('"error 502"', k=10)
    assert texts(hits) == ["I get error 502 whenever I upload receipts on a Monday morning."]
    assert corpus.search('"CSV export" slow', k=10)[0].text.startswith("Exporting is painful")
    assert corpus.search('"export is blazing fast"', k=10) == []


def test_phrase_matches_across_case_and_punctuation(corpus):
    hits = corpus.search('"painful the csv export"', k=10)
    assert [h.participant for h in hits] == ["Maria"]  # the two Maria quotes, collapsed


def test_phrase_is_highlighted_whole(corpus):
    hit = corpus.search('"error 502"', k=1)[0]
    assert [hit.text[a:b] for a, b in hit.highlights] == ["error 502"]


@pytest.mark.parametrize("path", ["auto", "hnsw-oversampled", "exact"])
def test_filters_hold_and_still_fill_k(corpus, monkeypatch, path):
    if path != "auto":  # force the other plans the 100k store would take
        monkeypatch.setattr(dense, "EXACT_ROWS", 0)
        monkeypatch.setattr(dense, "HNSW_MAX", 10_000 if path == "hnsw-oversampled" else 0)
    info = {}
    hits = corpus.search("exporting my data is slow", k=5, study="feedback-2025", explain=info)
    assert len(hits) == 5 and {h.study for h in hits} == {"feedback-2025"}
    assert "Downloading my yearly statements" in hits[0].text
    if path != "auto":
        assert info["dense_path"] == path


def test_tag_participant_kind_and_date_filters(corpus):
    assert {h.participant for h in corpus.search("problems", k=10, participant="Jo")} == {"Jo"}
    bugs = corpus.search("problems", k=10, tags=["bug"])
    assert len(bugs) == 4 and all("bug" in h.tags for h in bugs)
    both = corpus.search("problems", k=10, tags=["bug", "mobile"])
    assert texts(both) == ["The mobile app crashes when I photograph a receipt."]
    assert {h.kind for h in corpus.search("problems", k=10, kind="support")} == {"support"}
    dated = corpus.search("problems", k=20, since="2024-04", until="2024-12-31")
    assert dated and {h.date for h in dated} == {"2024-06-10"}
    assert corpus.search("problems", k=10, participant=["Jo", "P03"], tags="bug")


def test_filter_with_fewer_matches_than_k_returns_them_all(corpus):
    assert len(corpus.search("anything", k=10, participant="Maria")) == 4  # 5 quotes, 2 collapsed


def test_role_defaults_to_participants(corpus):
    assert all(h.role == "participant" for h in corpus.search("how do staff log in", k=30))
    asked = corpus.search("how do staff log in", k=3, role="interviewer")
    assert asked[0].text == Q_LOGIN and {h.role for h in asked} == {"interviewer"}
    assert corpus.search("how do staff log in", k=1, role="any")[0].text == Q_LOGIN


def test_near_duplicates_by_one_participant_collapse(corpus):
    hits = corpus.search("CSV export times out", k=5)
    top = hits[0]
    assert top.participant == "Maria" and top.duplicates == 1 and len(top.duplicate_ids) == 1
    assert top.duplicate_ids[0] not in {h.snippet_id for h in hits}
    assert sum("CSV export takes forever" in h.text for h in hits) == 1


def test_highlights_mark_matched_words(corpus):
    hit = corpus.search("exports slow", k=1, participant="Maria")[0]
    marked = [hit.text[a:b].lower() for a, b in hit.highlights]
    assert marked and all(m.startswith("export") for m in marked)


def test_hit_carries_provenance_and_context(corpus):
    hit = corpus.search("SSO", k=1)[0]
    assert hit.document_title == "Maria interview" and hit.document_path == "maria.txt"
    assert (hit.speaker, hit.role, hit.participant) == ("Maria", "participant", "Maria")
    assert hit.context == Q_LOGIN and hit.tags == ["feature_request"]
    doc = corpus.document(hit.document_id)["text"]
    assert doc[hit.char_start:hit.char_end] == hit.text
    positions = [n["position"] for n in hit.neighbours]
    assert positions == ["before", "self", "after"]
    assert hit.neighbours[0]["text"] == Q_LOGIN and hit.neighbours[0]["role"] == "interviewer"
    assert 0 < hit.score <= 1


@pytest.mark.parametrize("query", ["", "   ", "\t\n", '""', '"  "'])
def test_empty_queries_give_no_hits(corpus, query):
    assert corpus.search(query) == []


def test_odd_queries_get_answers(corpus):
    long = " ".join(["export", "slow", "invoice", "bookkeeper"] * 800)  # ~20,000 characters
    assert len(corpus.search(long, k=5)) == 5
    assert len(corpus.search("¿Por qué la exportación de datos es tan lenta?", k=5)) == 5
    assert len(corpus.search("导出数据太慢了", k=3)) == 3
    assert corpus.search("🙂🙂🙂 \x00\x07 %%% ???", k=3) is not None
    assert len(corpus.search('unbalanced "quote export', k=3)) == 3


@pytest.mark.parametrize("bad", [{"k": 0}, {"k": -1}, {"since": "last tuesday"}, {"colour": "red"},
                                 {"since": "2025-01-01", "until": "2024-01-01"}, {"mode": "magic"},
                                 {"document": "no-such-document"}, {"until": "2024-02-30"}])
def test_bad_arguments_raise_one_line_value_errors(corpus, bad):
    with pytest.raises(ValueError) as err:
        corpus.search("export", **bad)
    assert "\n" not in str(err.value)


def test_keyword_and_dense_modes_differ_where_they_should(corpus):
    para = "application keeps shutting down unexpectedly"
    assert corpus.search(para, k=3, mode="keyword") == []  # no shared word
    assert corpus.search(para, k=1, mode="dense")[0].text.startswith("The mobile app crashes")
    assert "SSO" in corpus.search("SSO", k=1, mode="keyword")[0].text
