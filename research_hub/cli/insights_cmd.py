"""`research-hub insights ...` (findings with evidence and strength) and `research-hub ask`."""
from __future__ import annotations

from typing import List, Optional

import typer

from research_hub.cli.common import console, hub, print_json, table
from research_hub.insights.book import strength_table

STRENGTH = "strength = reach × breadth × recency × agreement (docs/insights.md)"


def _say(text: str) -> None:
    console.print(text, markup=False, highlight=False)


def _card(i) -> None:
    st = i.strength
    badge = "  [DRAFT: edit this sentence]" if i.draft else ""
    _say(f"{i.id}: {i.statement}{badge}")
    if st.parts:
        _say(f"status {i.status} · strength {st.score} = "
             + " × ".join(f"{k} {v}" for k, v in st.parts.items()))
    else:
        _say(f"status {i.status} · no supporting evidence yet")
    _say(f"{st.evidence} supporting quotes from {st.participants} participants · {st.studies} studies · "
         f"segments: {', '.join(st.segments) or 'none'} · newest {st.newest or 'undated'} · "
         f"{st.counter_evidence} contradicting from {st.counter_participants} participants")
    if st.stale:
        _say("STALE: " + "; ".join(st.stale_reasons))
    if st.needs_review:
        _say(f"{st.needs_review} pieces of evidence need review: their words changed")
    if i.features:
        _say("features: " + ", ".join(i.features))
    for label, items in (("supporting", i.supporting), ("contradicting", i.contradicting)):
        if items:
            table(f"{len(items)} {label}", ["kind", "id", "state", "participant", "where", "text"],
                  [(e.kind, e.id[:12], e.status, e.participant or "", e.citation or e.reason or "",
                    e.text) for e in items])
    _say(STRENGTH)


def add(statement: str = typer.Argument(..., help="One sentence: what you found."),
        evidence: List[str] = typer.Option([], "--evidence", "-e", help="Supporting snippet or highlight id."),
        against: List[str] = typer.Option([], "--against", help="Contradicting snippet or highlight id."),
        feature: List[str] = typer.Option([], "--feature", help="A roadmap feature it bears on."),
        as_json: bool = typer.Option(False, "--json")):
    """Write an insight, with the quotes behind it."""
    i = hub().insights.add(statement, evidence, against, feature)
    if as_json:
        return print_json(i.to_dict())
    _card(i)


def propose(theme_id: str, as_json: bool = typer.Option(False, "--json")):
    """Draft an insight from a theme: its label as a starting sentence, its quotes as evidence."""
    i = hub().insights.propose(theme_id)
    if as_json:
        return print_json(i.to_dict())
    _card(i)
    _say(f"edit it with: research-hub insights edit {i.id} --statement \"...\"")


def list_(status: Optional[str] = typer.Option(None, "--status", help="draft, active or archived."),
          feature: Optional[str] = typer.Option(None, "--feature"),
          include_archived: bool = typer.Option(False, "--all", help="Include archived insights."),
          as_json: bool = typer.Option(False, "--json")):
    """Insights, strongest first."""
    items = hub().insights.list(status=status, feature=feature, include_archived=include_archived)
    if as_json:
        return print_json([i.to_dict() for i in items])
    rows = strength_table(items)
    columns = ["id", "statement", "status", "strength", "participants", "against", "stale", "features"]
    table(f"{len(rows)} insights", ["id", "statement", "status", "strength", "people", "against",
                                    "stale", "features"], [[r[c] for c in columns] for r in rows])
    _say(STRENGTH)


def show(insight_id: str, as_json: bool = typer.Option(False, "--json")):
    """One insight: its strength with each part, its evidence, and whether it is stale."""
    i = hub().insights.get(insight_id)
    if as_json:
        return print_json(i.to_dict())
    _card(i)


def edit(insight_id: str, statement: Optional[str] = typer.Option(None, "--statement"),
         status: Optional[str] = typer.Option(None, "--status", help="draft, active or archived.")):
    """Reword an insight (a draft becomes yours) or change its status."""
    i = hub().insights.edit(insight_id, statement, status)
    _say(f"{i.id} [{i.status}]: {i.statement}")


def accept(insight_id: str):
    """Accept a draft as it stands."""
    i = hub().insights.accept(insight_id)
    _say(f"{i.id} [{i.status}]: {i.statement}")


def evidence(insight_id: str, refs: List[str] = typer.Argument(..., help="Snippet or highlight ids."),
             contradicts: bool = typer.Option(False, "--contradicts", help="They contradict it."),
             remove: bool = typer.Option(False, "--remove", help="Take them off."),
             note: Optional[str] = typer.Option(None, "--note")):
    """Attach snippets or highlights as supporting (or contradicting) evidence, or remove them."""
    book = hub().insights
    if remove:
        for ref in refs:
            i = book.detach(insight_id, ref)
    else:
        i = book.attach(insight_id, refs, "contradicts" if contradicts else "supports", note)
    _say(f"{i.id}: strength {i.strength.score} from {i.strength.evidence} supporting and "
         f"{i.strength.counter_evidence} contradicting quotes")


def link(insight_id: str, feature_id: str, remove: bool = typer.Option(False, "--remove")):
    """Link an insight to a roadmap feature: its evidence counts in the feature's score."""
    i = hub().insights.link(insight_id, feature_id, remove)
    _say(f"{i.id}: features {', '.join(i.features) or 'none'}")


def counter(insight_id: str, as_json: bool = typer.Option(False, "--json")):
    """Participants who say the opposite of an insight's supporting quotes."""
    show_counter(hub().insights.counter(insight_id), as_json)


def remove(insight_id: str):
    """Delete an insight (its evidence stays in the workspace)."""
    _say(f"removed {hub().insights.remove(insight_id)}")


def show_counter(found, as_json: bool) -> None:
    if as_json:
        return print_json(found.to_dict())
    if found.polarity == "mixed":
        _say("the quotes are mixed (neither mostly pain nor mostly praise): they hold both sides")
    else:
        _say(f"{found.participants} participants say the opposite of these {found.polarity} quotes "
             f"(from {found.of} participants)")
    quotes = [*found.inside, *found.nearby]
    if quotes:
        table(f"{len(quotes)} quotes saying the opposite", ["where", "snippet", "participant", "cite", "text"],
              [(q["where"], q["snippet_id"][:12], q["participant"], q["citation"], q["text"]) for q in quotes])
    if found.segments:
        table("by segment", ["segment", "with", "against", "leans"],
              [(s["segment"], s["with"], s["against"], s["leans"]) for s in found.segments])
    if found.disagreement:
        _say("segments disagree")


def ask(question: str = typer.Argument(..., help="A question in plain words."),
        k: int = typer.Option(30, "--k", "-k", min=2, max=500, help="How many quotes to retrieve."),
        tag: List[str] = typer.Option([], "--tag"), study: Optional[str] = typer.Option(None),
        kind: Optional[str] = typer.Option(None), participant: Optional[str] = typer.Option(None),
        document: Optional[str] = typer.Option(None), since: Optional[str] = typer.Option(None),
        until: Optional[str] = typer.Option(None),
        labels: bool = typer.Option(True, "--labels/--no-labels", help="Noun-phrase labels (spaCy)."),
        as_json: bool = typer.Option(False, "--json")):
    """Answer a question from participant quotes: sub-themes, counts, verbatim quotes."""
    answer = hub().ask(question, k=k, labels=labels, tags=tag or None, study=study, kind=kind,
                       participant=participant, document=document, since=since, until=until)
    if as_json:
        return print_json(answer.to_dict())
    _say(f"{answer.retrieved} quotes from {answer.participants_retrieved} of "
         f"{answer.participants_in_selection} participants in the selection")
    for g in answer.groups:
        _say(f"\n{g.label}  ({g.participants} of {g.of} participants; machine label)")
        for q in g.quotes[:5]:
            _say(f"  \u201c{q.text}\u201d  \u2014 {q.participant}, {q.citation} [{q.snippet_id[:8]}]")
        for q in g.counter[:3]:
            _say(f"  says the opposite: \u201c{q.text}\u201d  \u2014 {q.participant}, {q.citation}")
    if answer.other:
        _say(f"\n{len(answer.other)} more relevant quotes fit no group (see --json)")
