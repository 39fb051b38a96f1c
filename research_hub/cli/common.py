"""What every command shares: the Hub from --home, JSON or table output."""
from __future__ import annotations

import functools
import json
import sqlite3
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
from typing import Any, Callable, Iterator, Sequence

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from research_hub.core.errors import DamagedWorkspaceError, ResearchHubError
from research_hub.core.settings import home_path
from research_hub.hub import Hub

console = Console()
err = Console(stderr=True)


class State:
    home: str | None = None
    _hub = None

    @classmethod
    def hub(cls):
        if cls._hub is None:
            cls._hub = Hub(cls.home)
        return cls._hub


def hub():
    return State.hub()


def to_jsonable(value: Any) -> Any:
    if is_dataclass(value):
        return asdict(value)
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    return value


def print_json(value: Any) -> None:
    typer.echo(json.dumps(to_jsonable(value), ensure_ascii=False, indent=2, default=str))


@contextmanager
def progress_bar(first: str, quiet: bool = False) -> Iterator[Callable[[int, int, str], None]]:
    """A progress(done, total, message) callback drawing a bar on stderr while the block runs."""
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err, transient=True, disable=quiet) as bar:
        task = bar.add_task(first, total=None)

        def progress(done: int, total: int, message: str) -> None:
            bar.update(task, completed=done, total=total, description=escape(message[:60]))

        yield progress


def table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    t = Table(title=title, show_lines=False)
    for c in columns:
        t.add_column(c, overflow="fold")
    for r in rows:
        t.add_row(*["" if v is None else escape(str(v)) for v in r])  # user text is not markup
    console.print(t)


def fail(message: str, code: int = 1) -> None:
    err.print(f"[red]error:[/red] {message}", markup=True, highlight=False)
    raise typer.Exit(code)


def guarded(command: Callable) -> Callable:
    """The one place a command's `ResearchHubError` becomes `error: <message>` and exit 1."""
    @functools.wraps(command)
    def run(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except ResearchHubError as exc:
            fail(escape(str(exc)))
        except sqlite3.DatabaseError as exc:  # damage found mid-command, past the checks on open
            found = DamagedWorkspaceError.of(home_path(State.home) / "hub.sqlite", exc)
            if found is None:
                raise
            fail(escape(str(found)))
    return run
