"""Each document's language is detected and stored; English-only steps skip other languages."""
from __future__ import annotations

import pytest

from tests.conftest import write

FRENCH = """Intervieweur: Comment faites-vous vos factures aujourd'hui ?
Camille: Donc, je fais tout à la main dans un tableur, et franchement c'est pénible.
Je perds une heure chaque vendredi avec Marie Dupont à Lyon pour tout vérifier.
Intervieweur: Qu'est-ce qui vous aiderait ?
Camille: Un export automatique vers la banque, ce serait génial.
"""
ENGLISH = """Interviewer: How do you send invoices today?
Sam: I hate how slow and painful invoicing is; the spreadsheet breaks every week.
Interviewer: What would help?
Sam: An automatic export to the bank would be great.
"""


@pytest.fixture(scope="module")
def two_languages(tmp_path_factory):
    from research_hub import Hub

    folder = tmp_path_factory.mktemp("lang")
    hub = Hub(folder / "ws")
    report = hub.ingest([write(folder / "camille.txt", FRENCH), write(folder / "sam.txt", ENGLISH)])
    assert report.ok, [f.error for f in report.failed]
    yield hub
    hub.close()


def test_documents_and_snippets_carry_their_detected_language(two_languages):
    by_name = {d.name: d.language for d in two_languages.documents()}
    assert by_name == {"camille.txt": "fr", "sam.txt": "en"}
    hits = two_languages.search("facture à la main", k=3)
    assert hits and {h.language for h in hits} <= {"fr", "en"}
    assert {s.language for s in two_languages.snippets(participant="Camille")} == {"fr"}
    assert two_languages.stats()["languages"] == {"en": 1, "fr": 1}


def test_english_rules_and_ner_do_not_tag_another_language(two_languages):
    french = two_languages.snippets(participant="Camille")
    assert all(not s.tags for s in french)  # "pénible" is no English pain rule
    assert all(s.sentiment == 0.0 for s in french)
    labels = {(e["text"], e["label"]) for s in french for e in s.entities}
    assert ("Donc", "PERSON") not in labels
    english = two_languages.snippets(participant="Sam")
    assert any("pain_point" in s.tags for s in english) and any(s.sentiment for s in english)


def test_french_entities_come_from_the_french_pipeline_when_installed(two_languages):
    pytest.importorskip("fr_core_news_sm")
    labels = {(e["text"], e["label"]) for s in two_languages.snippets(participant="Camille")
              for e in s.entities}
    assert ("Lyon", "LOC") in labels and ("Marie Dupont", "PERSON") in labels
