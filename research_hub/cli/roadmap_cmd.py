"""`research-hub features ...` (roadmap features and their evidence) and `research-hub export`."""
from __future__ import annotations

from pathlib import Path
from typing import Any, List, Optional

import typer

from research_hub.cli.common import console, hub, print_json, table
from research_hub.export import FORMATS, write
from research_hub.export.archive import safe_stem

SORT_HELP = "score, participants, evidence or recent."


def _roadmap():
    return hub().roadmap


def _cells(*values: Any) -> tuple[str, ...]:
    return tuple("" if v is None else str(v) for v in values)  # table() escapes markup


def _say(text: str) -> None:
    console.print(text, markup=False, highlight=False)


def import_(file: Path = typer.Argument(..., help="CSV, JSON or JSONL export (Jira, Linear, Productboard)."),
            as_json: bool = typer.Option(False, "--json")):
    """Import features; importing the same file again updates them (key = the source id)."""
    report = _roadmap().import_file(file)
    if as_json:
        return print_json(report.to_dict())
    _say(f"{file.name}: {len(report.added)} added, {len(report.updated)} updated, "
         f"{len(report.unchanged)} unchanged, {len(report.skipped)} skipped")
    for reason in report.skipped:
        _say(f"skipped {reason}")


def list_(sort: str = typer.Option("score", "--sort", help=SORT_HELP),
          include_archived: bool = typer.Option(False, "--all", help="Include archived features."),
          as_json: bool = typer.Option(False, "--json")):
    """Features with their confirmed evidence, sorted by the prioritisation score or a figure."""
    rows = _roadmap().table(sort, include_archived)
    if as_json:
        return print_json([r.to_dict() for r in rows])
    table(f"{len(rows)} features by {sort}",
          ["id", "title", "score", "quotes", "people", "studies", "segs", "pain", "req", "newest", "flag"],
          [_cells(r.feature_id, r.title, r.score, r.evidence, r.participants, r.studies,
                  len(r.segments), f"{r.pain_share:.0%}", f"{r.request_share:.0%}", r.newest or "",
                  r.flagged or "") for r in rows])
    _say("score = reach × breadth × severity × freshness (docs/prioritisation.md)")


def add(title: str, description: str = typer.Option("", "--description", "-d"),
        status: str = typer.Option("", "--status"),
        feature_id: Optional[str] = typer.Option(None, "--id", help="Default: the next F-<n>.")):
    """Create a feature by hand."""
    f = _roadmap().add(title, description, status, feature_id)
    _say(f"added {f.id}: {f.title}")


def edit(feature_id: str, title: Optional[str] = typer.Option(None, "--title"),
         description: Optional[str] = typer.Option(None, "--description", "-d"),
         status: Optional[str] = typer.Option(None, "--status")):
    """Change a feature's title, description or status."""
    f = _roadmap().edit(feature_id, title=title, description=description, status=status)
    _say(f"updated {f.id}: {f.title}")


def archive(feature_id: str, undo: bool = typer.Option(False, "--undo", help="Bring it back.")):
    """Hide a feature from lists and prioritisation; its links are kept."""
    f = _roadmap().archive(feature_id, not undo)
    _say(f"{'archived' if f.archived else 'restored'} {f.id}")


def show(feature_id: str, as_json: bool = typer.Option(False, "--json")):
    """One feature: its figures and its confirmed, suggested and rejected evidence."""
    data = _roadmap().show(feature_id)
    if as_json:
        return print_json(data)
    f, p = data["feature"], data["priority"]
    _say(f"{f['id']}: {f['title']}  [{f['status'] or 'no status'}]{'  (archived)' if f['archived'] else ''}")
    if f["description"]:
        _say(f["description"])
    _say(f"score {p['score']} · {p['evidence']} quotes from {p['participants']} participants · "
         f"{p['studies']} studies · segments: {', '.join(p['segments']) or 'none'} · "
         f"pain {p['pain_share']:.0%} · request {p['request_share']:.0%} · newest {p['newest'] or 'undated'}")
    if p["parts"]:
        _say(f"score {p['score']} = " + " × ".join(f"{k} {v}" for k, v in p["parts"].items())
             + "  (docs/prioritisation.md)")
    if p["flagged"]:
        _say(f"{p['flagged']} confirmed quotes need review: their source file changed")
    for state in ("confirmed", "suggested", "rejected"):
        rows = data[state]
        if rows:
            table(f"{len(rows)} {state}", ["snippet", "participant", "where", "flag", "note", "text"],
                  [_cells(r["snippet_id"][:8], (r["snippet"] or {}).get("participant", ""),
                          _where(r["snippet"]), r.get("flag") or ("missing" if not r["snippet"] else ""),
                          r.get("note"), r["snippet_text"]) for r in rows])
    if data["themes"]:
        table("themes", ["theme", "state", "score"],
              [_cells(t["label"], t["state"], t["score"]) for t in data["themes"]])


def _where(s: dict | None) -> str:
    if not s:
        return ""
    spot = f"line {s['line']}" if s.get("line") else f"chars {s['char_start']}-{s['char_end']}"
    return f"{s['document_title']}, {spot}"


def suggest(feature_id: str, k: int = typer.Option(10, "--k", min=1, max=500),
            tag: List[str] = typer.Option([], "--tag", help="Only snippets with this tag."),
            study: Optional[str] = None, kind: Optional[str] = None,
            themes: bool = typer.Option(True, "--themes/--no-themes", help="Also suggest matching themes."),
            as_json: bool = typer.Option(False, "--json")):
    """Snippets (and themes) that look like evidence for a feature; decided ones are left out."""
    filters = {k_: v for k_, v in (("tags", tag or None), ("study", study), ("kind", kind)) if v}
    result = _roadmap().suggest(feature_id, k, themes, **filters)
    if as_json:
        return print_json(result.to_dict())
    table(f"suggestions for {result.feature_id}", ["#", "snippet", "score", "participant", "where", "tags", "text"],
          [_cells(s.rank, s.snippet.snippet_id[:8], f"{s.score:.3f}", s.snippet.participant,
                  s.snippet.citation(), ",".join(s.snippet.tags), s.snippet.text) for s in result.snippets])
    if result.themes:
        table("matching themes", ["theme", "id", "members in top 50", "size", "keywords"],
              [_cells(t.label, t.theme_id, t.overlap, t.size, ", ".join(t.keywords)) for t in result.themes])
    _say(f"confirm with: research-hub features link {result.feature_id} SNIPPET_ID; "
         f"reject with: research-hub features reject {result.feature_id} SNIPPET_ID")


def link(feature_id: str, snippet_id: str = typer.Argument(..., help="Snippet id or unique prefix (or theme with --theme)."),
         note: Optional[str] = typer.Option(None, "--note"),
         theme: bool = typer.Option(False, "--theme", help="SNIPPET_ID is a suggested theme's id or label.")):
    """Confirm a snippet as evidence for a feature (or a suggested theme with --theme)."""
    rm = _roadmap()
    out = rm.confirm_theme(feature_id, snippet_id) if theme else \
        rm.link(feature_id, snippet_id, note)
    _say(f"confirmed {out.get('label') or out['snippet_id']} for {out['feature_id']}")


def reject(feature_id: str, snippet_id: str,
           theme: bool = typer.Option(False, "--theme", help="SNIPPET_ID is a suggested theme's id or label.")):
    """Reject a suggestion: it is not suggested for this feature again."""
    rm = _roadmap()
    out = rm.reject_theme(feature_id, snippet_id) if theme else rm.reject(feature_id, snippet_id)
    _say(f"rejected {out.get('label') or out['snippet_id']} for {out['feature_id']}")


def export(feature_id: str = typer.Argument(..., help="Feature id."),
           format: str = typer.Option("md", "--format", "-f", help=", ".join(FORMATS) + "."),
           out: Optional[Path] = typer.Option(None, "--out", "-o",
                                              help="File or folder (default: ./<id>-evidence.<format>).")):
    """Write the evidence bundle of a feature: verbatim quotes with their citations."""
    data = hub().export(feature_id, format)
    fid = _roadmap().feature(feature_id).id
    name = f"{safe_stem(fid)}-evidence.{format.lower()}"
    target = write(data, out if out is not None else Path.cwd(), name)
    _say(f"wrote {target} ({len(data):,} bytes)")
