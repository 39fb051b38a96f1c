"""Workspace commands: ingest, stats, documents, snippets, tag, delete, reindex, doctor, app."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import List, Optional

import typer

from research_hub.cli.common import State, console, err, hub, print_json, progress_bar, table
from research_hub.core.errors import AccessDeniedError
from research_hub.ingest.parsers import accepted_types_help
from research_hub.ui import APP_SCRIPT


def root(home: Optional[str] = typer.Option(
        None, "--home", help="Workspace folder (default: $RESEARCH_HUB_HOME or ./.research_hub).")):
    State.home = home
    State._hub = None


def ingest(paths: List[Path] = typer.Argument(..., help="Files or folders to ingest. "
                                             + accepted_types_help()),
           study: Optional[str] = typer.Option(None, help="Study name (default: front matter or folder)."),
           kind: Optional[str] = typer.Option(None, help="interview, survey, support, review or note."),
           taxonomy: Optional[Path] = typer.Option(None, help="YAML or CSV taxonomy applied from now on."),
           text_col: Optional[str] = typer.Option(None, "--text-col", help="Text column in CSV/JSON."),
           redact: Optional[bool] = typer.Option(None, "--redact/--no-redact", help="Replace emails, phone and card numbers and names before storing (default: `config get redact`)."),
           keep_original: Optional[bool] = typer.Option(None, "--keep-original", help="With --redact: still keep the unredacted source copy."),
           as_json: bool = typer.Option(False, "--json")):
    """Parse, split, tag, embed and store files; unchanged files are skipped."""
    with progress_bar("ingesting", quiet=as_json) as progress:
        report = hub().ingest([str(p) for p in paths], study=study, kind=kind,
                              taxonomy=taxonomy, text_col=text_col, progress=progress,
                              redact=redact, keep_original=keep_original)
    if as_json:
        print_json(report.to_dict())
    else:
        _print_report(report)
    if report.failed:
        raise typer.Exit(1)


def _print_report(report) -> None:
    rows = [(Path(f.path).name, f.status, f.snippets or "", f.participants or "", f.error or "")
            for f in report.files]
    table("ingest", ["file", "status", "snippets", "participants", "reason"], rows)
    counts = {s: report.count(s) for s in ("added", "replaced", "unchanged", "duplicate", "failed")}
    console.print(f"{len(report.files)} files: " + ", ".join(f"{v} {k}" for k, v in counts.items())
                  + f"; {report.snippets} snippets stored in {report.seconds:.1f}s", highlight=False)
    for f in report.failed:
        err.print(f"failed: {f.error}", markup=False, highlight=False)


def stats(as_json: bool = typer.Option(False, "--json")):
    """Counts of documents, snippets, participants, tags; which models are active."""
    s = hub().stats()
    if as_json:
        return print_json(s)
    rows = [(k, ", ".join(f"{t} {n}" for t, n in v.items()) if isinstance(v, dict) else
             ", ".join(map(str, v)) if isinstance(v, list) else v) for k, v in s.items()]
    table("stats", ["what", "value"], rows)


def documents(study: Optional[str] = None, as_json: bool = typer.Option(False, "--json")):
    """List ingested documents."""
    docs = hub().documents(study)
    if as_json:
        return print_json(docs)
    table("documents", ["id", "name", "kind", "study", "date", "participants", "snippets"],
          [(d.id[:10], d.name, d.kind, d.study, d.date, len(d.participants), d.snippet_count)
           for d in docs])


def snippets(tag: List[str] = typer.Option([], "--tag", help="Only snippets with this tag (repeat for AND)."),
             document: Optional[str] = typer.Option(None, help="Document id, name or path."),
             participant: Optional[str] = None, study: Optional[str] = None,
             kind: Optional[str] = None, role: Optional[str] = None,
             limit: Optional[int] = typer.Option(None, "--limit"),
             as_json: bool = typer.Option(False, "--json")):
    """List stored snippets with their provenance."""
    found = hub().snippets(tags=tag or None, document=document, participant=participant, study=study,
                           kind=kind, role=role, limit=limit)
    if as_json:
        return print_json(found)
    table(f"{len(found)} snippets", ["id", "participant", "role", "tags", "where", "text"],
          [(s.snippet_id[:8], s.participant, s.role, ",".join(s.tags), s.citation(), s.text)
           for s in found])


def tag(snippet_id: str, name: str, remove: bool = typer.Option(False, "--remove")):
    """Add (or --remove) a manual tag on a snippet; survives re-ingestion."""
    (hub().remove_tag if remove else hub().add_tag)(snippet_id, name)
    console.print(f"{'removed' if remove else 'added'} {name} on {snippet_id}", markup=False)


def delete(document: str):
    """Delete a document with its snippets and vectors."""
    name = hub().delete_document(document)
    console.print(f"deleted {name}", markup=False)


def reindex():
    """Rebuild the Chroma index from SQLite (cached vectors, no re-embedding)."""
    out = hub().reindex()
    console.print(f"indexed {out['indexed']} snippets ({out['encoded']} needed the model)")


def doctor(repair: bool = typer.Option(False, "--repair", help="Fix the index where it disagrees."),
           as_json: bool = typer.Option(False, "--json")):
    """Check SQLite and Chroma agree; exit 1 if they do not."""
    report = hub().doctor(repair=repair)
    if as_json:
        print_json(report)
    else:
        table("doctor", ["check", "value"], list(report.items()))
    if not report["ok"]:
        raise typer.Exit(1)


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def serving_warning(host: str, port: int, accounts: bool, no_auth: bool) -> str | None:
    """What to say before serving, or AccessDeniedError: a network address needs accounts
    (or --no-auth, chosen knowingly)."""
    if host in LOOPBACK:
        return None
    if not accounts and not no_auth:
        raise AccessDeniedError(
            f"refusing to serve {host}:{port}: this workspace has no accounts, so anyone who can reach "
            "it could read every transcript and change anything. Add one with `research-hub users add "
            "NAME --role admin`, or pass --no-auth to serve without sign-in anyway.")
    lock = "sign-in is required" if accounts else "there is NO sign-in (--no-auth): everyone is admin"
    return (f"warning: serving on {host}:{port}; {lock}, and there is no TLS, so passwords and "
            "transcripts cross the network in clear unless a TLS proxy is in front. "
            "See README, 'Serving to a network'.")


def run_app(port: int = typer.Option(8501, help="Port to serve on."),
            host: str = typer.Option("127.0.0.1", help="Address to bind; see README before changing."),
            no_auth: bool = typer.Option(False, "--no-auth", help="Serve a workspace without accounts "
                                         "to a network anyway: everyone who reaches it is admin.")):
    """Start the Streamlit UI on this workspace (sign-in required once it has accounts)."""
    warning = serving_warning(host, port, hub().workspace.accounts.any(), no_auth)
    if warning:
        err.print(warning, markup=False, highlight=False)
    env = dict(os.environ)
    if State.home:
        env["RESEARCH_HUB_HOME"] = str(Path(State.home).resolve())
    cmd = [sys.executable, "-m", "streamlit", "run", str(APP_SCRIPT), "--server.port", str(port),
           "--server.address", host, "--server.headless", "true",
           "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
           "--client.toolbarMode", "viewer"]
    os.execve(sys.executable, cmd, env)  # become Streamlit, so a signal to us reaches it
