"""`research-hub highlights ...`: mark spans of a speaker's words, tag them, use them as evidence."""
from __future__ import annotations

from typing import List, Optional

import typer

from research_hub.cli.common import console, hub, print_json, table


def _say(text: str) -> None:
    console.print(text, markup=False, highlight=False)


def _rows(items) -> None:
    table(f"{len(items)} highlights", ["id", "state", "participant", "where", "tags", "text"],
          [(h.id, h.state, h.participant, h.citation(), ", ".join(h.tags), h.text) for h in items])


def add(document: str = typer.Argument(..., help="Document id (or prefix), name or path."),
        start: int = typer.Argument(..., help="First character, an offset into the document text."),
        end: int = typer.Argument(..., help="One past the last character."),
        tag: List[str] = typer.Option([], "--tag", help="Tag it (repeat for more)."),
        note: Optional[str] = typer.Option(None, "--note"),
        feature: Optional[str] = typer.Option(None, "--feature", help="Link it as evidence to this feature."),
        insight: Optional[str] = typer.Option(None, "--insight", help="Attach it as evidence to this insight."),
        contradicts: bool = typer.Option(False, "--contradicts", help="It contradicts the insight."),
        as_json: bool = typer.Option(False, "--json")):
    """Highlight document text START..END (within one speaker's words)."""
    h = hub().highlights.add(document, start, end, tag, note, feature=feature, insight=insight,
                             stance="contradicts" if contradicts else "supports")
    if as_json:
        return print_json(h.to_dict())
    _say(f"highlighted {h.id}: {h.participant}, {h.citation()}")
    _say(h.text)


def list_(document: Optional[str] = typer.Option(None, "--document"),
          participant: Optional[str] = typer.Option(None, "--participant"),
          tag: List[str] = typer.Option([], "--tag", help="With this tag (repeat for AND)."),
          state: Optional[str] = typer.Option(None, "--state", help="ok or review."),
          feature: Optional[str] = typer.Option(None, "--feature", help="Linked to this feature."),
          study: Optional[str] = typer.Option(None, "--study"),
          text: Optional[str] = typer.Option(None, "--text", help="Holding every one of these words."),
          as_json: bool = typer.Option(False, "--json")):
    """Highlights under the filters, in document order."""
    items = hub().highlights.list(document=document, participant=participant, tag=tag or None,
                                  state=state, feature=feature, study=study, text=text)
    if as_json:
        return print_json([h.to_dict() for h in items])
    _rows(items)


def show(highlight_id: str, as_json: bool = typer.Option(False, "--json")):
    """One highlight: its words, where they are, its tags, features and insights."""
    h = hub().highlights.get(highlight_id)
    if as_json:
        return print_json(h.to_dict())
    _say(f"{h.id} [{h.state}] {h.speaker} ({h.participant}), {h.citation()}, chars "
         f"{h.char_start}-{h.char_end}, by {h.author} at {h.created_at}")
    if h.reason:
        _say(f"needs review: {h.reason}")
    _say(h.text)
    for label, values in (("tags", h.tags), ("features", h.features), ("insights", h.insights)):
        if values:
            _say(f"{label}: {', '.join(values)}")
    if h.note:
        _say(f"note: {h.note}")


def tag(highlight_id: str, name: str, remove: bool = typer.Option(False, "--remove")):
    """Add a tag to a highlight, or remove it."""
    h = hub().highlights.tag(highlight_id, name, remove)
    _say(f"{h.id}: {', '.join(h.tags) or 'no tags'}")


def link(highlight_id: str, feature: Optional[str] = typer.Option(None, "--feature"),
         insight: Optional[str] = typer.Option(None, "--insight"),
         contradicts: bool = typer.Option(False, "--contradicts", help="It contradicts the insight."),
         remove: bool = typer.Option(False, "--remove", help="Take the link off."),
         note: Optional[str] = typer.Option(None, "--note")):
    """Use a highlight as evidence for a feature or an insight."""
    h = hub().highlights.link(highlight_id, feature=feature, insight=insight,
                              stance="contradicts" if contradicts else "supports", remove=remove,
                              note=note)
    _say(f"{h.id}: features {', '.join(h.features) or 'none'}; insights {', '.join(h.insights) or 'none'}")


def remove(highlight_id: str):
    """Delete a highlight with its tags and links."""
    _say(f"removed {hub().highlights.remove(highlight_id)}")


def search(query: str, k: int = typer.Option(10, "--k", "-k", min=1, max=500),
           as_json: bool = typer.Option(False, "--json")):
    """Highlights ranked for a query (meaning and keywords)."""
    hits = hub().highlights.search(query, k)
    if as_json:
        return print_json([h.to_dict() for h in hits])
    table(f"{len(hits)} highlights", ["score", "id", "participant", "where", "text"],
          [(f"{h.score:.3f}", h.highlight.id, h.highlight.participant, h.highlight.citation(),
            h.highlight.text) for h in hits])
