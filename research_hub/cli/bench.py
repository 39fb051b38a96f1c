"""`research-hub bench ...`: benchmarks that report ratios against a same-run baseline."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from research_hub.cli.common import print_json, table

bench_app = typer.Typer(help="Benchmarks, each against a baseline measured in the same run.",
                        no_args_is_help=True)
SAMPLES = Path(__file__).resolve().parents[2] / "sample_interviews"
BANKING = Path(__file__).resolve().parents[3] / "shared" / "eval" / "banking77_train.csv"


def _show(title: str, result: dict, as_json: bool) -> None:
    if as_json:
        print_json(result)
    else:
        table(title, ["measure", "value"], list(result.items()))


@bench_app.command("ingest")
def bench_ingest(corpus: Optional[Path] = typer.Argument(None, help="Folder to ingest (default: made from samples)."),
                 snippets: int = typer.Option(6000, help="Snippets in the made-up corpus."),
                 as_json: bool = typer.Option(False, "--json")):
    """Pipeline snippets/s over raw model.encode snippets/s, same texts, same batch size."""
    from research_hub.bench import ingest as b

    _show("bench ingest", b.run(corpus, snippets, SAMPLES), as_json)
