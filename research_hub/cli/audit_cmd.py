"""`audit` (the journal of human changes) and `rebuild` (a damaged workspace from what outlives it)."""
from __future__ import annotations

import typer

from research_hub.cli.common import State, console, hub, print_json, table
from research_hub.hub import Hub


def audit(who: str = typer.Option(None, "--who", help="Only this person's changes."),
          action: str = typer.Option(None, "--action", help="An action or its prefix: theme, tag.edit ..."),
          since: str = typer.Option(None, "--since", help="From this ISO date or time on."),
          until: str = typer.Option(None, "--until", help="Up to this ISO date or time."),
          limit: int = typer.Option(None, "--limit", help="At most this many, newest first."),
          as_json: bool = typer.Option(False, "--json"), as_csv: bool = typer.Option(False, "--csv")):
    """Who changed what, when: every human change with the rows before and after."""
    filters = {"who": who, "action": action, "since": since, "until": until, "limit": limit}
    if as_json or as_csv:
        return typer.echo(hub().audit_export("json" if as_json else "csv", **filters).decode(), nl=False)
    entries = hub().audit(**filters)
    table(f"audit ({len(entries)} changes)", ["#", "when", "who", "action", "target", "what changed"],
          [(e["seq"], e["at"], e["who"], e["action"], e["target"], e["summary"][:160]) for e in entries])


def rebuild(force: bool = typer.Option(False, "--force", help="Rebuild even an undamaged database."),
            as_json: bool = typer.Option(False, "--json")):
    """Recover a damaged or lost hub.sqlite from sources/ and journal.jsonl (sets the damaged one aside)."""
    result = Hub.rebuild(State.home, force=force)
    if as_json:
        print_json(result)
    else:
        console.print(f"rebuilt {result['documents']} documents, {result['snippets']} snippets; replayed "
                      f"{result['replayed']} of {result['entries']} journal entries"
                      + (f"; damaged files kept in {result['set_aside']}" if result["set_aside"] else ""),
                      markup=False)
        for problem in result["not_replayed"] + result["failed"] + [
                f"no source copy: {m}" for m in result["missing_sources"]]:
            console.print(f"  not restored: {problem}", markup=False)
    if result["not_replayed"] or result["failed"] or result["missing_sources"]:
        raise typer.Exit(1)
