"""Operations: `config list|get|set`, `backup OUT`, `restore IN`."""
from __future__ import annotations

from pathlib import Path

import typer

from research_hub.cli.common import State, console, fail, hub, print_json, progress_bar, table
from research_hub.core.settings import SETTINGS, WORKSPACE_SETTINGS, home_path
from research_hub.hub import Hub


def config_list(as_json: bool = typer.Option(False, "--json")):
    """Every setting: workspace settings with their value here, and the environment's."""
    values = hub().workspace.config.values()
    if as_json:
        return print_json(values)
    table("workspace settings (config set NAME VALUE)", ["setting", "value", "type", "meaning"],
          [(n, _show(v), WORKSPACE_SETTINGS[n].type.__name__, WORKSPACE_SETTINGS[n].help)
           for n, v in values.items()])
    table("environment", ["variable", "default", "meaning"],
          [(s.env, _show(s.default), s.help) for s in SETTINGS.values() if s.env])


def _show(value) -> str:
    return "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def config_get(key: str):
    """One workspace setting's value."""
    typer.echo(_show(hub().config(key)))


def config_set(key: str, value: str):
    """Change a workspace setting, e.g. `config set redact true` (ingest redacts PII from then on)."""
    typed = hub().set_config(key, value.strip())
    console.print(f"{key} = {_show(typed)}", markup=False)


def backup(out: Path = typer.Argument(..., help="A .tar.gz file to write, or a folder to put one in."),
           as_json: bool = typer.Option(False, "--json")):
    """A consistent snapshot of the workspace, taken while it is in use (readers and ingest go on)."""
    try:
        result = hub().backup(out)
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror or exc}")
    if as_json:
        return print_json(result)
    console.print(f"backed up {result['documents']} documents, {result['snippets']} snippets "
                  f"({result['bytes']:,} bytes) to {result['path']}", markup=False)


def restore(archive: Path = typer.Argument(..., help="A backup .tar.gz made by `backup`."),
            force: bool = typer.Option(False, "--force", help="Replace the workspace at --home."),
            as_json: bool = typer.Option(False, "--json")):
    """Restore a backup into the --home workspace and rebuild its index (cached vectors, no model)."""
    try:
        result = Hub.restore(archive, home_path(State.home), force=force)
    except OSError as exc:
        fail(f"cannot restore {archive}: {exc.strerror or exc}")
    if as_json:
        return print_json(result)
    console.print(f"restored {result['documents']} documents, {result['snippets']} snippets into "
                  f"{result['home']}; index rebuilt ({result['encoded']} texts needed the model); "
                  f"doctor {'ok' if result['doctor_ok'] else 'NOT ok'}", markup=False)
    if not result["doctor_ok"]:
        raise typer.Exit(1)


def retag(as_json: bool = typer.Option(False, "--json")):
    """Tag stored snippets again with the current taxonomy and tagger (manual edits stay)."""
    with progress_bar("retagging", quiet=as_json) as progress:
        out = hub().retag(progress=progress)
    if as_json:
        return print_json(out)
    table(f"retagged {out['documents']} documents (tagger: {out['tagger']})", ["tag", "before", "after"],
          [(tag, a, b) for tag, (a, b) in out["tags"].items()])


def train_tagger(epochs: int = typer.Option(3, help="Passes over the labelled snippets."),
                 ship: bool = typer.Option(False, "--ship", help="Write the package's weights "
                                           "(ingest/data/tag_finetuned), for maintainers after the labelled sets change."),
                 as_json: bool = typer.Option(False, "--json")):
    """Fine-tune MiniLM's top layers on the shipped labelled snippets, for the fine-tuned tagger
    (about eight minutes on two cores; then `retag`)."""
    with progress_bar("fine-tuning", quiet=as_json) as progress:
        out = hub().train_tagger(epochs, progress=progress, ship=ship)
    if as_json:
        return print_json(out)
    console.print(f"fine-tuned on {out['units']} labelled snippets (losses {out['losses']}); thresholds "
                  f"{out['thresholds']} from {out['validation_units']} held out; kept in {out['folder']}. "
                  "Ingest tags with it from now; run `research-hub retag` for what is stored.", markup=False)
