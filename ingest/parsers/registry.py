"""Which parser reads which file suffix.

Each parser module registers the suffixes it reads with ``register``: a
label for people, the families it yields (a transcript, feedback items, or
either: a table is a transcript or a feedback export by its columns) and
the function that turns (path, bytes, text_col) into a ParsedDocument.
``SUPPORTED_EXTENSIONS`` and the lists shown by the UI and the CLI are read
from here, so a new format is one ``register`` call in its own module.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from research_hub.ingest.types import ParsedDocument

TRANSCRIPT = "transcript"
FEEDBACK = "feedback"
FAMILIES = (TRANSCRIPT, FEEDBACK)

ParseFn = Callable[[Path, bytes, "str | None"], ParsedDocument]


@dataclass(frozen=True)
class Format:
    suffix: str  # ".txt", lower case with the dot
    label: str  # "Plain-text transcript or notes"
    families: tuple[str, ...]  # (TRANSCRIPT,), (FEEDBACK,) or both
    parse: ParseFn

    @property
    def transcript(self) -> bool:
        return TRANSCRIPT in self.families

    @property
    def feedback(self) -> bool:
        return FEEDBACK in self.families


_FORMATS: dict[str, Format] = {}
# The same set object for the life of the process: registering adds to it, so
# ``from research_hub.ingest.parsers import SUPPORTED_EXTENSIONS`` always sees every format.
SUPPORTED_EXTENSIONS: set[str] = set()


def register(suffixes: Iterable[str], *, label: str, families: Iterable[str],
             parse: ParseFn) -> None:
    """Make ``parse`` the reader of each suffix (".odt" or "odt")."""
    families = tuple(families)
    if not families or any(f not in FAMILIES for f in families):
        raise ValueError(f"families must be drawn from {FAMILIES}, got {families}")
    for suffix in suffixes:
        suffix = suffix.lower()
        suffix = suffix if suffix.startswith(".") else f".{suffix}"
        _FORMATS[suffix] = Format(suffix, label, families, parse)
        SUPPORTED_EXTENSIONS.add(suffix)


def lookup(suffix: str) -> Format | None:
    return _FORMATS.get(suffix.lower())


def formats() -> list[Format]:
    """Every registered format, sorted by suffix."""
    return [_FORMATS[s] for s in sorted(_FORMATS)]


def upload_types() -> list[str]:
    """Suffixes without the dot, for a file picker (``st.file_uploader(type=...)``)."""
    return [s[1:] for s in sorted(_FORMATS)]


def accepted_types(family: str | None = None) -> list[str]:
    """Suffixes (with the dot) of the formats that can yield ``family`` (all if None)."""
    return [f.suffix for f in formats() if family is None or family in f.families]


def accepted_types_help() -> str:
    """One line for help texts: 'Transcripts (.docx, ...); tables, read as a transcript
    when they have speaker and text columns, else as feedback (.csv, ...); feedback (...).'"""
    only_transcript = [f.suffix for f in formats() if f.families == (TRANSCRIPT,)]
    only_feedback = [f.suffix for f in formats() if f.families == (FEEDBACK,)]
    both = [f.suffix for f in formats() if f.transcript and f.feedback]
    parts = []
    if only_transcript:
        parts.append(f"Transcripts ({', '.join(only_transcript)})")
    if both:
        parts.append("tables, read as a transcript when they have speaker and text columns, "
                     f"else as feedback ({', '.join(both)})")
    if only_feedback:
        parts.append(f"feedback exports ({', '.join(only_feedback)})")
    line = "; ".join(parts)
    return (line[:1].upper() + line[1:] + ".") if line else ""
