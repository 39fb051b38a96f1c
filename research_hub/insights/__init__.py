"""From quotes to insights: highlights, insights with computed strength, Ask, counter-evidence.

    highlights.py  `hub.highlights`: any span of one speaker's words, tagged, as evidence
    book.py        `hub.insights`: findings with supporting and contradicting evidence
    strength.py    how strong and how stale an insight is (docs/insights.md)
    propose.py     draft insights from a theme or an Ask group
    counter.py     the participants who say the opposite of a theme or an insight
    ask.py         `hub.ask`: a question answered with grouped, verbatim, counted quotes
    model.py       the dataclasses handed out

SQL lives in store.highlights and store.insights; the layer sits above the
roadmap (strength reuses its scoring functions) and below export (bundles
carry insights).
"""
from research_hub.insights.ask import Answer, AskGroup, AskQuote, ask
from research_hub.insights.book import Insights
from research_hub.insights.counter import CounterEvidence
from research_hub.insights.highlights import HighlightHit, Highlights
from research_hub.insights.model import EvidenceItem, Insight
from research_hub.insights.strength import Strength

__all__ = ["Answer", "AskGroup", "AskQuote", "ask", "Insights", "CounterEvidence", "HighlightHit",
           "Highlights", "EvidenceItem", "Insight", "Strength"]
