"""Rule tags, taxonomy tags, sentiment and entities on snippet drafts."""
from __future__ import annotations

import time

import pytest

from research_hub.ingest.tag import (ENTITY_LABELS, RULE_TAGS, TaxonomyTag, Tagger, load_taxonomy,
                        normalize_tag)
from research_hub.ingest.types import INTERVIEWER, PARTICIPANT, SnippetDraft
from research_hub.core import nlp


def draft(text: str, role: str = PARTICIPANT, **kw) -> SnippetDraft:
    return SnippetDraft(text=text, char_start=0, char_end=len(text), speaker="Ana",
                        role=role, participant="Ana", line=1, **kw)


@pytest.fixture(scope="module")
def rules() -> Tagger:
    return Tagger(use_trained=False)


def tags_of(tagger: Tagger, text: str, role: str = PARTICIPANT) -> list[str]:
    d = draft(text, role)
    tagger.tag([d])
    return d.tags


POSITIVE = {
    "pain_point": [
        "Honestly the export is so slow, it takes forever with a big project.",
        "The app keeps crashing whenever I open the dashboard.",
        "I can't find where the settings are.",
        "Sync doesn't work when I'm on the train and it just disconnects.",
        "It's really frustrating that the report times out.",
        "My card payment was declined and the app showed a useless message.",
    ],
    "feature_request": [
        "I wish there was a way to schedule the weekly report.",
        "It would be great if it could sync with my calendar.",
        "I'd love a dark mode.",
        "Please add a bulk edit option.",
        "I should be able to share a dashboard with a link.",
        "We really need a way to tag several items at once.",
    ],
    "praise": [
        "I really like the new dashboard, it saves me hours every week.",
        "The onboarding was easy and support was fantastic.",
        "Search works well, I love it.",
        "Our whole team is thrilled and delighted with the product, thank goodness.",
    ],
    "question": [
        "How do I export everything to PDF?",
        "Is there a way to undo a delete",
        "Wait, does this also work offline?",
        "Why does the timeline reset every morning.",
    ],
    "workaround": [
        "So what I do is copy and paste everything into a spreadsheet.",
        "I end up exporting to Excel and fixing the dates by hand.",
        "I just download the CSV and clean it up manually.",
        "I have to re-enter the numbers every Monday.",
        "We built a little hack with Zapier to get around it.",
    ],
}

NEUTRAL = [
    "We use it on Tuesdays for the weekly planning meeting.",
    "I work in the finance team and we have about twelve people.",
    "My manager reviews the numbers at the end of the month.",
    "I just made a transfer to my sister.",
    "I keep using it every day.",
]


@pytest.mark.parametrize("tag,text", [(t, x) for t, xs in POSITIVE.items() for x in xs])
def test_rule_tag_fires_on_realistic_sentence(rules, tag, text):
    assert tag in tags_of(rules, text)


@pytest.mark.parametrize("text", NEUTRAL)
def test_no_rule_tag_on_neutral_sentence(rules, text):
    assert not set(tags_of(rules, text)) & set(RULE_TAGS)


@pytest.mark.parametrize("text,absent", [
    ("Yeah, yeah, loud and clear. Sorry, I'm in the van, so I've got about forty minutes.",
     "praise"),
    ("Just keep them. Like WhatsApp, you know?", "question"),
    ("Per month?", "question"),
    ("It's not slow at all and it never crashes.", "pain_point"),
    ("Don't get me wrong, I can't complain.", "pain_point"),
    ("I can't imagine working without it.", "pain_point"),
    ("It's not great and not easy to use.", "praise"),
    ("It would be great if the export was faster.", "praise"),
    ("I wish to cancel my subscription.", "feature_request"),
    ("Do I have to verify my identity again?", "workaround"),
    ("I would really like a physical card.", "praise"),
])
def test_negated_or_idiomatic_cues_do_not_fire(rules, text, absent):
    assert absent not in tags_of(rules, text)


def test_vader_negativity_with_product_word_is_a_pain_point(rules):
    assert "pain_point" in tags_of(rules, "The new dashboard is a total disaster.")
    assert "pain_point" not in tags_of(rules, "The weather today is a total disaster.")


def test_interviewer_snippets_get_no_tags_and_no_entities():
    tagger = Tagger(taxonomy=[TaxonomyTag("export", keywords=["export"])])
    d = draft("Is the export slow? Does it crash? Do you wish it had a dark mode? "
              "Tell me about Acme Corp in Berlin.", role=INTERVIEWER, tags=["stale"])
    tagger.tag([d])
    assert d.tags == [] and d.entities == []
    assert isinstance(d.sentiment, float)


def test_tags_are_sorted_unique_snake_case_and_keep_upstream_tags(rules):
    d = draft("The export is slow and buggy. I wish it had a bulk mode? I just use Excel.",
              tags=["Imported Tag", "pain_point"])
    rules.tag([d])
    assert d.tags == sorted(set(d.tags))
    assert {"pain_point", "feature_request", "question", "workaround", "imported_tag"} <= set(d.tags)
    assert all(t == normalize_tag(t) for t in d.tags)


def test_normalize_tag():
    assert normalize_tag("Data Export") == "data_export"
    assert normalize_tag("DataExport") == "data_export"
    assert normalize_tag("  data-export / CSV ") == "data_export_csv"
    assert normalize_tag("pain_point") == "pain_point"


# ------------------------------------------------------------------ taxonomy --

YAML_LIST = """\
- tag: Data Export
  description: Getting data out
  keywords: [export, CSV, download report]
- tag: integrations
  keywords:
    - integrat*
    - Zapier
"""

YAML_MAP = """\
Data Export:
  description: Getting data out
  keywords: [export, csv]
onboarding: [sign up, first week]
"""

CSV_TEXT = """\
tag,description,keywords
Data Export,Getting data out,export;CSV|download report
Onboarding,,sign up; first week
"""


def test_taxonomy_from_yaml_list(tmp_path):
    path = tmp_path / "tax.yaml"
    path.write_text(YAML_LIST, encoding="utf-8")
    tax = load_taxonomy(path)
    assert [(t.name, t.keywords) for t in tax] == [
        ("data_export", ["export", "CSV", "download report"]),
        ("integrations", ["integrat*", "Zapier"])]
    assert tax[0].description == "Getting data out" and tax[0].tag == "data_export"


def test_taxonomy_from_yaml_mapping_and_csv(tmp_path):
    (tmp_path / "tax.yml").write_text(YAML_MAP, encoding="utf-8")
    (tmp_path / "tax.csv").write_text("\ufeff" + CSV_TEXT, encoding="utf-8")  # Excel BOM
    ymap = load_taxonomy(tmp_path / "tax.yml")
    assert [(t.name, t.keywords) for t in ymap] == [
        ("data_export", ["export", "csv"]), ("onboarding", ["sign up", "first week"])]
    csv_tax = load_taxonomy(tmp_path / "tax.csv")
    assert [(t.name, t.keywords) for t in csv_tax] == [
        ("data_export", ["export", "CSV", "download report"]),
        ("onboarding", ["sign up", "first week"])]


def test_taxonomy_tags_match_whole_words_and_phrases(tmp_path):
    path = tmp_path / "tax.yaml"
    path.write_text(YAML_LIST, encoding="utf-8")
    tagger = Tagger(load_taxonomy(path), use_trained=False)
    assert "data_export" in tags_of(tagger, "The EXPORT menu is hidden.")
    assert "data_export" in tags_of(tagger, "I click Download Report every Friday.")
    assert "data_export" not in tags_of(tagger, "We are a big exporter of cheese.")
    assert "data_export" not in tags_of(tagger, "I download the report... no, the file.")
    assert "integrations" in tags_of(tagger, "The Salesforce integration broke.")
    assert "integrations" in tags_of(tagger, "We integrated it with zapier last year.")
    assert tags_of(tagger, "Nothing relevant here at all.") == []


@pytest.mark.parametrize("name,content,reason", [
    ("broken.yaml", "- tag: a\n  keywords: [x\n", "invalid YAML"),
    ("scalar.yaml", "just a string", "expected a list"),
    ("empty.yaml", "", "empty"),
    ("notag.yaml", "- description: no name\n  keywords: [x]\n", "no 'tag'"),
    ("nocol.csv", "name_of_thing,keywords\nx,y\n", "no 'tag' column"),
    ("emptyrow.csv", "tag,keywords\n,x\n", "empty tag"),
    ("tax.txt", "tag,keywords\nx,y\n", "unsupported format"),
])
def test_bad_taxonomy_file_error_names_the_file(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError) as err:
        load_taxonomy(path)
    assert name in str(err.value) and reason in str(err.value)


def test_missing_taxonomy_file(tmp_path):
    with pytest.raises(ValueError, match="nope.yaml.*not found"):
        load_taxonomy(tmp_path / "nope.yaml")


# ----------------------------------------------------------------- sentiment --

def test_sentiment_sign_and_rounding(rules):
    pos, neg, neutral = (draft("I love it, it is fantastic and so easy."),
                         draft("This is terrible, I hate the slow export."),
                         draft("The meeting is on Tuesday."))
    rules.tag([pos, neg, neutral])
    assert 0 < pos.sentiment <= 1 and -1 <= neg.sentiment < 0 and neutral.sentiment == 0
    for d in (pos, neg):
        assert d.sentiment == round(d.sentiment, 3)


# ------------------------------------------------------------------ entities --

ENTITY_TEXT = "I work at Microsoft in Seattle and we pay $20 a month for Slack since January."


def test_entities_with_trained_pipeline(monkeypatch):
    monkeypatch.delenv(nlp.ENV_VAR, raising=False)
    if nlp.trained() is None:
        pytest.skip("no trained spaCy pipeline installed")
    tagger = Tagger()
    assert tagger.entities_on
    p, i = draft(ENTITY_TEXT), draft(ENTITY_TEXT, role=INTERVIEWER)
    tagger.tag([p, i])
    assert p.entities and i.entities == []
    for ent in p.entities:
        assert set(ent) == {"text", "label", "start", "end"}
        assert p.text[ent["start"]:ent["end"]] == ent["text"]
        assert ent["label"] in ENTITY_LABELS
    labels = {e["label"] for e in p.entities}
    assert {"GPE", "MONEY", "DATE"} & labels
    assert "NER on" in nlp.active_pipeline_name()


def test_blank_mode_has_no_entities_and_same_tags(monkeypatch):
    monkeypatch.setenv(nlp.ENV_VAR, "blank")
    assert nlp.trained() is None
    assert nlp.active_pipeline_name() == nlp.BLANK_NAME
    blank = Tagger()
    assert not blank.entities_on
    texts = [ENTITY_TEXT] + [x for xs in POSITIVE.values() for x in xs]
    a = [draft(t) for t in texts]
    blank.tag(a)
    assert all(d.entities == [] for d in a)
    monkeypatch.delenv(nlp.ENV_VAR)
    b = [draft(t) for t in texts]
    Tagger().tag(b)  # trained if installed: rule tags must not depend on it
    assert [d.tags for d in a] == [d.tags for d in b]
    assert [d.sentiment for d in a] == [d.sentiment for d in b]


def test_unknown_model_name_falls_back(monkeypatch):
    monkeypatch.setenv(nlp.ENV_VAR, "no_such_model_xyz")
    got = nlp.trained()  # falls through to the default packages, or None
    assert got is None or "ner" in got.pipe_names


def test_blank_mode_tags_fast(monkeypatch):
    """Smoke guard, generous on purpose (measured ~10,000/s on 2 cores)."""
    monkeypatch.setenv(nlp.ENV_VAR, "blank")
    tagger = Tagger()
    texts = [x for xs in POSITIVE.values() for x in xs] + NEUTRAL
    drafts = [draft(texts[i % len(texts)]) for i in range(3000)]
    start = time.perf_counter()
    tagger.tag(drafts)
    assert time.perf_counter() - start < 3.0
