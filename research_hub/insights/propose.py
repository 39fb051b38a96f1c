"""Draft insights from a theme (or an Ask group): a starting point a researcher edits.

The draft's statement is a plain template around the group's label
("Participants talk about <label>."), never a quote and never presented as one;
it stays status 'draft' until a person edits or accepts it. Its evidence is the
group's quotes as supporting evidence, the one nearest the group's centre
marked as the headline quote.
"""
from __future__ import annotations

from typing import Sequence

from research_hub.core.errors import InvalidInputError
from research_hub.core.models import Snippet
from research_hub.insights.counter import quote_vectors
from research_hub.roadmap.evidence import current_user
from research_hub.store.insights import InsightStore
from research_hub.store.themes import ThemeStore
from research_hub.themes.model import nearest_first

DRAFT = "Participants talk about {label}."
HEADLINE = "headline quote: nearest the centre of {what}"


def draft(ws, label: str, quotes: Sequence[Snippet], origin: str, theme_id: str | None = None,
          author: str | None = None) -> str:
    """Create a draft insight backed by `quotes`; returns its id."""
    quotes = [q for q in quotes if q.role == "participant"]
    if not quotes:
        raise InvalidInputError("there are no participant quotes to base a draft on")
    label = " ".join((label or "").split()) or "this theme"
    order = nearest_first(quote_vectors(ws, quotes))
    ranked = [quotes[i] for i in order]
    who = author or current_user()
    store = InsightStore(ws.db)
    insight_id = store.create(DRAFT.format(label=label), "draft", origin, theme_id, who)
    what = f"theme {theme_id}" if theme_id else "the group"
    store.attach(insight_id, [("snippet", ranked[0].snippet_id, "supports", ranked[0].text,
                               ranked[0].document_id)], who, HEADLINE.format(what=what))
    store.attach(insight_id, [("snippet", q.snippet_id, "supports", q.text, q.document_id)
                              for q in ranked[1:]], who, f"member of {what}")
    return insight_id


def from_theme(ws, theme_id: str, author: str | None = None) -> str:
    theme = ThemeStore(ws.db).get(theme_id)
    found = ws.records.get_snippets(sorted(theme.members))
    return draft(ws, theme.name or theme.label, [found[i] for i in sorted(found)], "theme",
                 theme.id, author)
