"""Command groups that live in their own modules, registered on the main app."""
from research_hub.cli.main import app
from research_hub.cli import bench  # noqa: F401

app.add_typer(bench.bench_app, name="bench")
