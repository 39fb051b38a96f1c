"""Operations: `config get|set|list`, `backup OUT`, `restore IN`."""
from __future__ import annotations

from pathlib import Path

import typer

from research_hub.cli.common import State, console, fail, hub, print_json, table

config_app = typer.Typer(help="Workspace settings kept in the workspace (e.g. redact true).",
                         no_args_is_help=True)


@config_app.command("list")
def config_list(as_json: bool = typer.Option(False, "--json")):
    """Every workspace setting and its value."""
    from research_hub.hub import WORKSPACE_OPTIONS

    values = {k: hub().config(k) or "false" for k in WORKSPACE_OPTIONS}
    if as_json:
        return print_json(values)
    table("config", ["setting", "value", "choices"],
          [(k, v, "|".join(WORKSPACE_OPTIONS[k])) for k, v in values.items()])


@config_app.command("get")
def config_get(key: str):
    """One setting's value."""
    from research_hub.hub import WORKSPACE_OPTIONS

    if key not in WORKSPACE_OPTIONS:
        fail(f"unknown setting {key!r}; settings: {', '.join(WORKSPACE_OPTIONS)}")
    typer.echo(hub().config(key) or "false")


@config_app.command("set")
def config_set(key: str, value: str):
    """Change a setting, e.g. `config set redact true` (ingest redacts PII from then on)."""
    try:
        hub().set_config(key, value.strip().lower())
    except ValueError as exc:
        fail(str(exc))
    console.print(f"{key} = {value.strip().lower()}", markup=False)


def backup(out: Path = typer.Argument(..., help="A .tar.gz file to write, or a folder to put one in."),
           as_json: bool = typer.Option(False, "--json")):
    """A consistent snapshot of the workspace, taken while it is in use (readers and ingest go on)."""
    from research_hub.backup import BackupError

    try:
        result = hub().backup(out)
    except (BackupError, OSError) as exc:
        fail(str(exc))
    if as_json:
        return print_json(result)
    console.print(f"backed up {result['documents']} documents, {result['snippets']} snippets "
                  f"({result['bytes']:,} bytes) to {result['path']}", markup=False)


def restore(archive: Path = typer.Argument(..., help="A backup .tar.gz made by `backup`."),
            force: bool = typer.Option(False, "--force", help="Replace the workspace at --home."),
            as_json: bool = typer.Option(False, "--json")):
    """Restore a backup into the --home workspace and rebuild its index (cached vectors, no model)."""
    from research_hub.backup import BackupError
    from research_hub.config import Settings
    from research_hub.hub import Hub

    home = Settings.load(State.home).home
    try:
        result = Hub.restore(archive, home, force=force)
    except (BackupError, OSError) as exc:
        fail(str(exc))
    if as_json:
        return print_json(result)
    console.print(f"restored {result['documents']} documents, {result['snippets']} snippets into "
                  f"{result['home']}; index rebuilt ({result['encoded']} texts needed the model); "
                  f"doctor {'ok' if result['doctor_ok'] else 'NOT ok'}", markup=False)
    if not result["doctor_ok"]:
        raise typer.Exit(1)
