"""Word .docx (python-docx) -> transcript text -> speaker turns.

Body paragraphs and tables are read in document order and joined with "\n";
paragraphs styled Title or Heading are headings (a title candidate).
A table row becomes one line; a row shaped like ``Name | [time] | text``
(the layout of many exported transcripts) becomes ``[time] Name: text`` so
the usual speaker rules apply. Other rows join their cells with " | ".
Headers, footers, comments and text boxes are not read.
"""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from research_hub.ingest.parsers.common import parse_clock
from research_hub.ingest.parsers.encoding import normalize_newlines
from research_hub.ingest.parsers.labels import COLON_LABEL
from research_hub.ingest.parsers.registry import TRANSCRIPT, register
from research_hub.ingest.parsers.transcript import build_document
from research_hub.ingest.types import IngestError, ParsedDocument

HEADER_CELLS = {"speaker", "name", "who", "time", "timestamp", "start", "text",
                 "transcript", "utterance", "said", "content", "comment", "notes"}
_NAME_CELL = re.compile(r"^[^\W\d_][\w'\u2019.\- ]{0,39}$")
_MAX_DEPTH = 5


def _open(data: bytes):
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise IngestError("cannot open DOCX: not a Word .docx file (not a zip package; "
                          "an old .doc or a renamed file?)")
    _check_unpacked_size(data)
    try:
        return docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise IngestError(f"cannot open DOCX: not a valid Word document ({exc.__class__.__name__})") from exc
    except Exception as exc:  # lxml errors and the like inside the package
        raise IngestError(f"cannot open DOCX: damaged document ({exc.__class__.__name__})") from exc


MAX_UNPACKED = 256 * 1024 * 1024  # the whole package, as python-docx reads every part
MAX_XML = 64 * 1024 * 1024  # the XML parts lxml has to parse


def _check_unpacked_size(data: bytes) -> None:
    """Refuse a zip bomb from the sizes its directory declares, before inflating anything
    (zipfile never inflates a member past its declared size)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            members = package.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise IngestError(f"cannot open DOCX: not a valid Word document ({exc.__class__.__name__})") from exc
    total = sum(m.file_size for m in members)
    xml = sum(m.file_size for m in members if m.filename.endswith((".xml", ".rels")))
    if total > MAX_UNPACKED or xml > MAX_XML:
        raise IngestError(f"cannot open DOCX: it would unpack to {total / 2**20:.0f} MB "
                          f"({xml / 2**20:.0f} MB of XML); refused as a possible zip bomb")


def _cell_text(cell, depth: int) -> str:
    parts = []
    for block in cell.iter_inner_content():
        if hasattr(block, "rows"):
            if depth < _MAX_DEPTH:
                parts.extend(_table_lines(block, depth + 1))
        else:
            parts.append(block.text)
    return "\n".join(parts).strip()


def table_row_line(cells: list[str]) -> str:
    """One table row as a line: ``Name | [time] | text`` -> ``[time] Name: text``,
    other rows their cells joined with " | " (shared by the ODT and HTML readers)."""
    stamp = None
    rest = []
    for text in cells:
        if stamp is None and parse_clock(text.strip("[]() ")) is not None:
            stamp = text.strip("[]() ")
        else:
            rest.append(text)
    if len(rest) >= 2 and _NAME_CELL.match(rest[0]) and not COLON_LABEL.match(rest[1]):
        prefix = f"[{stamp}] " if stamp else ""
        return f"{prefix}{rest[0].rstrip(':').strip()}: {' '.join(rest[1:])}"
    if stamp:
        rest.insert(0, stamp)
    return " | ".join(rest)


def _table_lines(table, depth: int = 0) -> list[str]:
    lines = []
    for row_index, row in enumerate(table.rows):
        seen = set()
        cells = []
        for cell in row.cells:
            if id(cell._tc) in seen:  # merged cells repeat
                continue
            seen.add(id(cell._tc))
            text = _cell_text(cell, depth)
            if text:
                cells.append(text)
        if not cells:
            continue
        if row_index == 0 and all(c.casefold().strip(": ") in HEADER_CELLS for c in cells):
            continue
        lines.append(table_row_line(cells))
    return lines


def _is_heading(paragraph) -> bool:
    try:
        name = (paragraph.style.name or "") if paragraph.style is not None else ""
    except Exception:  # a style reference the package does not define
        return False
    return name == "Title" or name.startswith("Heading")


def join_lines(lines: list[tuple[str, bool]]) -> tuple[str, list[int]]:
    """(line, is heading) pairs -> text joined with "\n" and the heading line offsets."""
    parts: list[str] = []
    headings: list[int] = []
    offset = 0
    for index, (line, heading) in enumerate(lines):
        line = normalize_newlines(line).replace("\x00", "")
        if index:
            parts.append("\n")
            offset += 1
        if heading and line.strip() and "\n" not in line:
            headings.append(offset + len(line) - len(line.lstrip()))
        parts.append(line)
        offset += len(line)
    return "".join(parts), headings


def docx_lines(data: bytes) -> list[tuple[str, bool]]:
    document = _open(data)
    lines: list[tuple[str, bool]] = []
    try:
        for block in document.iter_inner_content():
            if hasattr(block, "rows"):
                lines.extend((line, False) for line in _table_lines(block))
            else:
                lines.append((block.text, _is_heading(block)))
    except IngestError:
        raise
    except Exception as exc:
        raise IngestError(f"cannot read DOCX content ({exc.__class__.__name__})") from exc
    return lines


def docx_text(data: bytes) -> str:
    return join_lines(docx_lines(data))[0]


def parse_docx(path: Path, data: bytes) -> ParsedDocument:
    text, headings = join_lines(docx_lines(data))
    if not text.strip():
        raise IngestError("no text found in the DOCX (empty document)")
    return build_document(text, path, "docx", headings)


register([".docx"], label="Word document", families=[TRANSCRIPT],
         parse=lambda path, data, text_col: parse_docx(path, data))
