"""File parsers: one file in, one ``ParsedDocument`` out.

``parse_file`` checks the file (type, size, emptiness), reads it and hands
the bytes to the parser for its extension. Every failure is an
``IngestError`` with a short one-line reason; the caller prefixes the file
name. No library exception escapes unwrapped.

    .txt .md .markdown  transcript.py  speaker turns (labels.py, speakers.py)
    .vtt .srt           subtitles.py   cues merged into speaker turns
    .docx               docx.py        paragraphs and tables -> transcript
    .pdf                pdf.py         text layer -> transcript
    .csv .json .jsonl   feedback.py    one row = one turn (tabular.py reads)
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from research_hub.ingest.parsers.common import first_line
from research_hub.ingest.types import IngestError, ParsedDocument

__all__ = ["SUPPORTED_EXTENSIONS", "DEFAULT_MAX_BYTES", "parse_file"]

DEFAULT_MAX_BYTES = 50 * 1024 * 1024

SUPPORTED_EXTENSIONS: set[str] = {
    ".txt", ".md", ".markdown", ".vtt", ".srt", ".docx", ".pdf", ".csv", ".json", ".jsonl",
}


def _size(size: int) -> str:
    """'73.2 MB' (or KB below 0.1 MB, so small limits read sensibly)."""
    if size >= 0.1 * 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{size / 1024:.1f} KB"


def _limit(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    return f"{size / 1024:g} KB"


def _too_big(size: int, limit: int) -> IngestError:
    return IngestError(f"file is {_size(size)}, over the {_limit(limit)} limit")


def _dispatch(suffix: str) -> Callable[..., ParsedDocument]:
    if suffix in (".txt", ".md", ".markdown"):
        from research_hub.ingest.parsers.transcript import parse_text_file

        fmt = "md" if suffix != ".txt" else "txt"
        return lambda path, data, text_col: parse_text_file(path, data, fmt)
    if suffix in (".vtt", ".srt"):
        from research_hub.ingest.parsers.subtitles import parse_subtitles

        return lambda path, data, text_col: parse_subtitles(path, data, suffix[1:])
    if suffix == ".docx":
        from research_hub.ingest.parsers.docx import parse_docx

        return lambda path, data, text_col: parse_docx(path, data)
    if suffix == ".pdf":
        from research_hub.ingest.parsers.pdf import parse_pdf

        return lambda path, data, text_col: parse_pdf(path, data)
    from research_hub.ingest.parsers.feedback import parse_feedback

    return lambda path, data, text_col: parse_feedback(path, data, suffix[1:], text_col)


def parse_file(
    path: Path,
    *,
    text_col: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ParsedDocument:
    """Parse one file by its extension; raise IngestError with a one-line reason."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_EXTENSIONS:
        shown = f"'{suffix}'" if suffix else "(no extension)"
        supported = ", ".join(sorted(SUPPORTED_EXTENSIONS))
        raise IngestError(f"unsupported file type {shown} (supported: {supported})")
    try:
        info = path.stat()
    except FileNotFoundError as exc:
        raise IngestError("file not found") from exc
    except OSError as exc:
        raise IngestError(f"cannot read file: {exc.strerror or exc}") from exc
    if path.is_dir():
        raise IngestError("is a directory, not a file")
    if info.st_size == 0:
        raise IngestError("file is empty")
    if info.st_size > max_bytes:
        raise _too_big(info.st_size, max_bytes)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"cannot read file: {exc.strerror or exc}") from exc
    if not data:
        raise IngestError("file is empty")
    if len(data) > max_bytes:  # grew between stat and read
        raise _too_big(len(data), max_bytes)

    parser = _dispatch(suffix)
    try:
        doc = parser(path, data, text_col)
    except IngestError:
        raise
    except RecursionError as exc:
        raise IngestError(f"cannot parse {suffix} file: structure nested too deeply") from exc
    except Exception as exc:  # a library failed in a way we did not foresee
        detail = first_line(str(exc))
        reason = f"{exc.__class__.__name__}: {detail}" if detail else exc.__class__.__name__
        raise IngestError(f"cannot parse {suffix} file ({reason})") from exc
    return doc
