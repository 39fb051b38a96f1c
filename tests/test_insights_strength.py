"""Insight strength: it moves as evidence is added, contradicted and aged, exactly as
docs/insights.md writes it, and a stale insight says why."""
from __future__ import annotations

from datetime import date

import pytest

from research_hub.core.models import Snippet
from research_hub.insights.strength import STALE_DAYS, measure

AS_OF = date(2026, 6, 1)


def quote(participant, *, study="s1", kind="interview", day="2026-06-01", meta=None, n=0):
    return Snippet(snippet_id=f"{participant}-{study}-{day}-{n}", document_id="d", document_title="t",
                   document_path="p", text="x", speaker=participant, role="participant",
                   participant=participant, char_start=0, char_end=1, line=1, start_time=None,
                   end_time=None, context=None, tags=[], sentiment=0.0, entities=[], kind=kind,
                   study=study, date=day, meta=meta or {})


def formula(p, n, studies=1, segments=1, age_days=0, undated=False, cp=0, cn=0):
    """docs/insights.md, by hand."""
    reach = p + 0.25 * (n - p)
    breadth = 1 + 0.15 * (studies - 1) + 0.15 * (segments - 1)
    recency = 0.75 if undated else 0.5 + 0.5 * 0.5 ** (age_days / 365)
    counter = cp + 0.25 * (cn - cp)
    agreement = reach / (reach + counter) if cn else 1.0
    return round(reach * breadth * recency * agreement, 2)


def test_the_worked_example_of_the_docs():
    support = [quote("a"), quote("a", n=1), quote("b", study="s2"), quote("c", meta={"Plan": "Pro"})]
    st = measure(support, [quote("d")], as_of=AS_OF)
    # reach 3 + 0.25 = 3.25; breadth 1 + 0.15 + 0.15 = 1.3; recency 1; agreement 3.25 / 4.25
    assert st.parts == {"reach": 3.25, "breadth": 1.3, "recency": 1.0, "agreement": round(3.25 / 4.25, 3)}
    assert st.score == formula(3, 4, studies=2, segments=2, cp=1, cn=1) == round(3.25 * 1.3 * 3.25 / 4.25, 2)
    assert (st.evidence, st.participants, st.studies, st.counter_participants) == (4, 3, 2, 1)


def test_strength_grows_with_each_new_participant_and_less_with_repeats():
    one = measure([quote("a")], as_of=AS_OF).score
    repeat = measure([quote("a"), quote("a", n=1)], as_of=AS_OF).score
    two = measure([quote("a"), quote("b")], as_of=AS_OF).score
    assert one < repeat < two
    assert (one, repeat, two) == (formula(1, 1), formula(1, 2), formula(2, 2))
    wider = measure([quote("a"), quote("b", study="s2", kind="survey")], as_of=AS_OF).score
    assert wider == formula(2, 2, studies=2, segments=2) > two


def test_contradicting_evidence_lowers_strength_by_its_share_of_the_reach():
    support = [quote("a"), quote("b"), quote("c")]
    clear = measure(support, as_of=AS_OF)
    against = measure(support, [quote("x")], as_of=AS_OF)
    more = measure(support, [quote("x"), quote("y")], as_of=AS_OF)
    assert clear.score > against.score > more.score
    assert against.parts["agreement"] == 0.75 and more.parts["agreement"] == 0.6
    assert more.score == formula(3, 3, cp=2, cn=2)
    assert measure(support, support, as_of=AS_OF).parts["agreement"] == 0.5  # evenly contested


def test_ageing_halves_the_distance_to_half_every_year():
    fresh = measure([quote("a"), quote("b")], as_of=AS_OF)
    year = measure([quote("a", day="2025-06-01"), quote("b", day="2025-06-01")], as_of=AS_OF)
    undated = measure([quote("a", day=None), quote("b", day=None)], as_of=AS_OF)
    assert fresh.parts["recency"] == 1.0 and year.parts["recency"] == 0.75
    assert year.score == formula(2, 2, age_days=365) == round(fresh.score * 0.75, 2)
    assert undated.parts["recency"] == 0.75 and not undated.stale
    # the newest supporting quote decides
    mixed = measure([quote("a", day="2020-01-01"), quote("b")], as_of=AS_OF)
    assert mixed.parts["recency"] == 1.0 and mixed.newest == "2026-06-01"


def test_stale_when_the_newest_support_is_old_or_newer_evidence_contradicts_it():
    old = measure([quote("a", day="2024-01-01")], as_of=AS_OF)
    assert old.stale and f"{(AS_OF - date(2024, 1, 1)).days} days old" in old.stale_reasons[0]
    edge = measure([quote("a", day=str(date.fromordinal(AS_OF.toordinal() - STALE_DAYS)))], as_of=AS_OF)
    assert not edge.stale
    overtaken = measure([quote("a", day="2026-01-01")], [quote("b", day="2026-05-01")], as_of=AS_OF)
    assert overtaken.stale and "newer than its newest support" in overtaken.stale_reasons[0]
    answered = measure([quote("a", day="2026-05-01")], [quote("b", day="2026-01-01")], as_of=AS_OF)
    assert not answered.stale


def test_no_support_scores_zero_and_review_is_counted_apart():
    st = measure([], [quote("b")], needs_review=2, as_of=AS_OF)
    assert (st.score, st.evidence, st.counter_evidence, st.needs_review) == (0.0, 0, 1, 2)


@pytest.mark.parametrize("n", [1, 3, 7])
def test_strength_is_monotone_in_support(n):
    support = [quote(p) for p in "abcdefgh"[:n]]
    assert measure(support + [quote("z")], as_of=AS_OF).score > measure(support, as_of=AS_OF).score
