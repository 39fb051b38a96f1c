"""OpenDocument text .odt (odfpy) -> transcript text -> speaker turns.

Headings, paragraphs, list items and table rows are read in document order,
one line each, the way docx.py reads Word files: ``<text:s>`` spaces, tabs and
line breaks are kept, a table row shaped like ``Name | [time] | text`` becomes
``[time] Name: text``, and headings are title candidates. Comments
(annotations), footnotes, frames and the header/footer styles are not read.
The zip directory is checked before anything is inflated.
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

from research_hub.ingest.parsers.docx import HEADER_CELLS, join_lines, table_row_line
from research_hub.ingest.parsers.registry import TRANSCRIPT, register
from research_hub.ingest.parsers.tabular import check_zip_sizes
from research_hub.ingest.parsers.transcript import build_document
from research_hub.ingest.types import IngestError, ParsedDocument

TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
DRAW_NS = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
MAX_UNPACKED = 256 * 1024 * 1024
MAX_XML = 64 * 1024 * 1024
MAX_DEPTH = 40
_SKIP = {(OFFICE_NS, "annotation"), (OFFICE_NS, "annotation-end"), (TEXT_NS, "note"),
         (TEXT_NS, "tracked-changes"), (TEXT_NS, "sequence-decls"), (DRAW_NS, "frame"),
         (TEXT_NS, "table-of-content"), (TEXT_NS, "bookmark-ref")}
_BLOCKS = {(TEXT_NS, "p"), (TEXT_NS, "h")}


def _open(data: bytes):
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise IngestError("cannot open ODT: not an OpenDocument .odt file (not a zip package; "
                          "an old .doc or a renamed file?)")
    check_zip_sizes(data, "ODT", MAX_UNPACKED, MAX_XML)
    from odf.opendocument import load

    try:
        document = load(io.BytesIO(data))
    except Exception as exc:  # odfpy raises KeyError, XML errors, ... on a damaged package
        raise IngestError(f"cannot open ODT: not a valid OpenDocument text "
                          f"({exc.__class__.__name__})") from exc
    mimetype = getattr(document, "mimetype", "") or ""
    if not mimetype.startswith("application/vnd.oasis.opendocument.text") \
            or getattr(document, "text", None) is None:
        raise IngestError(f"cannot open ODT: not a text document ({mimetype or 'no type'})")
    return document


def _inline(node, depth: int = 0) -> str:
    """The text of a paragraph, with <text:s>, tabs and line breaks."""
    parts: list[str] = []
    for child in node.childNodes:
        if child.nodeType == child.TEXT_NODE:
            parts.append(child.data)
            continue
        if child.nodeType != child.ELEMENT_NODE or child.qname in _SKIP:
            continue
        name = child.qname
        if name == (TEXT_NS, "s"):
            count = child.getAttribute("c")
            parts.append(" " * (int(count) if count and count.isdigit() else 1))
        elif name == (TEXT_NS, "tab"):
            parts.append("\t")
        elif name == (TEXT_NS, "line-break"):
            parts.append("\n")
        elif depth < MAX_DEPTH:
            parts.append(_inline(child, depth + 1))
    return "".join(parts)


def _cell_text(cell, depth: int) -> str:
    lines: list[tuple[str, bool]] = []
    _blocks(cell, lines, depth + 1)
    return "\n".join(line for line, _ in lines).strip()


def _table(table, lines: list[tuple[str, bool]], depth: int) -> None:
    rows = [n for n in _descendants(table, (TABLE_NS, "table-row"), depth)]
    for index, row in enumerate(rows):
        cells = [_cell_text(c, depth) for c in row.childNodes
                 if c.nodeType == c.ELEMENT_NODE and c.qname == (TABLE_NS, "table-cell")]
        cells = [c for c in cells if c]
        if not cells:
            continue
        if index == 0 and all(c.casefold().strip(": ") in HEADER_CELLS for c in cells):
            continue
        lines.append((table_row_line(cells), False))


def _descendants(node, name, depth: int):
    """Rows of a table, also inside header-rows / row-groups, not of nested tables."""
    for child in node.childNodes:
        if child.nodeType != child.ELEMENT_NODE:
            continue
        if child.qname == name:
            yield child
        elif child.qname != (TABLE_NS, "table") and depth < MAX_DEPTH:
            yield from _descendants(child, name, depth + 1)


def _blocks(node, lines: list[tuple[str, bool]], depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        return
    for child in node.childNodes:
        if child.nodeType != child.ELEMENT_NODE or child.qname in _SKIP:
            continue
        if child.qname in _BLOCKS:
            lines.append((_inline(child), child.qname == (TEXT_NS, "h")))
        elif child.qname == (TABLE_NS, "table"):
            _table(child, lines, depth)
        else:  # lists, list items, sections, soft page breaks, ...
            _blocks(child, lines, depth + 1)


def odt_lines(data: bytes) -> list[tuple[str, bool]]:
    document = _open(data)
    lines: list[tuple[str, bool]] = []
    try:
        _blocks(document.text, lines)
    except IngestError:
        raise
    except Exception as exc:
        raise IngestError(f"cannot read ODT content ({exc.__class__.__name__})") from exc
    return lines


def parse_odt(path: Path, data: bytes) -> ParsedDocument:
    text, headings = join_lines(odt_lines(data))
    if not text.strip():
        raise IngestError("no text found in the ODT (empty document)")
    return build_document(text, path, "odt", headings)


register([".odt"], label="OpenDocument text", families=[TRANSCRIPT],
         parse=lambda path, data, text_col: parse_odt(path, data))
