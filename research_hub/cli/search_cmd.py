"""`research-hub search QUERY`: hybrid search with filters, as a table or JSON."""
from __future__ import annotations

from typing import List, Optional

import typer
from rich.table import Table
from rich.text import Text

from research_hub.cli.common import console, fail, hub, print_json


def search(query: str = typer.Argument(..., help='Words to look for; "quoted phrases" must appear as typed.'),
           k: int = typer.Option(10, "--k", "-k", help="How many hits."),
           tag: List[str] = typer.Option([], "--tag", help="Only snippets with this tag (repeat for AND)."),
           participant: Optional[str] = typer.Option(None, help="Only this participant."),
           study: Optional[str] = typer.Option(None, help="Only this study."),
           kind: Optional[str] = typer.Option(None, help="interview, survey, support, review or note."),
           role: Optional[str] = typer.Option(
               None, help="participant (default), interviewer, or any: interviewer questions "
                          "are not evidence, so they are left out unless asked for."),
           document: Optional[str] = typer.Option(None, help="Only this document (id, name or path)."),
           since: Optional[str] = typer.Option(None, help="From this date (YYYY-MM-DD, YYYY-MM or YYYY)."),
           until: Optional[str] = typer.Option(None, help="Up to this date, inclusive."),
           mode: str = typer.Option("hybrid", help="hybrid, dense or keyword (to compare rankings)."),
           as_json: bool = typer.Option(False, "--json")):
    """Find what participants said about something: meaning and exact words together."""
    if not query.strip():
        fail("the query is empty: type a few words to look for")
    hits = hub().search(query, k=k, mode=mode, tags=tag or None, participant=participant,
                        study=study, kind=kind, role=role, document=document, since=since, until=until)
    if as_json:
        return print_json(hits)
    if not hits:
        console.print("no matching snippets", highlight=False)
        return
    show(hits)


def show(hits) -> None:
    t = Table(title=f"{len(hits)} hits", show_lines=True)
    for name in ("#", "score", "who", "quote", "where", "tags"):
        t.add_column(name, overflow="fold")
    for rank, h in enumerate(hits, 1):
        quote = Text(h.text)  # a Text object: user words are never read as markup
        for a, b in h.highlights:
            quote.stylize("bold yellow", a, b)
        if h.context:
            quote = Text.assemble(Text(f"Q: {h.context}\n", style="dim"), quote)
        if h.duplicates:
            quote.append(f"\n(said {h.duplicates + 1} times)", style="dim")
        who = Text(h.participant + ("" if h.role == "participant" else f" ({h.role})"))
        t.add_row(str(rank), f"{h.score:.3f}", who, quote, Text(h.citation()), Text(", ".join(h.tags)))
    console.print(t)
