"""Retagging what is stored: a later taxonomy or tagger reaches old snippets, manual edits stay."""
from __future__ import annotations

import pytest

from research_hub.core.errors import AccessDeniedError
from tests.conftest import write

pytestmark = pytest.mark.integration

INTERVIEW = """Interviewer: How do you handle month-end?
Ana: The bank feed breaks every week and I re-import the statements by hand. It is a real headache.
Interviewer: Anything you like?
Ana: The invoice templates are lovely and my clients notice them.
Interviewer: What would you change?
Ana: Please add multi-currency invoices, our European clients keep asking for them.
"""


def _origins(hub) -> dict[str, dict[str, str]]:
    rows = hub.workspace.db.query("SELECT snippet_id, tag, origin FROM snippet_tags")
    out: dict[str, dict[str, str]] = {}
    for r in rows:
        out.setdefault(r["snippet_id"], {})[r["tag"]] = r["origin"]
    return out


def _participant_ids(hub) -> list[str]:
    return [r["id"] for r in hub.workspace.db.query(
        "SELECT id FROM snippets WHERE role = 'participant' ORDER BY seq")]


def test_a_taxonomy_applied_later_reaches_stored_snippets(hub, tmp_path):
    hub.ingest([write(tmp_path / "ana.txt", INTERVIEW)])
    assert not any("bank_feeds" in tags for tags in _origins(hub).values())
    hub.set_taxonomy(write(tmp_path / "taxonomy.yaml", "bank_feeds:\n  keywords: [bank feed]\n"))
    out = hub.retag()
    assert out["documents"] == 1 and out["tags"]["bank_feeds"] == (0, 1)
    tagged = [sid for sid, tags in _origins(hub).items() if tags.get("bank_feeds") == "taxonomy"]
    assert [hub.workspace.records.snippet(s).text.startswith("The bank feed") for s in tagged] == [True]
    assert [h.snippet_id for h in hub.search("statements", tags=["bank_feeds"])] == tagged


def test_manual_edits_survive_and_a_second_retag_changes_nothing(hub, tmp_path):
    hub.ingest([write(tmp_path / "ana.txt", INTERVIEW)])
    first, *_ = _participant_ids(hub)
    automatic = sorted(_origins(hub).get(first, {}))
    assert automatic, "the bank feed complaint should carry an automatic tag"
    hub.add_tag(first, "reconciliation")
    hub.remove_tag(first, automatic[0])
    before = hub.workspace.records.effective_tags([first])[first]
    once = hub.retag()
    assert hub.workspace.records.effective_tags([first])[first] == before
    assert hub.retag()["tags"] == {t: (after, after) for t, (_, after) in once["tags"].items()}


def test_switching_the_tagger_retags_with_the_model_and_its_confidence(tmp_path, monkeypatch):
    from research_hub import Hub

    monkeypatch.setenv("RESEARCH_HUB_TAGGER", "rules")
    hub = Hub(tmp_path / "ws")
    hub.ingest([write(tmp_path / "ana.txt", INTERVIEW)])
    assert {o for tags in _origins(hub).values() for o in tags.values()} <= {"auto"}
    hub.close()
    monkeypatch.setenv("RESEARCH_HUB_TAGGER", "model")
    hub = Hub(tmp_path / "ws")
    hub.retag()
    origins = {o for tags in _origins(hub).values() for o in tags.values()}
    assert origins == {"model"}
    confidences = [r["confidence"] for r in hub.workspace.db.query("SELECT confidence FROM snippet_tags")]
    assert all(0.0 < c <= 1.0 for c in confidences)
    hub.close()


def test_a_viewer_may_not_retag(hub, tmp_path):
    hub.ingest([write(tmp_path / "ana.txt", INTERVIEW)])
    hub.add_user("vera", "a long enough password", "viewer")
    with pytest.raises(AccessDeniedError):
        hub.as_user("vera").retag()


def test_tag_filters_read_the_tags_as_edited(hub, tmp_path):
    hub.ingest([write(tmp_path / "ana.txt", INTERVIEW)])
    first, second, third = _participant_ids(hub)[:3]
    before = {s.snippet_id for s in hub.snippets(tags=["pain_point"])}
    assert first in before and second not in before
    hub.remove_tag(first, "pain_point")
    hub.add_tag(second, "pain_point")
    hub.add_tag(second, "follow up")
    assert {s.snippet_id for s in hub.snippets(tags=["pain_point"])} == before - {first} | {second}
    assert [s.snippet_id for s in hub.snippets(tags=["pain_point", "follow_up"])] == [second]
    assert third not in {s.snippet_id for s in hub.snippets(tags=["pain_point", "follow_up"])}
    assert len(hub.snippets(tags=["pain_point"], limit=1)) == 1
