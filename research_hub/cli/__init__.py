"""`research-hub`: the whole command tree, assembled here.

Each command is a small function in one of the *_cmd modules that calls one
`Hub` verb; `guarded` turns a `ResearchHubError` into a one-line error.
"""
from __future__ import annotations

from typing import Callable

import typer

from research_hub.cli import (
    audit_cmd,
    bench,
    highlights_cmd,
    insights_cmd,
    ops_cmd,
    qda_cmd,
    roadmap_cmd,
    search_cmd,
    themes_cmd,
    users_cmd,
    workspace_cmd,
)
from research_hub.cli.common import guarded

__all__ = ["app", "main"]


def _group(help: str, **options) -> typer.Typer:
    return typer.Typer(help=help, no_args_is_help=not options.get("invoke_without_command"),
                       rich_markup_mode=None, **options)


def _add(group: typer.Typer, commands: dict[str, Callable]) -> typer.Typer:
    for name, fn in commands.items():
        group.command(name)(guarded(fn))
    return group


app = typer.Typer(help="research_hub: a local customer research repository.",
                  no_args_is_help=True, add_completion=False, rich_markup_mode=None,
                  pretty_exceptions_enable=False)
app.callback()(workspace_cmd.root)
_add(app, {
    "ingest": workspace_cmd.ingest, "stats": workspace_cmd.stats,
    "documents": workspace_cmd.documents, "snippets": workspace_cmd.snippets,
    "tag": workspace_cmd.tag, "delete": workspace_cmd.delete, "search": search_cmd.search,
    "export": roadmap_cmd.export, "reindex": workspace_cmd.reindex, "doctor": workspace_cmd.doctor,
    "backup": ops_cmd.backup, "restore": ops_cmd.restore, "app": workspace_cmd.run_app,
    "ask": insights_cmd.ask, "audit": audit_cmd.audit, "rebuild": audit_cmd.rebuild,
    "retag": ops_cmd.retag,
    "train-tagger": ops_cmd.train_tagger,
})

features = _add(_group("Roadmap features, the evidence behind them, and their priority."), {
    "import": roadmap_cmd.import_, "list": roadmap_cmd.list_, "add": roadmap_cmd.add,
    "edit": roadmap_cmd.edit, "archive": roadmap_cmd.archive, "show": roadmap_cmd.show,
    "suggest": roadmap_cmd.suggest, "link": roadmap_cmd.link, "reject": roadmap_cmd.reject,
})
app.add_typer(features, name="features")

highlights = _add(_group("Highlights: any span of one speaker's words, tagged, used as evidence."), {
    "add": highlights_cmd.add, "list": highlights_cmd.list_, "show": highlights_cmd.show,
    "tag": highlights_cmd.tag, "link": highlights_cmd.link, "remove": highlights_cmd.remove,
    "search": highlights_cmd.search,
})
app.add_typer(highlights, name="highlights")

insights = _add(_group("Insights: one-sentence findings, their evidence, strength and staleness."), {
    "add": insights_cmd.add, "propose": insights_cmd.propose, "list": insights_cmd.list_,
    "show": insights_cmd.show, "edit": insights_cmd.edit, "accept": insights_cmd.accept,
    "evidence": insights_cmd.evidence, "link": insights_cmd.link, "counter": insights_cmd.counter,
    "remove": insights_cmd.remove,
})
app.add_typer(insights, name="insights")

themes = _group("Pain-point themes: clusters of participant snippets you can steer.",
                invoke_without_command=True)
themes.callback()(guarded(themes_cmd.themes))
_add(themes, {name: getattr(themes_cmd, name) for name in (
    "show", "rename", "merge", "move", "pin", "split", "save", "sets", "timeline", "studies", "forget",
    "counter")})
app.add_typer(themes, name="themes")

config = _add(_group("Workspace settings kept in the workspace (e.g. redact true)."), {
    "list": ops_cmd.config_list, "get": ops_cmd.config_get, "set": ops_cmd.config_set})
app.add_typer(config, name="config")

qdpx = _add(_group("REFI-QDA projects (.qdpx) for NVivo, ATLAS.ti, MAXQDA and QualCoder."), {
    "export": qda_cmd.qdpx_export, "import": qda_cmd.qdpx_import})
app.add_typer(qdpx, name="qdpx")

qdc = _add(_group("REFI-QDA codebooks (.qdc): the tags alone."), {
    "export": qda_cmd.qdc_export, "import": qda_cmd.qdc_import})
app.add_typer(qdc, name="qdc")

users = _add(_group("Accounts that sign in to the app, and their roles (viewer, editor, admin)."), {
    "add": users_cmd.add, "remove": users_cmd.remove, "role": users_cmd.role,
    "password": users_cmd.password, "list": users_cmd.list_})
app.add_typer(users, name="users")

benchmarks = _add(_group("Benchmarks, each against a baseline measured in the same run."), {
    "ingest": bench.bench_ingest, "search": bench.bench_search, "themes": bench.bench_themes,
    "link": bench.bench_link, "redact": bench.bench_redact, "tags": bench.bench_tags, "load": bench.bench_load,
    "snippets": bench.bench_snippets, "cold": bench.bench_cold, "scale": bench.bench_scale})
app.add_typer(benchmarks, name="bench")


def main() -> None:
    app()
