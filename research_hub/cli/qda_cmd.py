"""`research-hub qdpx export|import` and `research-hub qdc export|import`: REFI-QDA exchange."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from research_hub.cli.common import console, hub, print_json, table
from research_hub.export import write

OUT_HELP = "A file to write, or a folder to put it in (default: the current folder)."


def _say(text: str) -> None:
    console.print(text, markup=False, highlight=False)


def qdpx_export(out: Optional[Path] = typer.Argument(None, help=OUT_HELP),
                study: Optional[str] = typer.Option(None, "--study", help="Only this study's documents.")):
    """Write the workspace (or one study) as a REFI-QDA project for NVivo, ATLAS.ti, MAXQDA, QualCoder."""
    qda = hub().qda
    project = qda.project(study)
    target = write(qda.export_qdpx(study=study), out or Path.cwd(), qda.file_name("qdpx", study))
    _say(f"wrote {target}: {len(project.sources)} sources, {len(project.codings)} coded selections, "
         f"{len(project.codes)} codes, {len(project.cases)} cases, {len(project.users)} users")


def qdpx_import(file: Path = typer.Argument(..., help="A .qdpx project."),
                study: Optional[str] = typer.Option(None, "--study", help="Study of the imported documents "
                                                    "(default: the project's study variable, else its name)."),
                as_json: bool = typer.Option(False, "--json")):
    """Import a project: text sources as documents, codings as manual tags at their offsets."""
    report = hub().qda.import_qdpx(file, study)
    if as_json:
        return print_json(report)
    placed = report["placed"]
    _say(f"{file.name}: {report['sources']} sources, {report['codes']} codes; {report['codings']} tags "
         f"from {placed['exact']} selections on one snippet and {placed['contained']} spanning snippets; "
         f"{len(report['not_placed'])} selections not placed")
    for source, reading in report["readings"].items():
        _say(f"{source}: positions read as {reading}")
    for line in report["skipped"]:
        _say(f"skipped {line}")
    if report["not_placed"]:
        table("not placed (see --json for all)", ["source", "start", "end", "codes", "why", "text"],
              [(n["source"], n["start"], n["end"], ", ".join(n["codes"]), n["reason"], n["text"][:80])
               for n in report["not_placed"][:20]])


def qdc_export(out: Optional[Path] = typer.Argument(None, help=OUT_HELP)):
    """Write the codebook (every tag as a code, with its description) as a REFI-QDA .qdc."""
    qda = hub().qda
    target = write(qda.export_qdc(), out or Path.cwd(), qda.file_name("qdc"))
    _say(f"wrote {target}")


def qdc_import(file: Path = typer.Argument(..., help="A .qdc codebook."),
               as_json: bool = typer.Option(False, "--json")):
    """Import a codebook as taxonomy tags, applied to files ingested from now on (like --taxonomy)."""
    report = hub().qda.import_qdc(file)
    if as_json:
        return print_json(report)
    _say(f"{file.name}: {report['codes']} codes; {len(report['taxonomy_tags'])} taxonomy tags "
         f"({', '.join(report['taxonomy_tags']) or 'none'}); {len(report['categories'])} categories; "
         f"taxonomy now {report['taxonomy']} tags, applied to files ingested from now on")
