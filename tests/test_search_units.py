"""Search pieces without the model: query parsing, filters, fusion, highlights, dedupe."""
from __future__ import annotations

import numpy as np
import pytest

from research_hub.core import tokens as text
from research_hub.search import fusion
from research_hub.store.catalog import Catalog
from research_hub.search.dedupe import collapse
from research_hub.search.filters import Filters, parse_date
from research_hub.search.highlight import mark, spans
from research_hub.search.query import MAX_QUERY_CHARS, parse_query, phrase_pattern


def test_tokens_keep_codes_and_stem_words():
    assert text.tokens("The SSO login gave error 502 on CSV exports") == \
        ["sso", "login", "gave", "error", "502", "csv", "export"]
    assert text.terms("export exports exporting") == ["export"]


def test_query_phrases_and_plain_text():
    q = parse_query('  why is the  "CSV export" so slow  ')
    assert q.text == "why is the CSV export so slow" and q.phrases == ["CSV export"]
    assert q.terms == ["whi", "csv", "export", "so", "slow"]
    assert parse_query("\u201csmart quotes\u201d work").phrases == ["smart quotes"]
    assert parse_query('unbalanced "quote').phrases == [] and parse_query('unbalanced "quote').text == "unbalanced quote"


@pytest.mark.parametrize("raw", [None, "", "   ", '""', "\x00\x01"])
def test_blank_or_quote_only_queries_are_empty(raw):
    assert parse_query(raw).empty


def test_long_query_is_cut_at_a_word():
    q = parse_query("word " * 2000)
    assert q.truncated and len(q.text) <= MAX_QUERY_CHARS and q.text.endswith("word")


def test_phrase_pattern_respects_word_edges_and_case():
    p = phrase_pattern("error 502")
    assert p.search("Got ERROR  502 today") and p.search("error-502")
    assert not p.search("error 5021") and not p.search("terror 502")


def catalog() -> Catalog:
    rows = [("a", "h1", 0, "2024-03-05", "participant", "Maria", "s1", "interview", "d1"),
            ("b", "h2", 1, "2024-06-10", "interviewer", "Int", "s1", "interview", "d1"),
            ("c", "h3", 0, None, "participant", "Jo", "s2", "support", "d2"),
            ("d", "h4", 1, "2025-01-01", "participant", "Jo", "s2", "support", "d2")]
    return Catalog.from_rows(rows, [("a", "bug"), ("c", "bug"), ("c", "mobile"), ("zz", "bug")])


def test_each_filter_keeps_exactly_the_matching_rows():
    cat = catalog()
    assert Filters().mask(cat).tolist() == [True, False, True, True]  # participants by default
    assert Filters(role=()).mask(cat) is None
    assert Filters(tags=("bug", "mobile")).mask(cat).tolist() == [False, False, True, False]
    assert Filters(participant=("Jo", "Maria"), study=("s2",)).mask(cat).tolist() == [False, False, True, True]
    assert Filters(since=20240301, until=20241231, role=()).mask(cat).tolist() == [True, True, False, False]
    assert not Filters(participant=("Nobody",)).mask(cat).any()


def test_catalog_round_trips_through_disk(tmp_path):
    cat = catalog()
    cat.save(tmp_path)
    back = Catalog.load(tmp_path)
    assert back.ids.tolist() == cat.ids.tolist() and back.vocab == cat.vocab
    assert back.rows_with_tag("bug").tolist() == [0, 2] and back.rows_with_tag("nope").tolist() == []


@pytest.mark.parametrize("raw, end, want", [("2024", False, 20240101), ("2024", True, 20241231),
                                            ("2024-02", True, 20240229), ("2024-3-7", False, 20240307)])
def test_partial_dates_expand_to_the_first_or_last_day_of_the_period(raw, end, want):
    assert parse_date(raw, end) == want


def test_convex_fusion_uses_both_sides_and_falls_back_to_dense():
    cos = np.array([0.5, 0.4, 0.3])
    bm25 = np.array([0.0, 2.0, 8.0])
    fused = fusion.fuse("hybrid", cos, bm25, 4.0, alpha=0.5)
    assert fused.tolist() == [0.25, 0.45, 0.65]
    assert fusion.fuse("hybrid", cos, np.zeros(3), 0.0).tolist() == (cos * fusion.ALPHA).tolist()
    assert np.argmax(fusion.fuse("dense", cos, bm25, 4.0)) == 0
    assert np.argmax(fusion.fuse("keyword", cos, bm25, 4.0)) == 2


def test_rrf_rewards_agreement():
    cos = np.array([0.9, 0.8, 0.1])
    bm25 = np.array([0.0, 6.0, 5.0])  # second best on meaning, best on words
    assert np.argmax(fusion.rrf(cos, bm25)) == 1


def test_highlight_spans_cover_stemmed_words_and_phrases():
    t = "Exporting CSV files: the export is slow."
    found = spans(t, text.terms("export slow"), [phrase_pattern("CSV files")])
    assert [t[a:b] for a, b in found] == ["Exporting", "CSV files", "export", "slow"]
    assert mark(t, found) == "[Exporting] [CSV files]: the [export] is [slow]."
    assert spans(t, []) == []


def test_collapse_folds_same_person_repeats_only():
    v = np.eye(4, dtype=np.float32)
    v[1] = v[0]  # same words said twice
    v[3] = v[0]  # same words, another person
    groups = collapse(np.array([0, 1, 2, 3]), ["Ann", "Ann", "Ann", "Bo"], v, k=10)
    assert [(g.index, g.duplicates) for g in groups] == [(0, [1]), (2, []), (3, [])]
    assert [g.index for g in collapse(np.array([0, 1, 2, 3]), ["Ann", "Ann", "Ann", "Bo"], v, k=2)] == [0, 2]


def test_postings_score_exactly_as_bm25s_and_survive_a_round_trip(tmp_path):
    import bm25s

    from research_hub.store.postings import Postings

    docs = [text.tokens(t) for t in ("The CSV export keeps timing out", "export to PDF is slow",
                                     "I love the dark theme", "exports exports everywhere", "")]
    ref = bm25s.BM25()
    ref.index(docs, show_progress=False)
    Postings.build(docs).save(tmp_path)
    back = Postings.load(tmp_path)
    mask = np.array([1, 1, 0, 1, 1], dtype=np.float32)
    for terms in (["export"], ["export", "slow"], ["theme", "csv", "nope"]):
        known = [t for t in terms if t in ref.vocab_dict]
        want = ref.get_scores(known, weight_mask=mask) if known else np.zeros(5)
        assert np.allclose(back.scores(terms, mask), want)
    assert back.rows_containing("export").tolist() == [0, 1, 3] and back.rows_containing("nope").size == 0
