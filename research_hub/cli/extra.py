"""Command groups that live in their own modules, registered on the main app."""
from research_hub.cli.main import app
from research_hub.cli import bench  # noqa: F401

app.add_typer(bench.bench_app, name="bench")
from research_hub.cli import roadmap_cmd  # noqa: E402  roadmap: features group + export
app.add_typer(roadmap_cmd.features_app, name="features")
app.command("export")(roadmap_cmd.export)
from research_hub.cli import search_cmd  # noqa: E402  search
app.command("search")(search_cmd.search)
from research_hub.cli import themes_cmd  # noqa: E402  themes: list, rename, merge, move, pin, save
app.add_typer(themes_cmd.themes_app, name="themes")
from research_hub.cli import ops_cmd  # noqa: E402  issue 7: config, backup, restore
app.add_typer(ops_cmd.config_app, name="config")
app.command("backup")(ops_cmd.backup)
app.command("restore")(ops_cmd.restore)
