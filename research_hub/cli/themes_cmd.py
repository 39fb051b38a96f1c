"""`research-hub themes ...`: list themes, and steer them (rename, merge, move, pin, split, save).

Selection options go before a subcommand: `research-hub themes --all timeline`.
"""
from __future__ import annotations

from typing import List, Optional

import typer
from rich.markup import escape

from research_hub.cli.common import console, hub, print_json, table
from research_hub.cli.insights_cmd import show_counter


def _selection(ctx: typer.Context) -> dict:
    return dict(ctx.obj or {})


def _tags(sel: dict):
    return None if sel.get("all") else (sel.get("tags") or ["pain_point"])


def _compute(sel: dict):
    return hub().themes(tags=_tags(sel), study=sel.get("study"), kind=sel.get("kind"),
                        min_size=sel.get("min_size", 3))


def _options(sel: dict) -> dict:
    return {"study": sel.get("study"), "kind": sel.get("kind"), "min_size": sel.get("min_size", 3)}


def themes(ctx: typer.Context,
           tag: List[str] = typer.Option([], "--tag", help="Snippets with this tag (repeat for AND; default pain_point)."),
           all_snippets: bool = typer.Option(False, "--all", help="Every participant snippet, whatever its tags."),
           min_size: int = typer.Option(3, "--min-size", min=2, help="Fewest snippets in a theme."),
           study: Optional[str] = typer.Option(None, help="Only this study."),
           kind: Optional[str] = typer.Option(None, help="Only this kind (interview, survey, ...)."),
           quotes: bool = typer.Option(False, "--quotes", help="Show the representative quotes."),
           as_json: bool = typer.Option(False, "--json")):
    """Cluster the selected participant snippets into themes (the number is found, not given)."""
    ctx.obj = {"tags": list(tag), "all": all_snippets, "min_size": min_size, "study": study, "kind": kind}
    if ctx.invoked_subcommand is not None:
        return
    result = _compute(ctx.obj)
    if as_json:
        return print_json(result.to_dict())
    _print(result, quotes)


def _print(result, quotes: bool) -> None:
    rows = [(t.id, t.label + (" (pinned)" if t.state == "pinned" else ""), t.size,
             t.participant_count, t.document_count, len(t.studies),
             "" if t.mean_sentiment is None else f"{t.mean_sentiment:+.2f}",
             f"{(t.first_seen or '?')[:7]}..{(t.last_seen or '?')[:7]}", ", ".join(t.keywords[:3]))
            for t in result]
    table(f"themes ({escape(result.scope)})", ["id", "label", "snips", "people", "docs", "studies",
                                                "mood", "seen", "keywords"], rows)
    console.print(f"{len(result)} themes over {result.total} snippets; unthemed {result.unthemed.size} "
                  f"({result.unthemed_share:.1%})", highlight=False)
    if quotes:
        for t in result:
            console.print(f"\n{t.id}  {escape(t.label)}", highlight=False)
            for q in t.quotes:
                console.print(f"  \u201c{escape(q['text'])}\u201d  \u2014 {escape(q['participant'])}, "
                              f"{escape(q['citation'])}", highlight=False)


def _run(action, *args, as_json: bool = False, **kwargs):
    out = action(*args, **kwargs)
    if as_json:
        print_json(out)
    return out


def show(ctx: typer.Context, theme_id: str, as_json: bool = typer.Option(False, "--json")):
    """One theme with its quotes and members."""
    theme = _compute(_selection(ctx)).get(theme_id)
    if as_json:
        return print_json(theme.to_dict())
    _print_one(theme, _compute(_selection(ctx)))


def _print_one(theme, result) -> None:
    console.print(f"{theme.id}  {theme.label}  [{theme.state}]  {theme.size} snippets, "
                  f"{theme.participant_count} participants, {theme.document_count} documents",
                  highlight=False, markup=False)
    console.print("keywords: " + ", ".join(theme.keywords), highlight=False, markup=False)
    rows = [(sid, result.snippets[sid].participant, result.snippets[sid].text[:120])
            for sid in theme.snippet_ids if sid in result.snippets]
    table(None, ["snippet", "participant", "text"], rows)


def rename(theme_id: str, name: str, as_json: bool = typer.Option(False, "--json")):
    """Give a theme your own name (kept across re-clustering)."""
    out = _run(hub().rename_theme, theme_id, name, as_json=as_json)
    if not as_json:
        console.print(f"{out['id']} is now {escape(out['label'])!r}", highlight=False)


def merge(theme_id: str, other_id: str, name: Optional[str] = typer.Option(None, help="Name of the merged theme."),
          as_json: bool = typer.Option(False, "--json")):
    """Fold OTHER_ID into THEME_ID."""
    out = _run(hub().merge_themes, theme_id, other_id, name, as_json=as_json)
    if not as_json:
        console.print(f"merged into {out['id']} ({len(out['members'])} snippets)", highlight=False)


def move(ctx: typer.Context, snippet_id: str,
         theme_id: str = typer.Argument(..., help="Target theme id, or 'unthemed'."),
         as_json: bool = typer.Option(False, "--json")):
    """Put a snippet in a theme (or 'unthemed') for good."""
    sel = _selection(ctx)
    out = _run(hub().move_snippet, snippet_id, theme_id, tags=_tags(sel), study=sel.get("study"),
               kind=sel.get("kind"), as_json=as_json)
    if not as_json:
        console.print(f"{snippet_id} -> {out['theme_id'] or 'unthemed'}", highlight=False)


def pin(theme_id: str, off: bool = typer.Option(False, "--off", help="Unpin (the theme stays kept)."),
        as_json: bool = typer.Option(False, "--json")):
    """Keep a theme exactly as it is: no snippet joins or leaves unless you move it."""
    out = _run(hub().pin_theme, theme_id, not off, as_json=as_json)
    if not as_json:
        console.print(f"{out['id']} is {out['state']}", highlight=False)


def split(theme_id: str, snippet_ids: List[str] = typer.Argument(..., help="Snippets to split off."),
          name: str = typer.Option(..., help="Name of the new theme."),
          as_json: bool = typer.Option(False, "--json")):
    """Move some snippets of a theme into a new named theme."""
    out = _run(hub().split_theme, theme_id, snippet_ids, name, as_json=as_json)
    if not as_json:
        console.print(f"new theme {out['id']} {escape(out['label'])!r} with {len(out['members'])} snippets",
                      highlight=False)


def save(ctx: typer.Context, name: str, as_json: bool = typer.Option(False, "--json")):
    """Save the current themes as a named set; new snippets will join them where they fit."""
    sel = _selection(ctx)
    out = _run(hub().save_themes, name, _tags(sel), as_json=as_json, **_options(sel))
    if not as_json:
        console.print(f"saved {out['themes']} themes over {out['snippets']} snippets as "
                      f"{escape(out['name'])!r}", highlight=False)


def sets(as_json: bool = typer.Option(False, "--json")):
    """Named theme sets."""
    out = hub().theme_sets()
    if as_json:
        return print_json(out)
    table("theme sets", ["name", "selection", "saved", "themes", "snippets", "unthemed"],
          [(escape(s["name"]), escape(s["scope"]), s["created_at"], s["themes"], s["snippets"],
            f"{s['unthemed_share']:.1%}") for s in out])


def timeline(ctx: typer.Context, period: str = typer.Option("month", help="week or month."),
             as_json: bool = typer.Option(False, "--json")):
    """Snippets per theme per week or month."""
    sel = _selection(ctx)
    out = _run(hub().theme_timeline, period, None, _tags(sel), as_json=as_json, **_options(sel))
    if not as_json:
        table(f"themes per {period}", ["period", "theme", "label", "snippets", "people"],
              [(r["period"], r["theme_id"], escape(r["label"]), r["count"], r["participants"]) for r in out])


def studies(ctx: typer.Context, as_json: bool = typer.Option(False, "--json")):
    """Snippets per theme per study."""
    sel = _selection(ctx)
    out = _run(hub().theme_studies, None, _tags(sel), as_json=as_json, **_options(sel))
    if not as_json:
        table("themes per study", ["study", "theme", "label", "snippets", "people", "share"],
              [(escape(r["study"]), r["theme_id"], escape(r["label"]), r["count"], r["participants"],
                f"{r['share_of_study']:.1%}") for r in out])


def forget(ctx: typer.Context, yes: bool = typer.Option(False, "--yes", help="Do not ask.")):
    """Drop this selection's stored themes and decisions (named sets stay)."""
    sel = _selection(ctx)
    if not yes and not typer.confirm("Forget every rename, merge, move and pin of this selection?"):
        raise typer.Exit(1)
    n = hub().forget_themes(_tags(sel), study=sel.get("study"), kind=sel.get("kind"))
    console.print(f"forgot {n} themes", highlight=False)


def counter(theme_id: str, as_json: bool = typer.Option(False, "--json")):
    """Participants who say the opposite of a theme (praise inside a pain theme, segments that
    disagree), from its members as last computed."""
    show_counter(hub().theme_counter(theme_id), as_json)
