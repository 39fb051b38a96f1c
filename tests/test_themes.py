"""Themes through Hub: planted corpus recovered, counts, unthemed accounting, and the
researcher's decisions surviving re-clustering. Real model, real Chroma."""
from __future__ import annotations

import shutil
from collections import Counter

import pytest

from research_hub.themes.model import UNTHEMED_ID
from themes_corpus import NOISE, PLANTED, theme_of, transcript, write_corpus

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def planted_workspace(tmp_path_factory):
    from research_hub import Hub

    root = tmp_path_factory.mktemp("planted")
    h = Hub(root / "ws")
    report = h.ingest([write_corpus(root / "corpus")])
    assert report.ok, [f.error for f in report.failed]
    h.close()
    return root / "ws"


@pytest.fixture
def ws(planted_workspace, tmp_path):
    from research_hub import Hub

    home = tmp_path / "ws"
    shutil.copytree(planted_workspace, home)
    h = Hub(home)
    yield h
    h.close()


def by_planted(result) -> dict[str, str]:
    """planted theme name -> the theme id holding (most of) it."""
    out = {}
    for name, texts in PLANTED.items():
        ids = Counter(t.id for t in result for sid in t.snippet_ids
                      if result.snippets[sid].text in texts)
        out[name] = ids.most_common(1)[0][0]
    return out


def test_planted_themes_are_recovered(ws):
    result = ws.themes(all_snippets=True)
    assert len(result) == len(PLANTED)
    for theme in result:
        planted = {theme_of(result.snippets[sid].text) for sid in theme.snippet_ids}
        assert len(planted) == 1 and None not in planted, theme.label
        assert theme.size == 6
    unthemed_texts = {result.snippets[s].text for s in result.unthemed.snippet_ids}
    assert unthemed_texts == set(NOISE)
    assert result.unthemed_share == pytest.approx(len(NOISE) / result.total)


def test_every_snippet_is_in_exactly_one_group(ws):
    result = ws.themes(all_snippets=True)
    selected = {s.snippet_id for s in ws.snippets(role="participant")}
    ids = [sid for t in [*result, result.unthemed] for sid in t.snippet_ids]
    assert len(ids) == len(set(ids)) == result.total == len(selected)
    assert set(ids) == selected


def test_counts_are_distinct_participants_documents_and_studies(ws):
    result = ws.themes(all_snippets=True)
    for theme in result:
        members = [result.snippets[s] for s in theme.snippet_ids]
        assert theme.participant_count == 3 == len({m.participant for m in members})
        assert theme.document_count == 3
        assert theme.studies == ["study-a", "study-b"]
        assert (theme.first_seen, theme.last_seen) == ("2026-01-12", "2026-03-03")
        assert len(theme.quotes) == 3
        assert len({q["participant"] for q in theme.quotes}) == 3  # different people where possible
        assert theme.mean_sentiment is not None and -1 <= theme.mean_sentiment <= 1


def test_labels_say_what_the_theme_is_about(ws):
    result = ws.themes(all_snippets=True)
    expected = {"export": "export", "bank": "bank", "receipts": "receipt", "vat": "vat|tax",
                "pricing": "price|pric|cost|plan|expensive"}
    for name, tid in by_planted(result).items():
        theme = result.get(tid)
        text = (theme.label + " " + " ".join(theme.keywords)).lower()
        assert any(w in text for w in expected[name].split("|")), (name, theme.label, theme.keywords)
        assert theme.label.lower() not in {"the", "and", "i", "it"}


def test_labels_without_a_trained_spacy_model(ws, monkeypatch):
    from research_hub.core import nlp

    monkeypatch.setenv("RESEARCH_HUB_SPACY_MODEL", "blank")
    nlp.clear_cache()
    try:
        result = ws.themes(all_snippets=True)
    finally:
        monkeypatch.delenv("RESEARCH_HUB_SPACY_MODEL")
        nlp.clear_cache()
    assert len(result) == len(PLANTED)
    assert all(t.label and t.label != "(no label)" for t in result)


def test_no_snippet_is_re_embedded(ws):
    ws.embedder.encoded = 0
    ws.themes(all_snippets=True)
    assert ws.embedder.encoded == 0


def test_rename_survives_reclustering_and_ids_are_stable(ws):
    first = ws.themes(all_snippets=True)
    tid = by_planted(first)["export"]
    ws.rename_theme(tid, "Slow exports")
    again = ws.themes(all_snippets=True)
    assert by_planted(again)["export"] == tid
    assert again.get(tid).label == "Slow exports"
    assert again.get(tid).auto_label != "Slow exports"
    assert {t.id for t in again} == {t.id for t in first}  # untouched themes keep their ids too


def test_merge_survives_reclustering(ws):
    ids = by_planted(ws.themes(all_snippets=True))
    ws.merge_themes(ids["bank"], ids["export"], name="Data in and out")
    result = ws.themes(all_snippets=True)
    merged = result.get(ids["bank"])
    assert merged.label == "Data in and out" and merged.size == 12
    assert {theme_of(result.snippets[s].text) for s in merged.snippet_ids} == {"bank", "export"}
    assert ids["export"] not in {t.id for t in result}
    ws.rename_theme(ids["export"], "Via the old id")  # the merged-away id still resolves
    assert ws.themes(all_snippets=True).get(ids["bank"]).label == "Via the old id"


def test_move_survives_reclustering(ws):
    result = ws.themes(all_snippets=True)
    ids = by_planted(result)
    sid = next(s for s in result.get(ids["vat"]).snippet_ids)
    ws.move_snippet(sid, ids["pricing"])
    again = ws.themes(all_snippets=True)
    assert sid in again.get(ids["pricing"]).snippet_ids
    assert sid not in again.get(ids["vat"]).snippet_ids
    ws.move_snippet(sid, "unthemed", tags=None)
    third = ws.themes(all_snippets=True)
    assert sid in third.unthemed.snippet_ids
    assert sum(t.size for t in third) + third.unthemed.size == third.total


def test_pinned_theme_is_kept_as_it_is_while_saved_themes_grow(ws, tmp_path):
    ids = by_planted(ws.themes(all_snippets=True))
    ws.pin_theme(ids["receipts"])
    ws.save_themes("baseline", tags=None)
    before = ws.themes(all_snippets=True)
    pinned_members = set(before.get(ids["receipts"]).snippet_ids)
    new = tmp_path / "new" / "2026-04-02_erin.md"
    new.parent.mkdir()
    new.write_text(transcript("Erin Lake", "study-b", "2026-04-02", [
        "The CSV export of my invoices timed out again last night.",
        "My receipt photos get the totals wrong all the time.",
    ]), encoding="utf-8")
    assert ws.ingest([new]).ok
    after = ws.themes(all_snippets=True)
    export = after.get(ids["export"])
    assert export.size == 7 and "Erin Lake" in export.participants  # new snippet joined a saved theme
    assert set(after.get(ids["receipts"]).snippet_ids) == pinned_members  # pinned: nobody joins
    assert after.get(ids["receipts"]).state == "pinned"
    sets = ws.theme_sets()
    assert [s["name"] for s in sets] == ["baseline"] and sets[0]["themes"] == len(PLANTED)
    saved = ws.theme_set("baseline")
    assert sum(len(t["snippet_ids"]) for t in saved["themes"]) == 30  # as it was when saved
    with pytest.raises(ValueError):
        ws.save_themes("baseline", tags=None)


def test_new_topic_after_save_becomes_a_new_theme(ws, tmp_path):
    ws.save_themes("v1", tags=None)
    folder = tmp_path / "more"
    folder.mkdir()
    lines = ["Please add a dark mode, the white screen hurts my eyes at night.",
             "A dark theme would make the app much easier to use in the evening.",
             "I'd love a night mode with a darker colour scheme."]
    for i, who in enumerate(["Finn Gray", "Gale Hart", "Hana Ito"]):
        (folder / f"2026-05-0{i + 1}_{who.split()[0]}.md").write_text(
            transcript(who, "study-c", f"2026-05-0{i + 1}", [lines[i]]), encoding="utf-8")
    assert ws.ingest([folder]).ok
    result = ws.themes(all_snippets=True)
    assert len(result) == len(PLANTED) + 1
    dark = next(t for t in result if t.state == "auto")
    assert dark.size == 3 and dark.participant_count == 3


def test_split_makes_a_new_named_theme(ws):
    result = ws.themes(all_snippets=True)
    tid = by_planted(result)["vat"]
    part = result.get(tid).snippet_ids[:3]
    created = ws.split_theme(tid, part, "Tax abroad")
    again = ws.themes(all_snippets=True)
    assert set(again.get(created["id"]).snippet_ids) == set(part)
    assert again.get(created["id"]).label == "Tax abroad"
    assert not set(part) & set(again.get(tid).snippet_ids)


def test_bad_edits_are_clear_errors(ws):
    result = ws.themes(all_snippets=True)
    with pytest.raises(KeyError):
        ws.rename_theme("t-nope", "x")
    with pytest.raises(ValueError):
        ws.rename_theme(result[0].id, "  ")
    with pytest.raises(ValueError):
        ws.merge_themes(result[0].id, result[0].id)
    with pytest.raises(KeyError):
        ws.move_snippet("no-such-snippet", result[0].id)
    with pytest.raises(TypeError):
        ws.themes(all_snippets=True, colour="red")


def test_timeline_and_studies_are_plottable_records(ws):
    result = ws.themes(all_snippets=True)
    months = ws.theme_timeline("month", result)
    for theme in result:
        rows = [r for r in months if r["theme_id"] == theme.id]
        assert sum(r["count"] for r in rows) == theme.size
        assert {r["period"] for r in rows} == {"2026-01", "2026-03"}
        assert all(r["start"] and r["participants"] <= r["count"] for r in rows)
    weeks = ws.theme_timeline("week", result)
    assert {r["period"] for r in weeks} == {"2026-W03", "2026-W04", "2026-W10"}
    studies = ws.theme_studies(result)
    assert sum(r["count"] for r in studies) == sum(t.size for t in result)
    assert {r["study"] for r in studies} == {"study-a", "study-b"}
    with pytest.raises(ValueError):
        ws.theme_timeline("fortnight", result)


def test_pain_point_selection_on_the_samples(sample_copy):
    result = sample_copy.themes()  # tags=["pain_point"]
    assert result.total == len(sample_copy.snippets(tags=["pain_point"], role="participant"))
    assert len(result) >= 5
    assert result.unthemed_share <= 0.25
    assert sum(t.size for t in result) + result.unthemed.size == result.total
    assert all(t.participant_count <= t.size for t in result)
    assert sample_copy.themes(study="no-such-study").total == 0


def test_cli_themes(planted_workspace, tmp_path):
    import json

    from typer.testing import CliRunner

    from research_hub.cli import app
    from research_hub.cli import extra  # noqa: F401

    home = tmp_path / "ws"
    shutil.copytree(planted_workspace, home)
    run = CliRunner().invoke
    out = run(app, ["--home", str(home), "themes", "--all", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert len(data["themes"]) == len(PLANTED) and data["unthemed"]["id"] == UNTHEMED_ID
    tid = data["themes"][0]["id"]
    out = run(app, ["--home", str(home), "themes", "rename", tid, "[b]Renamed[/b]"])
    assert out.exit_code == 0, out.output
    out = run(app, ["--home", str(home), "themes", "--all"])
    assert out.exit_code == 0 and "5 themes over 34 snippets; unthemed 4" in out.output
    out = run(app, ["--home", str(home), "themes", "--all", "show", tid])
    assert out.exit_code == 0 and "[b]Renamed[/b]" in out.output  # user text is not markup
    out = run(app, ["--home", str(home), "themes", "merge", tid, "t-missing"])
    assert out.exit_code == 1 and "no theme" in out.output and "Traceback" not in out.output
    out = run(app, ["--home", str(home), "themes", "--all", "timeline", "--json"])
    assert out.exit_code == 0 and json.loads(out.output)
